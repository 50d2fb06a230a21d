"""Dates that matter: a person's own dates (the discovery, a wedding anniversary) and the fixed-date holidays
they chose, and which of them is near enough for a kind note on the home page.

A date's label is shown to its author, and to the partner only if the author shared it; the therapist never
sees these (access.PartnerOnlyQuerySet). Nothing here goes into an e-mail: reminder e-mails stay discreet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from checkins.models import DateThatMatters, Holiday, HolidayNote
from recovery.access import other_partner
from recovery.localtime import local_today
from recovery.models import Partner, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The note shows from this many days before the date, through the day itself.
NOTE_DAYS_BEFORE = 7

HOLIDAY_DATES: dict[str, tuple[int, int]] = {
    Holiday.VALENTINES: (2, 14),
    Holiday.CHRISTMAS: (12, 25),
    Holiday.NEW_YEARS_EVE: (12, 31),
}
HOLIDAY_NAMES: dict[str, StrOrPromise] = {
    Holiday.VALENTINES: _("Valentine's Day"),
    Holiday.CHRISTMAS: _("Christmas Day"),
    Holiday.NEW_YEARS_EVE: _("New Year's Eve"),
}


def _in_year(year: int, month: int, day: int) -> date:
    """29 February falls on the 28th in other years."""
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, day - 1)


def next_occurrence(on: date, *, yearly: bool, today: date) -> date | None:
    """The date's next day on or after `today`, or None for a one-off date already past."""
    if not yearly:
        return on if on >= today else None
    this_year = _in_year(today.year, on.month, on.day)
    return this_year if this_year >= today else _in_year(today.year + 1, on.month, on.day)


@dataclass(frozen=True)
class ComingUp:
    when: date
    days: int  # 0 is today
    label: str  # the person's own words, or the holiday's name
    mine: bool  # the viewer's own date (or holiday), rather than one their partner shared
    author_name: str = ""


def coming_up(user: User, *, today: date | None = None) -> list[ComingUp]:
    """Dates within NOTE_DAYS_BEFORE days (the viewer's own local days), nearest first: two queries."""
    today = today or local_today(user)
    near: list[ComingUp] = []
    # A date the viewer may see is theirs or their partner's (the couple's members leave only when it ends):
    # the partner's name comes with the membership, not with each date.
    partner = other_partner(user)
    partner_name = partner.user.get_short_name() if partner else ""
    for entry in DateThatMatters.objects.visible_to(user):
        when = next_occurrence(entry.on, yearly=entry.yearly, today=today)
        if when is not None and (when - today).days <= NOTE_DAYS_BEFORE:
            mine = entry.author_id == user.pk
            near.append(
                ComingUp(
                    when=when, days=(when - today).days, label=entry.label, mine=mine,
                    author_name="" if mine else partner_name,
                )
            )  # fmt: skip
    for holiday in HolidayNote.objects.filter(user=user).values_list("holiday", flat=True):
        month, day = HOLIDAY_DATES[holiday]
        when = next_occurrence(date(2000, month, day), yearly=True, today=today)
        if when is not None and (when - today).days <= NOTE_DAYS_BEFORE:
            near.append(ComingUp(when=when, days=(when - today).days, label=str(HOLIDAY_NAMES[holiday]), mine=True))
    return sorted(near, key=lambda c: (c.days, not c.mine))


def chosen_holidays(user: User) -> list[str]:
    return list(HolidayNote.objects.filter(user=user).values_list("holiday", flat=True))


def set_holidays(user: User, holidays: list[str]) -> None:
    wanted = {h for h in holidays if h in HOLIDAY_DATES}
    HolidayNote.objects.filter(user=user).exclude(holiday__in=wanted).delete()
    for holiday in wanted:
        HolidayNote.objects.get_or_create(user=user, holiday=holiday)


def save_date(*, membership: Partner, fields: dict, instance: DateThatMatters | None = None) -> DateThatMatters:
    """Add a date that matters (or, for its author, change one)."""
    entry = instance or DateThatMatters(couple=membership.couple, author=membership.user)
    for name in ("label", "on", "yearly", "visibility"):
        setattr(entry, name, fields[name])
    entry.save()
    return entry


def delete_date(entry: DateThatMatters) -> None:
    entry.delete()
