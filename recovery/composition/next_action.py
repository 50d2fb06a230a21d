"""The one thing the home page puts first: what to do next, today.

`choose` is a pure rule over a person's own state (table-tested); `LoadedState` loads that state. Only the
person's own entries and the couple's plan are read: what the partner has or hasn't written never moves
the next action (a partner's review of this week is hidden until both have shared — see access.py — and
Mend is not a way to check whether someone has "done their part").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property

from checkins.models import Reminder, WeeklyReview
from plans import content_cache
from plans.completions import can_do, period_for
from plans.models import Completion
from recovery.localtime import monday_of
from recovery.models import Partner

# Without a weekly-review reminder of their own, the review comes first from Friday (local) on: late
# enough to look back on most of the week, early enough to talk it through at the weekend.
DEFAULT_REVIEW_WEEKDAY = 4


class Action(StrEnum):
    RESUME = "resume"  # the space is paused: resuming (or not) is the only thing asked
    INVITE = "invite"  # no partner yet and no invitation on its way
    CHECK_IN = "check_in"
    WEEKLY_REVIEW = "weekly_review"
    PLAN_STEP = "plan_step"  # the first step of the current stage this person hasn't done this time
    PLAN = "plan"  # all done for now: the plan itself


@dataclass(frozen=True)
class PlanStep:
    slug: str
    title: str


@dataclass(frozen=True)
class TodayState:
    paused: bool
    has_partner: bool
    invitation_open: bool
    checked_in_today: bool
    review_written: bool  # this person's own review of this week, kept "only me" or shared
    weekday: int  # local, 0 is Monday
    review_weekday: int  # from this weekday on, an unwritten review comes before the plan
    next_step: PlanStep | None


@dataclass(frozen=True)
class NextAction:
    action: Action
    step: PlanStep | None = None


def choose(state: TodayState | LoadedState) -> NextAction:
    """The one next action: from a TodayState (the rule's table) or the state `LoadedState` loads as asked."""
    if state.paused:
        return NextAction(Action.RESUME)
    if not state.has_partner and not state.invitation_open:
        return NextAction(Action.INVITE)
    if not state.checked_in_today:
        return NextAction(Action.CHECK_IN)
    if not state.review_written and state.weekday >= state.review_weekday:
        return NextAction(Action.WEEKLY_REVIEW)
    if state.next_step is not None:
        return NextAction(Action.PLAN_STEP, state.next_step)
    return NextAction(Action.PLAN)


class LoadedState:
    """The person's state for `choose`, read as `choose` asks for it: at most three small queries, whatever
    the history, and none for what the answer doesn't hang on (the review and the plan, before the check-in).
    `review_written`: the person's own review of this week, if the caller has read it already."""

    def __init__(
        self,
        membership: Partner,
        *,
        today: date,
        stage_number: int,
        has_partner: bool,
        invitation_open: bool,
        checked_in_today: bool,
        review_written: bool | None = None,
    ) -> None:
        self._membership, self._today, self._stage_number = membership, today, stage_number
        self.paused = membership.couple.status == membership.couple.Status.PAUSED
        self.has_partner, self.invitation_open, self.checked_in_today = has_partner, invitation_open, checked_in_today
        self.weekday = today.weekday()
        if review_written is not None:
            self.__dict__["review_written"] = review_written

    @cached_property
    def review_written(self) -> bool:
        user = self._membership.user
        reviews = WeeklyReview.objects.visible_to(user).filter(author=user, week_start=monday_of(self._today))
        return reviews.exists()

    @cached_property
    def review_weekday(self) -> int:
        reminder_day = (
            Reminder.objects.filter(user=self._membership.user, kind=Reminder.Kind.WEEKLY_REVIEW, enabled=True)
            .values_list("weekday", flat=True)
            .first()
        )
        return DEFAULT_REVIEW_WEEKDAY if reminder_day is None else reminder_day

    @cached_property
    def next_step(self) -> PlanStep | None:
        return next_plan_step(self._membership, today=self._today, stage_number=self._stage_number)


def next_plan_step(membership: Partner, *, today: date, stage_number: int) -> PlanStep | None:
    """The first step of the current stage that is this person's to do and not yet done for its period
    (ever, for a once-only step; today, for a daily one; this week, for a weekly one)."""
    steps = [
        step
        for step in content_cache.plan().steps  # by stage and position
        if step.stage.number == stage_number and can_do(step, membership)
    ]
    done = set(
        Completion.objects.visible_to(membership.user)
        .filter(author=membership.user, step__in=[s.pk for s in steps])
        .values_list("step_id", "period")
    )
    for step in steps:
        if (step.pk, period_for(step, today)) not in done:
            return PlanStep(slug=step.slug, title=step.title)
    return None
