"""Who may see what: the one place that answers it.

Views never filter user data by hand. They ask here:

- `couple_of(user)` — the couple space the person currently belongs to (active or paused), or None.
- `can_view_couple(user, couple)` — may this person see this couple's data at all.
- `Model.objects.visible_to(user)` — the rows of a couple-owned model this person may see. Every model
  holding a couple's data uses `CoupleScopedQuerySet` (or a subclass that narrows it further by each
  entry's visibility), and views fetch single objects with `get_visible_or_404`, so another couple's
  object is a 404 exactly like an object that does not exist.

Therapists see a couple only through an active care-team access: invited by a partner, accepted by
the therapist, consented to by BOTH current partners, not ended, and only once the therapist has
two-step sign-in on. Even then they see scores and dates of entries the partners shared, and the words
only of entries shared "with our therapist too" (`can_read_text`); never "only me".
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from recovery.models import CareTeamAccess, Couple, Partner, User

_MEMBERSHIP_CACHE = "_mend_membership"
_OTHER_PARTNER_CACHE = "_mend_other_partner"

M = TypeVar("M", bound=models.Model)


class Authored(Protocol):
    """An entry someone wrote and chose who sees: a check-in, a weekly review, a question…"""

    @property
    def author_id(self) -> int: ...

    @property
    def visibility(self) -> str: ...


def membership_of(user: User | AnonymousUser) -> Partner | None:
    """The person's current membership (couple not ended), cached on the user for the request."""
    if not user.is_authenticated:
        return None
    if hasattr(user, _MEMBERSHIP_CACHE):
        cached: Partner | None = getattr(user, _MEMBERSHIP_CACHE)
        return cached
    from recovery.models import Couple, Partner

    # The current members of the person's current couple, the person and their partner (if they have joined),
    # in one query: most pages show something of the partner's, and asking for them apart cost a second.
    members = list(
        Partner._default_manager.select_related("couple", "user").filter(
            couple__partners__user=user,  # the couple this person is a current member of…
            couple__partners__left_at__isnull=True,
            couple__status__in=Couple.OPEN_STATUSES,
            left_at__isnull=True,  # …and its current members
        )
    )
    membership = next((member for member in members if member.user_id == user.pk), None)
    if membership is not None:
        membership.user = user  # the same person: `membership.user` costs no query and shares this cache
        for member in members:
            if member is not membership:
                member.couple = membership.couple
                setattr(user, _OTHER_PARTNER_CACHE, member)  # other_partner() asks no more
    setattr(user, _MEMBERSHIP_CACHE, membership)
    return membership


def forget_membership(user: User) -> None:
    """Call after changing a person's membership so the next question is answered afresh."""
    for name in (_MEMBERSHIP_CACHE, _OTHER_PARTNER_CACHE):
        if hasattr(user, name):
            delattr(user, name)


def current_members(user: User) -> list[Partner]:
    """The current members of the person's current couple (the person, and their partner once they have
    joined), in seat order, as read with the membership: no query of their own after `membership_of`. In a
    couple still in use these are everyone who ever joined it: members leave only when it ends."""
    membership = membership_of(user)
    if membership is None:
        return []
    partner = other_partner(user)
    return sorted([membership] + ([partner] if partner is not None else []), key=lambda member: member.seat)


def previous_membership(user: User) -> Partner | None:
    """The person's most recently closed membership, to acknowledge it kindly on the start page."""
    from recovery.models import Partner

    return Partner._default_manager.filter(user=user, left_at__isnull=False).order_by("-left_at").first()


def couple_of(user: User | AnonymousUser) -> Couple | None:
    membership = membership_of(user)
    return membership.couple if membership else None


_CARE_CACHE = "_mend_care_couples"


def therapist_couple_ids(user: User | AnonymousUser) -> frozenset[int]:
    """The couples a therapist may see right now (cached on the user for the request)."""
    if not user.is_authenticated or not getattr(user, "is_therapist", False):
        return frozenset()
    cached = getattr(user, _CARE_CACHE, None)
    if cached is not None:
        return cached
    from recovery.models import CareConsent, CareTeamAccess, Couple, Partner

    ids: frozenset[int] = frozenset()
    if has_second_step(user):
        accesses = list(
            CareTeamAccess.objects.filter(
                therapist=user,  # narrowed in the database first; care_access_is_active has the last word
                ended_at__isnull=True,
                accepted_at__isnull=False,
                couple__status__in=Couple.OPEN_STATUSES,
            ).select_related("couple")
        )
        current: dict[int, set[int]] = {}
        for couple_id, user_id in Partner._default_manager.filter(
            couple_id__in=[a.couple_id for a in accesses], left_at__isnull=True
        ).values_list("couple_id", "user_id"):
            current.setdefault(couple_id, set()).add(user_id)
        # Who agreed, as plain ids: prefetching `consents` built a related manager per access, the most
        # expensive part of every therapist page's first question (the same one query either way).
        agreed: dict[int, set[int]] = {}
        for access_id, partner_id in CareConsent.objects.filter(access_id__in=[a.pk for a in accesses]).values_list(
            "access_id", "partner_id"
        ):
            agreed.setdefault(access_id, set()).add(partner_id)
        ids = frozenset(
            a.couple_id
            for a in accesses
            if care_access_is_active(a, current.get(a.couple_id, set()), agreed=agreed.get(a.pk, set()))
        )
    setattr(user, _CARE_CACHE, ids)
    return ids


def care_access_is_active(
    access: CareTeamAccess, current_partner_ids: Collection[int], *, agreed: Collection[int] | None = None
) -> bool:
    """The one rule for "this therapist's access is active": the therapist accepted, no one ended it, the space
    is open (active or paused), and both of the couple's current partners agreed. (The therapist's own two-step
    sign-in is asked for on top of this, in therapist_couple_ids.) Who agreed is `agreed` (their user ids) when
    the caller has read it already, else `access.consents` (best prefetched)."""
    from recovery.models import Couple

    if agreed is None:
        agreed = {c.partner_id for c in access.consents.all()}
    return (
        access.ended_at is None
        and access.accepted_at is not None
        and access.couple.status in Couple.OPEN_STATUSES
        and len(current_partner_ids) == 2
        and set(current_partner_ids) <= set(agreed)
    )


def waiting_care_accesses(user: User | AnonymousUser) -> list[Any]:
    """A therapist's accepted invitations still waiting for the second partner's agreement (or for the
    therapist's two-step sign-in), with who invited them: the therapist may know that much, no more."""
    if not user.is_authenticated or not getattr(user, "is_therapist", False):
        return []
    from recovery.models import CareTeamAccess, Couple

    return list(
        CareTeamAccess.objects.filter(
            therapist=user,
            ended_at__isnull=True,
            couple__status__in=Couple.OPEN_STATUSES,
        )
        .exclude(couple_id__in=therapist_couple_ids(user))
        .select_related("invited_by")
        .order_by("-accepted_at")
    )


def has_second_step(user: User | AnonymousUser) -> bool:
    """Two-step sign-in with a real second step (an authenticator app or a security key); recovery codes
    alone are a fallback allauth doesn't ask for at sign-in, so they don't count."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    return bool(user.is_authenticated) and is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


def forget_care(user: User) -> None:
    if hasattr(user, _CARE_CACHE):
        delattr(user, _CARE_CACHE)


def can_view_couple(user: User | AnonymousUser, couple: Couple | None) -> bool:
    if couple is None or not user.is_authenticated:
        return False
    own = couple_of(user)
    return (own is not None and own.pk == couple.pk) or couple.pk in therapist_couple_ids(user)


def get_care_couple_or_404(user: User | AnonymousUser, couple_id: int) -> Couple:
    """A couple a therapist may see now, or 404 — also when access was revoked a moment ago."""
    from recovery.models import Couple

    if couple_id not in therapist_couple_ids(user):
        raise Http404
    return Couple.objects.get(pk=couple_id)


def can_read_text(user: User | AnonymousUser, entry: Authored) -> bool:
    """Whether the words of an entry (not just its date or scores) may be shown to this person."""
    if not user.is_authenticated:
        return False
    if entry.author_id == user.pk:
        return True
    if getattr(user, "is_therapist", False):
        return entry.visibility == Visibility.PARTNER_AND_THERAPIST
    return entry.visibility in (Visibility.PARTNER, Visibility.PARTNER_AND_THERAPIST)


def other_partner(user: User) -> Partner | None:
    """The person's partner in their current couple, if they have joined: read with the membership (one query
    for both) and cached on the user for the request; asked again only if they hadn't joined then."""
    if hasattr(user, _OTHER_PARTNER_CACHE):
        cached: Partner | None = getattr(user, _OTHER_PARTNER_CACHE)
        return cached
    couple = couple_of(user)
    if couple is None:
        return None  # not cached: joining a couple later in this request must find the partner
    from recovery.models import Partner

    partner = (
        Partner._default_manager.select_related("user")
        .filter(couple=couple, left_at__isnull=True)
        .exclude(user=user)
        .first()
    )
    if partner is not None:  # someone who joins later in the request is found then
        setattr(user, _OTHER_PARTNER_CACHE, partner)
    return partner


class CoupleScopedQuerySet(models.QuerySet):
    """Rows that belong to one couple. The model names the path to its couple in `couple_lookup`."""

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        couple = couple_of(user)
        if couple is None:
            return self.none()
        lookup = getattr(self.model, "couple_lookup", "couple")
        return self.filter(**{lookup: couple.pk})


class InvitationQuerySet(CoupleScopedQuerySet):
    """Invitations are the inviter's business: the partner who accepted doesn't see the ones before."""

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        return super().visible_to(user).filter(invited_by_id=user.pk)


class Visibility(models.TextChoices):
    """Who may read an entry a partner writes. The author always may."""

    ONLY_ME = "only_me", _("Only me")
    PARTNER = "partner", _("Me and my partner")
    PARTNER_AND_THERAPIST = "therapist", _("My partner and our therapist too")


# Entries the author chose to share: with the partner, or with the partner and the therapist.
SHARED = (Visibility.PARTNER, Visibility.PARTNER_AND_THERAPIST)


class EntryQuerySet(CoupleScopedQuerySet):
    """Entries one partner writes (field `author`, field `visibility`).

    The author sees all of their own; their partner sees those shared with them; "only me" entries
    are invisible to everyone else, including their existence and their count. (Therapists see
    PARTNER_AND_THERAPIST entries once the care-team issue adds consented access here.)
    """

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        care = therapist_couple_ids(user)
        if care:  # a therapist: shared entries of the couples they may see (words: see can_read_text)
            return self.filter(couple_id__in=care, visibility__in=SHARED)
        return super().visible_to(user).filter(models.Q(author_id=user.pk) | models.Q(visibility__in=SHARED))


class TriggerQuerySet(EntryQuerySet):
    """The trigger log (checkins.Trigger): the author sees all of theirs, the partner those shared with them,
    and a therapist only those shared "with our therapist too" — a trigger shared with the partner alone
    is the couple's, not a count on a caseload."""

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        care = therapist_couple_ids(user)
        if care:
            return self.filter(couple_id__in=care, visibility=Visibility.PARTNER_AND_THERAPIST)
        return super().visible_to(user)


class PartnerOnlyQuerySet(CoupleScopedQuerySet):
    """Entries kept between the two partners at most (dates that matter, fields `author`, `visibility`): the
    author sees all of theirs, the partner those shared with them, a therapist nothing."""

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        if getattr(user, "is_therapist", False):
            return self.none()
        return super().visible_to(user).filter(models.Q(author_id=user.pk) | models.Q(visibility=Visibility.PARTNER))


class OwnVisibility(models.TextChoices):
    """Who may see an entry that is about the person alone (the PHQ-9): never the partner, in any form."""

    ONLY_ME = "only_me", _("Only me")
    ME_AND_THERAPIST = "me_therapist", _("Me and our therapist")


class SelfAndTherapistQuerySet(CoupleScopedQuerySet):
    """Entries about one person's own health (fields `author`, `visibility` of OwnVisibility).

    The author sees all of their own; a therapist sees those the author shared with them; the partner sees
    nothing — not an entry, not a count, not that any exist. (A separate value, never one of SHARED, so no
    rule written for shared entries can let one through.)
    """

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        care = therapist_couple_ids(user)
        if care:
            return self.filter(couple_id__in=care, visibility=OwnVisibility.ME_AND_THERAPIST)
        return super().visible_to(user).filter(author_id=user.pk)


class CoupleAndTherapistQuerySet(CoupleScopedQuerySet):
    """Things written between the two partners (questions and their answers): both partners see them all; a
    therapist sees only those shared "with our therapist too" — the others not even as a count.

    The model names the path to its couple in `couple_lookup` and to its visibility in `visibility_lookup`.
    """

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        care = therapist_couple_ids(user)
        if care:
            couple = getattr(self.model, "couple_lookup", "couple")
            visibility = getattr(self.model, "visibility_lookup", "visibility")
            return self.filter(**{f"{couple}__in": care, visibility: Visibility.PARTNER_AND_THERAPIST})
        return super().visible_to(user)


class ToBringQuerySet(CoupleScopedQuerySet):
    """Marks "to bring to our therapist" (checkins.ToBring). A partner sees their own marks, and both partners
    see marks on questions (which are theirs together). A therapist sees marks on entries shared with them;
    the session brief still shows an entry only if the entry itself is visible to them right now (a weekly
    review is revealed to the therapist only with its partner's, see checkins.reveal)."""

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        care = therapist_couple_ids(user)
        if care:
            shared = Visibility.PARTNER_AND_THERAPIST
            return self.filter(couple_id__in=care).filter(
                models.Q(check_in__visibility=shared)
                | models.Q(review__visibility=shared)
                | models.Q(question__visibility=shared)
            )
        return super().visible_to(user).filter(models.Q(marked_by_id=user.pk) | models.Q(question__isnull=False))


def get_visible_or_404(model: type[M], user: User | AnonymousUser, **lookup: Any) -> M:
    """One object the person may see, or 404 (never 403: existence is not disclosed)."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, CoupleScopedQuerySet):
        raise TypeError(f"{model.__name__} holds a couple's data but has no visible_to")
    try:
        return queryset.visible_to(user).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:  # (model.DoesNotExist is one)
        raise Http404 from exc
