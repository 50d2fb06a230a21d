"""Writes to the couple space: create it, pause or resume it, end it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recovery.access import forget_membership, membership_of
from recovery.models import Couple, Invitation, Partner, User

# What the person says on the first page, and what follows for the two roles.
SITUATION_HURT = "hurt"
SITUATION_INVOLVED = "involved"
SITUATION_BOTH = "both"
SITUATIONS = [
    (SITUATION_HURT, _("I was hurt")),
    (SITUATION_INVOLVED, _("I had the affair")),
    (SITUATION_BOTH, _("We were both hurt")),
]


class CoupleError(Exception):
    """A request the couple space cannot honour; the message is shown to the person as it is."""


def create_couple(*, user: User, situation: str) -> Couple:
    if user.is_therapist:
        raise CoupleError(_("Therapist accounts can't start a couple space."))
    if membership_of(user) is not None:
        raise CoupleError(_("You already belong to a shared space."))
    if situation not in {SITUATION_HURT, SITUATION_INVOLVED, SITUATION_BOTH}:
        raise CoupleError(_("Choose the sentence that fits you best."))
    role = Partner.Role.INVOLVED if situation == SITUATION_INVOLVED else Partner.Role.HURT
    try:
        with transaction.atomic():
            couple = Couple.objects.create(hurt_is_mutual=situation == SITUATION_BOTH)
            Partner.objects.create(couple=couple, user=user, role=role, seat=1)
    except IntegrityError as exc:  # a second tab got there first
        raise CoupleError(_("You already belong to a shared space.")) from exc
    forget_membership(user)
    return couple


def role_for_second_partner(couple: Couple, first: Partner) -> str:
    if couple.hurt_is_mutual:
        return Partner.Role.HURT
    return Partner.Role.INVOLVED if first.role == Partner.Role.HURT else Partner.Role.HURT


def pause_couple(*, couple: Couple, by: User) -> None:
    _set_status(couple=couple, by=by, from_statuses={Couple.Status.ACTIVE}, to=Couple.Status.PAUSED)


def resume_couple(*, couple: Couple, by: User) -> None:
    _set_status(couple=couple, by=by, from_statuses={Couple.Status.PAUSED}, to=Couple.Status.ACTIVE)


def end_couple(*, couple: Couple, by: User) -> None:
    """Close the space for both partners. Each may later start a new one."""
    with transaction.atomic():
        _set_status(
            couple=couple,
            by=by,
            from_statuses=set(Couple.OPEN_STATUSES),
            to=Couple.Status.ENDED,
        )
        now = timezone.now()
        Partner.objects.filter(couple=couple, left_at__isnull=True).update(left_at=now)
        Invitation.objects.filter(couple=couple, accepted_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
    forget_membership(by)


def _set_status(*, couple: Couple, by: User, from_statuses: set[str], to: str) -> None:
    now = timezone.now()
    # A conditional update: a double click or a second tab changes nothing the second time.
    changed = Couple.objects.filter(pk=couple.pk, status__in=from_statuses).update(
        status=to, status_changed_at=now, status_changed_by=by
    )
    if changed != 1:
        raise CoupleError(_("That change has already been made."))
    couple.status, couple.status_changed_at, couple.status_changed_by = to, now, by
