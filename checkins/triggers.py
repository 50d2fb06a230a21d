"""The trigger log: saving a trigger, the partner's gentle prompt and "I'm here", and triggers per week.

Everything is read through `Trigger.objects.visible_to` (recovery/access.py): a trigger kept "only me" never
reaches the partner or the therapist — not in the prompt, not in a count, not as a point on a chart.

The prompt is an invitation, not an alarm: it shows on the partner's next page for a few days, once, and goes
away when they answer "I'm here" or choose "not now". It says nothing about triggers that weren't shared, and
it never tells the person who logged it whether their partner has seen it — only, if so, that they answered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from checkins.models import Trigger
from recovery.access import SHARED, membership_of
from recovery.localtime import local_date_of, monday_of
from recovery.models import Partner, User

# A prompt older than this has passed: asking for reassurance days later would be a reproach, not support.
PROMPT_DAYS = 3
# The chart of triggers per week appears once this many weeks have any; before that it would read as a verdict.
MIN_WEEKS_FOR_CHART = 3
CHART_WEEKS = 16
# "Rising": each of the last three weeks (7-day windows ending today) has more triggers than the one before.
RISING_WEEKS = 4


def save_trigger(*, membership: Partner, fields: dict, instance: Trigger | None = None) -> Trigger:
    """Create (or, for its author, change) a trigger; its local date follows the author's time zone."""
    trigger = instance or Trigger(couple=membership.couple, author=membership.user)
    for name in ("occurred_at", "strength", "what_happened", "what_helped", "visibility"):
        setattr(trigger, name, fields[name])
    trigger.local_date = local_date_of(trigger.occurred_at, membership.user)
    trigger.save()
    return trigger


def open_prompts(user: User) -> list[Trigger]:
    """The partner's recent shared triggers this person hasn't answered or put aside: one query, and none on
    the days no shared trigger in the couple is recent enough (the couple's `shared_trigger_at`, read with the
    membership)."""
    since = timezone.now() - timedelta(days=PROMPT_DAYS)
    membership = membership_of(user)
    if membership is None:
        return []
    shared_at = membership.couple.shared_trigger_at
    if shared_at is None or shared_at < since:
        return []
    return list(
        Trigger.objects.visible_to(user)
        .exclude(author_id=user.pk)
        .filter(visibility__in=SHARED, here_at__isnull=True, prompt_closed_at__isnull=True, created_at__gte=since)
        .select_related("author")
        .order_by("-occurred_at")[:3]
    )


def _partners_shared(user: User) -> QuerySet[Trigger]:
    return Trigger.objects.visible_to(user).exclude(author_id=user.pk).filter(visibility__in=SHARED)


def answer_here(trigger: Trigger, user: User) -> bool:
    """The partner answers "I'm here": once (a second tap changes nothing). False if it isn't theirs to answer."""
    if trigger.author_id == user.pk:
        return False
    return _partners_shared(user).filter(pk=trigger.pk, here_at__isnull=True).update(here_at=timezone.now()) == 1


def not_now(trigger: Trigger, user: User) -> bool:
    """The partner puts the prompt aside; the trigger stays on the triggers page."""
    if trigger.author_id == user.pk:
        return False
    updated = _partners_shared(user).filter(pk=trigger.pk, prompt_closed_at__isnull=True, here_at__isnull=True)
    return updated.update(prompt_closed_at=timezone.now()) == 1


@dataclass(frozen=True)
class TriggerWeek:
    monday: date
    count: int
    mean_strength: float | None


def per_week(triggers: QuerySet[Trigger], *, since: date) -> dict[int, list[TriggerWeek]]:
    """Count and mean strength per author per local week (Monday to Sunday), summed in the database: one query.

    The caller passes a queryset already narrowed by visible_to."""
    rows = (
        triggers.filter(local_date__gte=monday_of(since))
        .values("author_id", "local_date")
        .annotate(n=Count("pk"), strength_sum=Sum("strength"))
        .order_by()
    )
    sums: dict[int, dict[date, list[int]]] = {}
    for row in rows:
        week = sums.setdefault(row["author_id"], {}).setdefault(monday_of(row["local_date"]), [0, 0])
        week[0] += row["n"]
        week[1] += row["strength_sum"]
    return {
        author: [
            TriggerWeek(monday=monday, count=n, mean_strength=round(total / n, 1))
            for monday, (n, total) in sorted(weeks.items())
        ]
        for author, weeks in sums.items()
    }


def rising_counts_filter(today: date) -> dict[str, Count]:
    """Triggers in each of the last four 7-day windows ending `today`, oldest first, as aggregates for one
    grouped query (the caseload's "triggers rising for three weeks")."""
    return {
        f"week_{index}": Count(
            "pk",
            filter=Q(
                local_date__gt=today - timedelta(days=7 * (RISING_WEEKS - index)),
                local_date__lte=today - timedelta(days=7 * (RISING_WEEKS - 1 - index)),
            ),
        )
        for index in range(RISING_WEEKS)
    }


def is_rising(counts: list[int]) -> bool:
    """Three week-on-week increases in a row: [a, b, c, d] with a < b < c < d."""
    return len(counts) >= RISING_WEEKS and all(
        earlier < later for earlier, later in zip(counts[-RISING_WEEKS:], counts[-RISING_WEEKS + 1 :], strict=False)
    )


def _count_ticks(highest: int) -> tuple[int, list[int]]:
    top = max(4, highest + (-highest % 2))
    return top, [0, top // 2, top]


def charts_for(user: User, people: list[tuple[int, str]], *, today: date) -> dict[str, object]:
    """Triggers per week over the last CHART_WEEKS weeks (count, and mean strength from 1 to 5), one series per
    person, from what the viewer may see; shown once MIN_WEEKS_FOR_CHART weeks have any."""
    from checkins import charts

    earliest = monday_of(today) - timedelta(weeks=CHART_WEEKS - 1)
    weeks = per_week(Trigger.objects.visible_to(user), since=earliest)
    weeks_with_any = {w.monday for person in weeks.values() for w in person}
    # From the first week with a trigger (at most CHART_WEEKS back, at least four weeks shown).
    start = min([*weeks_with_any, monday_of(today) - timedelta(weeks=3)])
    mondays = [start + timedelta(weeks=n) for n in range((monday_of(today) - start).days // 7 + 1)]
    count_series, strength_series = [], []
    for index, (user_id, name) in enumerate(people, start=1):
        mine = {w.monday: w for w in weeks.get(user_id, [])}
        if not mine:
            continue
        first = min(mine)
        # A week without a trigger is a real zero once a person has begun logging; strength has no value then.
        count_points = tuple((m, float(mine[m].count if m in mine else 0)) for m in mondays if m >= first)
        strength_points = tuple((m, float(w.mean_strength)) for m, w in sorted(mine.items()) if w.mean_strength)
        count_series.append(charts.Series(name=name, points=count_points, css_class=f"series-{index}"))
        strength_series.append(charts.Series(name=name, points=strength_points, css_class=f"series-{index}"))
    highest = max((int(v) for s in count_series for _d, v in s.points), default=0)
    top, ticks = _count_ticks(highest)

    def pair(
        chart_id: str,
        title: str,
        description: str,
        series: list[charts.Series],
        y_min: int,
        y_max: int,
        y_ticks: list[int],
    ) -> dict[str, object]:
        def chart(chart_id: str, layout: charts.Layout) -> charts.Chart:
            return charts.line_chart(
                chart_id=chart_id, title=title, description=description, series=series, start=start,
                end=monday_of(today), y_min=y_min, y_max=y_max, y_ticks=y_ticks, weekly=True, layout=layout,
            )  # fmt: skip

        wide = chart(chart_id, charts.WIDE)
        narrow = chart(f"{chart_id}-narrow", charts.NARROW)
        return {"title": title, "chart": replace(wide, narrow=narrow)}

    return {
        "show_trigger_charts": len(weeks_with_any) >= MIN_WEEKS_FOR_CHART,
        "trigger_charts": [
            pair(
                "chart-trigger-count", _("Triggers, by week"),
                _("How many triggers were noted each week (Monday to Sunday), up to sixteen weeks."),
                count_series, 0, top, ticks,
            ),
            pair(
                "chart-trigger-strength", _("How strong, on average, by week"),
                _("The mean strength of the week's triggers, from 1 (a flicker) to 5 (overwhelming)."),
                strength_series, 1, 5, [1, 3, 5],
            ),
        ],
    }  # fmt: skip


def delete_trigger(trigger: Trigger) -> None:
    """Its author takes it back: gone from the log, the partner's prompt and the therapist's counts."""
    trigger.delete()
