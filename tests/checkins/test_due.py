"""Due-time maths across time zones and clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkins.due import local_instant, next_due, period_of

ZONES = [
    "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham",
    "Pacific/Kiritimati", "Pacific/Auckland", "Pacific/Honolulu", "UTC",
]  # fmt: skip


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "at", "after", "expected"),
    [
        # New York, spring forward (8 March 2026, 02:00 -> 03:00): 02:30 doesn't exist, fires at 03:30 EDT.
        ("America/New_York", time(2, 30), utc(2026, 3, 8, 0, 0), utc(2026, 3, 8, 7, 30)),
        # …and on an ordinary day it is 02:30 EDT.
        ("America/New_York", time(2, 30), utc(2026, 3, 9, 0, 0), utc(2026, 3, 9, 6, 30)),
        # New York, fall back (1 November 2026): 01:30 happens twice; it fires at the first (EDT).
        ("America/New_York", time(1, 30), utc(2026, 10, 31, 12, 0), utc(2026, 11, 1, 5, 30)),
        # London, spring forward (29 March 2026, 01:00 -> 02:00): 01:30 fires at 02:30 BST.
        ("Europe/London", time(1, 30), utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 1, 30)),
        # London, fall back (25 October 2026): 01:30 fires once, in BST.
        ("Europe/London", time(1, 30), utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 0, 30)),
        # Lord Howe moves by 30 minutes (4 October 2026, 02:00 -> 02:30): 02:15 fires at 02:45 (+11).
        ("Australia/Lord_Howe", time(2, 15), utc(2026, 10, 3, 0, 0), utc(2026, 10, 3, 15, 45)),
        # Lord Howe falls back (5 April 2026, 02:00 -> 01:30): 01:45 fires once, at +11.
        ("Australia/Lord_Howe", time(1, 45), utc(2026, 4, 4, 0, 0), utc(2026, 4, 4, 14, 45)),
        # Kolkata, +05:30 all year.
        ("Asia/Kolkata", time(20, 0), utc(2026, 6, 1, 0, 0), utc(2026, 6, 1, 14, 30)),
        # Chatham, +13:45 in summer; spring forward 27 September 2026 02:45 -> 03:45: 03:00 fires at 04:00.
        ("Pacific/Chatham", time(3, 0), utc(2026, 9, 26, 0, 0), utc(2026, 9, 26, 14, 15)),
        ("Pacific/Chatham", time(20, 0), utc(2026, 12, 1, 0, 0), utc(2026, 12, 1, 6, 15)),
        # Kiritimati, UTC+14: 20:00 on 1 July is 06:00 UTC that same day.
        ("Pacific/Kiritimati", time(20, 0), utc(2026, 7, 1, 0, 0), utc(2026, 7, 1, 6, 0)),
    ],
)
def test_it_finds_the_next_local_time(zone: str, at: time, after: datetime, expected: datetime) -> None:
    assert next_due(at=at, zone_name=zone, after=after) == expected


def test_an_ambiguous_time_fires_once_then_moves_to_the_next_day() -> None:
    first = next_due(at=time(1, 30), zone_name="America/New_York", after=utc(2026, 10, 31, 12, 0))
    second = next_due(at=time(1, 30), zone_name="America/New_York", after=first)
    assert second == utc(2026, 11, 2, 6, 30)  # 01:30 EST on 2 November, not 01:30 EST on 1 November


def test_weekly_reminders_land_on_their_weekday() -> None:
    due = next_due(at=time(19, 0), zone_name="Europe/London", after=utc(2026, 11, 21, 12, 0), weekday=6)
    assert due.astimezone(ZoneInfo("Europe/London")).strftime("%A %H:%M") == "Sunday 19:00"
    assert due == utc(2026, 11, 22, 19, 0)


def test_periods_are_local_dates_and_iso_weeks() -> None:
    due = utc(2026, 11, 21, 10, 30)  # 23:30 on the 21st in Auckland, 00:30 on the 21st in Honolulu
    assert period_of(kind="daily", due=due, zone_name="Pacific/Auckland") == "2026-11-21"
    assert period_of(kind="daily", due=due, zone_name="Pacific/Honolulu") == "2026-11-21"
    assert period_of(kind="weekly", due=due, zone_name="Pacific/Auckland") == "2026-W47"


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    after=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
    weekday=st.one_of(st.none(), st.integers(0, 6)),
)
def test_the_next_due_time_is_soon_after_and_at_the_local_time(zone, hour, minute, after, weekday) -> None:
    at = time(hour, minute)
    due = next_due(at=at, zone_name=zone, after=after, weekday=weekday)
    assert after < due <= after + timedelta(days=8, hours=2)
    local = due.astimezone(ZoneInfo(zone))
    # At the local time, or moved forward by a clock jump of at most an hour.
    wall = datetime.combine(local.date(), at)
    assert timedelta(0) <= local.replace(tzinfo=None) - wall <= timedelta(hours=1)
    assert due == local_instant(local.date(), at, ZoneInfo(zone))
    if weekday is not None:
        assert local.weekday() == weekday
