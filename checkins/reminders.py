"""Reminders: settings, scheduling, and the sweep that turns due reminders into deliveries.

The sweep (beat runs it every minute) reads only due rows through a partial index, claims them with
`select_for_update(skip_locked=True)` in batches, skips people who already did that period's entry or
whose space or reminders are paused, writes one Delivery per (person, kind, local period) — unique in
the database — advances `next_due_at`, and queues the send when the transaction commits. Its cost
grows with the number of reminders due, not with the number of people.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from checkins.due import next_due, period_of
from checkins.models import DailyCheckIn, Delivery, NotificationSettings, Reminder, WeeklyReview
from recovery.access import membership_of
from recovery.models import Couple, User

logger = logging.getLogger(__name__)

DEFAULT_DAILY_TIME = time(20, 0)
DEFAULT_WEEKLY_TIME = time(19, 0)
DEFAULT_WEEKDAY = 6  # Sunday
BATCH_SIZE = 500
# A reminder more than this late (the sweep wasn't running) is skipped, not sent: "check in today"
# about a day already gone helps no one.
STALE_AFTER = timedelta(hours=6)


def settings_for(user: User) -> NotificationSettings:
    prefs, _created = NotificationSettings.objects.get_or_create(user=user)
    return prefs


def reminders_for(user: User) -> dict[str, Reminder]:
    """The person's two reminders, created (on, at the defaults) the first time they're asked for."""
    existing = {r.kind: r for r in Reminder.objects.filter(user=user)}
    defaults = {
        Reminder.Kind.DAILY_CHECK_IN: {"local_time": DEFAULT_DAILY_TIME, "weekday": None},
        Reminder.Kind.WEEKLY_REVIEW: {"local_time": DEFAULT_WEEKLY_TIME, "weekday": DEFAULT_WEEKDAY},
    }
    for kind, values in defaults.items():
        if kind not in existing:
            reminder = Reminder(user=user, kind=kind, **values)
            reminder.next_due_at = compute_next_due(reminder, user, timezone.now())
            try:
                with transaction.atomic():
                    reminder.save()
            except IntegrityError:  # created by a parallel request
                reminder = Reminder.objects.get(user=user, kind=kind)
            existing[kind] = reminder
    return existing


def compute_next_due(reminder: Reminder, user: User, after: datetime) -> datetime | None:
    if not reminder.enabled:
        return None
    prefs = NotificationSettings.objects.filter(user=user).first()
    if prefs and prefs.paused_until:
        # Nothing until the day after the pause ends, in the person's own time zone.
        resume = datetime.combine(prefs.paused_until + timedelta(days=1), time.min, tzinfo=ZoneInfo(user.time_zone))
        after = max(after, resume - timedelta(microseconds=1))
    return next_due(at=reminder.local_time, zone_name=user.time_zone, after=after, weekday=reminder.weekday)


def reschedule(user: User) -> None:
    """Recompute every reminder of the person (after a settings, time zone or pause change)."""
    now = timezone.now()
    for reminder in Reminder.objects.filter(user=user):
        reminder.next_due_at = compute_next_due(reminder, user, now)
        reminder.save(update_fields=["next_due_at"])


def pause_all(user: User) -> None:
    """The one-click pause in every reminder e-mail: switch every reminder off."""
    Reminder.objects.filter(user=user).update(enabled=False, next_due_at=None)


def _already_done(reminder: Reminder, period: str, couple: Couple) -> bool:
    if reminder.kind == Reminder.Kind.DAILY_CHECK_IN:
        return DailyCheckIn.objects.filter(author_id=reminder.user_id, local_date=period).exists()
    year, week = period.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    return WeeklyReview.objects.filter(author_id=reminder.user_id, week_start=monday).exists()


def _should_send(reminder: Reminder, period: str) -> bool:
    user = reminder.user
    membership = membership_of(user)
    if membership is None or membership.couple.status != Couple.Status.ACTIVE:
        return False  # no space, or a paused one: nothing to remind about
    return not _already_done(reminder, period, membership.couple)


def sweep(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> list[int]:
    """Turn every reminder due by `now` into (at most) one delivery; returns the deliveries queued."""
    from checkins.tasks import send_delivery

    now = now or timezone.now()
    queued: list[int] = []
    while True:
        with transaction.atomic():
            due = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .filter(enabled=True, next_due_at__lte=now)
                .order_by("next_due_at")[:batch_size]
            )
            for reminder in due:
                user = reminder.user
                period = period_of(kind=reminder.kind, due=reminder.next_due_at, zone_name=user.time_zone)
                if now - reminder.next_due_at <= STALE_AFTER and _should_send(reminder, period):
                    delivery, created = Delivery.objects.get_or_create(user=user, kind=reminder.kind, period=period)
                    if created:
                        queued.append(delivery.pk)
                        transaction.on_commit(lambda pk=delivery.pk: send_delivery.delay(pk))
                reminder.next_due_at = compute_next_due(reminder, user, max(now, reminder.next_due_at))
                reminder.save(update_fields=["next_due_at"])
        if len(due) < batch_size:
            return queued


def sender() -> str:
    return f"{settings.REMINDER_FROM_NAME} <{settings.REMINDER_FROM_ADDRESS}>"
