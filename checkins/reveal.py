"""When weekly reviews show: the reveal-together rule. The couple-scoped rules every entry follows stay in
recovery/access.py; this narrows them for reviews, the one entry two people write about the same week."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from recovery.access import SHARED, CoupleScopedQuerySet, EntryQuerySet, other_partner, therapist_couple_ids
from recovery.localtime import monday_of, week_start_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from recovery.models import User


class RevealedTogetherQuerySet(EntryQuerySet):
    """Weekly reviews (fields `author`, `week_start`), revealed together.

    Your partner's shared review of a week shows to you only once you have SHARED yours for that week, or
    once the week is over for both of you. An "only me" review unlocks nothing (and, see entries.py,
    locks nothing). A therapist sees a week's shared reviews once both partners have shared theirs, or once
    the week is over everywhere.
    """

    def visible_to(self, user: User | AnonymousUser) -> CoupleScopedQuerySet:
        visible = super().visible_to(user)
        if not user.is_authenticated:
            return visible
        shared_reviews = self.model._default_manager.filter(visibility__in=SHARED)
        if therapist_couple_ids(user):
            other_shared = shared_reviews.filter(
                couple_id=OuterRef("couple_id"), week_start=OuterRef("week_start")
            ).exclude(author_id=OuterRef("author_id"))
            over_everywhere = monday_of((timezone.now() - timedelta(hours=14)).date())
            return visible.filter(models.Q(week_start__lt=over_everywhere) | Exists(other_shared))
        partner = other_partner(user)
        ended_before = week_start_for(user)
        if partner is not None:
            ended_before = min(ended_before, week_start_for(partner.user))
        mine_shared = shared_reviews.filter(author_id=user.pk).values("week_start")
        return visible.filter(
            models.Q(author_id=user.pk) | models.Q(week_start__lt=ended_before) | models.Q(week_start__in=mine_shared)
        )
