"""Demo questions and answers for Alex and Sam: one answered and later amended (with "I have told you
everything"), one answered in full at once, and one still waiting. Dates are in the past, as they would be."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from plans.models import AnswerVersion, Question
from recovery.access import Visibility
from recovery.models import Couple, Partner

QUESTIONS = [
    # (days ago asked, text, visibility, [(days ago, answer, note, told everything)])
    (
        30,
        "When did it start, and when did it end?",
        Visibility.PARTNER_AND_THERAPIST,
        [
            (29, "It started in March last year and ended in January.", "", False),
            (
                9,
                "It started in February last year, not March: the first messages were around Valentine's Day. It "
                "ended on 14 January, and there has been no contact since.",
                "I had the start wrong by a month. I should have said so as soon as I remembered.",
                True,
            ),
        ],
    ),
    (
        21,
        "Did anyone else know while it was going on?",
        Visibility.PARTNER,
        [(20, "One colleague knew from about May. Nobody in either of our families knew.", "", True)],
    ),
    (3, "Have you been in touch with each other in any way since January?", Visibility.PARTNER_AND_THERAPIST, []),
]


def seed_demo_questions(couple: Couple) -> Question | None:
    """Once per couple; returns the amended question (the one Alex marks to bring), or None if already there."""
    if Question.objects.filter(couple=couple).exists():
        return None
    asker = Partner.objects.get(couple=couple, seat=1).user
    answerer = Partner.objects.get(couple=couple, seat=2).user
    now = timezone.now()
    amended = None
    for days_ago, text, visibility, answers in QUESTIONS:
        question = Question.objects.create(
            couple=couple, author=asker, text=text, visibility=visibility, asked_at=now - timedelta(days=days_ago)
        )
        for number, (answered_ago, answer, note, told) in enumerate(answers, start=1):
            AnswerVersion.objects.create(
                question=question, author=answerer, number=number, text=answer, note=note, told_everything=told,
                written_at=now - timedelta(days=answered_ago, hours=-2),
            )  # fmt: skip
        if len(answers) > 1:
            amended = question
    return amended
