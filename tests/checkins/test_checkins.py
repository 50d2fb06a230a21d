"""Daily check-ins, weekly reviews revealed together, the safety check and the home page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from checkins.models import DailyCheckIn, WeeklyReview
from recovery.localtime import local_today, week_start_for
from tests.factories import (
    CompletionFactory,
    DailyCheckInFactory,
    Phq9ResponseFactory,
    ToBringFactory,
    UserFactory,
    WeeklyReviewFactory,
    daily_check_ins,
    make_couple,
)
from tests.helpers import client_as, page, people_of

pytestmark = pytest.mark.django_db

CHECK_IN = {"mood": "4", "trust": "6", "closeness": "5", "high": "A walk together", "low": "", "to_talk_through": "",
            "trigger_note": "", "visibility": "partner"}  # fmt: skip
REVIEW = {
    "what_worked": "The evening talks.", "what_was_hard": "Sunday.", "small_victory": "We laughed.",
    "appreciation": "You listened.", "accountability": "", "csi_happiness": "3", "csi_warm": "3",
    "csi_rewarding": "3", "csi_satisfied": "3", "visibility": "partner",
}  # fmt: skip


@pytest.fixture
def couple():
    return make_couple(
        hurt=UserFactory(display_name="Alex", email="alex@example.com"),
        involved=UserFactory(display_name="Sam", email="sam@example.com"),
    )


# --- daily check-ins --------------------------------------------------------------------------


def test_a_check_in_is_saved_and_shared_with_the_partner(couple) -> None:
    alex, sam = people_of(couple)
    response = client_as(alex).post(reverse("checkins:check_in"), CHECK_IN)
    assert response.status_code == 302
    entry = DailyCheckIn.objects.get()
    assert (entry.author, entry.local_date, entry.mood, entry.trust) == (alex, local_today(alex), 4, 6)
    home = page(client_as(sam).get(reverse("home")))
    assert "A walk together" in home  # the entry Alex shared…
    assert "has shared a check-in today" not in home  # …but no presence line unless Alex turns it on


def test_presence_lines_are_off_by_default_and_each_partner_turns_on_their_own(couple) -> None:
    alex, sam = people_of(couple)
    alex_client, sam_client = client_as(alex), client_as(sam)
    assert "hasn't shared a check-in today" not in page(sam_client.get(reverse("home")))  # never the absence
    alex_client.post(reverse("checkins:check_in"), CHECK_IN)
    assert "Alex has shared a check-in today" not in page(sam_client.get(reverse("home")))
    alex_client.post(
        reverse("profile"),
        {"display_name": "Alex", "time_zone": alex.time_zone, "default_visibility": "partner",
         "shows_check_in_presence": "on"},
    )  # fmt: skip
    assert "Alex has shared a check-in today" in page(sam_client.get(reverse("home")))
    sam_client.post(reverse("checkins:check_in"), CHECK_IN)
    assert "Sam has shared a check-in today" not in page(alex_client.get(reverse("home")))  # Sam's own choice


def test_an_untouched_scale_is_not_stored_as_a_number(couple) -> None:
    alex, _sam = people_of(couple)
    form = page(client_as(alex).get(reverse("checkins:check_in")))
    assert 'type="range"' not in form
    assert "checked" not in " ".join(t for t in re.findall(r'<input[^>]*name="(?:trust|closeness)"[^>]*>', form))
    response = client_as(alex).post(reverse("checkins:check_in"), {**CHECK_IN, "trust": "", "closeness": "11"})
    assert response.status_code == 400
    assert page(response).count("Choose a number from 0 to 10.") == 1 and "Select a valid choice" in page(response)
    assert 'value="A walk together"' in page(response) or "A walk together" in page(response)  # nothing lost
    assert not DailyCheckIn.objects.exists()


def test_the_default_visibility_is_the_person_s_own_setting(couple) -> None:
    alex, _sam = people_of(couple)
    alex.default_visibility = "only_me"
    alex.save()
    import re

    form = page(client_as(alex).get(reverse("checkins:check_in")))
    checked = re.findall(r'<input[^>]*name="visibility"[^>]*>', form)
    assert [tag for tag in checked if "checked" in tag] == [t for t in checked if 'value="only_me"' in t]


def test_only_me_check_ins_never_reach_the_partner_in_any_form(couple) -> None:
    alex, sam = people_of(couple)
    client_as(alex).post(reverse("checkins:check_in"), {**CHECK_IN, "high": "a private high", "visibility": "only_me"})
    sam_client = client_as(sam)
    home = page(sam_client.get(reverse("home")))
    assert "a private high" not in home
    assert "check-in today" not in home
    assert "Your trends appear after a few check-ins" in home  # for Sam there is nothing to draw
    assert 'role="img"' not in home
    assert "a private high" not in page(sam_client.get(reverse("checkins:history")))
    assert not DailyCheckIn.objects.visible_to(sam).exists()
    assert DailyCheckIn.objects.visible_to(alex).count() == 1


def test_the_visibility_matrix_for_check_ins(couple) -> None:
    alex, sam = people_of(couple)
    outsider = make_couple().partners.get(seat=1).user
    today = local_today(alex)
    rows = {
        v: DailyCheckInFactory(author=alex, local_date=today - timedelta(days=i), visibility=v)
        for i, v in enumerate(["only_me", "partner", "therapist"])
    }
    from django.contrib.auth.models import AnonymousUser

    assert set(DailyCheckIn.objects.visible_to(alex)) == set(rows.values())
    assert set(DailyCheckIn.objects.visible_to(sam)) == {rows["partner"], rows["therapist"]}
    assert not DailyCheckIn.objects.visible_to(outsider).exists()
    assert not DailyCheckIn.objects.visible_to(AnonymousUser()).exists()


def test_bad_check_in_input_is_a_clear_400_that_keeps_what_was_typed(couple) -> None:
    alex, _sam = people_of(couple)
    client = client_as(alex)
    for bad in ({"mood": "9"}, {"trust": "11"}, {"closeness": "-1"}, {"trust": "lots"}, {"visibility": "world"}):
        response = client.post(reverse("checkins:check_in"), {**CHECK_IN, "high": "kept words", **bad})
        assert response.status_code == 400, bad
        assert "kept words" in page(response)
    assert not DailyCheckIn.objects.exists()


def test_one_check_in_a_day_by_constraint_and_edits_update_it(couple) -> None:
    alex, _sam = people_of(couple)
    client = client_as(alex)
    client.post(reverse("checkins:check_in"), CHECK_IN)
    client.post(reverse("checkins:check_in"), {**CHECK_IN, "trust": "8"})  # a second tab, or an edit
    assert DailyCheckIn.objects.count() == 1 and DailyCheckIn.objects.get().trust == 8
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyCheckIn.objects.create(couple=couple, author=alex, local_date=local_today(alex), mood=3, trust=3,
                                    closeness=3, visibility="partner")  # fmt: skip


def test_yesterday_can_be_added_late_but_not_earlier_or_later(couple) -> None:
    alex, _sam = people_of(couple)
    client = client_as(alex)
    assert client.post(reverse("checkins:check_in") + "?day=yesterday", CHECK_IN).status_code == 302
    assert DailyCheckIn.objects.get().local_date == local_today(alex) - timedelta(days=1)
    # Once saved, yesterday's is kept as it is.
    assert client.get(reverse("checkins:check_in") + "?day=yesterday")["Location"] == reverse("checkins:history")
    from checkins import entries

    membership = couple.partners.get(seat=1)
    for day in (local_today(alex) - timedelta(days=2), local_today(alex) + timedelta(days=1)):
        with pytest.raises(entries.EntryError):
            entries.save_check_in(
                membership=membership,
                on=day,
                fields={"mood": 3, "trust": 3, "closeness": 3, "visibility": "partner"},
                existing=None,
            )


def test_a_second_save_of_a_form_built_before_the_first_updates_it(couple, monkeypatch) -> None:
    """A double click or a second tab: both forms were built when there was no check-in yet. The second save
    updates what the first saved; at the very same moment, the database keeps one and the other is told."""
    from checkins import entries

    alex, _sam = people_of(couple)
    membership = couple.partners.get(seat=1)
    today = local_today(alex)
    fields = {"mood": 3, "trust": 3, "closeness": 3, "visibility": "partner"}
    first, created = entries.save_check_in(membership=membership, on=today, fields=fields, existing=None)
    assert created
    entry, created = entries.save_check_in(
        membership=membership, on=today, fields={**fields, "trust": 7}, existing=None
    )
    assert not created and entry.pk == first.pk
    assert DailyCheckIn.objects.get().trust == 7
    monkeypatch.setattr(entries, "own_check_in", lambda user, on: None)  # the other save not yet visible
    with pytest.raises(entries.EntryError, match="just saved"):
        entries.save_check_in(membership=membership, on=today, fields=fields, existing=None)
    monkeypatch.undo()
    sam_membership = couple.partners.get(seat=2)
    with pytest.raises(ValueError, match="this person's check-in"):  # never someone else's entry to update
        entries.save_check_in(membership=sam_membership, on=today, fields=fields, existing=entry)
    assert DailyCheckIn.objects.get().author == alex


@pytest.mark.parametrize(("zone", "utc_moment", "local_day"), [
    ("Pacific/Auckland", datetime(2026, 11, 21, 10, 30, tzinfo=UTC), date(2026, 11, 21)),  # 23:30 at UTC+13
    ("Pacific/Honolulu", datetime(2026, 11, 22, 9, 30, tzinfo=UTC), date(2026, 11, 21)),  # 23:30 at UTC-10
])  # fmt: skip
def test_a_check_in_at_half_past_eleven_counts_for_that_local_date(couple, zone, utc_moment, local_day) -> None:
    alex, _sam = people_of(couple)
    alex.time_zone = zone
    alex.save()
    with time_machine.travel(utc_moment, tick=False):
        client_as(alex).post(reverse("checkins:check_in"), CHECK_IN)
    assert DailyCheckIn.objects.get().local_date == local_day


def test_the_involved_partner_is_asked_what_they_shared_unprompted(couple) -> None:
    alex, sam = people_of(couple)
    assert "What I shared without being asked" in page(client_as(sam).get(reverse("checkins:check_in")))
    assert "What I shared without being asked" not in page(client_as(alex).get(reverse("checkins:check_in")))
    client_as(alex).post(reverse("checkins:check_in"), {**CHECK_IN, "shared_unprompted": "forged"})
    assert DailyCheckIn.objects.get(author=alex).shared_unprompted == ""


# --- weekly reviews, revealed together ---------------------------------------------------------


def test_reviews_are_revealed_only_when_both_have_shared(couple) -> None:
    alex, sam = people_of(couple)
    alex_client, sam_client = client_as(alex), client_as(sam)
    alex_client.post(reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "Alex's appreciation"})
    text = page(sam_client.get(reverse("checkins:weekly_review")))
    assert "Alex's appreciation" not in text
    assert not WeeklyReview.objects.visible_to(sam).exclude(author=sam).exists()
    assert "Alex's appreciation" not in page(sam_client.get(reverse("checkins:reviews")))
    # Alex can still change it while Sam hasn't shared.
    alex_client.post(reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "Alex's appreciation, revised"})
    sam_client.post(reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "Sam's appreciation"})
    assert "Alex's appreciation, revised" in page(sam_client.get(reverse("checkins:weekly_review")))
    assert "Sam's appreciation" in page(alex_client.get(reverse("checkins:weekly_review")))
    # Once revealed, neither can change theirs.
    response = alex_client.post(
        reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "changed after"}, follow=True
    )
    assert "can't be changed now" in page(response)
    assert WeeklyReview.objects.get(author=alex).appreciation == "Alex's appreciation, revised"


def test_a_review_is_revealed_when_the_week_is_over_even_if_the_partner_never_wrote(couple) -> None:
    alex, sam = people_of(couple)
    client_as(alex).post(reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "from last week"})
    week = WeeklyReview.objects.get().week_start
    with time_machine.travel(datetime.combine(week + timedelta(days=8), datetime.min.time(), tzinfo=UTC)):
        assert week_start_for(sam) > week
        assert "from last week" in page(client_as(sam).get(reverse("checkins:reviews")))


def test_only_me_reviews_are_never_revealed(couple) -> None:
    alex, sam = people_of(couple)
    client_as(alex).post(
        reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "secret", "visibility": "only_me"}
    )
    client_as(sam).post(reverse("checkins:weekly_review"), REVIEW)
    assert "secret" not in page(client_as(sam).get(reverse("checkins:weekly_review")))
    assert not WeeklyReview.objects.visible_to(sam).filter(author=alex).exists()


def test_an_only_me_review_unlocks_nothing_and_locks_nothing(couple) -> None:
    alex, sam = people_of(couple)
    alex_client, sam_client = client_as(alex), client_as(sam)
    sam_client.post(reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "Sam's shared words"})
    alex_client.post(reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "mine", "visibility": "only_me"})
    # Alex's private review doesn't unlock Sam's…
    text = page(alex_client.get(reverse("checkins:weekly_review")))
    assert "Sam's shared words" not in text and "doesn't unlock Sam's" in text
    assert not WeeklyReview.objects.visible_to(alex).filter(author=sam).exists()
    # …and Sam, whose review nobody has read, can still change it; so can Alex.
    sam_client.post(reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "Sam, revised"})
    assert WeeklyReview.objects.get(author=sam).appreciation == "Sam, revised"
    still_private = {**REVIEW, "appreciation": "mine, still", "visibility": "only_me"}
    alex_client.post(reverse("checkins:weekly_review"), still_private)
    assert WeeklyReview.objects.get(author=alex).appreciation == "mine, still"
    # Sharing it is what reveals both, and locks both.
    alex_client.post(reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "now shared"})
    assert "Sam, revised" in page(alex_client.get(reverse("checkins:weekly_review")))
    assert "now shared" in page(sam_client.get(reverse("checkins:weekly_review")))
    response = sam_client.post(reverse("checkins:weekly_review"), {**REVIEW, "appreciation": "too late"}, follow=True)
    assert "can't be changed now" in page(response)


def test_the_review_form_says_plainly_what_unlocks_what(couple) -> None:
    alex, _sam = people_of(couple)
    text = page(client_as(alex).get(reverse("checkins:weekly_review")))
    assert "Revealed together" in text
    assert "A review kept “only me” stays yours alone: it doesn't unlock Sam's" in text


def test_the_review_form_uses_the_csi4_wording_and_refuses_bad_scores(couple) -> None:
    alex, sam = people_of(couple)
    text = page(client_as(sam).get(reverse("checkins:weekly_review")))
    assert "I have a warm and comfortable relationship with my partner." in text
    assert "what I did this week to rebuild trust" in text  # the involved partner's prompt
    response = client_as(alex).post(
        reverse("checkins:weekly_review"), {**REVIEW, "csi_happiness": "7", "what_worked": "kept"}
    )
    assert response.status_code == 400 and "kept" in page(response)
    assert not WeeklyReview.objects.exists()
    client_as(alex).post(reverse("checkins:weekly_review"), {**REVIEW, "csi_happiness": "6", "csi_warm": "5"})
    assert WeeklyReview.objects.get().csi_total == 6 + 5 + 3 + 3


# --- the private safety check ----------------------------------------------------------------


def test_the_safety_check_is_offered_once_and_no_answer_is_stored(couple) -> None:
    alex, sam = people_of(couple)
    client = client_as(alex)
    assert "Do you feel safe with your partner?" in page(client.get(reverse("home")))
    response = client.post(reverse("checkins:safety_check"), {"feels_safe": "no"})
    assert response["Location"] == reverse("checkins:safety_support")
    alex.refresh_from_db()
    assert alex.safety_check_offered_at is not None
    assert "Do you feel safe with your partner?" not in page(client.get(reverse("home")))
    # Sam's side shows nothing of it, and Sam is still offered it.
    sam_home = page(client_as(sam).get(reverse("home")))
    assert "Do you feel safe with your partner?" in sam_home
    support = page(client.get(reverse("checkins:safety_support") + "?country=GB"))
    assert "0808 2000 247" in support and "local emergency number" in support


def test_the_safety_pages_work_for_anyone_and_bad_answers_are_a_400(client) -> None:
    assert client.get(reverse("checkins:safety_check")).status_code == 200
    assert client.post(reverse("checkins:safety_check"), {"feels_safe": "maybe"}).status_code == 400
    assert "1-800-799-7233" in page(client.get(reverse("checkins:safety_support") + "?country=US"))
    assert "emergency" in page(client.get(reverse("checkins:safety_support") + "?country=XX"))


def test_the_safety_question_returns_to_where_it_was_asked_and_never_elsewhere(couple) -> None:
    alex, _sam = people_of(couple)
    client = client_as(alex)
    response = client.post(reverse("checkins:safety_check"), {"feels_safe": "yes", "next": "/plan/transparency/"})
    assert response["Location"] == "/plan/transparency/"
    response = client.post(reverse("checkins:safety_check"), {"feels_safe": "later", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
    alex.refresh_from_db()
    assert alex.safety_check_last_offered_at >= alex.safety_check_offered_at


def test_the_feels_like_control_page_is_private_local_and_stores_nothing(couple) -> None:
    alex, _sam = people_of(couple)
    client = client_as(alex)
    before = alex.__class__.objects.values().get(pk=alex.pk)
    text = page(client.get(reverse("checkins:feels_like_control")))
    assert "When it feels like control, not repair" in text
    assert "without giving a reason" in text and "0808 2000 247" in text  # Alex is in Europe/London
    assert alex.__class__.objects.values().get(pk=alex.pk) == before
    anonymous = page(Client().get(reverse("checkins:feels_like_control") + "?country=AU"))
    assert "1800 737 732" in anonymous


def test_closing_the_space_carries_the_safety_caveat(couple) -> None:
    alex, _sam = people_of(couple)
    text = page(client_as(alex).get(reverse("couple_end")))
    assert "If you have ever felt afraid of your partner" in text
    assert reverse("checkins:safety_support") in text


# --- the home page -------------------------------------------------------------------------------


def _seed(couple, days: int = 20) -> None:
    alex, sam = people_of(couple)
    today = local_today(alex)
    for i in range(days):
        for person, visibility in ((alex, "partner"), (sam, "only_me" if i % 2 else "partner")):
            DailyCheckInFactory(
                author=person, local_date=today - timedelta(days=i), trust=5 + i % 3, closeness=4, visibility=visibility
            )


def test_the_home_page_shows_charts_with_a_table_and_a_streak(couple) -> None:
    _seed(couple)
    alex, _sam = people_of(couple)
    text = page(client_as(alex).get(reverse("home")))
    assert text.count('role="img"') >= 3 and "Show the numbers" in text
    assert "You've checked in 20 days in a row" in text
    assert "appears here after your first weekly review" in text  # no reviews yet: no CSI-4 chart


def test_the_partner_s_private_entries_are_not_on_the_charts_or_counts(couple) -> None:
    _seed(couple, days=10)
    _alex, _sam = people_of(couple)
    from checkins import dashboard

    context = dashboard.home_context(couple.partners.get(seat=1), couple.partners.get(seat=2))
    trust_chart = context["charts"][0]["chart"]
    sam_values = [values[1] for _day, values in trust_chart.rows if values[1] is not None]
    assert len(sam_values) == 5  # only Sam's shared days, never the "only me" ones
    assert len(context["partner_recent"]) == 5


def test_a_dip_is_framed_as_normal(couple) -> None:
    alex, _sam = people_of(couple)
    today = local_today(alex)
    for i in range(14):
        DailyCheckInFactory(author=alex, local_date=today - timedelta(days=i), trust=4 if i < 7 else 7, closeness=4)
    assert "normal part of recovery" in page(client_as(alex).get(reverse("home")))


def test_milestones_for_the_first_check_in_and_a_seven_day_streak(couple) -> None:
    alex, _sam = people_of(couple)
    client = client_as(alex)
    client.post(reverse("checkins:check_in"), CHECK_IN)
    assert "Your first check-in" in page(client.get(reverse("home")))
    daily_check_ins(alex, range(1, 7), trust=4, closeness=4)
    assert "Seven days of check-ins in a row" in page(client.get(reverse("home")))


@pytest.mark.parametrize("model", ["review", "completion"])
def test_the_visibility_matrix_for_reviews_and_plan_completions(couple, model) -> None:
    from django.contrib.auth.models import AnonymousUser

    from plans.models import Completion, Step

    alex, sam = people_of(couple)
    outsider = make_couple().partners.get(seat=1).user
    rows = {}
    for i, visibility in enumerate(["only_me", "partner", "therapist"]):
        if model == "review":
            rows[visibility] = WeeklyReviewFactory(
                author=alex, week_start=week_start_for(alex) - timedelta(weeks=i + 1), visibility=visibility
            )
        else:
            step = Step.objects.filter(stage__number=1, private=False)[i]
            rows[visibility] = CompletionFactory(
                step=step, author=alex, period="once", done_on=local_today(alex), visibility=visibility
            )
    manager = WeeklyReview.objects if model == "review" else Completion.objects
    assert set(manager.visible_to(alex)) == set(rows.values())
    assert set(manager.visible_to(sam)) == {rows["partner"], rows["therapist"]}
    assert not manager.visible_to(outsider).exists()
    assert not manager.visible_to(AnonymousUser()).exists()


# --- the matrix for the entries of issue 13: questions and answers, the PHQ-9, marks to bring ---------------

NEW_MODELS = ["question", "answer", "phq9", "to_bring"]


def _new_rows(couple, model: str) -> dict[str, object]:
    """Alex's rows of each visibility the model allows, keyed by visibility."""
    from plans import questions

    alex_member, sam_member = couple.partners.get(seat=1), couple.partners.get(seat=2)
    alex = alex_member.user
    if model in ("question", "answer"):
        rows = {}
        for visibility in ("partner", "therapist"):
            question = questions.ask(membership=alex_member, text=f"A {visibility} question?", visibility=visibility)
            answer = questions.add_answer(
                question=question, by=sam_member.user, text="An answer.", told_everything=False
            )
            rows[visibility] = question if model == "question" else answer
        return rows
    if model == "phq9":
        return {
            v: Phq9ResponseFactory(author=alex, answered_on=local_today(alex) - timedelta(days=i), visibility=v)
            for i, v in enumerate(["only_me", "me_therapist"])
        }
    check_in = DailyCheckInFactory(author=alex, visibility="therapist")
    return {"therapist": ToBringFactory(marked_by=alex, check_in=check_in)}


@pytest.mark.parametrize("model", NEW_MODELS)
def test_the_visibility_matrix_for_questions_answers_phq9_and_marks(couple, model) -> None:
    from django.contrib.auth.models import AnonymousUser

    from checkins.models import Phq9Response, ToBring
    from plans.models import AnswerVersion, Question
    from tests.factories import TherapistFactory, enable_mfa, make_care_access

    manager = {"question": Question, "answer": AnswerVersion, "phq9": Phq9Response, "to_bring": ToBring}[model].objects
    alex, sam = people_of(couple)
    rows = _new_rows(couple, model)
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    revoked = TherapistFactory()
    enable_mfa(revoked)
    make_care_access(couple, revoked, ended=True)
    outsider = make_couple().partners.get(seat=1).user
    shared_with_therapist = {rows[v] for v in ("therapist", "me_therapist") if v in rows}
    assert set(manager.visible_to(alex)) == set(rows.values())
    # The partner: everything between the two of them; a PHQ-9 never; a mark on Alex's own check-in, no.
    expected_for_sam = set() if model in ("phq9", "to_bring") else set(rows.values())
    assert set(manager.visible_to(sam)) == expected_for_sam
    assert set(manager.visible_to(doc)) == shared_with_therapist
    for nobody in (revoked, outsider, AnonymousUser()):
        assert not manager.visible_to(nobody).exists()
