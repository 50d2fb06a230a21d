"""When a reminder is next due, in UTC, from a local time of day (and weekday) in a time zone. Pure.

- A local time that doesn't exist that day (the clocks jump forward over it) moves forward by the
  length of the jump: 02:30 on a spring-forward night in New York fires at 03:30.
- A local time that happens twice (the clocks go back) fires once, at its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `at` on `day` in `zone` (first occurrence; a skipped time moves forward)."""
    # fold=0 uses the offset in force before a transition: for a skipped time that lands after the
    # jump by its length, for a repeated time it is the first of the two.
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0).astimezone(UTC)


def next_due(*, at: time, zone_name: str, after: datetime, weekday: int | None = None) -> datetime:
    """The first due instant strictly after `after` (an aware datetime)."""
    zone = ZoneInfo(zone_name)
    start = after.astimezone(zone).date() - timedelta(days=1)  # the previous local day may still be ahead in UTC
    for offset in range(0, 10):
        day = start + timedelta(days=offset)
        if weekday is not None and day.weekday() != weekday:
            continue
        candidate = local_instant(day, at, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a matching day falls within ten days")


def period_of(*, kind: str, due: datetime, zone_name: str) -> str:
    """The local period a due instant belongs to: its local date, or its ISO week for weekly reminders."""
    local_day = due.astimezone(ZoneInfo(zone_name)).date()
    if kind == "weekly":
        year, week, _weekday = local_day.isocalendar()
        return f"{year}-W{week:02d}"
    return local_day.isoformat()
