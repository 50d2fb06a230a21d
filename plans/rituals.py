"""The Table of Trust: rituals a partner misses ("I miss…"), and the dates the couple did them."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.completions import local_today
from plans.models import Ritual, RitualDone
from recovery.models import Couple, User


class RitualError(Exception):
    pass


def add_ritual(*, couple: Couple, by: User, text: str) -> Ritual:
    text = text.strip()
    if not text:
        raise RitualError(_("Write what you miss."))
    return Ritual.objects.create(couple=couple, created_by=by, text=text)


def mark_done(*, ritual: Ritual, by: User, on: date) -> RitualDone:
    today = local_today(by)
    if on > today:
        raise RitualError(_("That date is still to come. Mark it on the day you do it."))
    if on < today - timedelta(days=366):
        raise RitualError(_("That date is more than a year ago."))
    try:
        with transaction.atomic():
            return RitualDone.objects.create(ritual=ritual, by=by, done_on=on)
    except IntegrityError as exc:
        raise RitualError(_("That date is already marked.")) from exc


def archive(*, ritual: Ritual) -> None:
    Ritual.objects.filter(pk=ritual.pk, archived_at__isnull=True).update(archived_at=timezone.now())


def restore(*, ritual: Ritual) -> None:
    Ritual.objects.filter(pk=ritual.pk).update(archived_at=None)
