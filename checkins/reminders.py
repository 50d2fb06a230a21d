"""Reminders: settings, scheduling, and the sweep that turns due reminders into deliveries.

The sweep (beat runs it every minute) reads only due rows through a partial index, claims them with
`select_for_update(skip_locked=True)` in batches, skips people who already did that period's entry or
whose space or reminders are paused, queues one outbox delivery per (person, kind, local period) —
unique in the database — and advances `next_due_at`. Its cost grows with the number of reminders due,
not with the number of people. Each reminder is swept in a savepoint of its own: one that raises is
logged and left for the next minute, and never rolls back or holds up anyone else's.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from checkins.due import next_due, period_of
from checkins.emails import already_done, reminder_expires_at, space_is_active
from checkins.models import NotificationSettings, Reminder
from recovery import outbox
from recovery.models import User

logger = logging.getLogger(__name__)

DEFAULT_DAILY_TIME = time(20, 0)
DEFAULT_WEEKLY_TIME = time(19, 0)
DEFAULT_WEEKDAY = 6  # Sunday
BATCH_SIZE = 500
# A reminder more than this late (the sweep wasn't running) is skipped, not sent: "check in today"
# about a day already gone helps no one.
STALE_AFTER = timedelta(hours=6)
# The longest pause a person can set (the form says so); a longer one already stored counts as this long.
MAX_PAUSE_DAYS = 365


def reminders_for(user: User) -> dict[str, Reminder]:
    """The person's two reminders, created (on, at the defaults) the first time they're asked for."""
    existing = {r.kind: r for r in Reminder.objects.filter(user=user)}
    defaults: dict[str, dict[str, Any]] = {
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
        zone = ZoneInfo(user.time_zone)
        last_paused_day = min(prefs.paused_until, after.astimezone(zone).date() + timedelta(days=MAX_PAUSE_DAYS))
        resume = datetime.combine(last_paused_day + timedelta(days=1), time.min, tzinfo=zone)
        after = max(after, resume - timedelta(microseconds=1))
    return next_due(at=reminder.local_time, zone_name=user.time_zone, after=after, weekday=reminder.weekday)


def save_settings(*, user: User, choices: dict[str, Any]) -> None:
    """The reminder settings page: both reminders, the pause and the updates, saved together."""
    with transaction.atomic():
        found = reminders_for(user)
        daily, weekly = found[Reminder.Kind.DAILY_CHECK_IN], found[Reminder.Kind.WEEKLY_REVIEW]
        daily.enabled, daily.local_time = choices["daily_enabled"], choices["daily_time"]
        weekly.enabled, weekly.weekday = choices["weekly_enabled"], choices["weekly_weekday"]
        weekly.local_time = choices["weekly_time"]
        daily.save(update_fields=["enabled", "local_time"])
        weekly.save(update_fields=["enabled", "weekday", "local_time"])
        NotificationSettings.objects.update_or_create(
            user=user,
            defaults={
                "paused_until": choices["paused_until"],
                "partner_ready": choices["partner_ready"],
                "reviews_ready": choices["reviews_ready"],
            },
        )
        reschedule(user)


def reschedule(user: User) -> None:
    """Recompute every reminder of the person (after a settings, time zone or pause change)."""
    now = timezone.now()
    for reminder in Reminder.objects.filter(user=user):
        reminder.next_due_at = compute_next_due(reminder, user, now)
        reminder.save(update_fields=["next_due_at"])


def _should_send(reminder: Reminder, period: str) -> bool:
    if not space_is_active(reminder.user):
        return False  # no space, a paused one, or the partner hasn't joined yet: nothing to remind about
    return not already_done(user_id=reminder.user_id, kind=reminder.kind, period=period)


def sweep(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> list[int]:
    """Turn every reminder due by `now` into (at most) one delivery; returns the deliveries queued."""
    now = now or timezone.now()
    queued: list[int] = []
    failed: set[int] = set()  # raised this time: left locked out of this sweep, tried again next minute
    while True:
        with transaction.atomic():
            due = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .filter(enabled=True, next_due_at__lte=now)
                .exclude(pk__in=failed)
                .order_by("next_due_at")[:batch_size]
            )
            for reminder in due:
                try:
                    with transaction.atomic():  # a savepoint: one bad row rolls back only itself
                        delivery_id = _sweep_one(reminder, now)
                except Exception:
                    logger.exception("Reminder %s could not be swept; it is tried again next minute.", reminder.pk)
                    failed.add(reminder.pk)
                    continue
                if delivery_id is not None:
                    queued.append(delivery_id)
        if len(due) < batch_size:
            return queued


def _sweep_one(reminder: Reminder, now: datetime) -> int | None:
    user = reminder.user
    assert reminder.next_due_at is not None
    period = period_of(kind=reminder.kind, due=reminder.next_due_at, zone_name=user.time_zone)
    delivery = None
    if now - reminder.next_due_at <= STALE_AFTER and _should_send(reminder, period):
        delivery = outbox.queue(
            kind=reminder.kind,
            period=period,
            user=user,
            expires_at=reminder_expires_at(kind=reminder.kind, period=period, user=user),
        )
    reminder.next_due_at = compute_next_due(reminder, user, max(now, reminder.next_due_at))
    reminder.save(update_fields=["next_due_at"])
    return delivery.pk if delivery is not None else None
