"""The load rules (plans/load.py): minutes a day and a week per partner, resting, lightening, chains."""

from __future__ import annotations

import pytest

from plans.load import (
    MAX_MINUTES_A_DAY,
    MAX_MINUTES_A_WEEK,
    Phase,
    Recurring,
    carry_over,
    describe_frequency,
    describe_load,
    describe_phase,
    overload_problems,
    person_load,
    schedule,
    stage_load,
)


def daily(slug: str, minutes: int, *, who: str = "both", at: int = 1, per_week: int = 7, changes=()) -> Recurring:
    phases = schedule(introduced_at=at, minutes=minutes, per_week=per_week, changes=changes)
    return Recurring(slug=slug, title=slug.title(), who=who, cadence="daily", phases=phases)


def weekly(slug: str, minutes: int, *, who: str = "both", at: int = 1, changes=(), follows: str = "") -> Recurring:
    phases = schedule(introduced_at=at, minutes=minutes, per_week=1, changes=changes)
    return Recurring(slug=slug, title=slug.title(), who=who, cadence="weekly", phases=phases, follows=follows)


CHECK_IN = daily("check-in", 15, at=2, changes=[(3, 10, 7, "shorter"), (7, 10, 3, "fewer days")])
PROMISES = daily("promises", 3, who="involved", at=2, changes=[(7, 0, 0, "rests")])
TELECONFERENCE = daily("teleconference", 10, at=3, per_week=3, changes=[(4, 0, 0, "rests")])
REVIEW = weekly("review", 45, at=2, changes=[(7, 30, 1, "shorter")])
EMPATHY = weekly("empathy", 20, who="involved", at=3, changes=[(4, 0, 0, "rests")])
HAND_ONE = weekly("hand-one", 12, at=5)
HAND_TWO = weekly("hand-two", 11, at=5, follows="hand-one")
CARESSING = weekly("caressing", 30, at=5, follows="hand-two")
PLAN = [CHECK_IN, PROMISES, TELECONFERENCE, REVIEW, EMPATHY, HAND_ONE, HAND_TWO, CARESSING]


@pytest.mark.parametrize(
    ("stage", "role", "day", "week"),
    [
        (1, "hurt", 0, 0),  # nothing recurring yet
        (2, "hurt", 15, 45),
        (2, "involved", 18, 45),  # promises are the involved partner's alone
        (3, "hurt", 10 + 30 / 7, 45),  # check-in lightened to 10; teleconference 3 evenings of 10, averaged
        (3, "involved", 10 + 3 + 30 / 7, 65),  # plus empathy, a weekly step for the involved partner
        (4, "involved", 13, 45),  # teleconference and empathy rest from stage 4
        (5, "hurt", 10, 45 + 30),  # the hand-on-hand chain counts once, as its heaviest member
        (7, "hurt", 30 / 7, 30 + 30),  # check-in 3 days a week; review shortened to 30; caressing goes on
        (7, "involved", 30 / 7, 30 + 30),  # promises rest from stage 7
    ],
)
def test_it_counts_each_partner_s_minutes_a_day_and_a_week(stage: int, role: str, day: float, week: int) -> None:
    load = person_load(PLAN, stage, role)
    assert load.day == pytest.approx(day)
    assert load.week == week


def test_a_stage_s_load_is_the_larger_of_the_two_partners() -> None:
    load = stage_load(PLAN, 3)
    assert load.day == pytest.approx(person_load(PLAN, 3, "involved").day)
    assert load.week == 65
    assert load.minutes_a_day == round(10 + 3 + 30 / 7)


def test_it_names_the_steps_that_make_up_a_load() -> None:
    load = person_load(PLAN, 5, "hurt")
    assert [slug for slug, _minutes in load.daily_steps] == ["check-in"]
    assert dict(load.weekly_steps) == {"review": 45, "caressing": 30}


def test_a_step_before_it_starts_or_while_it_rests_counts_nothing() -> None:
    assert TELECONFERENCE.phase_at(2) is None
    assert TELECONFERENCE.phase_at(3) == Phase(from_stage=3, minutes=10, per_week=3)
    assert TELECONFERENCE.phase_at(4) is None
    assert TELECONFERENCE.minutes_a_week_at(6) == 0


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([daily("long-talk", 31, at=2)], "stage 2: about 31.0 minutes a day for the partner who was hurt"),
        ([daily("promises", 40, who="involved")], "for the partner who had the affair, over the limit of 30"),
        ([weekly("date", 120), weekly("review", 61)], "181 minutes a week for the partner who was hurt"),
    ],
)
def test_an_overloaded_stage_is_named_with_its_steps(steps: list[Recurring], message: str) -> None:
    problems = overload_problems(steps, range(1, 8))
    assert any(message in p for p in problems), problems
    assert all(any(step.slug in p for step in steps) for p in problems)


def test_a_load_at_the_limits_is_accepted() -> None:
    at_limit = [daily("talk", MAX_MINUTES_A_DAY), weekly("review", MAX_MINUTES_A_WEEK)]
    assert overload_problems(at_limit, range(1, 8)) == []


def test_carry_over_sorts_earlier_steps_into_kept_lighter_and_resting() -> None:
    carry = carry_over(PLAN, 4)
    assert [item.step.slug for item in carry.kept] == ["check-in", "promises", "review"]
    assert [item.step.slug for item in carry.resting] == ["empathy", "teleconference"]
    assert carry.resting[0].phase.why == "rests"
    lighter = carry_over(PLAN, 7).lighter
    assert [(item.step.slug, item.phase.minutes, item.phase.per_week) for item in lighter] == [
        ("check-in", 10, 3),
        ("review", 30, 1),
    ]
    assert not carry_over(PLAN, 1)
    assert carry_over(PLAN, 5).kept[0].how == "about 10 minutes, every day"


@pytest.mark.parametrize(
    ("day", "week", "words"),
    [
        (1, 0, "About 1 minute a day at this stage."),
        (0, 1, "About 1 minute a week at this stage."),
        (20, 75, "About 20 minutes a day and 75 minutes a week at this stage."),
        (0, 0, "Nothing here repeats"),
    ],
)
def test_the_load_is_described_in_plural_aware_words(day: int, week: int, words: str) -> None:
    steps = [s for s in (daily("a", day), weekly("b", week)) if s.phases[0].minutes]
    assert describe_load(person_load(steps, 1, "hurt")).startswith(words)


@pytest.mark.parametrize(
    ("cadence", "per_week", "words"),
    [
        ("daily", 7, "Every day"),
        ("daily", 3, "3 days a week"),
        ("daily", 1, "1 day a week"),
        ("weekly", 1, "Every week"),
    ],
)
def test_how_often_a_step_is_done(cadence: str, per_week: int, words: str) -> None:
    assert describe_frequency(cadence, per_week) == words


def test_later_changes_are_described_plainly() -> None:
    assert describe_phase(Phase(from_stage=4, minutes=0, per_week=0), "daily") == "From stage 4, this step can rest."
    assert describe_phase(Phase(from_stage=7, minutes=10, per_week=3), "daily") == (
        "From stage 7: about 10 minutes, 3 days a week."
    )
