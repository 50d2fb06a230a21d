"""Reminders: settings, scheduling, and the sweep that turns due reminders into deliveries.

The sweep (beat runs it every minute) reads only due rows through a partial index, claims them with
`select_for_update(skip_locked=True)` in batches, skips people who already did that period's entry or
whose space or reminders are paused, queues one outbox delivery per (person, kind, local period) —
unique in the database — and advances `next_due_at`. Its cost grows with the number of reminders due,
not with the number of people, and each batch of up to 500 is handled as a set: a fixed dozen or so
statements whatever is due (set-based reads, one `bulk_create(ignore_conflicts=True)`, one bulk update).
A row whose own work raises is logged and left for the next minute; if the batch fails as a set (in the
database), it is swept again one reminder per savepoint, so one bad row never rolls back or holds up
anyone else's.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from checkins.due import next_due, period_of
from checkins.emails import already_done, reminder_expires_at, space_is_active
from checkins.models import DailyCheckIn, NotificationSettings, Reminder, WeeklyReview
from recovery import outbox
from recovery.models import Couple, Delivery, Partner, User

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


_LOOK_UP = object()


def compute_next_due(
    reminder: Reminder, user: User, after: datetime, prefs: NotificationSettings | object | None = _LOOK_UP
) -> datetime | None:
    """The next due instant after `after`; `prefs` saves the look-up when the caller already read them."""
    if not reminder.enabled:
        return None
    if prefs is _LOOK_UP:
        prefs = NotificationSettings.objects.filter(user=user).first()
    assert prefs is None or isinstance(prefs, NotificationSettings)
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
            if due:
                was_due = {r.pk: r.next_due_at for r in due}
                try:
                    with transaction.atomic():  # a savepoint: if the set-based path fails, nothing of it stays
                        queued += _sweep_batch(due, now, failed)
                except Exception:
                    logger.warning("A batch of %s reminders failed as a set; sweeping them one by one.", len(due),
                                   exc_info=True)  # fmt: skip
                    for reminder in due:  # the savepoint undid the rows; the objects must say the same
                        reminder.next_due_at = was_due[reminder.pk]
                    queued += _sweep_one_by_one([r for r in due if r.pk not in failed], now, failed)
        if len(due) < batch_size:
            return queued


def _sweep_one_by_one(due: list[Reminder], now: datetime, failed: set[int]) -> list[int]:
    """The fallback: each reminder in a savepoint of its own, so one bad row never holds up the others."""
    queued = []
    for reminder in due:
        try:
            with transaction.atomic():
                delivery_id = _sweep_one(reminder, now)
        except Exception:
            logger.exception("Reminder %s could not be swept; it is tried again next minute.", reminder.pk)
            failed.add(reminder.pk)
            continue
        if delivery_id is not None:
            queued.append(delivery_id)
    return queued


def _sweep_batch(due: list[Reminder], now: datetime, failed: set[int]) -> list[int]:
    """One batch in a fixed number of statements, whatever is due: who is in an active space, who already
    did the entry, who paused; the deliveries inserted together (the unique constraint keeps them once
    only); every `next_due_at` advanced in one UPDATE. A row whose Python work raises (a time zone no longer
    known, say) is left as it was, logged, and retried next minute."""
    user_ids = {r.user_id for r in due}
    active = set(
        Partner._default_manager.filter(user_id__in=user_ids, left_at__isnull=True, couple__status=Couple.Status.ACTIVE)
        .filter(
            Exists(
                Partner._default_manager.filter(couple=OuterRef("couple"), left_at__isnull=True).exclude(
                    user=OuterRef("user")
                )
            )
        )
        .values_list("user_id", flat=True)
    )
    prefs = {p.user_id: p for p in NotificationSettings.objects.filter(user_id__in=user_ids)}
    plans: list[tuple[Reminder, str | None, datetime | None, datetime | None]] = []
    for reminder in due:
        try:
            assert reminder.next_due_at is not None
            zone = reminder.user.time_zone
            period = expires = None
            if now - reminder.next_due_at <= STALE_AFTER and reminder.user_id in active:
                period = period_of(kind=reminder.kind, due=reminder.next_due_at, zone_name=zone)
                expires = reminder_expires_at(kind=reminder.kind, period=period, user=reminder.user)
            after = max(now, reminder.next_due_at)
            next_at = compute_next_due(reminder, reminder.user, after, prefs=prefs.get(reminder.user_id))
        except Exception:
            logger.exception("Reminder %s could not be swept; it is tried again next minute.", reminder.pk)
            failed.add(reminder.pk)
            continue
        plans.append((reminder, period, expires, next_at))
    wanted = [(r, period, expires) for r, period, expires, _n in plans if period is not None]
    done = _already_done([(r, period) for r, period, _e in wanted])
    wanted = [(r, period, expires) for r, period, expires in wanted if (r.user_id, r.kind, period) not in done]
    queued: list[int] = []
    if wanted:
        keys = {(r.user_id, r.kind, period) for r, period, _e in wanted}
        existing = set(
            Delivery.objects.filter(
                user_id__in={k[0] for k in keys}, kind__in={k[1] for k in keys}, period__in={k[2] for k in keys}
            ).values_list("user_id", "kind", "period")
        )
        fresh = [(r, period, expires) for r, period, expires in wanted if (r.user_id, r.kind, period) not in existing]
        Delivery.objects.bulk_create(
            [
                Delivery(user_id=r.user_id, kind=r.kind, period=period, expires_at=expires)
                for r, period, expires in fresh
                if expires is not None  # always set with a period
            ],
            ignore_conflicts=True,  # the database's once-only rule has the last word
        )
        fresh_keys = {(r.user_id, r.kind, period) for r, period, _e in fresh}
        if fresh_keys:
            rows = Delivery.objects.filter(
                user_id__in={k[0] for k in fresh_keys},
                kind__in={k[1] for k in fresh_keys},
                period__in={k[2] for k in fresh_keys},
            ).values_list("pk", "user_id", "kind", "period")
            queued = sorted(pk for pk, *key in rows if tuple(key) in fresh_keys)
        outbox.ring_on_commit(queued)
    _advance([(reminder, next_at) for reminder, _period, _expires, next_at in plans])
    return queued


def _advance(moves: list[tuple[Reminder, datetime | None]]) -> None:
    """Every reminder's new `next_due_at` in one UPDATE. On PostgreSQL the values travel as two arrays joined
    to the table (`unnest`): Django's `bulk_update` builds a CASE with one WHEN per row, which costs more in
    Python than the rest of the batch together; elsewhere (SQLite, for `make run`) `bulk_update` does it."""
    if not moves:
        return
    connection = connections[router.db_for_write(Reminder)]
    if connection.vendor != "postgresql":
        # Copies carry the new times: the reminders themselves change only once the rows have.
        Reminder.objects.bulk_update([Reminder(pk=r.pk, next_due_at=next_at) for r, next_at in moves], ["next_due_at"])
    else:
        quote, meta = connection.ops.quote_name, Reminder._meta
        key_column, due_column = meta.pk.column if meta.pk else None, meta.get_field("next_due_at").column
        assert key_column and due_column
        table, key, column = quote(meta.db_table), quote(key_column), quote(due_column)
        with connection.cursor() as cursor:
            cursor.execute(  # names from the model, quoted; the values travel as parameters
                f"UPDATE {table} AS r SET {column} = v.next_at "
                f"FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, next_at) WHERE r.{key} = v.id",
                [[reminder.pk for reminder, _next in moves], [next_at for _reminder, next_at in moves]],
            )
    for reminder, next_at in moves:
        reminder.next_due_at = next_at


def _already_done(pairs: list[tuple[Reminder, str]]) -> set[tuple[int, str, str]]:
    """(user, kind, period) of the reminders whose entry is already written: one query per kind present."""
    done: set[tuple[int, str, str]] = set()
    daily = [(r.user_id, date.fromisoformat(p)) for r, p in pairs if r.kind == Reminder.Kind.DAILY_CHECK_IN]
    weekly = [(r.user_id, _week_start(p)) for r, p in pairs if r.kind == Reminder.Kind.WEEKLY_REVIEW]
    if daily:
        wanted = set(daily)
        for author_id, day in DailyCheckIn.objects.filter(
            author_id__in={u for u, _d in daily}, local_date__in={d for _u, d in daily}
        ).values_list("author_id", "local_date"):
            if (author_id, day) in wanted:
                done.add((author_id, Reminder.Kind.DAILY_CHECK_IN, day.isoformat()))
    if weekly:
        wanted = set(weekly)
        for author_id, monday in WeeklyReview.objects.filter(
            author_id__in={u for u, _d in weekly}, week_start__in={d for _u, d in weekly}
        ).values_list("author_id", "week_start"):
            if (author_id, monday) in wanted:
                year, week, _day = monday.isocalendar()
                done.add((author_id, Reminder.Kind.WEEKLY_REVIEW, f"{year}-W{week:02d}"))
    return done


def _week_start(period: str) -> date:
    year, week = period.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


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
