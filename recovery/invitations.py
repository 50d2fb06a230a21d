"""Invitations for the second partner: signed, single-use, expiring after INVITATION_VALID_DAYS.

The link carries a random secret, signed with SECRET_KEY; only its SHA-256 is stored, so a copy of
the database cannot be turned into working links. Resending issues a new secret (old links stop
working) and a new expiry.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from recovery.access import forget_membership, membership_of
from recovery.couples import role_for_second_partner
from recovery.models import Couple, Invitation, Partner, User

logger = logging.getLogger(__name__)

_signer = signing.Signer(salt="mend.invitation", sep=".")


class InvitationProblem(Exception):
    """Why an invitation can't be used; `code` picks the explanation page's wording."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return _signer.sign(secret), _hash(secret)


def find_by_token(token: str) -> Invitation | None:
    """The invitation a link points to, or None for a forged, mangled or unknown link."""
    try:
        secret = _signer.unsign(token)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("couple", "invited_by").filter(token_hash=_hash(secret)).first()


def invite_partner(*, couple: Couple, invited_by: User, email: str) -> tuple[Invitation, str]:
    """Create the couple's open invitation (replacing any earlier one); returns it and its link token."""
    email = email.strip().lower()
    if couple.is_ended:
        raise InvitationProblem("space_closed")
    if Partner.objects.filter(couple=couple, left_at__isnull=True).count() >= 2:
        raise InvitationProblem("full")
    if email == invited_by.email.lower():
        raise InvitationProblem("self")
    token, token_hash = _new_secret()
    now = timezone.now()
    try:
        with transaction.atomic():
            Invitation.objects.filter(couple=couple, accepted_at__isnull=True, cancelled_at__isnull=True).update(
                cancelled_at=now
            )
            invitation = Invitation.objects.create(
                couple=couple,
                email=email,
                invited_by=invited_by,
                token_hash=token_hash,
                created_at=now,
                sent_at=now,
                expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
            )
    except IntegrityError as exc:  # two tabs inviting at the same moment: the other one won
        raise InvitationProblem("race") from exc
    return invitation, token


def renew_invitation(*, invitation: Invitation) -> str:
    """Resend: a fresh secret and a fresh expiry. Returns the new link token."""
    if invitation.status in {"accepted", "cancelled"}:
        raise InvitationProblem(invitation.status)
    token, token_hash = _new_secret()
    now = timezone.now()
    invitation.token_hash = token_hash
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    return token


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
        raise InvitationProblem("cancelled")
    if invitation.couple.is_ended:
        raise InvitationProblem("space_closed")
    if invitation.is_expired():
        raise InvitationProblem("expired")


def check_acceptable_by(invitation: Invitation, user: User) -> None:
    check_usable(invitation)
    if user.is_therapist:
        raise InvitationProblem("therapist")
    if not _owns_address(user, invitation.email):
        raise InvitationProblem("mismatch")
    if membership_of(user) is not None:
        raise InvitationProblem("already_in_couple")


def _owns_address(user: User, email: str) -> bool:
    email = email.lower()
    return user.email.lower() == email or EmailAddress.objects.filter(user=user, email__iexact=email).exists()


def accept_invitation(*, invitation: Invitation, user: User) -> Couple:
    with transaction.atomic():
        # Lock the row so a double click, or two people with the link, can use it only once.
        locked = Invitation.objects.select_for_update().select_related("couple").get(pk=invitation.pk)
        check_acceptable_by(locked, user)
        first = Partner.objects.get(couple=locked.couple, seat=1)
        try:
            with transaction.atomic():
                Partner.objects.create(
                    couple=locked.couple, user=user, role=role_for_second_partner(locked.couple, first), seat=2
                )
        except IntegrityError as exc:
            raise InvitationProblem("already_in_couple" if membership_of(user) else "full") from exc
        now = timezone.now()
        locked.accepted_at = now
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        # The link reached this inbox, so the address is proven.
        EmailAddress.objects.filter(user=user, email__iexact=locked.email).update(verified=True)
    forget_membership(user)
    return locked.couple


def send_invitation_email(request: HttpRequest, invitation: Invitation, token: str) -> bool:
    """Send the discreet invitation e-mail; False if the mail server refused it (the row stays)."""
    context = {
        "accept_url": request.build_absolute_uri(reverse("invitation_accept", args=[token])),
        "expires_at": invitation.expires_at,
    }
    subject = render_to_string("emails/invitation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/invitation_body.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation_body.html", context), "text/html")
    try:
        message.send()
    except OSError:
        logger.exception("Could not send invitation %s", invitation.pk)
        return False
    return True
