"""The therapist's caseload: one summary per couple they may see, most in need of attention first.

Built from a fixed number of queries whatever the number of couples, and only from what the
therapist may see: shared check-ins and revealed, shared reviews, triggers shared "with our therapist too"
(never "only me" entries, not even as a count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any, TypedDict, TypeVar

from django.db.models import Avg, Count, F, Max, Model, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from checkins import triggers
from checkins.change import csi_change, csi_totals_by_author
from checkins.charts import sparkline
from checkins.measures import DISTRESS_CUTOFF, ReliableChange
from checkins.models import DailyCheckIn, Phq9Response, Trigger, WeeklyReview
from plans.models import Stage, StageChange
from recovery.access import therapist_couple_ids
from recovery.models import Couple, Partner, User

_M = TypeVar("_M", bound=Model)

NO_CHECK_IN_DAYS = 3
TRUST_DROP = 3.0
STEP_BACK_DAYS = 14
TRIGGER_DAYS = 14
# A PHQ-9 shared with the therapist, with an answer above 0 to item 9, is flagged this long after it was given.
SELF_HARM_FLAG_DAYS = 28


@dataclass
class PartnerSummary:
    name: str
    role: str
    adherence_7: int = 0  # shared check-ins in the last 7 days
    adherence_28: int = 0
    last_check_in: date | None = None
    csi_latest: int | None = None
    csi_change: int | None = None  # since the previous review
    csi_first: int | None = None
    reliable: ReliableChange | None = None  # latest against the first, once the published inputs are in
    crossed_below: bool = False  # under 13.5 now, and not at the previous review
    self_harm_on: date | None = None  # the latest shared PHQ-9 with item 9 above 0, if recent
    triggers_14: int = 0  # triggers logged and shared with the therapist, last 14 days
    trigger_strength_14: float | None = None  # their mean strength, 1 to 5
    trigger_weeks: list[int] = field(default_factory=list)  # the last four 7-day windows, oldest first
    trust_this_week: float | None = None
    trust_last_week: float | None = None
    trust_weeks: list[float | None] = field(default_factory=list)  # the last four weeks, oldest first

    @cached_property  # drawn in the phone's cards and the desktop's table: once
    def trust_trend(self) -> SafeString:
        return sparkline(self.trust_weeks, high=10, label=_("Trust, week by week"))

    @property
    def triggers_rising(self) -> bool:
        return triggers.is_rising(self.trigger_weeks)


@dataclass
class CoupleSummary:
    couple: Couple
    stage: int
    stage_title: str
    days_in_stage: int
    days_in_plan: int
    partners: list[PartnerSummary]
    flags: list[str] = field(default_factory=list)


def _within(entries: QuerySet[_M], therapist: User, ids: frozenset[int]) -> QuerySet[_M]:
    """`entries` (already `visible_to(therapist)`, so within the therapist's couples) within `ids`. Only when
    `ids` are fewer than all the therapist's couples is the condition added: written twice, PostgreSQL counts
    its selectivity twice, misjudges the rows twenty-fold and picks the couple-only index over (couple, day):
    the caseload's check-in figures took 30 ms instead of 4 on the bench's 50 couples."""
    return entries if ids == therapist_couple_ids(therapist) else entries.filter(couple_id__in=ids)


def _check_in_figures(therapist: User, ids: frozenset[int], today: date) -> dict[int, dict[str, Any]]:
    """Per author, over the shared check-ins of the last 28 days, counted in the database: how many in 7 and
    28 days, the latest date, and the average trust of each of the last four weeks (`trust_0` this week …
    `trust_3`). One query, one row per person, however long the history."""
    day = timedelta(days=1)
    weeks = {
        f"trust_{week}": Avg(
            "trust", filter=Q(local_date__lte=today - 7 * week * day, local_date__gt=today - 7 * (week + 1) * day)
        )
        for week in range(4)
    }
    rows = (
        _within(DailyCheckIn.objects.visible_to(therapist), therapist, ids)
        .filter(local_date__gte=today - 28 * day)
        .order_by()
        .values("author_id")
        .annotate(
            adherence_7=Count("pk", filter=Q(local_date__gt=today - 7 * day)),
            adherence_28=Count("pk"),
            last_check_in=Max("local_date"),
            **weeks,
        )
    )
    return {row["author_id"]: row for row in rows}


def _csi_series(therapist: User, ids: frozenset[int]) -> dict[int, list[tuple[date, int]]]:
    """Per author, the (week, CSI-4 total) of their first shared review and their latest two: all that the
    change against the first score and across the line needs, without reading every review ever written."""
    rows = (
        _within(WeeklyReview.objects.visible_to(therapist), therapist, ids)
        .annotate(
            # One sort serves both windows (the first review is the newest-numbered): two orderings cost two
            # sorts of every review ever shared, 17 ms of the caseload's 50 couples.
            newest=Window(RowNumber(), partition_by=[F("author_id")], order_by=F("week_start").desc()),
            shared=Window(Count("pk"), partition_by=[F("author_id")]),
        )
        .filter(Q(newest__lte=2) | Q(newest=F("shared")))
        .order_by()  # the rows' order doesn't matter here: no sort of them all by week first
    )
    return csi_totals_by_author(rows)


def caseload(therapist: User, today: date | None = None, *, only: int | None = None) -> list[CoupleSummary]:
    """Every couple the therapist may see, or `only` that one (the session brief reuses the same rules)."""
    ids = therapist_couple_ids(therapist)
    if only is not None:
        ids = ids & {only}
    if not ids:
        return []
    now = timezone.now()
    today = today or now.date()
    couples = {c.pk: c for c in Couple.objects.filter(pk__in=ids)}
    members: dict[int, list[Any]] = {}  # rows, not Partner and User instances: under half the CPU
    for partner in (
        Partner.objects.filter(couple_id__in=ids, left_at__isnull=True)
        .order_by("seat")
        .values_list(
            "couple_id", "user_id", "role", "seat", "joined_at", "user__display_name", "user__email", named=True
        )
    ):
        members.setdefault(partner.couple_id, []).append(partner)
    changes: dict[int, list[Any]] = {}  # (couple_id, to_stage, at, reason) rows: no model instance is needed
    for change in (
        StageChange.objects.filter(couple_id__in=ids)
        .order_by("at", "pk")
        .values_list("couple_id", "to_stage", "at", "reason", named=True)
    ):
        changes.setdefault(change.couple_id, []).append(change)
    titles = dict(Stage.objects.values_list("number", "title"))
    check_ins = _check_in_figures(therapist, ids, today)
    reviews = _csi_series(therapist, ids)
    self_harm_on: dict[int, date] = {}  # per author, the latest recent shared PHQ-9 that needs crisis support
    for response in _within(Phq9Response.objects.visible_to(therapist), therapist, ids).filter(
        answered_on__gte=today - timedelta(days=SELF_HARM_FLAG_DAYS)
    ):
        if response.needs_crisis_support:
            latest = self_harm_on.get(response.author_id)
            self_harm_on[response.author_id] = max(latest, response.answered_on) if latest else response.answered_on

    # Triggers shared with the therapist, per person: four weekly counts and the last 14 days, in one grouped query.
    trigger_counts = {
        row["author_id"]: row
        for row in _within(Trigger.objects.visible_to(therapist), therapist, ids)
        .filter(local_date__gt=today - timedelta(days=7 * triggers.RISING_WEEKS))
        .values("author_id")
        .annotate(
            **triggers.rising_counts_filter(today),
            last_14=Count("pk", filter=Q(local_date__gt=today - timedelta(days=TRIGGER_DAYS))),
            strength_14=Avg("strength", filter=Q(local_date__gt=today - timedelta(days=TRIGGER_DAYS))),
        )
        .order_by()
    }

    summaries = []
    for couple_id, couple in couples.items():
        history = changes.get(couple_id, [])
        stage = history[-1].to_stage if history else 1
        second = next((p for p in members.get(couple_id, []) if p.seat == 2), None)
        started = second.joined_at if second else couple.created_at
        since = history[-1].at if history else started
        summary = CoupleSummary(
            couple=couple,
            stage=stage,
            stage_title=titles.get(stage, ""),
            days_in_stage=(now - since).days,
            days_in_plan=(now - started).days,
            partners=[],
        )
        for member in members.get(couple_id, []):
            mine = check_ins.get(member.user_id, {})
            name = User.short_name(member.user__display_name, member.user__email)
            person = PartnerSummary(name=name, role=member.role)
            person.adherence_7 = mine.get("adherence_7", 0)
            person.adherence_28 = mine.get("adherence_28", 0)
            person.last_check_in = mine.get("last_check_in")
            counted = trigger_counts.get(member.user_id)
            if counted:
                person.triggers_14 = counted["last_14"]
                strength = counted["strength_14"]
                person.trigger_strength_14 = round(float(strength), 1) if strength is not None else None
                person.trigger_weeks = [counted[f"week_{n}"] for n in range(triggers.RISING_WEEKS)]
            person.trust_weeks = [mine.get(f"trust_{week}") for week in reversed(range(4))]
            person.trust_last_week, person.trust_this_week = person.trust_weeks[-2], person.trust_weeks[-1]
            csi = csi_change(reviews.get(member.user_id, []))
            if csi:
                person.csi_latest, person.csi_first = csi.latest, csi.first
                person.csi_change = csi.since_previous
                person.reliable, person.crossed_below = csi.reliable, csi.crossed_below
            person.self_harm_on = self_harm_on.get(member.user_id)
            summary.partners.append(person)
            summary.flags += _flags_for(person, today)
        if any(c.reason == "stepped_back" and (now - c.at).days < STEP_BACK_DAYS for c in history):
            summary.flags.append(_("stepped back a stage"))
        summaries.append(summary)
    return sorted(summaries, key=lambda s: (-len(s.flags), s.couple.pk))


def _flags_for(person: PartnerSummary, today: date) -> list[str]:
    """What a therapist should look at first. Change, not level: being under the CSI-4's distress line is
    usual early in recovery, so the flags are reliable deterioration against the person's own first score
    and a fall across the line since the review before."""
    name = {"name": person.name}
    flags = []
    if person.self_harm_on is not None:
        flags.append(_("%(name)s: a PHQ-9 shared with you marks thoughts of self-harm (item 9)") % name)
    if person.last_check_in is None or (today - person.last_check_in).days >= NO_CHECK_IN_DAYS:
        flags.append(_("%(name)s: no shared check-in for %(days)s+ days") % {**name, "days": NO_CHECK_IN_DAYS})
    if person.reliable == ReliableChange.WORSE:
        flags.append(_("%(name)s: reliably worse than their first score") % name)
    if person.crossed_below:
        flags.append(
            _("%(name)s: crossed below %(cutoff)s since the previous review") % {**name, "cutoff": DISTRESS_CUTOFF}
        )
    if person.triggers_rising:
        flags.append(_("%(name)s: triggers rising for three weeks") % name)
    if (
        person.trust_this_week is not None
        and person.trust_last_week is not None
        and person.trust_last_week - person.trust_this_week >= TRUST_DROP
    ):
        flags.append(_("%(name)s: trust down %(points)s+ points on last week") % {**name, "points": f"{TRUST_DROP:g}"})
    return flags


# --- the caseload page ---------------------------------------------------------------------------------------
# The page shows every couple twice, as a card (phones) and as a table row (desktops). What both show is
# formatted here once per couple, each number localised once, and read from plain dicts, the cheapest thing
# for a template to look into: with 50 couples, formatting in the template was most of the page's cost. The
# sentences are the template's {% blocktranslate %} ones, with the same message ids, filled in the same way.


class PartnerShown(TypedDict):
    name: str
    week: str  # shared check-ins in the last 7 days, localised
    month: str  # … and in 28 days
    check_ins: SafeString  # the card's sentence of the two
    csi: str  # the latest CSI-4 and its change since the previous review, "12 (+3)"; "—" before any
    reliable: str  # the reliable-change label against the first score, or ""
    triggers: str  # triggers shared with the therapist in 14 days, localised
    triggers_line: SafeString  # the card's sentence of it
    strength: SafeString  # their mean strength, as the card says it, or "" when there is none
    strength_short: SafeString  # … and as the table says it
    trend: SafeString  # the trust sparkline


class CoupleShown(TypedDict):
    names: str  # "Alex & Sam" (escaped on output, like each name)
    url: str
    brief_url: str
    stage: str
    stage_title: str
    stage_line: SafeString  # the card's "Stage 2, … · 30 days"
    days_in_stage: SafeString  # the table's "30 days"
    in_plan: SafeString  # "120 days in the plan", on the card and in the table
    flags: list[str]
    partners: list[PartnerShown]


def for_page(summaries: list[CoupleSummary]) -> list[CoupleShown]:
    """The caseload page's couples, in the caseload's order, formatted once for its cards and its table."""
    return [_couple_shown(summary) for summary in summaries]


def _couple_shown(summary: CoupleSummary) -> CoupleShown:
    stage, days = localize(summary.stage), localize(summary.days_in_stage)
    return {
        "names": " & ".join(person.name for person in summary.partners),
        "url": reverse("therapist_couple", args=[summary.couple.pk]),
        "brief_url": reverse("therapist_brief", args=[summary.couple.pk]),
        "stage": stage,
        "stage_title": summary.stage_title,
        "stage_line": _filled(
            _("Stage %(n)s, %(title)s · %(days)s days"), n=stage, title=summary.stage_title, days=days
        ),
        "days_in_stage": _filled(_("%(days)s days"), days=days),
        "in_plan": _filled(_("%(days)s days in the plan"), days=localize(summary.days_in_plan)),
        "flags": summary.flags,
        "partners": [_partner_shown(person) for person in summary.partners],
    }


def _partner_shown(person: PartnerSummary) -> PartnerShown:
    csi, reliable = "—", ""
    if person.csi_latest is not None:
        csi = localize(person.csi_latest)
        if person.csi_change is not None:
            csi += f" ({'+' if person.csi_change > 0 else ''}{localize(person.csi_change)})"
        if person.reliable:
            reliable = person.reliable.label
    week, month, triggers = localize(person.adherence_7), localize(person.adherence_28), localize(person.triggers_14)
    strength = localize(person.trigger_strength_14) if person.trigger_strength_14 else ""
    return {
        "name": person.name,
        "week": week,
        "month": month,
        "check_ins": _filled(_("Check-ins: %(week)s this week, %(month)s in 4 weeks"), week=week, month=month),
        "csi": csi,
        "reliable": reliable,
        "triggers": triggers,
        "triggers_line": _filled(_("triggers shared in 14 days: %(n)s"), n=triggers),
        "strength": _filled(_("mean strength %(s)s of 5"), s=strength) if strength else SafeString(""),
        "strength_short": _filled(_("strength %(s)s"), s=strength) if strength else SafeString(""),
        "trend": person.trust_trend,
    }


def _filled(translated: str, **values: str) -> SafeString:
    """A translated sentence with its (already localised) values put in, as {% blocktranslate %} does it: each
    value escaped, the translation itself taken as it is."""
    return mark_safe(translated % {name: conditional_escape(value) for name, value in values.items()})
