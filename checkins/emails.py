"""The e-mails of check-ins: the daily and weekly reminders and the two partner updates, as outbox kinds.

Every one says only that something is waiting in Mend — never the affair, trust, stages, the partner, or
what anyone wrote — and carries a one-click link that pauses everything Mend would e-mail that person
(reminders and updates alike). Just before sending, each checks that the person still wants it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse

from checkins.models import DailyCheckIn, NotificationSettings, Reminder, WeeklyReview, new_pause_token
from recovery import outbox
from recovery.access import membership_of, other_partner
from recovery.localtime import local_today
from recovery.models import Couple, Delivery, User

UPDATE_VALID_FOR = timedelta(days=3)  # "there's an update" is stale after a few days


def settings_for(user: User) -> NotificationSettings:
    prefs, _created = NotificationSettings.objects.get_or_create(user=user)
    return prefs


def pause_url(user: User) -> str:
    return outbox.site_url(reverse("checkins:pause_reminders", args=[settings_for(user).pause_token]))


def user_from_pause_token(token: str) -> User | None:
    prefs = NotificationSettings.objects.select_related("user").filter(pause_token=token).first()
    return prefs.user if prefs is not None and prefs.user.is_active else None


def reset_pause_token(user: User) -> None:
    """A new one-click link; the links in earlier e-mails stop working."""
    NotificationSettings.objects.filter(pk=settings_for(user).pk).update(pause_token=new_pause_token())


def pause_everything(user: User) -> None:
    """The one-click link: no reminders and no updates by e-mail until the person turns them back on."""
    Reminder.objects.filter(user=user).update(enabled=False, next_due_at=None)
    NotificationSettings.objects.filter(pk=settings_for(user).pk).update(partner_ready=False, reviews_ready=False)


# --- when a message stops being worth sending ----------------------------------------------------


def _local_midnight(day: date, user: User) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(user.time_zone))


def reminder_expires_at(*, kind: str, period: str, user: User) -> datetime:
    """A reminder about a day or a week is worth sending until that day or week ends for the person."""
    if kind == Reminder.Kind.WEEKLY_REVIEW:
        year, week = period.split("-W")
        return _local_midnight(date.fromisocalendar(int(year), int(week), 1) + timedelta(days=7), user)
    return _local_midnight(date.fromisoformat(period) + timedelta(days=1), user)


# --- the checks just before sending -----------------------------------------------------------------


def space_is_active(user: User) -> bool:
    """Reminders and updates are for a complete, active space: not before the partner has joined (the
    README's promise), and not while the space is paused or closed."""
    membership = membership_of(user)
    return (
        membership is not None and membership.couple.status == Couple.Status.ACTIVE and other_partner(user) is not None
    )


def _reminder_still_wanted(delivery: Delivery, payload: dict[str, Any]) -> str:
    user = delivery.user
    assert user is not None
    prefs = NotificationSettings.objects.filter(user=user).first()
    if prefs is not None and prefs.paused_until and prefs.paused_until >= local_today(user):
        return "reminders are paused"
    if not Reminder.objects.filter(user=user, kind=delivery.kind, enabled=True).exists():
        return "this reminder was turned off"
    if not space_is_active(user):
        return "the space is paused or closed, or the partner hasn't joined"
    return "already done" if already_done(user_id=user.pk, kind=delivery.kind, period=delivery.period) else ""


def already_done(*, user_id: int, kind: str, period: str) -> bool:
    """Whether the person already did what a reminder of this kind and local period is about."""
    if kind == Reminder.Kind.DAILY_CHECK_IN:
        return DailyCheckIn.objects.filter(author_id=user_id, local_date=date.fromisoformat(period)).exists()
    year, week = period.split("-W")
    return WeeklyReview.objects.filter(
        author_id=user_id, week_start=date.fromisocalendar(int(year), int(week), 1)
    ).exists()


def _update_still_wanted(delivery: Delivery, payload: dict[str, Any]) -> str:
    user = delivery.user
    assert user is not None
    prefs = NotificationSettings.objects.filter(user=user).first()
    if prefs is not None and not getattr(prefs, delivery.kind):
        return "updates of this kind were turned off"
    return "" if space_is_active(user) else "the space is paused or closed"


def _with_pause_link(delivery: Delivery, payload: dict[str, Any]) -> dict[str, Any]:
    assert delivery.user is not None
    return {"pause_url": pause_url(delivery.user)}


DAILY = outbox.register(
    outbox.Kind(
        name=Reminder.Kind.DAILY_CHECK_IN,
        template="reminder_daily",
        context=_with_pause_link,
        still_wanted=_reminder_still_wanted,
    )
)
WEEKLY = outbox.register(
    outbox.Kind(
        name=Reminder.Kind.WEEKLY_REVIEW,
        template="reminder_weekly",
        context=_with_pause_link,
        still_wanted=_reminder_still_wanted,
    )
)
PARTNER_READY = outbox.register(
    outbox.Kind(
        name="partner_ready", template="event_update", context=_with_pause_link, still_wanted=_update_still_wanted
    )
)
REVIEWS_READY = outbox.register(
    outbox.Kind(
        name="reviews_ready", template="event_update", context=_with_pause_link, still_wanted=_update_still_wanted
    )
)
