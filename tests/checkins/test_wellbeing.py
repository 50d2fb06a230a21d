"""The PHQ-9 in Mend: optional and offered gently every two weeks; the person's own, or shared with their
therapist, never the partner's in any form; item 9 shows crisis lines at once; and "to bring to our therapist"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.urls import reverse

from checkins import phq9, to_bring, wellbeing
from checkins.models import Phq9Offer, Phq9Response, ToBring, WeeklyReview
from plans import questions
from recovery.access import OwnVisibility
from recovery.localtime import local_today, week_start_for
from tests.factories import (
    DailyCheckInFactory,
    Phq9ResponseFactory,
    TherapistFactory,
    ToBringFactory,
    UserFactory,
    WeeklyReviewFactory,
    enable_mfa,
    make_care_access,
    make_couple,
)
from tests.helpers import client_as, fresh, memberships_of, page

pytestmark = pytest.mark.django_db

QUIET = [0, 1, 0, 1, 0, 0, 1, 0, 0]


@pytest.fixture
def couple():
    return make_couple(
        hurt=UserFactory(display_name="Alex", email="alex@example.com", time_zone="Europe/London"),
        involved=UserFactory(display_name="Sam", email="sam@example.com"),
    )


def _form(answers: list[int], visibility: str = "only_me", **extra: str) -> dict[str, str]:
    return {
        **{item.key: str(v) for item, v in zip(phq9.ITEMS, answers, strict=True)},
        "visibility": visibility,
        **extra,
    }


def _doctor(couple):
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    return doc


# --- answering, and item 9 --------------------------------------------------------------------------------


def test_answering_shows_the_score_and_band_and_keeps_it(couple) -> None:
    alex, _sam = memberships_of(couple)
    client = client_as(alex.user)
    response = client.post(reverse("checkins:phq9"), _form([2, 2, 2, 2, 2, 0, 0, 0, 0]))
    saved = Phq9Response.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("checkins:phq9_result", args=[saved.pk])
    text = page(client.get(response["Location"]))
    assert "10 of 27: moderate" in text and "Only you can see this." in text
    assert phq9.NOTICE in text
    assert "Please talk to someone today" not in text


def test_the_form_uses_the_published_wording_and_says_plainly_nobody_watches(couple) -> None:
    alex, _sam = memberships_of(couple)
    text = page(client_as(alex.user).get(reverse("checkins:phq9")))
    assert phq9.STEM in text
    for item in phq9.ITEMS:
        assert item.text in text
    assert "More than half the days" in text
    assert "Mend is not watched in real time: nobody is alerted by what you answer here." in text
    assert phq9.NOTICE in text
    # The crisis lines are already in the page, under item 9, for phq9.js to show the moment it's answered.
    html = client_as(alex.user).get(reverse("checkins:phq9")).content.decode()
    assert "data-crisis-now" in html and 'href="tel:116123"' in html and "js/phq9.js" in html


@pytest.mark.parametrize("item_9", [1, 2, 3])
def test_an_answer_above_0_to_item_9_shows_crisis_lines_at_once_whatever_the_total(couple, item_9: int) -> None:
    alex, _sam = memberships_of(couple)  # Europe/London: the UK's lines
    client = client_as(alex.user)
    response = client.post(reverse("checkins:phq9"), _form([0, 0, 0, 0, 0, 0, 0, 0, item_9]), follow=True)
    text = page(response)
    assert f"{item_9} of 27: minimal" in text
    assert "Please talk to someone today" in text
    html = response.content.decode()
    assert 'href="tel:116123"' in html  # Samaritans, one tap
    assert html.index("Please talk to someone today") < html.index("of 27: minimal")  # first thing on the page
    assert "Mend is not watched in real time, and no one is alerted by what you answer here" in text


def test_crisis_lines_follow_the_person_s_country() -> None:
    couple = make_couple(hurt=UserFactory(time_zone="America/Chicago"))
    person = couple.partners.get(seat=1).user
    html = client_as(person).post(reverse("checkins:phq9"), _form([0] * 8 + [1]), follow=True).content.decode()
    assert 'href="tel:988"' in html


def test_an_unanswered_question_is_a_clear_400_that_keeps_the_other_answers(couple) -> None:
    alex, _sam = memberships_of(couple)
    form = _form([3, 2, 1, 0, 3, 2, 1, 0, 0])
    del form["item_5"]
    response = client_as(alex.user).post(reverse("checkins:phq9"), form)
    assert response.status_code == 400
    assert "Choose an answer for this question." in page(response)
    assert 'value="3" id="id_item_1_3" checked' in response.content.decode().replace("required ", "")
    assert not Phq9Response.objects.exists()


def test_once_a_day_and_never_a_visibility_that_reaches_the_partner(couple) -> None:
    alex, _sam = memberships_of(couple)
    client = client_as(alex.user)
    assert client.post(reverse("checkins:phq9"), _form(QUIET)).status_code == 302
    response = client.post(reverse("checkins:phq9"), _form(QUIET))
    assert response.status_code == 400 and "You've already answered today" in page(response)
    for visibility in ("partner", "therapist"):
        response = client.post(reverse("checkins:phq9"), _form(QUIET, visibility=visibility))
        assert response.status_code == 400
    with pytest.raises(IntegrityError), transaction.atomic():  # nor can the database hold one
        Phq9Response.objects.create(
            couple=couple, author=alex.user, answered_on=local_today(alex.user) - timedelta(days=3),
            visibility="partner", **{item.key: 0 for item in phq9.ITEMS},
        )  # fmt: skip


# --- never the partner, in any form -----------------------------------------------------------------------


def test_the_visibility_matrix_for_the_phq9(couple) -> None:
    alex, sam = memberships_of(couple)
    today = local_today(alex.user)
    rows = {
        v: Phq9ResponseFactory(author=alex.user, answered_on=today - timedelta(days=i), visibility=v)
        for i, v in enumerate(OwnVisibility.values)
    }
    doc = _doctor(couple)
    other_doc = TherapistFactory()
    enable_mfa(other_doc)
    make_care_access(make_couple(), other_doc)
    outsider = make_couple().partners.get(seat=1).user
    assert set(Phq9Response.objects.visible_to(alex.user)) == set(rows.values())
    assert list(Phq9Response.objects.visible_to(doc)) == [rows[OwnVisibility.ME_AND_THERAPIST]]
    for nobody in (sam.user, other_doc, outsider, AnonymousUser()):
        assert not Phq9Response.objects.visible_to(nobody).exists()
    for response in rows.values():
        assert client_as(sam.user).get(reverse("checkins:phq9_result", args=[response.pk])).status_code == 404


def test_the_partner_never_learns_a_phq9_exists_even_as_a_count(couple) -> None:
    alex, sam = memberships_of(couple)
    client_as(alex.user).post(reverse("checkins:phq9"), _form([3] * 8 + [1], visibility="me_therapist"))
    sam_client = client_as(sam.user)
    for name in ("home", "checkins:wellbeing", "checkins:reviews", "checkins:history", "checkins:weekly_review"):
        text = page(sam_client.get(reverse(name)))
        assert "25 of 27" not in text and "moderately severe" not in text and "severe" not in text
        assert "Please talk to someone today" not in text
    assert "You haven't answered it yet." in page(sam_client.get(reverse("checkins:wellbeing")))


def test_your_own_trend_lists_your_answers(couple) -> None:
    alex, _sam = memberships_of(couple)
    today = local_today(alex.user)
    for days_ago, answers in ((28, [2] * 7 + [1, 0]), (14, [1] * 9), (0, [0] * 9)):
        Phq9ResponseFactory(
            author=alex.user, answered_on=today - timedelta(days=days_ago), visibility="only_me", answers=answers
        )
    text = page(client_as(alex.user).get(reverse("checkins:wellbeing")))
    assert "Your PHQ-9 totals: 15, 9, 0" in text
    assert text.index(">0<") < text.index(">9<") < text.index(">15<")  # newest first in the table


# --- the offer: every two weeks, put off, switched off ------------------------------------------------------


def test_the_offer_comes_every_two_weeks_and_can_be_put_off_or_switched_off(couple) -> None:
    alex, _sam = memberships_of(couple)
    user = alex.user
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        assert wellbeing.offer_due(user)
        assert "How have you been feeling?" in page(client_as(user).get(reverse("checkins:reviews")))
        wellbeing.save_response(membership=alex, answers=QUIET, difficulty=None, visibility="only_me")
        assert not wellbeing.offer_due(user)
    with time_machine.travel(datetime(2026, 6, 14, 12, tzinfo=UTC), tick=False):
        assert not wellbeing.offer_due(user)
    with time_machine.travel(datetime(2026, 6, 15, 12, tzinfo=UTC), tick=False):
        assert wellbeing.offer_due(user)
        response = client_as(user).post(
            reverse("checkins:wellbeing_offer"), {"action": "not_now", "next": "/checkins/reviews/"}
        )
        assert response["Location"] == "/checkins/reviews/"
        assert not wellbeing.offer_due(user)
        assert "How have you been feeling?" not in page(client_as(user).get(reverse("checkins:reviews")))
    with time_machine.travel(datetime(2026, 6, 29, 12, tzinfo=UTC), tick=False):
        assert wellbeing.offer_due(user)
        client_as(user).post(reverse("checkins:wellbeing_offer"), {"action": "settings"})  # box unticked: off
        assert not wellbeing.offer_due(user)
    with time_machine.travel(datetime(2027, 6, 29, 12, tzinfo=UTC), tick=False):
        assert not wellbeing.offer_due(user)  # off stays off
        client_as(user).post(reverse("checkins:wellbeing_offer"), {"action": "settings", "offered": "on"})
        assert wellbeing.offer_due(user)


@pytest.mark.parametrize("days_ago", [None, 3, 13, 14, 100, 200, 400])
def test_the_page_s_own_reads_decide_the_offer_as_a_fresh_look_does(couple, days_ago: int | None) -> None:
    """The wellbeing page passes the offer and the half-year trend it has read already: the answer is the same
    as reading afresh, whenever the last answer was (none, recent, just outside the trend, long ago), and an
    answer given in a space that has since ended counts as it always did."""
    alex, _sam = memberships_of(couple)
    user = alex.user
    if days_ago is not None:
        Phq9ResponseFactory(author=user, answered_on=local_today(user) - timedelta(days=days_ago), visibility="only_me")
    for put_off in (False, True):
        if put_off:
            wellbeing.not_now(user)
        fresh = wellbeing.offer_due(user)
        shared = wellbeing.offer_due(user, offer=wellbeing.offer_for(user), trend=wellbeing.own_trend(user))
        assert shared == fresh
    assert fresh is False  # put off: not offered for two weeks, whatever came before


def test_an_answer_given_in_a_space_since_ended_still_spaces_the_offer(couple) -> None:
    """The PHQ-9 is about the person: answered five days ago in a space that has ended, it isn't offered again
    in their new one, though the new space's trend is empty."""
    from recovery.couples import end_couple

    alex, _sam = memberships_of(couple)
    Phq9ResponseFactory(author=alex.user, answered_on=local_today(alex.user) - timedelta(days=5), visibility="only_me")
    end_couple(couple=couple, by=alex.user)
    user = fresh(alex.user)
    make_couple(hurt=user, involved=UserFactory())
    user = fresh(user)
    assert wellbeing.own_trend(user) == []
    assert not wellbeing.offer_due(user, offer=wellbeing.offer_for(user), trend=wellbeing.own_trend(user))
    assert not wellbeing.offer_due(user)


def test_looking_at_the_wellbeing_page_writes_nothing(couple) -> None:
    alex, _sam = memberships_of(couple)
    text = page(client_as(alex.user).get(reverse("checkins:wellbeing")))
    assert 'name="offered" id="id_offered" checked' in text  # offered unless switched off…
    assert not Phq9Offer.objects.filter(user=alex.user).exists()  # …without a row written to say so


# --- to bring to our therapist -------------------------------------------------------------------------------


def test_only_entries_shared_with_the_therapist_can_be_brought_and_only_by_their_author(couple) -> None:
    alex, sam = memberships_of(couple)
    today = local_today(alex.user)
    shared = DailyCheckInFactory(author=alex.user, local_date=today, visibility="therapist")
    partner_only = DailyCheckInFactory(author=alex.user, local_date=today - timedelta(days=1), visibility="partner")
    client = client_as(alex.user)
    assert client.post(reverse("checkins:to_bring", args=["check-in", shared.pk])).status_code == 302
    assert ToBring.objects.get().check_in == shared
    client.post(reverse("checkins:to_bring", args=["check-in", partner_only.pk]))
    assert ToBring.objects.count() == 1  # refused, with a message
    # Sam can see Alex's shared check-in but can't mark it: it's Alex's to bring.
    client_as(sam.user).post(reverse("checkins:to_bring", args=["check-in", shared.pk]))
    assert ToBring.objects.count() == 1
    assert "Marked to bring to our therapist" in page(client.get(reverse("checkins:history")))
    client.post(reverse("checkins:to_bring", args=["check-in", shared.pk]))  # the same button again: unmarked
    assert not ToBring.objects.exists()
    outsider = make_couple().partners.get(seat=1).user
    assert client_as(outsider).post(reverse("checkins:to_bring", args=["check-in", shared.pk])).status_code == 404
    assert client_as(alex.user).post(reverse("checkins:to_bring", args=["diary", shared.pk])).status_code == 404


def test_either_partner_can_bring_a_question_shared_with_the_therapist(couple) -> None:
    alex, sam = memberships_of(couple)
    shared = questions.ask(membership=alex, text="Is it over?", visibility="therapist")
    ours = questions.ask(membership=alex, text="Between us?", visibility="partner")
    assert to_bring.toggle(kind="question", entry=shared, membership=sam) is True
    with pytest.raises(to_bring.ToBringError):
        to_bring.toggle(kind="question", entry=ours, membership=alex)
    assert list(ToBring.objects.visible_to(alex.user)) == list(ToBring.objects.visible_to(sam.user))


def test_the_visibility_matrix_for_marks_to_bring(couple) -> None:
    alex, sam = memberships_of(couple)
    review = WeeklyReviewFactory(
        author=alex.user, week_start=week_start_for(alex.user) - timedelta(weeks=2), visibility="therapist"
    )
    mark = ToBringFactory(marked_by=alex.user, review=review)
    doc = _doctor(couple)
    outsider = make_couple().partners.get(seat=1).user
    assert list(ToBring.objects.visible_to(alex.user)) == [mark]
    assert not ToBring.objects.visible_to(sam.user).exists()  # Alex's own review: Alex's own mark
    assert list(ToBring.objects.visible_to(doc)) == [mark]
    assert not ToBring.objects.visible_to(outsider).exists()
    WeeklyReview.objects.filter(pk=review.pk).update(visibility="partner")  # no longer shared with the therapist
    assert not ToBring.objects.visible_to(doc).exists()
