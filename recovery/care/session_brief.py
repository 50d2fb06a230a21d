"""The therapist's one-page session brief for a couple: what changed since their last session.

"Since the last session" is, in order: the date the therapist set as "our last session"; otherwise the day
they last opened (or downloaded) this couple's brief before today; otherwise two weeks ago. The page says
which, and the therapist can set or change the date there.

Per partner: the CSI-4 first, previous and latest (reliable change against the first, and a fall across the
distress line), the latest PHQ-9 they shared with the therapist (score, band, item 9), check-ins and triggers
since the session; for the couple: the caseload's flags (the same rules, recovery/care/caseload.py), the stage,
what was asked and answered in writing, and what the partners marked "to bring to our therapist".

Only what the therapist may see (access.py): shared entries, words only of entries shared "with our therapist
too", PHQ-9s only where the person shared them. Built from a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from checkins import measures
from checkins.change import CsiChange, csi_change, csi_totals_by_author
from checkins.measures import DISTRESS_CUTOFF, MAX_TOTAL
from checkins.models import DailyCheckIn, Phq9Response, ToBring, Trigger, WeeklyReview
from plans.models import AnswerVersion, Question
from recovery.access import can_read_text
from recovery.care import caseload
from recovery.care import consent as care
from recovery.localtime import local_date_of, local_today
from recovery.models import AuditEvent, Couple, Partner, SessionDate, User

DEFAULT_SINCE_DAYS = 14
MAX_ITEMS_TO_BRING = 8  # one page: more are counted, and read in Mend
EXCERPT_CHARS = 220


class SinceSource:
    SET = "set"
    LAST_OPENED = "last_opened"
    DEFAULT = "default"


@dataclass
class PersonBrief:
    user_id: int
    name: str
    role: str
    csi: CsiChange | None = None
    phq9_latest: Phq9Response | None = None
    phq9_previous: Phq9Response | None = None
    check_ins_since: int = 0
    triggers_since: int = 0

    @property
    def reliable_label(self) -> str:
        return self.csi.reliable.label if self.csi and self.csi.reliable else ""


@dataclass
class BroughtItem:
    kind: str  # "check-in", "review" or "question"
    marked_by: str
    marked_at: datetime
    heading: str
    text: str
    url_kind_pk: tuple[str, int]


@dataclass
class QuestionActivity:
    asked: int = 0
    answered: int = 0
    amendments: int = 0
    waiting: int = 0  # shared questions not answered yet, whenever asked
    told_everything: int = 0  # shared questions whose current answer says so


@dataclass
class Brief:
    couple: Couple
    since: date
    since_source: str
    today: date
    partners: list[PersonBrief]
    flags: list[str]
    stage: int
    stage_title: str
    days_in_stage: int
    to_bring: list[BroughtItem] = field(default_factory=list)
    more_to_bring: int = 0
    questions: QuestionActivity = field(default_factory=QuestionActivity)
    cutoff: float = DISTRESS_CUTOFF
    csi_max: int = MAX_TOTAL

    @property
    def names(self) -> str:
        return " & ".join(p.name for p in self.partners)

    @property
    def reliable_change_available(self) -> bool:
        return measures.CSI4_RELIABILITY is not None  # read now: filled in once verified


def since_for(therapist: User, couple: Couple, *, today: date) -> tuple[date, str]:
    chosen = SessionDate.objects.filter(therapist=therapist, couple=couple).values_list("last_session_on", flat=True)
    if (on := chosen.first()) is not None:
        return on, SinceSource.SET
    start_of_today = datetime.combine(today, time.min, tzinfo=ZoneInfo(therapist.time_zone))
    opened = (
        AuditEvent.objects.filter(
            therapist=therapist,
            couple=couple,
            what__in=[care.VIEWED_BRIEF, care.VIEWED_BRIEF_PDF],
            at__lt=start_of_today,
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if opened is not None:
        return local_date_of(opened, therapist), SinceSource.LAST_OPENED
    return today - timedelta(days=DEFAULT_SINCE_DAYS), SinceSource.DEFAULT


def set_last_session(*, therapist: User, couple: Couple, on: date) -> None:
    SessionDate.objects.update_or_create(
        therapist=therapist, couple=couple, defaults={"last_session_on": on, "set_at": timezone.now()}
    )


def trigger_counts(therapist: User, couple: Couple, *, since: date) -> dict[int, int]:
    """Triggers per person since the session, from the trigger log: only those shared "with our therapist
    too" (access.TriggerQuerySet), counted in the database in one query."""
    rows = (
        Trigger.objects.visible_to(therapist)
        .filter(couple=couple, local_date__gte=since)
        .values("author_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["author_id"]: row["n"] for row in rows}


def brief_for(therapist: User, couple: Couple) -> Brief:
    today = local_today(therapist)
    since, source = since_for(therapist, couple, today=today)
    summaries = caseload.caseload(therapist, only=couple.pk)
    summary = summaries[0] if summaries else None
    members = list(Partner.objects.filter(couple=couple, left_at__isnull=True).select_related("user").order_by("seat"))
    # Only the CSI-4 of every review and a count of the check-ins are shown: read as rows and counted in the
    # database, not as entries (whose words would each be decrypted for nothing).
    csi_totals = csi_totals_by_author(WeeklyReview.objects.visible_to(therapist).filter(couple=couple))
    check_ins = {
        row["author_id"]: row["n"]
        for row in DailyCheckIn.objects.visible_to(therapist)
        .filter(couple=couple, local_date__gte=since)
        .values("author_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    phq9s = list(Phq9Response.objects.visible_to(therapist).filter(couple=couple).order_by("answered_on"))
    triggers = trigger_counts(therapist, couple, since=since)

    people = []
    for member in members:
        mine = [p for p in phq9s if p.author_id == member.user_id]
        people.append(
            PersonBrief(
                user_id=member.user_id,
                name=member.user.get_short_name(),
                role=member.get_role_display(),
                csi=csi_change(csi_totals.get(member.user_id, [])),
                phq9_latest=mine[-1] if mine else None,
                phq9_previous=mine[-2] if len(mine) > 1 else None,
                check_ins_since=check_ins.get(member.user_id, 0),
                triggers_since=triggers.get(member.user_id, 0),
            )
        )
    brief = Brief(
        couple=couple,
        since=since,
        since_source=source,
        today=today,
        partners=people,
        flags=summary.flags if summary else [],
        stage=summary.stage if summary else 1,
        stage_title=summary.stage_title if summary else "",
        days_in_stage=summary.days_in_stage if summary else 0,
    )
    brief.questions = _question_activity(therapist, couple, since=since)
    brief.to_bring, brief.more_to_bring = _to_bring(therapist, couple)
    return brief


def _question_activity(therapist: User, couple: Couple, *, since: date) -> QuestionActivity:
    questions = list(Question.objects.visible_to(therapist).filter(couple=couple))
    versions = list(AnswerVersion.objects.visible_to(therapist).filter(question__couple=couple).order_by("number"))
    zone = ZoneInfo(therapist.time_zone)
    current: dict[int, AnswerVersion] = {}
    for version in versions:
        current[version.question_id] = version
    return QuestionActivity(
        asked=sum(1 for q in questions if q.asked_at.astimezone(zone).date() >= since),
        answered=sum(1 for v in versions if v.number == 1 and v.written_at.astimezone(zone).date() >= since),
        amendments=sum(1 for v in versions if v.number > 1 and v.written_at.astimezone(zone).date() >= since),
        waiting=sum(1 for q in questions if q.pk not in current),
        told_everything=sum(1 for v in current.values() if v.told_everything),
    )


def _answer_excerpt(answer: AnswerVersion | None) -> str:
    if answer is None:
        return _("Not answered yet.")
    prefix = ""
    if answer.is_amendment:
        when = _day(answer.written_at.date())
        prefix = _("Amended %(day)s (amendment %(n)s): ") % {"day": when, "n": answer.number - 1}
    suffix = " " + _("(“I have told you everything I know about this.”)") if answer.told_everything else ""
    return prefix + _excerpt(answer.text) + suffix


def _day(day: date) -> str:
    return formats.date_format(day, "j M")


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _to_bring(therapist: User, couple: Couple) -> tuple[list[BroughtItem], int]:
    """What the partners marked, newest first, kept only where the therapist may read the entry itself now."""
    marks = list(
        ToBring.objects.visible_to(therapist)
        .filter(couple=couple)
        .select_related("marked_by", "check_in", "review", "question")
    )
    check_in_ids = set(
        DailyCheckIn.objects.visible_to(therapist)
        .filter(pk__in=[m.check_in_id for m in marks if m.check_in_id])
        .values_list("pk", flat=True)
    )
    review_ids = set(
        WeeklyReview.objects.visible_to(therapist)
        .filter(pk__in=[m.review_id for m in marks if m.review_id])
        .values_list("pk", flat=True)
    )
    question_ids = [m.question_id for m in marks if m.question_id]
    visible_questions = set(
        Question.objects.visible_to(therapist).filter(pk__in=question_ids).values_list("pk", flat=True)
    )
    answers: dict[int, AnswerVersion] = {}
    for version in (
        AnswerVersion.objects.visible_to(therapist).filter(question_id__in=visible_questions).order_by("number")
    ):
        answers[version.question_id] = version

    items = []
    for mark in marks:
        by = mark.marked_by.get_short_name()
        if mark.check_in_id in check_in_ids and can_read_text(therapist, mark.check_in):
            entry = mark.check_in
            words = " · ".join(
                part for part in (entry.to_talk_through, entry.low, entry.trigger_note, entry.high) if part
            )
            items.append(
                BroughtItem(
                    kind="check-in", marked_by=by, marked_at=mark.marked_at,
                    heading=_("%(name)s's check-in of %(day)s") % {"name": by, "day": _day(entry.local_date)},
                    text=_excerpt(words), url_kind_pk=("check-in", entry.pk),
                )
            )  # fmt: skip
        elif mark.review_id in review_ids and can_read_text(therapist, mark.review):
            entry = mark.review
            words = " · ".join(part for part in (entry.what_was_hard, entry.what_worked, entry.accountability) if part)
            items.append(
                BroughtItem(
                    kind="review", marked_by=by, marked_at=mark.marked_at,
                    heading=_("%(name)s's weekly review, week of %(day)s (CSI-4 %(total)s)")
                    % {"name": by, "day": _day(entry.week_start), "total": entry.csi_total},
                    text=_excerpt(words), url_kind_pk=("review", entry.pk),
                )
            )  # fmt: skip
        elif mark.question_id in visible_questions:
            answer = answers.get(mark.question_id)
            items.append(
                BroughtItem(
                    kind="question", marked_by=by, marked_at=mark.marked_at,
                    heading=_("Question: %(text)s") % {"text": _excerpt(mark.question.text)},
                    text=_answer_excerpt(answer),
                    url_kind_pk=("question", mark.question_id),
                )
            )  # fmt: skip
    return items[:MAX_ITEMS_TO_BRING], max(0, len(items) - MAX_ITEMS_TO_BRING)
