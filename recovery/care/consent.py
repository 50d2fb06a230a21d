"""The therapist side: invitations, consent, ending access, the audit trail, and the caseload.

A partner invites a therapist by e-mail (inviting is consenting); the therapist accepts with a
therapist account; the other partner consents; only then — and only with two-step sign-in on — does
the therapist see anything (see access.therapist_couple_ids). Either partner or the therapist can
end it at once. Every look is an AuditEvent the couple can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recovery import outbox
from recovery.access import care_access_is_active, forget_care
from recovery.decorators import AuthedHttpRequest
from recovery.invitations import owns_verified_address
from recovery.link_tokens import LinkTokens, invitation_email_context
from recovery.models import AuditEvent, CareConsent, CareTeamAccess, Couple, Delivery, Partner, TherapistProfile, User

_tokens = LinkTokens(salt="mend.care")


class CareError(Exception):
    """Shown to the person as it is."""


def status_of(access: CareTeamAccess, current_partner_ids: set[int]) -> str:
    if access.ended_at:
        return "ended"
    if care_access_is_active(access, current_partner_ids):
        return "active"
    return "pending"


def invite_therapist(*, couple: Couple, by: User, email: str) -> tuple[CareTeamAccess, str]:
    email = email.strip().lower()
    if email == by.email.lower():
        raise CareError(_("That's your own address. Please enter your therapist's."))
    token, token_hash = _tokens.new()
    now = timezone.now()
    try:
        with transaction.atomic():
            access = CareTeamAccess.objects.create(
                couple=couple, email=email, invited_by=by, token_hash=token_hash, created_at=now,
                expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
            )  # fmt: skip
            CareConsent.objects.create(access=access, partner=by)
            _queue_email(access, token)  # in the same transaction: both are kept, or neither
    except IntegrityError as exc:
        raise CareError(_("That therapist has already been invited. You'll find them below.")) from exc
    return access, token


def find_by_token(token: str) -> CareTeamAccess | None:
    token_hash = _tokens.hash_of(token)
    if token_hash is None:
        return None
    return CareTeamAccess.objects.select_related("couple", "invited_by").filter(token_hash=token_hash).first()


# What a therapist looked at, as recorded in the audit and shown to the couple.
VIEWED_SUMMARY = "progress summary"
VIEWED_CASELOAD = "caseload"
VIEWED_BRIEF = "session brief"
VIEWED_BRIEF_PDF = "session brief PDF"


def become_therapist(*, user: User, practice: str, registration: str) -> TherapistProfile:
    """A signed-in person without a couple space becomes a therapist (their practice details)."""
    profile = TherapistProfile.objects.create(user=user, practice=practice, registration=registration)
    user.__dict__.pop("is_therapist", None)  # the cached answer was "no"
    return profile


def accept(*, access: CareTeamAccess, therapist: User) -> None:
    if not therapist.is_therapist:
        raise CareError(_("Please set up your therapist account first."))
    if not owns_verified_address(therapist, access.email):
        # Bound to the invited address, as partner invitations are: a stranger's therapist account can't
        # take an invitation meant for the couple's own therapist.
        raise CareError(_("This invitation was sent to a different e-mail address."))
    if Partner.objects.filter(user=therapist, couple=access.couple).exists():
        raise CareError(_("You can't be the therapist of your own shared space."))
    changed = CareTeamAccess.objects.filter(
        pk=access.pk, ended_at__isnull=True, therapist__isnull=True, expires_at__gt=timezone.now()
    ).update(therapist=therapist, accepted_at=timezone.now())
    if changed != 1:
        raise CareError(_("This invitation can no longer be used. Please ask the couple to send a new one."))
    forget_care(therapist)


def consent(*, access: CareTeamAccess, partner: User) -> None:
    if access.ended_at:
        raise CareError(_("This access has already ended."))
    CareConsent.objects.get_or_create(access=access, partner=partner)


def end(*, access: CareTeamAccess, by: User) -> None:
    """Either partner, or the therapist: effective on the therapist's very next request."""
    CareTeamAccess.objects.filter(pk=access.pk, ended_at__isnull=True).update(ended_at=timezone.now(), ended_by=by)
    if access.therapist is not None:
        forget_care(access.therapist)


@dataclass
class Look:
    therapist_name: str
    what: str
    times: int
    first: datetime
    last: datetime


@dataclass
class DayOfLooks:
    day: date
    looks: list[Look]


SEEN_DAYS = 90


def looks_by_day(user: User, *, everything: bool = False) -> list[DayOfLooks]:
    """The couple's audit, grouped by the person's own day: who looked at what, how often, first and last.
    Aggregated in the database, so the page costs the same whatever a caseload adds every day."""
    zone = ZoneInfo(user.time_zone)
    events = AuditEvent.objects.visible_to(user)
    if not everything:
        events = events.filter(at__gte=timezone.now() - timedelta(days=SEEN_DAYS))
    rows = (
        events.annotate(day=TruncDate("at", tzinfo=zone))
        .values("day", "therapist_id", "what")
        .annotate(times=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("-day", "therapist_id", "what")
    )
    names = {
        access.therapist_id: access.therapist.get_short_name()
        for access in CareTeamAccess.objects.visible_to(user).select_related("therapist")
        if access.therapist_id
    }
    days: list[DayOfLooks] = []
    for row in rows:
        if not days or days[-1].day != row["day"]:
            days.append(DayOfLooks(day=row["day"], looks=[]))
        days[-1].looks.append(
            Look(
                therapist_name=names.get(row["therapist_id"], str(_("A former therapist"))),
                what=row["what"],
                times=row["times"],
                first=row["first"],
                last=row["last"],
            )
        )
    return days


def access_ended_for(therapist: User, couple_id: int) -> bool:
    """Whether this therapist once had access to this couple and it was ended (by either side, or by the
    couple closing their space)."""
    return (
        CareTeamAccess.objects.filter(therapist=therapist, couple_id=couple_id, accepted_at__isnull=False)
        .filter(models.Q(ended_at__isnull=False) | models.Q(couple__status=Couple.Status.ENDED))
        .exists()
    )


def record_view(request: AuthedHttpRequest, couple: Couple, what: str) -> None:
    record_views(request, [couple], what)


def record_views(request: AuthedHttpRequest, couples: list[Couple], what: str) -> None:
    """One audit row per couple shown: every look a therapist takes is listed for the couple to see."""
    now = timezone.now()
    address = request.META.get("REMOTE_ADDR") or None
    AuditEvent.objects.bulk_create(
        [AuditEvent(couple=c, therapist=request.user, what=what, at=now, ip_address=address) for c in couples]
    )


def _queue_email(access: CareTeamAccess, token: str) -> None:
    """The discreet invitation e-mail to the therapist, through the outbox (retried until the link expires)."""
    outbox.queue(
        kind=CARE_INVITATION_EMAIL.name,
        period=str(access.pk),
        address=access.email,
        expires_at=access.expires_at,
        payload={"accept_url": outbox.site_url(reverse("care_accept", args=[token]))},
    )


def _invitation_still_wanted(delivery: Delivery, payload: dict[str, Any]) -> str:
    access = CareTeamAccess.objects.filter(pk=int(delivery.period)).first()
    if access is None or access.ended_at:
        return "the invitation was withdrawn"
    if access.therapist_id:
        return "the invitation was already accepted"
    return ""


CARE_INVITATION_EMAIL = outbox.register(
    outbox.Kind(
        name="care_invitation",
        template="care_invitation",
        context=invitation_email_context,
        still_wanted=_invitation_still_wanted,
    )
)
