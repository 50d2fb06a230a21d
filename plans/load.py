"""How much time the plan asks of each partner at each stage: minutes a day and minutes a week. Pure.

The rules, which the plan page shows and the validator enforces:

- Only recurring steps count. A once-only step (a conversation, an agreement, a week of wish notes)
  is done when it suits the couple and is not part of the everyday load.
- A daily step done on `per_week` days counts `minutes * per_week / 7` towards "a day": the figure
  is an average day, so a step done three evenings a week adds three sevenths of its minutes.
- A weekly step counts its minutes towards "a week", on top of the everyday figure.
- Each partner's load is counted separately, as their own time: a step for both counts for each of
  them (done together or apart); a step for one partner counts only for that partner. A stage's load
  is the larger of the two partners' figures, and the cap applies to that.
- A recurring step carries on at later stages until a later stage rests it (no longer counted) or
  lightens it (fewer minutes, or fewer days a week).
- A step that follows another in the same stage (hand on hand, then its second stage, then sensate
  caressing) takes its place: a couple does one of the chain at a time, so the chain counts as its
  heaviest member.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_MINUTES_A_DAY = 30
MAX_MINUTES_A_WEEK = 180
DAYS_A_WEEK = 7
ROLES = ("hurt", "involved")


@dataclass(frozen=True)
class Phase:
    """How a recurring step is done from `from_stage` on; `per_week == 0` means it rests from there."""

    from_stage: int
    minutes: int
    per_week: int
    why: str = ""

    @property
    def resting(self) -> bool:
        return self.per_week == 0

    def as_dict(self) -> dict[str, Any]:
        return {"from_stage": self.from_stage, "minutes": self.minutes, "per_week": self.per_week, "why": self.why}


@dataclass(frozen=True)
class Recurring:
    """A daily or weekly step and its schedule: the first phase is the stage that introduces it."""

    slug: str
    title: str
    who: str  # "both", "hurt" or "involved"
    cadence: str  # "daily" or "weekly"
    phases: tuple[Phase, ...]
    follows: str = ""  # the slug of the step in the same stage this one takes over from

    @property
    def introduced_at(self) -> int:
        return self.phases[0].from_stage

    def phase_at(self, stage: int) -> Phase | None:
        """How the step is done at `stage`, or None before it starts and once it rests."""
        current = None
        for phase in self.phases:
            if phase.from_stage <= stage:
                current = phase
        return None if current is None or current.resting else current

    def later_changes(self) -> tuple[Phase, ...]:
        return self.phases[1:]

    def minutes_a_week_at(self, stage: int) -> int:
        phase = self.phase_at(stage)
        return phase.minutes * phase.per_week if phase else 0

    def is_for(self, role: str) -> bool:
        return self.who in ("both", role)


@dataclass(frozen=True)
class PersonLoad:
    """One partner's load at one stage. `day` is exact (an average), `week` whole minutes."""

    day: float = 0.0
    week: int = 0
    daily_steps: tuple[tuple[str, float], ...] = ()  # (slug, average minutes a day)
    weekly_steps: tuple[tuple[str, int], ...] = ()  # (slug, minutes a week)

    @property
    def minutes_a_day(self) -> int:
        return round(self.day)


@dataclass(frozen=True)
class StageLoad:
    stage: int
    by_role: dict[str, PersonLoad] = field(default_factory=dict)

    def for_role(self, role: str) -> PersonLoad:
        return self.by_role.get(role, PersonLoad())

    @property
    def day(self) -> float:
        return max((load.day for load in self.by_role.values()), default=0.0)

    @property
    def week(self) -> int:
        return max((load.week for load in self.by_role.values()), default=0)

    @property
    def minutes_a_day(self) -> int:
        return round(self.day)


def schedule(
    *,
    introduced_at: int,
    minutes: int,
    per_week: int,
    changes: Iterable[tuple[int, int, int, str]] = (),
) -> tuple[Phase, ...]:
    """The phases of a step: where it starts, then each (stage, minutes, per_week, why) change, in order."""
    phases = [Phase(from_stage=introduced_at, minutes=minutes, per_week=per_week)]
    for stage, new_minutes, new_per_week, why in sorted(changes):
        phases.append(Phase(from_stage=stage, minutes=new_minutes, per_week=new_per_week, why=why))
    return tuple(phases)


def phases_from_json(rows: Sequence[dict[str, Any]]) -> tuple[Phase, ...]:
    """The phases as stored on Step.schedule by the sync."""
    return tuple(
        Phase(from_stage=r["from_stage"], minutes=r["minutes"], per_week=r["per_week"], why=r.get("why", ""))
        for r in rows
    )


def person_load(steps: Iterable[Recurring], stage: int, role: str) -> PersonLoad:
    """The load at `stage` of the partner with `role`, counting each follow-on chain once."""
    steps = list(steps)
    mine = [s for s in steps if s.is_for(role) and s.phase_at(stage) is not None]
    heaviest: dict[str, Recurring] = {}
    for step in mine:
        chain = _chain_root(step, {s.slug: s for s in steps})
        kept = heaviest.get(chain)
        if kept is None or step.minutes_a_week_at(stage) > kept.minutes_a_week_at(stage):
            heaviest[chain] = step
    daily, weekly = [], []
    for step in sorted(heaviest.values(), key=lambda s: (s.introduced_at, s.slug)):
        if step.cadence == "daily":
            daily.append((step.slug, step.minutes_a_week_at(stage) / DAYS_A_WEEK))
        else:
            weekly.append((step.slug, step.minutes_a_week_at(stage)))
    return PersonLoad(
        day=sum(m for _slug, m in daily),
        week=sum(m for _slug, m in weekly),
        daily_steps=tuple(daily),
        weekly_steps=tuple(weekly),
    )


def _chain_root(step: Recurring, by_slug: dict[str, Recurring]) -> str:
    seen = {step.slug}
    while step.follows and step.follows in by_slug and step.follows not in seen:
        step = by_slug[step.follows]
        seen.add(step.slug)
    return step.slug


def stage_load(steps: Iterable[Recurring], stage: int) -> StageLoad:
    steps = list(steps)
    return StageLoad(stage=stage, by_role={role: person_load(steps, stage, role) for role in ROLES})


@dataclass(frozen=True)
class CarryItem:
    """An earlier step as it stands at a stage: `phase` is how it is done there (or its resting phase)."""

    step: Recurring
    phase: Phase

    @property
    def how(self) -> str:
        return describe_doing(self.phase, self.step.cadence)


@dataclass(frozen=True)
class CarryOver:
    """What happens at a stage to the daily and weekly steps still going from earlier stages."""

    kept: tuple[CarryItem, ...] = ()
    lighter: tuple[CarryItem, ...] = ()
    resting: tuple[CarryItem, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.kept or self.lighter or self.resting)


def carry_over(steps: Iterable[Recurring], stage: int) -> CarryOver:
    kept, lighter, resting = [], [], []
    for step in sorted(steps, key=lambda s: (s.introduced_at, s.slug)):
        before = step.phase_at(stage - 1)
        if step.introduced_at >= stage or before is None:
            continue
        change = next((p for p in step.phases[1:] if p.from_stage == stage), None)
        if change is None:
            kept.append(CarryItem(step, before))
        elif change.resting:
            resting.append(CarryItem(step, change))
        else:
            lighter.append(CarryItem(step, change))
    return CarryOver(kept=tuple(kept), lighter=tuple(lighter), resting=tuple(resting))


def overload_problems(steps: Iterable[Recurring], stages: Iterable[int]) -> list[str]:
    """One message per stage over the cap, naming the partner's figure and the steps that make it up."""
    steps = list(steps)
    problems = []
    for number in stages:
        load = stage_load(steps, number)
        for role in ROLES:
            person = load.for_role(role)
            who = "the partner who was hurt" if role == "hurt" else "the partner who had the affair"
            if person.day > MAX_MINUTES_A_DAY:
                parts = ", ".join(f"{slug} ({minutes:.1f})" for slug, minutes in person.daily_steps)
                problems.append(
                    f"stage {number}: about {person.day:.1f} minutes a day for {who}, over the limit of "
                    f"{MAX_MINUTES_A_DAY}; rest or lighten some of: {parts}"
                )
            if person.week > MAX_MINUTES_A_WEEK:
                parts = ", ".join(f"{slug} ({minutes})" for slug, minutes in person.weekly_steps)
                problems.append(
                    f"stage {number}: {person.week} minutes a week for {who}, over the limit of "
                    f"{MAX_MINUTES_A_WEEK}; rest or lighten some of: {parts}"
                )
    return problems


# --- Words for the pages (translated) --------------------------------------------------------------


def describe_load(load: PersonLoad) -> str:
    """The load in words, plural-aware: 'About 20 minutes a day and 75 minutes a week at this stage.'"""
    day, week = load.minutes_a_day, load.week
    day_words = ngettext("%(n)s minute a day", "%(n)s minutes a day", day) % {"n": day}
    week_words = ngettext("%(n)s minute a week", "%(n)s minutes a week", week) % {"n": week}
    if day and week:
        return _("About %(day)s and %(week)s at this stage.") % {"day": day_words, "week": week_words}
    if day:
        return _("About %(day)s at this stage.") % {"day": day_words}
    if week:
        return _("About %(week)s at this stage.") % {"week": week_words}
    return _("Nothing here repeats: this stage's steps are each done once, when it suits you.")


def describe_frequency(cadence: str, per_week: int) -> str:
    if cadence == "weekly":
        return _("Every week")
    if per_week >= DAYS_A_WEEK:
        return _("Every day")
    return ngettext("%(n)s day a week", "%(n)s days a week", per_week) % {"n": per_week}


def describe_doing(phase: Phase, cadence: str) -> str:
    """For example 'about 10 minutes, every day'."""
    return _("about %(minutes)s, %(often)s") % {
        "minutes": ngettext("%(n)s minute", "%(n)s minutes", phase.minutes) % {"n": phase.minutes},
        "often": describe_frequency(cadence, phase.per_week).lower(),
    }


def describe_phase(phase: Phase, cadence: str) -> str:
    """What changes from a later stage, e.g. "From stage 3: about 10 minutes, every day." """
    if phase.resting:
        return _("From stage %(n)s, this step can rest.") % {"n": phase.from_stage}
    return _("From stage %(n)s: %(how)s.") % {"n": phase.from_stage, "how": describe_doing(phase, cadence)}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the load of every stage of a plan file: `python -m plans.load [--unchecked] [FILE]`.

    --unchecked measures a file the validator refuses (an old plan, or one over the cap), treating any
    recurring step that no later stage mentions as carrying on unchanged.
    """
    import argparse
    import tomllib
    from pathlib import Path

    from plans.content import PLAN_PATH, PlanContentError, parse_plan, recurring_steps

    parser = argparse.ArgumentParser(prog="python -m plans.load", description=main.__doc__)
    parser.add_argument("file", nargs="?", default=str(PLAN_PATH))
    parser.add_argument("--unchecked", action="store_true")
    args = parser.parse_args(argv)
    raw = tomllib.loads(Path(args.file).read_text(encoding="utf-8"))
    try:
        plan = parse_plan(raw, check_load=not args.unchecked)
    except PlanContentError as exc:
        print(exc)
        return 1
    steps = recurring_steps(plan)
    columns = ("stage", "hurt a day", "a week", "involved a day", "a week", "max a day", "a week")
    print("  ".join(f"{name:>{max(len(name), 6)}}" for name in columns))
    for stage in plan.stages:
        load = stage_load(steps, stage.number)
        hurt, involved = load.for_role("hurt"), load.for_role("involved")
        print(
            f"{stage.number:>6}  {hurt.day:>10.1f}  {hurt.week:>6}  {involved.day:>14.1f}  {involved.week:>6}"
            f"  {load.day:>9.1f}  {load.week:>6}"
        )
    print(f"(limits: {MAX_MINUTES_A_DAY} minutes a day, {MAX_MINUTES_A_WEEK} minutes a week, per partner)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
