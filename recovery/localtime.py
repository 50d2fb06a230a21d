"""A person's own date: everything dated by the day (check-ins, steps, rituals) uses their time zone."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

from recovery.models import User


def local_today(user: User) -> date:
    return timezone.now().astimezone(ZoneInfo(user.time_zone)).date()
