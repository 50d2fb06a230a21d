"""Marking something "to bring to our therapist": a check-in or weekly review of your own, or a question between
the two of you, that is shared with your therapist. The session brief lists what is marked.

Only what the therapist may already read can be marked: marking never widens who sees anything. A mark can be
taken off again (after the session, say); it is a reminder, not part of the record.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from checkins.models import DailyCheckIn, ToBring, WeeklyReview
from plans.models import Question
from recovery.access import Visibility, get_visible_or_404
from recovery.models import Partner, User

Entry = DailyCheckIn | WeeklyReview | Question
KINDS: dict[str, type[Entry]] = {"check-in": DailyCheckIn, "review": WeeklyReview, "question": Question}
_FIELD = {"check-in": "check_in", "review": "review", "question": "question"}


class ToBringError(Exception):
    """Why it can't be marked; shown as it is."""


def entry_for(kind: str, pk: int, user: User) -> Entry:
    """The entry, if this person may see it (404 otherwise, as for anything of another couple's)."""
    from django.http import Http404

    model = KINDS.get(kind)
    if model is None:
        raise Http404
    return get_visible_or_404(model, user, pk=pk)


def may_mark(entry: Entry, membership: Partner) -> bool:
    if entry.visibility != Visibility.PARTNER_AND_THERAPIST:
        return False
    if isinstance(entry, Question):
        return entry.couple_id == membership.couple_id
    return entry.author_id == membership.user_id


def is_marked(kind: str, entry: Entry, membership: Partner) -> bool:
    return ToBring.objects.filter(marked_by=membership.user, **{_FIELD[kind]: entry}).exists()


def toggle(*, kind: str, entry: Entry, membership: Partner) -> bool:
    """Mark it, or take the mark off; returns whether it is marked now."""
    if not may_mark(entry, membership):
        raise ToBringError(_("Only entries you've shared with your therapist can be brought to a session."))
    existing = ToBring.objects.filter(marked_by=membership.user, **{_FIELD[kind]: entry})
    if existing.exists():
        existing.delete()
        return False
    try:
        with transaction.atomic():
            ToBring.objects.create(couple=membership.couple, marked_by=membership.user, **{_FIELD[kind]: entry})
    except IntegrityError:  # marked twice at once: it is marked, which is what they wanted
        pass
    return True


def marked_ids(membership: Partner) -> dict[str, set[int]]:
    """What this person has marked, by kind, for the toggles on their pages (one query)."""
    marked: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for check_in, review, question in ToBring.objects.filter(marked_by=membership.user).values_list(
        "check_in_id", "review_id", "question_id"
    ):
        for kind, pk in (("check-in", check_in), ("review", review), ("question", question)):
            if pk is not None:
                marked[kind].add(pk)
    return marked
