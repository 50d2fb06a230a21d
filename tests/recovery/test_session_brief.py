"""The therapist's caseload flags (change, not level) and the one-page session brief: since the last session,
reliable change, the distress line, shared PHQ-9s, what was asked in writing, what to bring; print and PDF,
every look audited."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins import measures, phq9
from checkins.measures import PublishedReliability
from checkins.models import DailyCheckIn
from plans import questions
from recovery.care import consent as care
from recovery.care import session_brief
from recovery.care.caseload import caseload
from recovery.localtime import local_today, monday_of
from recovery.models import AuditEvent, SessionDate
from tests.factories import (
    AuditEventFactory,
    DailyCheckInFactory,
    Phq9ResponseFactory,
    TherapistFactory,
    ToBringFactory,
    TriggerFactory,
    UserFactory,
    WeeklyReviewFactory,
    enable_mfa,
    make_care_access,
    make_couple,
)
from tests.helpers import client_as, fresh, page

pytestmark = pytest.mark.django_db

# For tests only: plausible inputs so the labels can be exercised (the real ones await a verified source).
EXAMPLE = PublishedReliability(sd=4.0, reliability=0.94, citation="worked example, threshold 2.72 points")


@pytest.fixture
def setting():
    alex = UserFactory(display_name="Alex", email="alex@example.com")
    sam = UserFactory(display_name="Sam", email="sam@example.com")
    couple = make_couple(hurt=alex, involved=sam)
    doc = TherapistFactory(display_name="Dr Morgan")
    enable_mfa(doc)
    make_care_access(couple, doc)
    return couple, alex, sam, doc


def _reviews(couple, person, totals: list[int], *, visibility: str = "therapist") -> None:
    """One review a week, the last one two weeks ago (so both partners' weeks are over everywhere)."""
    from checkins.demo import csi_items

    last = monday_of(local_today(person)) - timedelta(weeks=2)
    for weeks_ago, total in zip(range(len(totals) - 1, -1, -1), totals, strict=True):
        WeeklyReviewFactory(
            couple=couple, author=person, week_start=last - timedelta(weeks=weeks_ago), visibility=visibility,
            **csi_items(total),
        )  # fmt: skip


def _phq9(couple, person, answers: list[int], *, days_ago: int = 1, visibility: str = "me_therapist"):
    return Phq9ResponseFactory(
        couple=couple, author=person, answered_on=local_today(person) - timedelta(days=days_ago),
        visibility=visibility, answers=answers,
    )  # fmt: skip


# --- the caseload's flags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("totals", "published", "expected"),
    [
        # Early in recovery, below 13.5 all along: no flag for the level itself.
        ([6, 7, 8], EXAMPLE, []),
        ([6, 7, 8], None, []),
        # A fall across the line since the previous review.
        ([15, 14, 14, 13], EXAMPLE, ["crossed below 13.5 since the previous review"]),
        ([15, 14, 14, 13], None, ["crossed below 13.5 since the previous review"]),
        # Reliably worse than the first score (only with verified inputs) and across the line.
        ([16, 15, 14, 7], EXAMPLE, ["reliably worse than their first score", "crossed below 13.5"]),
        ([16, 15, 14, 7], None, ["crossed below 13.5"]),
        # Reliably worse but still above the line, and crossed earlier (not since the previous review).
        ([21, 18, 17], EXAMPLE, ["reliably worse than their first score"]),
        ([16, 12, 10], EXAMPLE, ["reliably worse than their first score"]),
        ([16, 12, 10], None, []),
        # Better, or no reliable change: nothing to flag.
        ([5, 9, 15], EXAMPLE, []),
        ([14, 13], EXAMPLE, ["crossed below 13.5"]),
        ([12], EXAMPLE, []),
    ],
)
def test_the_csi4_flags_are_about_change_not_level(setting, monkeypatch, totals, published, expected) -> None:
    monkeypatch.setattr(measures, "CSI4_RELIABILITY", published)
    couple, alex, sam, doc = setting
    today = local_today(alex)
    for person in (alex, sam):  # check-ins, so "no shared check-in" doesn't mix in
        DailyCheckInFactory(author=person, local_date=today, visibility="partner")
    _reviews(couple, alex, totals)
    (summary,) = caseload(fresh(doc))
    flags = [flag for flag in summary.flags if flag.startswith("Alex")]
    assert len(flags) == len(expected)
    for flag, words in zip(flags, expected, strict=True):
        assert words in flag
    assert not any("below 13.5" in flag and "crossed" not in flag for flag in summary.flags)


def test_a_shared_phq9_with_item_9_above_0_is_flagged_and_an_unshared_one_is_not(setting) -> None:
    couple, alex, sam, doc = setting
    _phq9(couple, alex, [0] * 8 + [1])
    _phq9(couple, sam, [0] * 8 + [2], visibility="only_me")
    flags = " | ".join(caseload(fresh(doc))[0].flags)
    assert "Alex: a PHQ-9 shared with you marks thoughts of self-harm (item 9)" in flags
    assert "Sam: a PHQ-9" not in flags


def test_the_caseload_stays_a_fixed_number_of_queries_with_reviews_and_phq9s(setting) -> None:
    _couple, _alex, _sam, doc = setting

    def add(count: int) -> None:
        for _ in range(count):
            couple = make_couple()
            make_care_access(couple, doc)
            person = couple.partners.get(seat=1).user
            _reviews(couple, person, [15, 12])
            _phq9(couple, person, [1] * 8 + [1])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert caseload(fresh(doc))
        return len(captured)

    add(2)
    with_two = count()
    add(12)
    assert count() == with_two


# --- since the last session ---------------------------------------------------------------------------------


def test_since_is_the_date_set_else_the_last_brief_opened_before_today_else_two_weeks(setting) -> None:
    couple, _alex, _sam, doc = setting
    with time_machine.travel(datetime(2026, 6, 10, 9, tzinfo=UTC), tick=False):
        today = local_today(doc)
        assert session_brief.since_for(doc, couple, today=today) == (today - timedelta(days=14), "default")
        AuditEventFactory(couple=couple, therapist=doc, what=care.VIEWED_BRIEF)
        # Opened today already: still the default (opening it again today shouldn't empty it).
        assert session_brief.since_for(doc, couple, today=today)[1] == "default"
    with time_machine.travel(datetime(2026, 6, 17, 9, tzinfo=UTC), tick=False):
        assert session_brief.since_for(doc, couple, today=local_today(doc)) == (date(2026, 6, 10), "last_opened")
        SessionDate.objects.create(therapist=doc, couple=couple, last_session_on=date(2026, 6, 12))
        assert session_brief.since_for(doc, couple, today=local_today(doc)) == (date(2026, 6, 12), "set")


def test_the_therapist_sets_the_date_of_their_last_session(setting) -> None:
    couple, _alex, _sam, doc = setting
    client = client_as(doc)
    today = local_today(doc)
    url = reverse("therapist_last_session", args=[couple.pk])
    response = client.post(url, {"last_session_on": (today - timedelta(days=5)).isoformat()})
    assert response["Location"] == reverse("therapist_brief", args=[couple.pk])
    assert SessionDate.objects.get().last_session_on == today - timedelta(days=5)
    client.post(url, {"last_session_on": (today + timedelta(days=1)).isoformat()})  # the future: refused
    client.post(url, {"last_session_on": "not a date"})
    assert SessionDate.objects.get().last_session_on == today - timedelta(days=5)
    assert "the date you set as your last session" in page(client.get(reverse("therapist_brief", args=[couple.pk])))


# --- what the brief shows -----------------------------------------------------------------------------------


def _a_couple_with_history(couple, alex, sam, doc) -> None:
    today = local_today(alex)
    SessionDate.objects.create(therapist=doc, couple=couple, last_session_on=today - timedelta(days=7))
    _reviews(couple, alex, [5, 9, 15])
    _reviews(couple, sam, [16, 15, 14, 7])
    WeeklyReviewFactory(  # never reaches the therapist
        author=sam, week_start=monday_of(today) - timedelta(weeks=1), visibility="only_me",
        csi_happiness=6, csi_warm=5, csi_rewarding=5, csi_satisfied=4,
    )  # fmt: skip
    _phq9(couple, alex, [2, 2, 2, 2, 1, 2, 1, 0, 0], days_ago=20)
    _phq9(couple, alex, [1, 1, 1, 1, 1, 1, 0, 0, 0], days_ago=3)
    _phq9(couple, sam, [3] * 8 + [2], visibility="only_me")
    for days_ago, trigger, visibility in ((1, True, "therapist"), (2, True, "partner"), (3, False, "therapist"),
                                          (4, True, "only_me"), (10, True, "therapist")):  # fmt: skip
        DailyCheckInFactory(
            author=alex, local_date=today - timedelta(days=days_ago), mood=2, trust=3, closeness=3,
            trigger=trigger, visibility=visibility,
            to_talk_through="Why it took a month to correct" if days_ago == 1 else "",
        )  # fmt: skip
    # The trigger log: only those shared "with our therapist too" count (a check-in's trigger box no longer does).
    for days_ago, visibility in ((1, "therapist"), (2, "partner"), (3, "therapist"), (4, "only_me"), (10, "therapist")):
        TriggerFactory(
            author=alex, occurred_at=timezone.now() - timedelta(days=days_ago),
            local_date=today - timedelta(days=days_ago), visibility=visibility,
        )  # fmt: skip
    hurt, involved = couple.partners.get(seat=1), couple.partners.get(seat=2)
    shared = questions.ask(membership=hurt, text="When did it start?", visibility="therapist")
    questions.add_answer(question=shared, by=sam, text="In March.", told_everything=False)
    questions.add_answer(question=shared, by=sam, text="In February.", told_everything=True, note="Wrong month.")
    questions.ask(membership=hurt, text="Is it over?", visibility="therapist")
    private = questions.ask(membership=hurt, text="Just between us?", visibility="partner")
    questions.add_answer(question=private, by=sam, text="Yes.", told_everything=False)
    ToBringFactory(marked_by=alex, question=shared)
    ToBringFactory(marked_by=alex, check_in=DailyCheckIn.objects.get(author=alex, local_date=today - timedelta(days=1)))
    del involved


def test_the_brief_shows_change_since_the_last_session_for_each_partner(setting, monkeypatch) -> None:
    monkeypatch.setattr(measures, "CSI4_RELIABILITY", EXAMPLE)
    couple, alex, sam, doc = setting
    _a_couple_with_history(couple, alex, sam, doc)
    brief = session_brief.brief_for(fresh(doc), couple)
    a, s = brief.partners
    assert (a.csi.first, a.csi.previous, a.csi.latest, a.reliable_label) == (5, 9, 15, "reliably better")
    assert (s.csi.first, s.csi.previous, s.csi.latest, s.reliable_label) == (16, 14, 7, "reliably worse")
    assert s.csi.crossed_below and not a.csi.crossed_below
    assert (a.phq9_latest.total, a.phq9_previous.total) == (6, 12) and not a.phq9_latest.needs_crisis_support
    assert s.phq9_latest is None  # Sam kept his to himself
    assert (a.check_ins_since, a.triggers_since) == (3, 2)  # shared only, since the session (not 10 days ago)
    assert brief.questions.asked == 2 and brief.questions.amendments == 1 and brief.questions.waiting == 1
    assert brief.questions.told_everything == 1
    assert [item.kind for item in brief.to_bring] == ["check-in", "question"]
    assert "Amended" in brief.to_bring[1].text and "In February." in brief.to_bring[1].text
    flags = " | ".join(brief.flags)
    assert "Sam: reliably worse than their first score" in flags and "Sam: crossed below 13.5" in flags

    text = page(client_as(doc).get(reverse("therapist_brief", args=[couple.pk])))
    for words in ("Session brief: Alex & Sam", "reliably better", "reliably worse", "crossed below 13.5",
                  "6 of 27, mild", "before: 12", "Why it took a month to correct", "When did it start?",
                  "the date you set as your last session", "marked by Alex", phq9.NOTICE):  # fmt: skip
        assert words in text, words
    assert "Just between us?" not in text and "Is it over?" not in text  # counted, not shown; private not at all


def test_until_the_inputs_are_verified_the_brief_says_so_instead_of_a_label(setting, monkeypatch) -> None:
    monkeypatch.setattr(measures, "CSI4_RELIABILITY", None)
    couple, alex, sam, doc = setting
    _a_couple_with_history(couple, alex, sam, doc)
    text = page(client_as(doc).get(reverse("therapist_brief", args=[couple.pk])))
    assert "reliably better" not in text and "reliably worse" not in text
    assert "not shown yet (see note)" in text
    assert "will be shown once Mend has verified the published standard deviation and reliability" in text
    assert "crossed below 13.5" in text


def test_a_shared_item_9_is_flagged_in_the_brief(setting) -> None:
    couple, alex, _sam, doc = setting
    _phq9(couple, alex, [0] * 8 + [1])
    text = page(client_as(doc).get(reverse("therapist_brief", args=[couple.pk])))
    assert "Item 9 above 0: thoughts of self-harm" in text


def test_the_brief_is_a_fixed_number_of_queries_whatever_the_history(setting) -> None:
    couple, alex, sam, doc = setting

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            session_brief.brief_for(fresh(doc), couple)
        return len(captured)

    _a_couple_with_history(couple, alex, sam, doc)
    before = count()
    hurt = couple.partners.get(seat=1)
    for i in range(6):
        question = questions.ask(membership=hurt, text=f"Question {i}?", visibility="therapist")
        questions.add_answer(question=question, by=sam, text="Answer.", told_everything=False)
        ToBringFactory(marked_by=alex, question=question)
        _phq9(couple, alex, [1] * 9, days_ago=30 + i)
    assert count() == before


# --- print, PDF and the audit -------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> bytes:
    """The page content of a ReportLab PDF: its streams, decoded (ASCII85 then Flate)."""
    texts = []
    for match in re.finditer(rb"<<([^>]*?)/Length (\d+)[^>]*>>\s*stream\r?\n", data):
        raw = data[match.end() : match.end() + int(match.group(2))]
        if b"ASCII85Decode" in match.group(1):
            raw = base64.a85decode(raw.strip().removesuffix(b"~>"), adobe=False)
        if b"FlateDecode" in match.group(1):
            raw = zlib.decompress(raw)
        texts.append(raw)
    return b"\n".join(texts)


def test_the_pdf_is_one_valid_page_with_names_and_reliable_change_and_is_audited(setting, monkeypatch) -> None:
    monkeypatch.setattr(measures, "CSI4_RELIABILITY", EXAMPLE)
    couple, alex, sam, doc = setting
    _a_couple_with_history(couple, alex, sam, doc)
    response = client_as(doc).get(reverse("therapist_brief_pdf", args=[couple.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="mend-session-brief-')
    assert "no-store" in response["Cache-Control"]
    data = response.content
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", data)) == 1  # one page
    text = _pdf_text(data)
    for words in (b"Session brief: Alex & Sam", b"Alex", b"Sam", b"reliably better", b"reliably worse",
                  b"crossed below", b"When did it start?", b"Why it took a month to correct"):  # fmt: skip
        assert words in text, words
    assert b"Just between us?" not in text
    assert list(AuditEvent.objects.filter(couple=couple).values_list("what", flat=True)) == [care.VIEWED_BRIEF_PDF]


def test_a_long_history_still_fits_on_one_page(setting) -> None:
    couple, alex, sam, doc = setting
    hurt = couple.partners.get(seat=1)
    for i in range(20):
        question = questions.ask(membership=hurt, text=f"A long question number {i}? " * 12, visibility="therapist")
        questions.add_answer(question=question, by=sam, text="A long, careful answer. " * 40, told_everything=True)
        ToBringFactory(marked_by=alex, question=question)
    data = client_as(doc).get(reverse("therapist_brief_pdf", args=[couple.pk])).content
    assert len(re.findall(rb"/Type /Page\b", data)) == 1
    assert b"12 more" in _pdf_text(data)


def test_every_look_at_the_brief_is_recorded_and_the_couple_reads_it_in_words(setting) -> None:
    couple, alex, _sam, doc = setting
    client = client_as(doc)
    client.get(reverse("therapist_brief", args=[couple.pk]))
    client.get(reverse("therapist_brief", args=[couple.pk]))
    client.get(reverse("therapist_brief_pdf", args=[couple.pk]))
    assert sorted(AuditEvent.objects.filter(couple=couple).values_list("what", flat=True)) == [
        "session brief", "session brief", "session brief PDF",
    ]  # fmt: skip
    text = page(client_as(alex).get(reverse("care_seen")))
    assert "Dr Morgan opened your session brief 2 times" in text
    assert "Dr Morgan downloaded your session brief once" in text


def test_the_print_stylesheet_keeps_the_brief_to_one_sheet() -> None:
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "mend.css").read_text()
    block = css[css.index("/* --- Session brief") :]
    assert "@page" in block and "size: A4" in block
    assert re.search(r"@media print\s*\{.*?@page \{[^}]*\}.*?\.brief \{", block, re.DOTALL)
    assert "break-inside: avoid" in block
