"""The weekly calendar: weeks run Monday to Sunday in each person's own time zone."""

from __future__ import annotations

from datetime import date, timedelta

from recovery.localtime import local_today
from recovery.models import User


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_start_for(user: User) -> date:
    """The Monday of the person's current local week."""
    return monday_of(local_today(user))
