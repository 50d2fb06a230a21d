"""Questions and answers on the record: the partner who was hurt asks in writing, the other answers in writing.

An answer is never edited. Correcting or adding to it adds a dated version with the whole new text, so both
partners can always see what was said first, what changed and when: trickle truth becomes visible, and an
honest correction is recorded as one. "I have told you everything I know about this" is part of a version,
so it too can be withdrawn only by a later one. Nothing is removed.

Who may ask: a partner who was hurt (with mutual hurt, both). Who answers: the other partner of the couple.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from plans.models import QUESTION_VISIBILITIES, AnswerVersion, Question
from plans.similarity import most_similar
from recovery.models import Partner, User


class QuestionError(Exception):
    """Why a question or answer can't be saved; shown to the person as it is."""


def may_ask(membership: Partner) -> bool:
    return membership.role == Partner.Role.HURT


def answerer_of(question: Question, members: list[Partner]) -> User | None:
    """The partner who answers: the one who didn't ask (None until both have joined)."""
    return next((m.user for m in members if m.user_id != question.author_id), None)


def ask(*, membership: Partner, text: str, visibility: str) -> Question:
    if not may_ask(membership):
        raise QuestionError(_("Questions here are asked by the partner who was hurt, and answered by the other."))
    text = text.strip()
    if not text:
        raise QuestionError(_("Write your question first."))
    if visibility not in {value for value, _label in QUESTION_VISIBILITIES}:
        raise QuestionError(_("Choose who can read the question and its answer."))
    return Question.objects.create(couple=membership.couple, author=membership.user, text=text, visibility=visibility)


def similar_earlier(*, membership: Partner, text: str) -> list[Question]:
    """Earlier questions of this couple much like `text`, most alike first (their answers are offered first)."""
    earlier = Question.objects.visible_to(membership.user).filter(couple=membership.couple)
    return most_similar(text, ((q, q.text) for q in earlier))


def add_answer(*, question: Question, by: User, text: str, told_everything: bool, note: str = "") -> AnswerVersion:
    """The first answer, or an amendment: a new dated version. Refused if it would change nothing."""
    if by.pk == question.author_id:
        raise QuestionError(_("Your partner answers the questions you ask."))
    text, note = text.strip(), note.strip()
    if not text:
        raise QuestionError(_("Write your answer first."))
    latest = question.versions.order_by("-number").first()
    if latest is not None and latest.text == text and latest.told_everything == told_everything:
        raise QuestionError(
            _("This is the same as your answer already is. Change the answer, or what you say below it.")
        )
    number = 1 if latest is None else latest.number + 1
    try:
        with transaction.atomic():
            return AnswerVersion.objects.create(
                question=question,
                author=by,
                number=number,
                text=text,
                note=note if latest is not None else "",
                told_everything=told_everything,
            )
    except IntegrityError as exc:  # sent twice at once (a double click, two tabs)
        raise QuestionError(_("Your answer was just saved. Reload the page to see it.")) from exc


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "removed" or "added"
    text: str


def was_and_now(was: str, now: str) -> list[Segment]:
    """Word by word, what an amendment kept, took out and put in: shown as "was / now"."""
    old, new = was.split(), now.split()
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", " ".join(old[i1:i2])))
            continue
        if tag in ("replace", "delete"):
            segments.append(Segment("removed", " ".join(old[i1:i2])))
        if tag in ("replace", "insert"):
            segments.append(Segment("added", " ".join(new[j1:j2])))
    return segments


@dataclass
class Thread:
    """A question with its answer history, as one person sees it."""

    question: Question
    versions: list[AnswerVersion]

    @property
    def current(self) -> AnswerVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def amendments(self) -> list[AnswerVersion]:
        return self.versions[1:]

    @property
    def told_everything(self) -> bool:
        return bool(self.current and self.current.told_everything)

    def changes(self) -> list[tuple[AnswerVersion, AnswerVersion, list[Segment]]]:
        """Each amendment with the version before it and what changed in the words."""
        return [
            (before, after, was_and_now(before.text, after.text))
            for before, after in zip(self.versions, self.versions[1:], strict=False)
        ]


def threads_for(user: User, questions: list[Question]) -> list[Thread]:
    """The questions with their versions, in one query however many questions."""
    by_question: dict[int, list[AnswerVersion]] = {q.pk: [] for q in questions}
    for version in (
        AnswerVersion.objects.visible_to(user)
        .filter(question__in=questions)
        .select_related("author")
        .order_by("question", "number")
    ):
        by_question[version.question_id].append(version)
    return [Thread(question=q, versions=by_question[q.pk]) for q in questions]
