"""Questions and answers pages. Thin: rules in plans/questions.py, reads through access.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from plans import questions, stages
from plans.models import Question, Source
from plans.question_forms import AnswerForm, QuestionForm
from plans.sensitive import FULL_ACCOUNTING_SOURCES, asks_for_sexual_detail
from recovery.access import Visibility, get_visible_or_404, other_partner
from recovery.decorators import PartnerHttpRequest, partner_required, refuse_unless_post
from recovery.models import Partner


def _initial_visibility(request: PartnerHttpRequest) -> str:
    preferred = request.user.default_visibility
    return preferred if preferred == Visibility.PARTNER_AND_THERAPIST else Visibility.PARTNER


@partner_required
@require_http_methods(["GET", "POST"])
def question_list(request: PartnerHttpRequest) -> HttpResponse:
    membership: Partner = request.membership
    can_ask = questions.may_ask(membership)
    form = QuestionForm(
        request.POST if request.method == "POST" else None, initial={"visibility": _initial_visibility(request)}
    )
    if request.method == "POST":
        if not can_ask:
            form.add_error(None, _("Questions here are asked by the partner who was hurt, and answered by the other."))
        elif form.is_valid():
            text = form.cleaned_data["text"]
            if not form.cleaned_data["confirmed"]:
                similar = questions.similar_earlier(membership=membership, text=text)
                sexual = asks_for_sexual_detail(text)
                if similar or sexual:
                    return _before_sending(request, form, similar=similar, sexual=sexual)
            try:
                question = questions.ask(membership=membership, text=text, visibility=form.cleaned_data["visibility"])
            except questions.QuestionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your question is sent. You'll both see the answer here."))
                return redirect("plans:question", pk=question.pk)
    asked = list(Question.objects.visible_to(request.user).select_related("author"))
    threads = questions.threads_for(request.user, asked)
    return TemplateResponse(
        request,
        "plans/questions.html",
        {
            "form": form,
            "state": stages.couple_state_of(request.user),
            "can_ask": can_ask,
            "partner": other_partner(request.user),
            "to_answer": [t for t in threads if not t.versions and t.question.author_id != request.user.pk],
            "threads": [t for t in threads if t.versions or t.question.author_id == request.user.pk],
        },
    )


def _before_sending(
    request: PartnerHttpRequest, form: QuestionForm, *, similar: list[Question], sexual: bool
) -> HttpResponse:
    """The question isn't sent yet: first the earlier, similar question with its answer, and/or the note on
    sexual detail. The words stay in the form; "Send it" sends them as they are."""
    data = request.POST.copy()
    data["confirmed"] = "on"
    return render(
        request,
        "plans/question_check.html",
        {
            "form": QuestionForm(data),
            "similar": questions.threads_for(request.user, similar),
            "sexual": sexual,
            "state": stages.couple_state_of(request.user),
            "sources": list(Source.objects.filter(key__in=FULL_ACCOUNTING_SOURCES).order_by("title")),
        },
    )


@partner_required
@require_GET
def question_detail(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    question = get_visible_or_404(Question, request.user, pk=pk)
    return _detail(request, question)


def _detail(
    request: PartnerHttpRequest, question: Question, form: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    (thread,) = questions.threads_for(request.user, [question])
    answers = question.author_id != request.user.pk
    if form is None and answers:
        current = thread.current
        form = AnswerForm(
            initial={"text": current.text, "told_everything": current.told_everything} if current else None,
            amending=current is not None,
        )
    return TemplateResponse(
        request,
        "plans/question.html",
        {
            "thread": thread,
            "question": question,
            "form": form if answers else None,
            "partner": other_partner(request.user),
            "state": stages.couple_state_of(request.user),
        },
        status=status,
    )


@partner_required
def question_answer(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    question = get_visible_or_404(Question, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    if question.author_id == request.user.pk:
        messages.error(request, _("Your partner answers the questions you ask."))
        return _detail(request, question, status=403)
    amending = question.versions.exists()
    form = AnswerForm(request.POST, amending=amending)
    if form.is_valid():
        try:
            questions.add_answer(
                question=question,
                by=request.user,
                text=form.cleaned_data["text"],
                told_everything=form.cleaned_data["told_everything"],
                note=form.cleaned_data.get("note", ""),
            )
        except questions.QuestionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Your amendment is added, dated, below the earlier answer.") if amending else _("Answered.")
            )
            return redirect("plans:question", pk=question.pk)
    return _detail(request, question, form=form)  # its errors answer 400 (recovery/middleware.py)
