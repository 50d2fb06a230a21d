"""The PHQ-9 in Mend: optional, offered every two weeks on the person's own pages, theirs alone or theirs and
their therapist's — never their partner's. Scoring lives in checkins/phq9.py; who sees what in access.py.

The offer is gentle: it appears when two weeks have passed since the last one answered (or since "not now"),
never by e-mail, and can be switched off for good. Nothing is counted against anyone for not answering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkins import phq9
from checkins.models import Phq9Offer, Phq9Response
from recovery.access import OwnVisibility
from recovery.localtime import local_date_of, local_today
from recovery.models import Partner, User


class WellbeingError(Exception):
    """Why a PHQ-9 can't be saved; shown as it is, with what was chosen kept."""


def offer_for(user: User) -> Phq9Offer:
    """The person's choice about being offered the PHQ-9: their saved one, or the default (offered) unsaved;
    reading it writes nothing."""
    return Phq9Offer.objects.filter(user=user).first() or Phq9Offer(user=user)


def offer_due(
    user: User, *, today: date | None = None, offer: Phq9Offer | None = None, trend: list[TrendPoint] | None = None
) -> bool:
    """Whether to offer the PHQ-9 on the person's pages now. `offer` (`offer_for`) and `trend` (`own_trend`):
    the person's, if the page has read them already. An answer in the trend from the last two weeks settles
    it (not due); otherwise their latest answer anywhere is looked up (the trend holds this couple's only)."""
    today = today or local_today(user)
    offer = offer or offer_for(user)
    if not offer.offered:
        return False
    put_off_at = offer.not_now_at
    if put_off_at is not None and (today - local_date_of(put_off_at, user)).days < phq9.OFFER_EVERY_DAYS:
        return False
    if trend and (today - trend[-1].on).days < phq9.OFFER_EVERY_DAYS:
        return False
    last = Phq9Response.objects.filter(author=user).order_by("-answered_on").values_list("answered_on", flat=True)
    latest = last.first()
    return latest is None or (today - latest).days >= phq9.OFFER_EVERY_DAYS


def not_now(user: User) -> None:
    Phq9Offer.objects.update_or_create(user=user, defaults={"not_now_at": timezone.now()})


def set_offered(user: User, offered: bool) -> None:
    Phq9Offer.objects.update_or_create(user=user, defaults={"offered": offered, "not_now_at": None})


def save_response(*, membership: Partner, answers: list[int], difficulty: int | None, visibility: str) -> Phq9Response:
    user = membership.user
    phq9.total(answers)  # refuses anything but nine answers of 0-3
    if visibility not in {v.value for v in OwnVisibility}:
        raise WellbeingError(_("Choose who can see your answers: only you, or you and your therapist."))
    fields = {item.key: value for item, value in zip(phq9.ITEMS, answers, strict=True)}
    try:
        with transaction.atomic():
            return Phq9Response.objects.create(
                couple=membership.couple, author=user, answered_on=local_today(user), difficulty=difficulty,
                visibility=visibility, **fields,
            )  # fmt: skip
    except IntegrityError as exc:
        raise WellbeingError(
            _("You've already answered today. The questions are about two weeks, so once a day is plenty.")
        ) from exc


@dataclass(frozen=True)
class TrendPoint:
    on: date
    total: int
    band: phq9.Band


def own_trend(user: User, *, weeks: int = 26) -> list[TrendPoint]:
    """The person's own totals, oldest first (the last half year)."""
    since = local_today(user) - timedelta(weeks=weeks)
    responses = Phq9Response.objects.visible_to(user).filter(author=user, answered_on__gte=since)
    return [TrendPoint(on=r.answered_on, total=r.total, band=r.band) for r in responses.order_by("answered_on")]
