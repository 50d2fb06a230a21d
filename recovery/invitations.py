"""Invitations for the second partner: signed, single-use, expiring after INVITATION_VALID_DAYS.

The link carries a random secret, signed with SECRET_KEY; only its SHA-256 is stored, so a copy of
the database cannot be turned into working links. Resending issues a new secret (old links stop
working) and a new expiry.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from recovery import outbox
from recovery.access import forget_membership, membership_of
from recovery.couples import role_for_second_partner
from recovery.link_tokens import LinkTokens, invitation_email_context
from recovery.models import Couple, Delivery, Invitation, Partner, User

logger = logging.getLogger(__name__)

_tokens = LinkTokens(salt="mend.invitation")


class InvitationProblem(Exception):
    """Why an invitation can't be used; `code` picks the explanation page's wording."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def find_by_token(token: str) -> Invitation | None:
    """The invitation a link points to, or None for a forged, mangled or unknown link."""
    token_hash = _tokens.hash_of(token)
    if token_hash is None:
        return None
    return Invitation.objects.select_related("couple", "invited_by").filter(token_hash=token_hash).first()


# A second "send" of the same invitation this soon is a double click, not a new wish.
RESEND_GRACE = timedelta(minutes=2)


def invite_partner(*, couple: Couple, invited_by: User, email: str) -> tuple[Invitation, str]:
    """Create the couple's open invitation (replacing any earlier one) and queue its e-mail; returns the
    invitation and its link token."""
    email = email.strip().lower()
    if email == invited_by.email.lower():
        raise InvitationProblem("self")
    token, token_hash = _tokens.new()
    now = timezone.now()
    try:
        with transaction.atomic():
            # Lock the couple so an invitation and an acceptance cannot cross.
            couple = Couple.objects.select_for_update().get(pk=couple.pk)
            if couple.is_ended:
                raise InvitationProblem("space_closed")
            if Partner.objects.filter(couple=couple, left_at__isnull=True).count() >= 2:
                raise InvitationProblem("full")
            open_invitations = Invitation.objects.filter(
                couple=couple, accepted_at__isnull=True, cancelled_at__isnull=True
            )
            if open_invitations.filter(email=email, sent_at__gt=now - RESEND_GRACE).exists():
                raise InvitationProblem("just_sent")
            open_invitations.update(cancelled_at=now)
            invitation = Invitation.objects.create(
                couple=couple,
                email=email,
                invited_by=invited_by,
                token_hash=token_hash,
                created_at=now,
                sent_at=now,
                expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
            )
            _queue_email(invitation, token)  # in the same transaction: both are kept, or neither
    except IntegrityError as exc:  # two tabs inviting at the same moment: the other one won
        raise InvitationProblem("race") from exc
    return invitation, token


def resend_invitation(*, invitation: Invitation) -> tuple[Invitation, str]:
    """Send again: a new invitation (new link, new expiry) to the same address; the old link then
    explains that a newer invitation was sent."""
    if invitation.accepted_at or invitation.cancelled_at:
        raise InvitationProblem("used" if invitation.accepted_at else "cancelled")
    if invitation.sent_at > timezone.now() - RESEND_GRACE:
        raise InvitationProblem("just_sent")
    return invite_partner(couple=invitation.couple, invited_by=invitation.invited_by, email=invitation.email)


def cancel_invitation(*, invitation: Invitation) -> None:
    changed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    if changed != 1:
        raise InvitationProblem(invitation.status)


def check_usable(invitation: Invitation) -> None:
    """Raise InvitationProblem unless the invitation can still be accepted by someone."""
    if invitation.accepted_at:
        raise InvitationProblem("used")
    if invitation.cancelled_at:
        # Sending it again (or to another address) cancels the old one: say so, not just "cancelled".
        newer = Invitation.objects.filter(couple=invitation.couple, created_at__gt=invitation.created_at).exists()
        raise InvitationProblem("replaced" if newer else "cancelled")
    if invitation.couple.is_ended:
        raise InvitationProblem("space_closed")
    if invitation.is_expired():
        raise InvitationProblem("expired")


def check_acceptable_by(invitation: Invitation, user: User) -> None:
    check_usable(invitation)
    if user.is_therapist:
        raise InvitationProblem("therapist")
    if not owns_verified_address(user, invitation.email):
        raise InvitationProblem("mismatch")
    if membership_of(user) is not None:
        raise InvitationProblem("already_in_couple")


def mask_email(email: str) -> str:
    """An invited address shown to someone who may not own it: enough to recognise, not to learn."""
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 2)}@{domain}"


def owns_verified_address(user: User, email: str) -> bool:
    """Whether the person has confirmed they receive mail at this address: only then may they accept an
    invitation sent to it (partner or therapist). Signing up from the link itself counts: the link could
    only have been opened from that inbox (see the sign-up stash in views.invitation_accept)."""
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def inviter_of(invitation: Invitation) -> Partner:
    """The membership of the partner who created the space (shown to the invitee once signed in)."""
    return Partner.objects.select_related("user").get(couple=invitation.couple, seat=1)


def accept_invitation(*, invitation: Invitation, user: User) -> Couple:
    with transaction.atomic():
        # Lock the invitation and its couple (select_related joins it into the lock): a double click,
        # two people with the link, or a partner closing the space meanwhile can't interleave.
        locked = Invitation.objects.select_for_update().select_related("couple").get(pk=invitation.pk)
        forget_membership(user)  # the view asked before the lock; ask again under it
        check_acceptable_by(locked, user)
        first = Partner.objects.get(couple=locked.couple, seat=1)
        try:
            with transaction.atomic():
                Partner.objects.create(
                    couple=locked.couple, user=user, role=role_for_second_partner(locked.couple, first), seat=2
                )
        except IntegrityError as exc:
            forget_membership(user)
            raise InvitationProblem("already_in_couple" if membership_of(user) else "full") from exc
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
    forget_membership(user)
    return locked.couple


def _queue_email(invitation: Invitation, token: str) -> None:
    """The discreet invitation e-mail, through the outbox (retried until the link expires)."""
    outbox.queue(
        kind=INVITATION_EMAIL.name,
        period=str(invitation.pk),
        address=invitation.email,
        expires_at=invitation.expires_at,
        payload={"accept_url": outbox.site_url(reverse("invitation_accept", args=[token]))},
    )


def _invitation_still_wanted(delivery: Delivery, payload: dict[str, Any]) -> str:
    invitation = Invitation.objects.select_related("couple").filter(pk=int(delivery.period)).first()
    if invitation is None:
        return "the invitation no longer exists"
    try:
        check_usable(invitation)
    except InvitationProblem as problem:
        return f"the invitation can't be used any more ({problem.code})"
    return ""


INVITATION_EMAIL = outbox.register(
    outbox.Kind(
        name="invitation",
        template="invitation",
        context=invitation_email_context,
        still_wanted=_invitation_still_wanted,
    )
)
