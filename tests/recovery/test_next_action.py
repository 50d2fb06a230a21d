"""The one next action at the top of the home page: the rule (a table), and the state it is chosen from."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from checkins.models import Reminder
from plans.completions import period_for
from plans.models import Step
from recovery.composition.next_action import (
    Action,
    LoadedState,
    NextAction,
    PlanStep,
    TodayState,
    choose,
    next_plan_step,
)
from tests.factories import CompletionFactory, WeeklyReviewFactory, make_couple

STEP = PlanStep(slug="speak-from-i", title="Speak from “I”")
MONDAY, THURSDAY, FRIDAY, SUNDAY = 0, 3, 4, 6

# A couple's usual day: both joined, checked in, review not yet due, a plan step still to do.
USUAL = TodayState(
    paused=False,
    has_partner=True,
    invitation_open=False,
    checked_in_today=True,
    review_written=False,
    weekday=MONDAY,
    review_weekday=FRIDAY,
    next_step=STEP,
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Not checked in today: the check-in comes first, whatever else is waiting.
        ({"checked_in_today": False}, NextAction(Action.CHECK_IN)),
        ({"checked_in_today": False, "weekday": SUNDAY}, NextAction(Action.CHECK_IN)),
        ({"checked_in_today": False, "next_step": None}, NextAction(Action.CHECK_IN)),
        # Checked in, review not written: from the review day (Friday unless they chose one) on, it comes next.
        ({"weekday": THURSDAY}, NextAction(Action.PLAN_STEP, STEP)),
        ({"weekday": FRIDAY}, NextAction(Action.WEEKLY_REVIEW)),
        ({"weekday": SUNDAY}, NextAction(Action.WEEKLY_REVIEW)),
        ({"weekday": MONDAY, "review_weekday": MONDAY}, NextAction(Action.WEEKLY_REVIEW)),
        ({"weekday": THURSDAY, "review_weekday": SUNDAY}, NextAction(Action.PLAN_STEP, STEP)),
        # Review written (shared or "only me"): on to the plan.
        ({"weekday": SUNDAY, "review_written": True}, NextAction(Action.PLAN_STEP, STEP)),
        ({"next_step": None}, NextAction(Action.PLAN)),
        ({"weekday": SUNDAY, "review_written": True, "next_step": None}, NextAction(Action.PLAN)),
        # Waiting for a partner: invite first; once an invitation is out, the same day as anyone's.
        ({"has_partner": False}, NextAction(Action.INVITE)),
        ({"has_partner": False, "checked_in_today": False}, NextAction(Action.INVITE)),
        ({"has_partner": False, "invitation_open": True, "checked_in_today": False}, NextAction(Action.CHECK_IN)),
        ({"has_partner": False, "invitation_open": True}, NextAction(Action.PLAN_STEP, STEP)),
        # A paused space asks nothing but whether to resume.
        ({"paused": True}, NextAction(Action.RESUME)),
        ({"paused": True, "checked_in_today": False, "has_partner": False}, NextAction(Action.RESUME)),
    ],
)
def test_it_chooses_one_next_action(changes: dict[str, object], expected: NextAction) -> None:
    assert choose(replace(USUAL, **changes)) == expected


# --- the state, from the database ------------------------------------------------------------------


@pytest.fixture
def alex(db: None):
    return make_couple().partners.get(seat=1)


def _state(membership, today: date, **overrides: object) -> LoadedState:
    arguments = {"today": today, "stage_number": 1, "has_partner": True, "invitation_open": False}
    arguments.update({"checked_in_today": True, **overrides})
    return LoadedState(membership, **arguments)  # type: ignore[arg-type]


def test_the_next_step_is_the_first_of_the_stage_that_is_yours_and_not_done(alex) -> None:
    today = date(2026, 3, 11)
    steps = list(Step.objects.filter(stage__number=1, retired=False).order_by("position"))
    mine = [s for s in steps if s.who in ("both", alex.role)]
    assert steps[0].who == "involved"  # "End the affair" is the involved partner's: never Alex's next step
    assert next_plan_step(alex, today=today, stage_number=1) == PlanStep(slug=mine[0].slug, title=mine[0].title)
    for step in mine[:2]:
        CompletionFactory(step=step, author=alex.user, done_on=today)
    assert next_plan_step(alex, today=today, stage_number=1).slug == mine[2].slug  # type: ignore[union-attr]


def test_a_weekly_step_done_last_week_is_due_again(alex) -> None:
    weekly = Step.objects.filter(stage__number=1, cadence="weekly", retired=False).first()
    assert weekly is not None
    today = date(2026, 3, 11)
    last_week = today - timedelta(days=7)
    for step in Step.objects.filter(stage__number=1, retired=False).exclude(pk=weekly.pk):
        CompletionFactory(step=step, author=alex.user, done_on=today)
    CompletionFactory(step=weekly, author=alex.user, period=period_for(weekly, last_week), done_on=last_week)
    assert next_plan_step(alex, today=today, stage_number=1) == PlanStep(slug=weekly.slug, title=weekly.title)
    CompletionFactory(step=weekly, author=alex.user, period=period_for(weekly, today), done_on=today)
    assert next_plan_step(alex, today=today, stage_number=1) is None
    assert choose(_state(alex, today)).action == Action.PLAN


def test_the_partner_s_completions_do_not_count_as_yours(alex) -> None:
    sam = alex.couple.partners.get(seat=2).user
    today = date(2026, 3, 11)
    first = next_plan_step(alex, today=today, stage_number=1)
    step = Step.objects.get(slug=first.slug)  # type: ignore[union-attr]
    CompletionFactory(step=step, author=sam, done_on=today)
    assert next_plan_step(alex, today=today, stage_number=1) == first


def test_the_review_day_is_the_person_s_own_weekly_reminder_day(alex) -> None:
    wednesday = date(2026, 3, 11)
    assert _state(alex, wednesday).review_weekday == 4  # Friday, without a reminder
    Reminder.objects.create(user=alex.user, kind=Reminder.Kind.WEEKLY_REVIEW, local_time=time(19), weekday=1)
    assert _state(alex, wednesday).review_weekday == 1
    assert choose(_state(alex, wednesday)).action == Action.WEEKLY_REVIEW
    Reminder.objects.filter(user=alex.user).update(enabled=False)
    assert _state(alex, wednesday).review_weekday == 4


def test_only_your_own_review_of_this_week_counts(alex) -> None:
    saturday = date(2026, 3, 14)
    sam = alex.couple.partners.get(seat=2).user
    WeeklyReviewFactory(author=sam, week_start=date(2026, 3, 9), visibility="partner")
    assert choose(_state(alex, saturday)).action == Action.WEEKLY_REVIEW  # Sam's, shared or not, moves nothing
    WeeklyReviewFactory(author=alex.user, week_start=date(2026, 3, 2), visibility="only_me")
    assert not _state(alex, saturday).review_written  # last week's
    WeeklyReviewFactory(author=alex.user, week_start=date(2026, 3, 9), visibility="only_me")
    assert _state(alex, saturday).review_written


def test_a_paused_space_is_seen_as_paused(alex) -> None:
    couple = alex.couple
    couple.status = couple.Status.PAUSED
    couple.save()
    assert choose(_state(alex, date(2026, 3, 11), checked_in_today=False)).action == Action.RESUME
