"""Milestones worth a kind word: a stage opening, and 7, 30, 90 and 365 days in the plan. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DAY_MILESTONES = (7, 30, 90, 365)
RECENT_DAYS = 7  # a milestone is celebrated on the overview for a week after it is reached


@dataclass(frozen=True)
class Milestone:
    on: date
    days: int | None = None  # a day-count milestone
    stage: int | None = None  # a stage that opened
    stage_title: str = ""


def milestones(*, started_on: date | None, stage_openings: list[tuple[date, int, str]], today: date) -> list[Milestone]:
    """Every milestone reached by `today`, newest first."""
    reached: list[Milestone] = []
    if started_on is not None:
        for days in DAY_MILESTONES:
            on = started_on + timedelta(days=days)
            if on <= today:
                reached.append(Milestone(on=on, days=days))
    seen: set[int] = set()
    for on, number, title in sorted(stage_openings):
        if number not in seen and on <= today:  # the first time a stage opened is the milestone
            seen.add(number)
            reached.append(Milestone(on=on, stage=number, stage_title=title))
    return sorted(reached, key=lambda m: (m.on, m.days or 0, m.stage or 0), reverse=True)


def recent(reached: list[Milestone], today: date) -> list[Milestone]:
    return [m for m in reached if today - m.on < timedelta(days=RECENT_DAYS)]
