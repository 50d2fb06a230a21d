"""Questions answered in writing: never silently edited, amendments dated and shown, "told you everything",
the earlier answer offered first, the note on sexual detail, and who sees what."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from plans import questions
from plans.models import AddedOnly, AnswerVersion, Question
from plans.sensitive import asks_for_sexual_detail
from plans.similarity import most_similar, similarity
from tests.factories import TherapistFactory, UserFactory, enable_mfa, make_care_access, make_couple
from tests.helpers import client_as, memberships_of, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def couple():
    return make_couple(
        hurt=UserFactory(display_name="Alex", email="alex@example.com"),
        involved=UserFactory(display_name="Sam", email="sam@example.com"),
    )


# --- similarity and the sexual-detail word list (pure) ------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("When did it start?", "when did it START"),
        ("When did it start, and when did it end?", "When did it start and when did it end"),
        ("How long did it go on for?", "How long did it go on?"),
        ("Did anyone else know while it was going on?", "Did anyone else know about it?"),
        ("Where did you meet her?", "Where did you two meet?"),
        ("Have you been in touch with her since January?", "Have you been in touch since January?"),
    ],
)
def test_reworded_questions_are_similar(first: str, second: str) -> None:
    assert similarity(first, second) >= 0.6


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("When did it start?", "Did anyone else know?"),
        ("Where did you meet?", "Why did you do it?"),
        ("Have you been tested for infections?", "Did you ever talk about leaving me?"),
        ("What did it mean to you?", "How many times did you see each other?"),
        ("Why?", "When?"),
    ],
)
def test_different_questions_are_not(first: str, second: str) -> None:
    assert similarity(first, second) < 0.6


def test_the_most_similar_earlier_questions_come_first_and_only_those_alike() -> None:
    earlier = [("a", "Did anyone else know?"), ("b", "When did it start?"), ("c", "When did it start and end?")]
    assert most_similar("when did it start", earlier) == ["b", "c"]
    assert most_similar("Why did you lie to me?", earlier) == []


@pytest.mark.parametrize(
    "text",
    [
        "Did you have sex with her?",
        "Was it sexual?",
        "Did you sleep with him at our house?",
        "Who slept with whom first?",
        "Was she better in bed than me?",
        "What positions did you use?",
        "Did you use condoms?",
        "Were you naked in the photos?",
        "Did you make love in our bedroom?",
        "How many times did you do it?",
        "Did he make you come?",
        "Did you have oral sex?",
        "SEX?",
    ],
)
def test_questions_about_sexual_detail_are_recognised(text: str) -> None:
    assert asks_for_sexual_detail(text)


@pytest.mark.parametrize(
    "text",
    [
        "When did it start?",
        "Did anyone else know?",
        "We live in Sussex and Essex: did you meet there?",  # "sex" inside other words
        "Did you come home late on purpose?",
        "What time did you go to bed that night?",
        "Has she taken a new position at work?",
        "Was it my body you stopped wanting to touch?",
        "Did you kiss her goodbye?",
    ],
)
def test_other_questions_are_not(text: str) -> None:
    assert not asks_for_sexual_detail(text)


# --- the record: never edited, amendments kept in order with their dates --------------------------------


def test_an_answer_is_never_edited_in_place(couple) -> None:
    alex, sam = memberships_of(couple)
    question = questions.ask(membership=alex, text="When did it start?", visibility="partner")
    answer = questions.add_answer(question=question, by=sam.user, text="In March.", told_everything=False)
    answer.text = "In February."
    with pytest.raises(AddedOnly):
        answer.save()
    with pytest.raises(AddedOnly):
        AnswerVersion.objects.filter(pk=answer.pk).update(text="In February.")
    with pytest.raises(AddedOnly):
        answer.delete()
    with pytest.raises(AddedOnly):
        AnswerVersion.objects.filter(pk=answer.pk).delete()
    question.text = "Something else?"
    with pytest.raises(AddedOnly):
        question.save()
    assert AnswerVersion.objects.get(pk=answer.pk).text == "In March."


def test_postgresql_refuses_to_change_a_question_or_an_answer(couple) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    alex, sam = memberships_of(couple)
    question = questions.ask(membership=alex, text="When did it start?", visibility="partner")
    answer = questions.add_answer(question=question, by=sam.user, text="In March.", told_everything=False)
    for table, pk in (("plans_answerversion", answer.pk), ("plans_question", question.pk)):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET text = 'rewritten' WHERE id = %s", [pk])
    assert AnswerVersion.objects.get(pk=answer.pk).text == "In March."


def test_amendments_are_kept_in_order_with_their_dates_and_what_changed(couple) -> None:
    alex, sam = memberships_of(couple)
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False):
        question = questions.ask(membership=alex, text="When did it start?", visibility="partner")
        questions.add_answer(question=question, by=sam.user, text="It started in March.", told_everything=False)
    with time_machine.travel(datetime(2026, 3, 20, 18, tzinfo=UTC), tick=False):
        questions.add_answer(
            question=question, by=sam.user, text="It started in February.", told_everything=True,
            note="I had the month wrong.",
        )  # fmt: skip
    with time_machine.travel(datetime(2026, 4, 2, 8, tzinfo=UTC), tick=False):
        questions.add_answer(
            question=question, by=sam.user, text="It started in February, at a conference.", told_everything=True
        )
    versions = list(question.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.written_at.date().isoformat() for v in versions] == ["2026-03-01", "2026-03-20", "2026-04-02"]
    assert [v.text for v in versions] == [
        "It started in March.", "It started in February.", "It started in February, at a conference.",
    ]  # fmt: skip
    (thread,) = questions.threads_for(alex.user, [question])
    assert thread.current == versions[-1] and thread.told_everything
    (_before, _after, segments) = thread.changes()[0]
    assert [(s.kind, s.text) for s in segments] == [
        ("same", "It started in"), ("removed", "March."), ("added", "February."),
    ]  # fmt: skip


def test_told_everything_can_be_withdrawn_only_by_a_later_amendment(couple) -> None:
    alex, sam = memberships_of(couple)
    question = questions.ask(membership=alex, text="Did anyone else know?", visibility="partner")
    questions.add_answer(question=question, by=sam.user, text="No one.", told_everything=True)
    with pytest.raises(questions.QuestionError):  # nothing changed: refused, nothing recorded
        questions.add_answer(question=question, by=sam.user, text="No one.", told_everything=True)
    questions.add_answer(question=question, by=sam.user, text="No one.", told_everything=False)
    first, second = question.versions.order_by("number")
    assert first.told_everything and not second.told_everything and second.is_amendment
    response = client_as(alex.user).get(reverse("plans:question", args=[question.pk]))
    assert "“I have told you everything” was taken back with this amendment." in page(response)


def test_only_the_hurt_partner_asks_and_only_the_other_answers(couple) -> None:
    alex, sam = memberships_of(couple)
    with pytest.raises(questions.QuestionError):
        questions.ask(membership=sam, text="Why are you asking?", visibility="partner")
    question = questions.ask(membership=alex, text="When did it end?", visibility="partner")
    with pytest.raises(questions.QuestionError):
        questions.add_answer(question=question, by=alex.user, text="I'll answer myself.", told_everything=False)
    with pytest.raises(questions.QuestionError):
        questions.ask(membership=alex, text="   ", visibility="partner")
    with pytest.raises(questions.QuestionError):
        questions.ask(membership=alex, text="Who?", visibility="only_me")  # a question is never "only me"


def test_with_mutual_hurt_both_may_ask_and_each_answers_the_other() -> None:
    couple = make_couple(mutual=True)
    first, second = couple.partners.get(seat=1), couple.partners.get(seat=2)
    mine = questions.ask(membership=first, text="When did yours start?", visibility="partner")
    theirs = questions.ask(membership=second, text="And yours?", visibility="partner")
    questions.add_answer(question=mine, by=second.user, text="In May.", told_everything=False)
    questions.add_answer(question=theirs, by=first.user, text="In June.", told_everything=False)
    assert Question.objects.visible_to(first.user).count() == 2


# --- the pages ----------------------------------------------------------------------------------------


def test_asking_a_question_like_an_earlier_one_offers_the_earlier_answer_first(couple) -> None:
    alex, sam = memberships_of(couple)
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC)):
        earlier = questions.ask(membership=alex, text="When did it start?", visibility="partner")
        questions.add_answer(question=earlier, by=sam.user, text="In February.", told_everything=True)
    client = client_as(alex.user)
    form = {"text": "When did it all start?", "visibility": "partner"}
    response = client.post(reverse("plans:questions"), form)
    text = page(response)
    assert response.status_code == 200
    assert "You asked something like this on 1 March 2026" in text
    assert "In February." in text and "When did it all start?" in text  # the earlier answer, and the new words
    assert Question.objects.count() == 1  # not sent yet
    response = client.post(reverse("plans:questions"), {**form, "confirmed": "on"})
    new = Question.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("plans:question", args=[new.pk])
    assert new.text == "When did it all start?"


def test_a_question_about_sexual_detail_gets_a_gentle_note_and_can_still_be_sent(couple) -> None:
    alex, _sam = memberships_of(couple)
    client = client_as(alex.user)
    form = {"text": "Was she better in bed than me?", "visibility": "partner"}
    text = page(client.post(reverse("plans:questions"), form))
    assert "A gentle note on questions about sex" in text
    assert "graphic details and comparisons" in text
    assert "who it was, when it started and how long it went on, whether it is over" in text
    # Cites the articles that ask for a full, honest accounting, by their titles.
    assert "5 Ways to Reconnect Emotionally After Infidelity" in text
    assert "How do I rebuild intimacy after infidelity or betrayal?" in text
    assert not Question.objects.exists()
    assert client.post(reverse("plans:questions"), {**form, "confirmed": "on"}).status_code == 302
    assert Question.objects.get().text == "Was she better in bed than me?"


def test_an_ordinary_question_is_sent_at_once(couple) -> None:
    alex, _sam = memberships_of(couple)
    response = client_as(alex.user).post(reverse("plans:questions"), {"text": "Is it over?", "visibility": "therapist"})
    assert response.status_code == 302
    assert Question.objects.get().visibility == "therapist"


def test_bad_input_is_a_clear_400_that_keeps_what_was_typed(couple) -> None:
    alex, sam = memberships_of(couple)
    response = client_as(alex.user).post(reverse("plans:questions"), {"text": "Who was it?", "visibility": "nobody"})
    assert response.status_code == 400 and "Who was it?" in page(response)
    response = client_as(sam.user).post(reverse("plans:questions"), {"text": "Can I ask?", "visibility": "partner"})
    assert response.status_code == 400
    assert "asked by the partner who was hurt" in page(response)
    question = questions.ask(membership=alex, text="Who was it?", visibility="partner")
    response = client_as(sam.user).post(reverse("plans:question_answer", args=[question.pk]), {"text": ""})
    assert response.status_code == 400 and "Write your answer first." in page(response)
    response = client_as(alex.user).post(reverse("plans:question_answer", args=[question.pk]), {"text": "Me."})
    assert response.status_code == 403 and not AnswerVersion.objects.exists()


def test_both_partners_see_the_amendment_with_its_date_and_what_it_changed(couple) -> None:
    alex, sam = memberships_of(couple)
    question = questions.ask(membership=alex, text="When did it end?", visibility="partner")
    with time_machine.travel(datetime(2026, 5, 4, 10, tzinfo=UTC)):
        client_as(sam.user).post(reverse("plans:question_answer", args=[question.pk]), {"text": "It ended in January."})
    with time_machine.travel(datetime(2026, 5, 9, 10, tzinfo=UTC)):  # days later: signed in afresh
        response = client_as(sam.user).post(
            reverse("plans:question_answer", args=[question.pk]),
            {"text": "It ended in March.", "note": "I said January; we last met in March.", "told_everything": "on"},
        )
    assert response.status_code == 302
    for person in (alex, sam):
        text = page(client_as(person.user).get(reverse("plans:question", args=[question.pk])))
        assert "Sam answered on 4 May 2026" in text
        assert "Amendment 1" in text and "added by Sam on 9 May 2026" in text
        assert "I said January; we last met in March." in text
        assert "<del" in client_as(person.user).get(reverse("plans:question", args=[question.pk])).content.decode()
        assert "It ended in January." in text and "It ended in March." in text  # was, and now
        assert "I have told you everything I know about this" in text


def test_the_answerer_sees_what_waits_for_an_answer(couple) -> None:
    alex, sam = memberships_of(couple)
    questions.ask(membership=alex, text="Is it over?", visibility="partner")
    text = page(client_as(sam.user).get(reverse("plans:questions")))
    assert "A question for you to answer" in text and "Is it over?" in text
    assert "Ask a question" not in text


# --- who sees what --------------------------------------------------------------------------------------


def test_the_visibility_matrix_for_questions_and_answers(couple) -> None:
    alex, sam = memberships_of(couple)
    shared = questions.ask(membership=alex, text="Shared with our therapist?", visibility="therapist")
    ours = questions.ask(membership=alex, text="Just between us?", visibility="partner")
    for question in (shared, ours):
        questions.add_answer(question=question, by=sam.user, text="An answer.", told_everything=False)
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    other_doc = TherapistFactory()
    enable_mfa(other_doc)
    make_care_access(make_couple(), other_doc)
    outsider = make_couple().partners.get(seat=1).user
    for person in (alex.user, sam.user):
        assert set(Question.objects.visible_to(person)) == {shared, ours}
        assert AnswerVersion.objects.visible_to(person).count() == 2
    assert list(Question.objects.visible_to(doc)) == [shared]
    assert [a.question_id for a in AnswerVersion.objects.visible_to(doc)] == [shared.pk]
    for nobody in (other_doc, outsider, AnonymousUser()):
        assert not Question.objects.visible_to(nobody).exists()
        assert not AnswerVersion.objects.visible_to(nobody).exists()
    assert client_as(outsider).get(reverse("plans:question", args=[shared.pk])).status_code == 404
    summary = page(client_as(doc).get(reverse("therapist_couple", args=[couple.pk])))
    assert "Shared with our therapist?" in summary and "Just between us?" not in summary
