"""Logging that a step was done: once, per local day, or per ISO week, with an optional note."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from plans import progress
from plans.models import Completion, Step
from recovery.access import Visibility
from recovery.localtime import local_today
from recovery.models import Partner, User


class CompletionError(Exception):
    """Why a completion can't be logged; shown to the person as it is."""


def period_for(step: Step, on: date) -> str:
    if step.cadence == Step.Cadence.DAILY:
        return on.isoformat()
    if step.cadence == Step.Cadence.WEEKLY:
        year, week, _weekday = on.isocalendar()
        return f"{year}-W{week:02d}"
    return "once"


def allowed_dates(user: User) -> tuple[date, date]:
    """A step can be logged for today or, if you forgot, yesterday (your local dates)."""
    today = local_today(user)
    return today - timedelta(days=1), today


def can_do(step: Step, membership: Partner) -> bool:
    return step.who == Step.Who.BOTH or step.who == membership.role


def log_completion(
    *, membership: Partner, step: Step, current_stage: int, done_on: date, note: str, visibility: str
) -> Completion:
    user, couple = membership.user, membership.couple
    if step.retired or not progress.stage_unlocked(current_stage, step.stage.number):
        raise CompletionError(_("This step belongs to a stage you haven't opened yet."))
    if not can_do(step, membership):
        raise CompletionError(_("This step is for your partner to do."))
    earliest, latest = allowed_dates(user)
    if not earliest <= done_on <= latest:
        raise CompletionError(_("You can log today or yesterday (in your time zone)."))
    if visibility not in Visibility.values:
        raise CompletionError(_("Choose who can see this."))
    if step.private:
        visibility = Visibility.ONLY_ME
    try:
        with transaction.atomic():
            return Completion.objects.create(
                step=step,
                couple=couple,
                author=user,
                period=period_for(step, done_on),
                done_on=done_on,
                note=note.strip(),
                visibility=visibility,
            )
    except IntegrityError as exc:
        raise CompletionError(_already_done_message(step)) from exc


def _already_done_message(step: Step) -> str:
    if step.cadence == Step.Cadence.DAILY:
        return str(_("You've already logged this step for that day."))
    if step.cadence == Step.Cadence.WEEKLY:
        return str(_("You've already logged this step for that week."))
    return str(_("You've already logged this step."))


def remove_completion(*, completion: Completion, user: User) -> None:
    if completion.author_id != user.pk:
        raise CompletionError(_("Only the person who logged it can remove it."))
    completion.delete()


def done_for_now(step: Step, mine: list[Completion], today: date) -> Completion | None:
    """The person's completion that covers now — ever, for a once-only step; today's or this week's for a
    recurring one — so the page says it's done rather than offering to log it again."""
    period = period_for(step, today)
    return next((c for c in mine if c.period == period), None)


def completions_for(step: Step, viewer: User) -> list[Completion]:
    """What the viewer may see of this step's completions (access rules apply)."""
    return list(Completion.objects.visible_to(viewer).filter(step=step).select_related("author"))
