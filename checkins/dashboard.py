"""What the couple's home page shows of check-ins and reviews: today at a glance, streaks, the
partner's shared entries, charts and milestones. Everything is read through visible_to, so an
"only me" entry never reaches the partner, not even as a point on a chart or a count."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from typing import Any, Protocol

from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from checkins import charts
from checkins.measures import CSI4_KEYS, DISTRESS_CUTOFF, MAX_TOTAL
from checkins.models import DailyCheckIn, WeeklyReview
from recovery.localtime import local_today, monday_of
from recovery.models import Partner

CHART_WEEKS = 8
# A phone draws the daily charts over the latest four weeks (the table under each keeps all eight).
NARROW_CHART_WEEKS = 4
# Charts appear once there is something to draw: before that, four empty frames read as failure.
MIN_CHECK_INS_FOR_TRENDS = 3
RECENT_MILESTONE_DAYS = 7
PARTNER_RECENT = 5  # the partner's latest shared check-ins, with their words, on the home page
_SCORES = ("couple_id", "author_id", "local_date", "mood", "trust", "closeness", "visibility")
_CSI = ("couple_id", "author_id", "week_start", "visibility", *CSI4_KEYS)


class DayScores(Protocol):
    """What the charts and counts read of a check-in: its scores and dates, never its words. A DailyCheckIn
    has them; the home page reads them as rows (no model, no decryption) for the ~170 it counts."""

    @property
    def author_id(self) -> int: ...
    @property
    def local_date(self) -> date: ...
    @property
    def mood(self) -> int: ...
    @property
    def trust(self) -> int: ...
    @property
    def closeness(self) -> int: ...


@dataclass(frozen=True)
class CheckInMilestone:
    on: date
    kind: str  # "first", "streak-7", "streak-30", "both-reviews"


def streak(dates: set[date], today: date) -> int:
    """Consecutive days with a check-in, ending today (or yesterday, if today's isn't done yet)."""
    day = today if today in dates else today - timedelta(days=1)
    count = 0
    while day in dates:
        count += 1
        day -= timedelta(days=1)
    return count


def streak_reached_on(dates: set[date], length: int) -> date | None:
    """The first day a run of `length` consecutive check-ins was completed."""
    run, previous = 0, None
    for day in sorted(dates):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        previous = day
        if run == length:
            return day
    return None


def check_in_milestones(own_dates: set[date], both_shared_weeks: list[date]) -> list[CheckInMilestone]:
    reached = []
    if own_dates:
        reached.append(CheckInMilestone(on=min(own_dates), kind="first"))
    for length in (7, 30):
        on = streak_reached_on(own_dates, length)
        if on:
            reached.append(CheckInMilestone(on=on, kind=f"streak-{length}"))
    if both_shared_weeks:
        reached.append(CheckInMilestone(on=min(both_shared_weeks) + timedelta(days=6), kind="both-reviews"))
    return reached


def home_context(membership: Partner, partner: Partner | None) -> dict[str, Any]:
    """Today, the partner's shared entries and the charts, as the viewer may see them: four queries,
    however long the history."""
    user = membership.user
    today = local_today(user)
    start = today - timedelta(weeks=CHART_WEEKS) + timedelta(days=1)
    since = start - timedelta(days=31)
    # Charts and counts need scores and dates only: the words (encrypted, decrypted on reading) are read for
    # the five entries the page shows, not for the ~170 it counts.
    check_ins: list[DayScores] = list(
        DailyCheckIn.objects.visible_to(user).filter(local_date__gte=since).values_list(*_SCORES, named=True)
    )
    own = [c for c in check_ins if c.author_id == user.pk]
    theirs = [c for c in check_ins if c.author_id != user.pk]
    own_all_dates = set(DailyCheckIn.objects.filter(author=user).values_list("local_date", flat=True))
    reviews = list(WeeklyReview.objects.visible_to(user).filter(week_start__gte=monday_of(start)).only(*_CSI))
    partner_recent = (
        list(
            DailyCheckIn.objects.visible_to(user)
            .filter(local_date__gte=since)
            .exclude(author_id=user.pk)
            .order_by("-local_date")[:PARTNER_RECENT]
        )
        if partner  # a partner still waiting for the other has nobody's entries to read
        else []
    )
    partner_name = partner.user.get_short_name() if partner else ""

    people = [(user.pk, _("You"))] + ([(partner.user_id, partner_name)] if partner else [])
    chart_context = kept_charts(
        viewer_id=user.pk, check_ins=check_ins, reviews=reviews, people=people, start=start, today=today
    )
    both_weeks = _weeks_both_shared(user.pk, reviews)
    milestones = check_in_milestones(own_all_dates, both_weeks)
    return {
        "today": today,
        "checked_in_today": today in own_all_dates,
        # The person's own review of this week, kept "only me" or shared (the reviews read reach back 8 weeks).
        "reviewed_this_week": any(r.author_id == user.pk and r.week_start == monday_of(today) for r in reviews),
        # Said only when the partner chose to let you see it, and only when it's so: Mend is not a way to
        # check whether someone has "done their check-in".
        "partner_shared_today": bool(
            partner and partner.user.shows_check_in_presence and any(c.local_date == today for c in theirs)
        ),
        "streak": streak(own_all_dates, today),
        "partner_recent": partner_recent,
        **chart_context,
        # Counted from what the viewer may see: a partner's "only me" entries make no chart appear.
        "show_daily_charts": sum(1 for c in check_ins if c.local_date >= start) >= MIN_CHECK_INS_FOR_TRENDS,
        "show_csi_chart": bool(reviews),
        "dipped": _dipped(own, today),
        "recent_check_in_milestones": [m for m in milestones if (today - m.on).days < RECENT_MILESTONE_DAYS],
    }


def kept_charts(
    *,
    viewer_id: int,
    check_ins: Sequence[DayScores],
    reviews: Sequence[WeeklyReview],
    people: list[tuple[int, str]],
    start: date,
    today: date,
) -> dict[str, Any]:
    """`couple_charts` for a page that keeps its drawn charts in a `{% cache … charts_key %}` fragment: the
    charts are drawn only if the kept copy is missing (the key is exactly what they are drawn from, so a kept
    copy is never stale). The caller passes only entries the viewer may see."""
    drawn = SimpleLazyObject(
        lambda: couple_charts(check_ins=check_ins, reviews=reviews, people=people, start=start, today=today)
    )

    def part(name: str) -> SimpleLazyObject:
        return SimpleLazyObject(lambda: drawn[name])

    return {
        **{name: part(name) for name in ("charts", "csi_chart_title", "csi_chart")},
        "charts_key": _charts_key(viewer_id, people, check_ins, reviews, start, today),
    }


def _charts_key(
    user_id: int,
    people: list[tuple[int, str]],
    check_ins: Sequence[DayScores],
    reviews: Sequence[WeeklyReview],
    start: date,
    today: date,
) -> str:
    """What the home page's charts are drawn from, as a cache key: the same key draws the same charts, so a
    cached copy is never stale (any new, edited, hidden or removed entry gives another key)."""
    drawn_from = (
        user_id,
        get_language(),
        people,
        start,
        today,
        sorted((c.author_id, c.local_date, c.trust, c.closeness, c.mood) for c in check_ins),
        sorted((r.author_id, r.week_start, r.csi_total) for r in reviews),
    )
    return hashlib.sha256(repr(drawn_from).encode()).hexdigest()


def couple_charts(
    *,
    check_ins: Sequence[DayScores],
    reviews: Sequence[WeeklyReview],
    people: list[tuple[int, str]],
    start: date,
    today: date,
) -> dict[str, object]:
    """Trust, closeness and mood per person over the window, and the weekly CSI-4 with its 13.5 line.

    The caller passes only entries the viewer may see; `people` is [(user id, name shown)], in order.
    """

    def series(points_of: Callable[[int], list[tuple[date, float]]]) -> list[charts.Series]:
        return [
            charts.Series(name=name, points=tuple(sorted(points_of(user_id))), css_class=f"series-{index}")
            for index, (user_id, name) in enumerate(people, start=1)
        ]

    narrow_start = max(start, today - timedelta(weeks=NARROW_CHART_WEEKS) + timedelta(days=1))

    def daily_chart(field: str, title: str, measure: str, y_min: int, y_max: int, ticks: list[int]) -> dict:
        def points(user_id: int) -> list[tuple[date, float]]:
            return [
                (c.local_date, getattr(c, field)) for c in check_ins if c.author_id == user_id and c.local_date >= start
            ]

        drawn = series(points)
        chart = partial(
            charts.line_chart, title=title, series=drawn, end=today, y_min=y_min, y_max=y_max, y_ticks=ticks
        )
        wide = chart(
            chart_id=f"chart-{field}",
            description=_("%(measure)s, each day, for eight weeks.") % {"measure": measure},
            start=start,
        )
        narrow = chart(
            chart_id=f"chart-{field}-narrow",
            description=_("%(measure)s, each day, for the last four weeks. The table has all eight.")
            % {"measure": measure},
            start=narrow_start,
            layout=charts.NARROW,
        )
        return {"title": title, "chart": replace(wide, narrow=narrow)}

    def csi_chart(layout: charts.Layout, chart_id: str) -> charts.Chart:
        return charts.line_chart(
            chart_id=chart_id,
            title=csi_title,
            description=_("Weekly CSI-4 totals from 0 to %(max)s. Below %(cutoff)s marks relationship distress.")
            % {"max": MAX_TOTAL, "cutoff": DISTRESS_CUTOFF},
            series=series(lambda user_id: [(r.week_start, r.csi_total) for r in reviews if r.author_id == user_id]),
            start=monday_of(start),
            end=monday_of(today),
            y_min=0,
            y_max=MAX_TOTAL,
            y_ticks=[0, 7, 14, 21],
            threshold=DISTRESS_CUTOFF,
            threshold_label=_("%(cutoff)s: distress line") % {"cutoff": DISTRESS_CUTOFF},
            weekly=True,
            layout=layout,
        )

    csi_title = _("Relationship satisfaction (CSI-4), by week")
    return {
        "charts": [
            daily_chart("trust", _("Felt trust"), _("Felt trust from 0 to 10"), 0, 10, [0, 5, 10]),
            daily_chart("closeness", _("Felt closeness"), _("Felt closeness from 0 to 10"), 0, 10, [0, 5, 10]),
            daily_chart("mood", _("Mood"), _("Mood from 1 (very low) to 5 (very good)"), 1, 5, [1, 3, 5]),
        ],
        "csi_chart_title": csi_title,
        "csi_chart": replace(csi_chart(charts.WIDE, "chart-csi"), narrow=csi_chart(charts.NARROW, "chart-csi-narrow")),
    }


def _weeks_both_shared(user_id: int, reviews: list[WeeklyReview]) -> list[date]:
    by_week: dict[date, set[int]] = {}
    for review in reviews:
        if review.visibility != "only_me":
            by_week.setdefault(review.week_start, set()).add(review.author_id)
    return sorted(week for week, authors in by_week.items() if len(authors) == 2 and user_id in authors)


def _dipped(own: list[DayScores], today: date) -> bool:
    """Your own felt trust this week is a point or more below last week's."""
    this_week = [c.trust for c in own if today - c.local_date < timedelta(days=7)]
    last_week = [c.trust for c in own if timedelta(days=7) <= today - c.local_date < timedelta(days=14)]
    if len(this_week) < 2 or len(last_week) < 2:
        return False
    return sum(this_week) / len(this_week) <= sum(last_week) / len(last_week) - 1
