"""A person's own date and week: everything dated by the day (check-ins, steps, rituals) uses their time zone,
and weeks (weekly reviews, the home page's charts) run Monday to Sunday in it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from recovery.models import User


def local_today(user: User) -> date:
    return timezone.now().astimezone(ZoneInfo(user.time_zone)).date()


def local_date_of(moment: datetime, user: User) -> date:
    """The person's own date of an instant (a stage that opened at 23:30 in Honolulu opened that day)."""
    return moment.astimezone(ZoneInfo(user.time_zone)).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_start_for(user: User) -> date:
    """The Monday of the person's current local week."""
    return monday_of(local_today(user))
