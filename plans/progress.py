"""Gating: who may move the couple's stage, and what each partner is shown. Pure functions, no database.

Rules:
- A partner marks themselves ready for the next stage; a "both" stage opens when both are ready.
- A pace-setter stage (5 and 6) opens only when the pace-setter opens it. With mutual hurt both
  partners are pace-setters, and it opens when both have opened it.
- The partner who is not the pace-setter may say they are willing. The pace-setter is never shown a
  pending request, a count or a nudge: nothing about the other's readiness for a pace-setter stage is
  shown to anyone but its author.
- Either partner may step back one stage at any time, without giving a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

FIRST_STAGE = 1
LAST_STAGE = 7


class Action(StrEnum):
    READY = "ready"  # a "both" stage: I'm ready
    OPEN = "open"  # a pace-setter stage, said by a pace-setter: I open it
    WILLING = "willing"  # a pace-setter stage, said by the other partner: I'm willing, no pressure


@dataclass(frozen=True)
class PartnerState:
    user_id: int
    is_pace_setter: bool
    ready_for: int | None = None  # the stage number this partner has said ready/open/willing for


@dataclass(frozen=True)
class CoupleState:
    current: int
    next_opened_by: str | None  # "both", "pace_setter", or None at the last stage
    partners: tuple[PartnerState, ...]

    @property
    def next_stage(self) -> int | None:
        return self.current + 1 if self.current < LAST_STAGE else None

    def partner(self, user_id: int) -> PartnerState:
        return next(p for p in self.partners if p.user_id == user_id)


def action_for(state: CoupleState, user_id: int) -> Action | None:
    """What this partner may say about the next stage, or None (last stage, or no partner yet)."""
    if state.next_stage is None or len(state.partners) < 2:
        return None
    if state.next_opened_by == "pace_setter":
        return Action.OPEN if state.partner(user_id).is_pace_setter else Action.WILLING
    return Action.READY


def has_said(state: CoupleState, user_id: int) -> bool:
    return state.next_stage is not None and state.partner(user_id).ready_for == state.next_stage


def opens_next(state: CoupleState) -> bool:
    """Whether what the partners have said opens the next stage now."""
    if state.next_stage is None or len(state.partners) < 2:
        return False
    said = [p for p in state.partners if p.ready_for == state.next_stage]
    if state.next_opened_by == "pace_setter":
        pace_setters = [p for p in state.partners if p.is_pace_setter]
        return bool(pace_setters) and all(p in said for p in pace_setters)
    return len(said) == len(state.partners)


def partner_signal_shown_to(state: CoupleState, viewer_id: int) -> bool | None:
    """What the viewer is told about the other partner's word on the next stage.

    True/False for a "both" stage (they coordinate openly); None — nothing at all — for a
    pace-setter stage, whoever is looking.
    """
    if state.next_stage is None or len(state.partners) < 2 or state.next_opened_by == "pace_setter":
        return None
    other = next(p for p in state.partners if p.user_id != viewer_id)
    return other.ready_for == state.next_stage


def can_step_back(state: CoupleState) -> bool:
    return state.current > FIRST_STAGE and len(state.partners) == 2


def stage_unlocked(current_stage: int, number: int) -> bool:
    """The one rule for "stage unlocked": steps of stages up to the current one can be logged; later ones can be
    read, not logged."""
    return number <= current_stage
