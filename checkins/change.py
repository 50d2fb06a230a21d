"""A person's CSI-4 over time, read the way therapists read change: against their own first score (reliable
change, checkins.measures) and across the distress line since the review before. Pure: callers pass the
totals they may see, so the same reading serves the person, the caseload and the session brief."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from checkins.measures import (
    CSI4_KEYS,
    ReliableChange,
    crossed_below_cutoff,
    csi4_row_total,
    is_distressed,
    reliable_change,
)
from checkins.models import WeeklyReview
from recovery.models import User


@dataclass(frozen=True)
class CsiChange:
    first: int
    first_week: date
    latest: int
    latest_week: date
    previous: int | None
    previous_week: date | None
    count: int

    @property
    def reliable(self) -> ReliableChange | None:
        """Against the first score; None with a single review, or while the published inputs are missing."""
        return reliable_change(self.first, self.latest) if self.count > 1 else None

    @property
    def crossed_below(self) -> bool:
        return crossed_below_cutoff(self.previous, self.latest)

    @property
    def distressed(self) -> bool:
        return is_distressed(self.latest)

    @property
    def since_previous(self) -> int | None:
        return None if self.previous is None else self.latest - self.previous


def csi_change(totals: Iterable[tuple[date, int]]) -> CsiChange | None:
    """From (week, total) pairs of one person, in any order."""
    ordered = sorted(totals)
    if not ordered:
        return None
    (first_week, first), (latest_week, latest) = ordered[0], ordered[-1]
    previous_week, previous = ordered[-2] if len(ordered) > 1 else (None, None)
    return CsiChange(
        first=first, first_week=first_week, latest=latest, latest_week=latest_week,
        previous=previous, previous_week=previous_week, count=len(ordered),
    )  # fmt: skip


def csi_totals_by_author(reviews: QuerySet[WeeklyReview]) -> dict[int, list[tuple[date, int]]]:
    """Each author's (week, CSI-4 total) pairs of `reviews` (a queryset the caller has already narrowed to what
    the viewer may see), read as rows of weeks and answers: whole reviews would each decrypt their words for
    pages that show only totals."""
    totals: dict[int, list[tuple[date, int]]] = {}
    for author_id, week_start, *items in reviews.values_list("author_id", "week_start", *CSI4_KEYS):
        totals.setdefault(author_id, []).append((week_start, csi4_row_total(items)))
    return totals


def own_csi_change(user: User) -> CsiChange | None:
    """The person's own reviews, all of them (an "only me" review is theirs too)."""
    own = csi_totals_by_author(WeeklyReview.objects.visible_to(user).filter(author=user))
    return csi_change(own.get(user.pk, []))
