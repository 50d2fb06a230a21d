"""A couple's read-only summary for their therapist, grouped by week: what each partner shared, the
week's CSI-4, and the steps done — only what the therapist may see (access.py decides), words only of
entries shared "with our therapist too". Built from a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from checkins import triggers
from checkins.change import csi_totals_by_author
from checkins.dashboard import kept_charts
from checkins.measures import DISTRESS_CUTOFF
from checkins.models import DailyCheckIn, Trigger, WeeklyReview
from plans.models import Completion, Question, StageChange
from plans.questions import threads_for
from recovery.access import can_read_text
from recovery.localtime import local_today, monday_of
from recovery.models import Couple, Partner, User

WEEKS_SHOWN = 8


@dataclass
class SharedWeek:
    monday: date
    csi: list[int | None]  # per partner, in seat order
    reviews: list[WeeklyReview] = field(default_factory=list)  # whose words the therapist may read
    check_ins: list[DailyCheckIn] = field(default_factory=list)  # whose words the therapist may read
    completions: list[Completion] = field(default_factory=list)
    named_csi: list[tuple[str, int | None]] = field(default_factory=list)  # (partner's name, total)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def has_csi(self) -> bool:
        return any(total is not None for total in self.csi)

    @property
    def is_empty(self) -> bool:
        return not (self.reviews or self.check_ins or self.completions or any(t is not None for t in self.csi))


def summary_for(therapist: User, couple: Couple) -> dict[str, Any]:
    today = local_today(therapist)
    start = today - timedelta(weeks=WEEKS_SHOWN) + timedelta(days=1)
    partners = list(Partner.objects.filter(couple=couple, left_at__isnull=True).select_related("user").order_by("seat"))
    check_ins = list(
        DailyCheckIn.objects.visible_to(therapist).filter(couple=couple, local_date__gte=start).select_related("author")
    )
    # Every shared review's CSI-4, as rows (the weekly table goes back to the first); whole reviews, whose words
    # are decrypted on reading, only for the weeks shown.
    csi_totals = csi_totals_by_author(WeeklyReview.objects.visible_to(therapist).filter(couple=couple))
    reviews = list(
        WeeklyReview.objects.visible_to(therapist)
        .filter(couple=couple, week_start__gte=monday_of(start))
        .select_related("author")
        .order_by("-week_start")
    )
    completions = list(
        Completion.objects.visible_to(therapist)
        .filter(couple=couple, done_on__gte=start)
        .select_related("step", "author")
        .order_by("-done_on", "-pk")  # the same day: the latest logged first, the same on every look
    )
    seats = [p.user_id for p in partners]
    weeks: dict[date, SharedWeek] = {}

    def week_of(monday: date) -> SharedWeek:
        return weeks.setdefault(monday, SharedWeek(monday=monday, csi=[None] * len(seats)))

    for author_id, totals in csi_totals.items():
        if author_id in seats:
            for week_start, total in totals:
                week_of(week_start).csi[seats.index(author_id)] = total
    for review in reviews:
        if can_read_text(therapist, review):
            week_of(review.week_start).reviews.append(review)
    for entry in sorted(check_ins, key=lambda c: (c.local_date, c.author_id), reverse=True):
        if can_read_text(therapist, entry):
            week_of(monday_of(entry.local_date)).check_ins.append(entry)
    for completion in completions:
        week_of(monday_of(completion.done_on)).completions.append(completion)
    recent = [w for monday, w in sorted(weeks.items(), reverse=True) if monday >= monday_of(start) and not w.is_empty]
    people = [(p.user_id, p.user.get_short_name()) for p in partners]
    for week in recent:
        week.named_csi = [(name, total) for (_id, name), total in zip(people, week.csi, strict=True)]
    # Triggers the partners shared "with our therapist too": count and mean strength per week, newest first.
    by_person = triggers.per_week(Trigger.objects.visible_to(therapist).filter(couple=couple), since=start)
    trigger_weeks: dict[date, list[triggers.TriggerWeek | None]] = {}
    for user_id, person_weeks in by_person.items():
        if user_id in seats:
            for trigger_week in person_weeks:
                trigger_weeks.setdefault(trigger_week.monday, [None] * len(seats))[seats.index(user_id)] = trigger_week
    if trigger_weeks:  # a week with none shared is shown as such, not left out
        monday = min(trigger_weeks)
        while monday <= monday_of(today):
            trigger_weeks.setdefault(monday, [None] * len(seats))
            monday += timedelta(weeks=1)
    return {
        "couple": couple,
        "trigger_weeks": sorted(trigger_weeks.items(), reverse=True),
        "partners": partners,
        "changes": list(StageChange.objects.filter(couple=couple).select_related("by").order_by("at", "pk")),
        "weeks": recent,
        "csi_weeks": [
            (w.monday, w.csi) for monday, w in sorted(weeks.items(), reverse=True) if any(t is not None for t in w.csi)
        ],
        "cutoff": DISTRESS_CUTOFF,
        # Questions and answers the couple shared with the therapist, each with its whole history.
        "question_threads": threads_for(
            therapist, list(Question.objects.visible_to(therapist).filter(couple=couple).select_related("author"))
        ),
        # Drawn only when the kept copy (keyed by exactly what they show) is missing: see the template.
        **kept_charts(
            viewer_id=therapist.pk,
            check_ins=check_ins,
            reviews=reviews,
            people=people,
            start=start,
            today=today,
        ),
    }
