"""Who may see what: the one place that answers it.

Views never filter user data by hand. They ask here:

- `couple_of(user)` — the couple space the person currently belongs to (active or paused), or None.
- `can_view_couple(user, couple)` — may this person see this couple's data at all.
- `Model.objects.visible_to(user)` — the rows of a couple-owned model this person may see. Every model
  holding a couple's data uses `CoupleScopedQuerySet` (or a subclass that narrows it further by each
  entry's visibility), and views fetch single objects with `get_visible_or_404`, so another couple's
  object is a 404 exactly like an object that does not exist.

Therapists get no access here until both partners have consented (the care-team pages add that rule
to `can_view_couple` and to the entry querysets, in this module).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from recovery.models import Couple, Partner, User

_MEMBERSHIP_CACHE = "_mend_membership"
_UNSET = object()

M = TypeVar("M", bound=models.Model)


def membership_of(user: User | AnonymousUser) -> Partner | None:
    """The person's current membership (couple not ended), cached on the user for the request."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, _MEMBERSHIP_CACHE, _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    from recovery.models import Couple, Partner

    membership = (
        Partner._default_manager.select_related("couple")
        .filter(user=user, left_at__isnull=True, couple__status__in=[Couple.Status.ACTIVE, Couple.Status.PAUSED])
        .first()
    )
    setattr(user, _MEMBERSHIP_CACHE, membership)
    return membership


def forget_membership(user: User) -> None:
    """Call after changing a person's membership so the next question is answered afresh."""
    if hasattr(user, _MEMBERSHIP_CACHE):
        delattr(user, _MEMBERSHIP_CACHE)


def previous_membership(user: User) -> Partner | None:
    """The person's most recently closed membership, to acknowledge it kindly on the start page."""
    from recovery.models import Partner

    return Partner._default_manager.filter(user=user, left_at__isnull=False).order_by("-left_at").first()


def couple_of(user: User | AnonymousUser) -> Couple | None:
    membership = membership_of(user)
    return membership.couple if membership else None


def can_view_couple(user: User | AnonymousUser, couple: Couple | None) -> bool:
    if couple is None or not user.is_authenticated:
        return False
    own = couple_of(user)
    return own is not None and own.pk == couple.pk


def other_partner(user: User) -> Partner | None:
    """The person's partner in their current couple, if they have joined."""
    couple = couple_of(user)
    if couple is None:
        return None
    from recovery.models import Partner

    return (
        Partner._default_manager.select_related("user")
        .filter(couple=couple, left_at__isnull=True)
        .exclude(user=user)
        .first()
    )


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


class EntryQuerySet(CoupleScopedQuerySet):
    """Entries one partner writes (field `author`, field `visibility`).

    The author sees all of their own; their partner sees those shared with them; "only me" entries
    are invisible to everyone else, including their existence and their count. (Therapists see
    PARTNER_AND_THERAPIST entries once the care-team issue adds consented access here.)
    """

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        return (
            super()
            .visible_to(user)
            .filter(
                models.Q(author_id=user.pk)
                | models.Q(visibility__in=[Visibility.PARTNER, Visibility.PARTNER_AND_THERAPIST])
            )
        )


class RevealedTogetherQuerySet(EntryQuerySet):
    """Weekly reviews (fields `author`, `week_start`): the partner's review of a week stays hidden from
    you until you have submitted yours for that week, or the week is over for both of you."""

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        shared = super().visible_to(user)
        if not user.is_authenticated:
            return shared
        partner = other_partner(user)
        from checkins.weeks import week_start_for  # the weekly calendar lives with the reviews

        ended_before = week_start_for(user)
        if partner is not None:
            ended_before = min(ended_before, week_start_for(partner.user))
        mine = self.model._default_manager.filter(author_id=user.pk).values("week_start")
        return shared.filter(
            models.Q(author_id=user.pk) | models.Q(week_start__lt=ended_before) | models.Q(week_start__in=mine)
        )


def get_visible_or_404(model: type[M], user: User | AnonymousUser, **lookup: Any) -> M:
    """One object the person may see, or 404 (never 403: existence is not disclosed)."""
    queryset = model._default_manager.visible_to(user)  # type: ignore[attr-defined]
    try:
        return queryset.get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise Http404 from exc
