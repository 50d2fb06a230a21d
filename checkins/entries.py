"""Writing check-ins and reviews, with the date rules: a check-in is for today (editable all day) or,
added late, for yesterday; a weekly review is for the current week and can be changed until the two
reviews of that week are revealed together (both shared). An "only me" review reveals nothing and is
never locked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkins.models import DailyCheckIn, WeeklyReview
from recovery.access import SHARED
from recovery.localtime import local_today, week_start_for
from recovery.models import Partner, User


class EntryError(Exception):
    """Why an entry can't be saved; shown as it is, with the form re-rendered."""


def check_in_dates(user: User) -> tuple[date, date]:
    today = local_today(user)
    return today - timedelta(days=1), today


def own_check_in(user: User, on: date) -> DailyCheckIn | None:
    return DailyCheckIn.objects.filter(author=user, local_date=on).first()


def may_edit_check_in(entry: DailyCheckIn, user: User) -> bool:
    return entry.author_id == user.pk and entry.local_date == local_today(user)


def save_check_in(
    *, membership: Partner, on: date, fields: dict[str, Any], existing: DailyCheckIn | None
) -> tuple[DailyCheckIn, bool]:
    """Create the person's check-in for `on`, or update today's. Returns (entry, created). `existing`: the
    person's check-in for `on` as the caller just read it (`own_check_in`), so an update (most saves) doesn't
    read it again; None is looked again here, so a double click or a second tab, whose form was built before
    the first save, updates what the first saved. Two saves at the very same moment: the database keeps one,
    and the other is told."""
    user = membership.user
    if existing is not None and (existing.author_id != user.pk or existing.local_date != on):
        raise ValueError("existing must be this person's check-in for this day")
    if existing is None:
        existing = own_check_in(user, on)
    earliest, today = check_in_dates(user)
    if not earliest <= on <= today:
        raise EntryError(_("A check-in can be for today or, if you missed it, yesterday."))
    if membership.role != Partner.Role.INVOLVED:
        fields = {**fields, "shared_unprompted": ""}
    if not fields.get("trigger"):
        fields = {**fields, "trigger_note": ""}
    if existing is not None:
        if on != today:
            raise EntryError(_("Yesterday's check-in is already saved. Today's is open all day."))
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.updated_at = timezone.now()
        existing.save()
        return existing, False
    try:
        with transaction.atomic():
            entry = DailyCheckIn.objects.create(couple=membership.couple, author=user, local_date=on, **fields)
    except IntegrityError as exc:  # the same day sent twice at once (double click, two tabs)
        raise EntryError(_("This day's check-in was just saved. Reload to see it.")) from exc
    return entry, True


def revealed_together(membership: Partner, week_start: date) -> bool:
    """Whether both partners have shared their review of that week, so each has read the other's: from
    then on neither review can change."""
    return (
        WeeklyReview.objects.visible_to(membership.user).filter(week_start=week_start, visibility__in=SHARED).count()
        == 2
    )


def save_review(*, membership: Partner, fields: dict[str, Any]) -> tuple[WeeklyReview, bool]:
    user = membership.user
    week = week_start_for(user)
    existing = WeeklyReview.objects.filter(author=user, week_start=week).first()
    if existing is not None:
        if revealed_together(membership, week):
            raise EntryError(_("You've both shared this week's review, so it can't be changed now."))
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.updated_at = timezone.now()
        existing.save()
        review, created = existing, False
    else:
        try:
            with transaction.atomic():
                review = WeeklyReview.objects.create(couple=membership.couple, author=user, week_start=week, **fields)
        except IntegrityError as exc:
            raise EntryError(_("This week's review was just saved. Reload to see it.")) from exc
        created = True
    if revealed_together(membership, week):
        from checkins import notifications

        partner = Partner.objects.filter(couple=membership.couple, left_at__isnull=True).exclude(user=user).first()
        year, number, _weekday = week.isocalendar()
        notifications.reviews_ready(
            people=[u for u in (user, partner and partner.user) if u], week=f"{year}-W{number:02d}"
        )
    return review, created
