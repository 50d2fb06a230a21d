"""The gating rules, as a table."""

from __future__ import annotations

import pytest

from plans.progress import (
    Action,
    CoupleState,
    PartnerState,
    action_for,
    can_step_back,
    has_said,
    opens_next,
    partner_signal_shown_to,
    stage_unlocked,
)

HURT, INVOLVED = 1, 2


def couple(current: int, next_by: str | None, hurt_ready: int | None = None, involved_ready: int | None = None,
           mutual: bool = False) -> CoupleState:  # fmt: skip
    return CoupleState(
        current=current,
        next_opened_by=next_by,
        partners=(
            PartnerState(HURT, is_pace_setter=True, ready_for=hurt_ready),
            PartnerState(INVOLVED, is_pace_setter=mutual, ready_for=involved_ready),
        ),
    )


# (description, state, opens)
OPENING = [
    ("both stage, nobody ready", couple(2, "both"), False),
    ("both stage, only the hurt partner ready", couple(2, "both", hurt_ready=3), False),
    ("both stage, only the involved partner ready", couple(2, "both", involved_ready=3), False),
    ("both stage, both ready", couple(2, "both", 3, 3), True),
    ("both stage, readiness for an older stage does not count", couple(3, "both", 3, 4), False),
    ("pace-setter stage, the involved partner willing", couple(4, "pace_setter", involved_ready=5), False),
    ("pace-setter stage, the pace-setter opens", couple(4, "pace_setter", hurt_ready=5), True),
    ("pace-setter stage, pace-setter opens without the other's word", couple(5, "pace_setter", 6, None), True),
    ("mutual hurt, one pace-setter opens", couple(4, "pace_setter", hurt_ready=5, mutual=True), False),
    ("mutual hurt, the other pace-setter opens", couple(4, "pace_setter", involved_ready=5, mutual=True), False),
    ("mutual hurt, both open", couple(4, "pace_setter", 5, 5, mutual=True), True),
    ("mutual hurt, both stage needs both", couple(1, "both", hurt_ready=2, mutual=True), False),
    ("last stage: nothing opens", couple(7, None, 8, 8), False),
]


@pytest.mark.parametrize(("description", "state", "opens"), OPENING, ids=[row[0] for row in OPENING])
def test_it_opens_the_next_stage_only_as_the_rules_say(description: str, state: CoupleState, opens: bool) -> None:
    assert opens_next(state) is opens


def test_a_lone_partner_cannot_open_anything() -> None:
    alone = CoupleState(current=1, next_opened_by="both", partners=(PartnerState(HURT, True, 2),))
    assert not opens_next(alone)
    assert action_for(alone, HURT) is None
    assert not can_step_back(CoupleState(current=3, next_opened_by="both", partners=(PartnerState(HURT, True),)))


# (state, viewer, action)
ACTIONS = [
    (couple(1, "both"), HURT, Action.READY),
    (couple(1, "both"), INVOLVED, Action.READY),
    (couple(4, "pace_setter"), HURT, Action.OPEN),
    (couple(4, "pace_setter"), INVOLVED, Action.WILLING),
    (couple(5, "pace_setter", mutual=True), INVOLVED, Action.OPEN),
    (couple(7, None), HURT, None),
]


@pytest.mark.parametrize(("state", "viewer", "action"), ACTIONS)
def test_each_partner_is_offered_the_right_word(state: CoupleState, viewer: int, action: Action | None) -> None:
    assert action_for(state, viewer) == action


# What the viewer is told of the other's word: True/False for "both" stages, None (nothing) otherwise.
SIGNALS = [
    (couple(2, "both", involved_ready=3), HURT, True),
    (couple(2, "both"), HURT, False),
    (couple(2, "both", hurt_ready=3), INVOLVED, True),
    # The pace-setter is never shown a pending request, a count or a nudge…
    (couple(4, "pace_setter", involved_ready=5), HURT, None),
    (couple(5, "pace_setter", involved_ready=6), HURT, None),
    # …and with mutual hurt neither pace-setter sees the other's pending choice.
    (couple(4, "pace_setter", hurt_ready=5, mutual=True), INVOLVED, None),
    (couple(4, "pace_setter", involved_ready=5, mutual=True), HURT, None),
    # The other partner isn't told whether the pace-setter is about to open either.
    (couple(4, "pace_setter", hurt_ready=5, mutual=False), INVOLVED, None),
    (couple(7, None), HURT, None),
]


@pytest.mark.parametrize(("state", "viewer", "shown"), SIGNALS)
def test_what_each_partner_is_shown_of_the_other(state: CoupleState, viewer: int, shown: bool | None) -> None:
    assert partner_signal_shown_to(state, viewer) is shown


@pytest.mark.parametrize(("current", "allowed"), [(1, False), (2, True), (5, True), (7, True)])
def test_either_partner_may_step_back_one_stage_from_any_stage_but_the_first(current: int, allowed: bool) -> None:
    assert can_step_back(couple(current, "both")) is allowed


def test_has_said_is_about_the_next_stage_only() -> None:
    assert has_said(couple(2, "both", hurt_ready=3), HURT)
    assert not has_said(couple(3, "both", hurt_ready=3), HURT)
    assert not has_said(couple(7, None, hurt_ready=8), HURT)


@pytest.mark.parametrize(("number", "unlocked"), [(1, True), (3, True), (4, False)])
def test_steps_can_be_logged_up_to_the_current_stage(number: int, unlocked: bool) -> None:
    assert stage_unlocked(couple(3, "both").current, number) is unlocked
