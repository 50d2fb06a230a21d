"""Moving a couple through the stages: readiness, opening, stepping back. The rules are in progress.py;
this module loads the state, applies them under a lock, and records every change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans import content_cache, progress, signals
from plans.models import Readiness, StageChange
from recovery.access import current_members, membership_of
from recovery.models import Couple, Partner, User


class StageError(Exception):
    """A stage change that can't happen now; the message is shown as it is."""


def current_stage(couple: Couple) -> int:
    latest = StageChange.objects.filter(couple=couple).order_by("-at", "-pk").values_list("to_stage", flat=True).first()
    return latest or progress.FIRST_STAGE


def couple_state(couple: Couple, members: Sequence[Partner] | None = None) -> progress.CoupleState:
    """The stage, the next one's rule and each partner's word about it. `members`: the couple's current
    members if the caller has read them already (`access.current_members`); read afresh when not given, as
    the stage changes do under their lock."""
    current = current_stage(couple)
    next_stage = content_cache.plan().by_number.get(current + 1) if current < progress.LAST_STAGE else None
    next_opened_by = next_stage.opened_by if next_stage is not None else None
    ready = dict(Readiness.objects.filter(couple=couple).values_list("user_id", "for_stage"))
    if members is None:
        members = list(Partner.objects.filter(couple=couple, left_at__isnull=True).order_by("seat"))
    partners = tuple(
        progress.PartnerState(user_id=p.user_id, is_pace_setter=p.is_pace_setter, ready_for=ready.get(p.user_id))
        for p in members
    )
    return progress.CoupleState(current=current, next_opened_by=next_opened_by, partners=partners)


def couple_state_of(user: User) -> progress.CoupleState:
    """couple_state of the person's current couple, its partners as read with the membership (no query of
    their own): what a page shows. The stage changes read theirs afresh, under their lock."""
    membership = membership_of(user)
    assert membership is not None, "a partner's page: the person is in a couple"
    return couple_state(membership.couple, current_members(user))


@dataclass(frozen=True)
class ReadyResult:
    action: progress.Action
    opened: int | None  # the stage that opened, if this word opened it


def say_ready(*, couple: Couple, user: User) -> ReadyResult:
    with transaction.atomic():
        Couple.objects.select_for_update().get(pk=couple.pk)  # one stage decision at a time per couple
        state = couple_state(couple)
        action = progress.action_for(state, user.pk)
        next_stage = state.next_stage
        if action is None or next_stage is None:
            raise StageError(_("There is no next stage to get ready for just now."))
        Readiness.objects.update_or_create(
            couple=couple, user=user, defaults={"for_stage": next_stage, "at": timezone.now()}
        )
        state = couple_state(couple)
        if not progress.opens_next(state):
            if action == progress.Action.READY:
                _tell_the_other(couple, user, state)
            return ReadyResult(action=action, opened=None)
        _move(couple=couple, by=user, to=next_stage, reason=StageChange.Reason.OPENED)
        return ReadyResult(action=action, opened=next_stage)


def _tell_the_other(couple: Couple, user: User, state: progress.CoupleState) -> None:
    other = (
        Partner.objects.filter(couple=couple, left_at__isnull=True).exclude(user=user).select_related("user").first()
    )
    if other is not None and state.next_stage is not None and state.next_opened_by is not None:
        signals.partner_ready.send(
            sender=Couple, other=other.user, next_stage=state.next_stage, opened_by=state.next_opened_by
        )


def take_back_ready(*, couple: Couple, user: User) -> None:
    Readiness.objects.filter(couple=couple, user=user).delete()


def step_back(*, couple: Couple, user: User) -> int:
    with transaction.atomic():
        Couple.objects.select_for_update().get(pk=couple.pk)
        state = couple_state(couple)
        if not progress.can_step_back(state):
            raise StageError(_("You're already at the first stage."))
        _move(couple=couple, by=user, to=state.current - 1, reason=StageChange.Reason.STEPPED_BACK)
        return state.current - 1


def _move(*, couple: Couple, by: User, to: int, reason: str) -> None:
    StageChange.objects.create(couple=couple, by=by, from_stage=current_stage(couple), to_stage=to, reason=reason)
    Readiness.objects.filter(couple=couple).delete()  # words said about the old "next stage" lapse


def plan_started_on(couple: Couple, time_zone: str, members: Sequence[Partner] | None = None) -> date | None:
    """The local date the plan began: the day the second partner joined. `members` as for couple_state."""
    if members is not None:
        second = next((member.joined_at for member in members if member.seat == 2), None)
    else:
        second = Partner.objects.filter(couple=couple, seat=2).values_list("joined_at", flat=True).first()
    if second is None:
        return None
    from zoneinfo import ZoneInfo

    return second.astimezone(ZoneInfo(time_zone)).date()
