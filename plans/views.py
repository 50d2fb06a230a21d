"""Plan pages. Thin: rules in progress.py, writes in stages/completions/rituals/agreement/wishnotes."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from plans import agreement, completions, content_cache, milestones, progress, rituals, stages, wishnotes
from plans import load as plan_load
from plans.forms import AgreementForm, CompletionForm, RitualDoneForm, RitualForm, WishNoteForm
from plans.models import (
    AgreementChange,
    AgreementItem,
    Completion,
    Ritual,
    RitualDone,
    StageChange,
    Step,
    WishNote,
)
from recovery import safety
from recovery.access import current_members, get_visible_or_404, other_partner
from recovery.decorators import PartnerHttpRequest, partner_required, refuse_unless_post
from recovery.localtime import local_date_of, local_today
from recovery.models import Partner, User

RECENT_COMPLETIONS = 7


def _context(request: PartnerHttpRequest) -> dict:
    membership: Partner = request.membership
    state = stages.couple_state_of(request.user)
    return {"membership": membership, "partner": other_partner(request.user), "state": state}


@partner_required
@require_GET
def overview(request: PartnerHttpRequest) -> HttpResponse:
    ctx = _context(request)
    state: progress.CoupleState = ctx["state"]
    couple = ctx["membership"].couple
    all_stages = content_cache.plan().stages
    done_steps = set(
        Completion.objects.visible_to(request.user).filter(author=request.user).values_list("step_id", flat=True)
    )
    today = completions.local_today(request.user)
    changes = list(StageChange.objects.filter(couple=couple).order_by("at", "pk"))  # a few a year: read once
    titles = content_cache.plan().titles
    openings = [
        (local_date_of(change.at, request.user), change.to_stage, titles.get(change.to_stage, ""))
        for change in changes
        if change.reason == StageChange.Reason.OPENED
    ]
    reached = milestones.milestones(
        started_on=stages.plan_started_on(couple, request.user.time_zone, current_members(request.user)),
        stage_openings=openings,
        today=today,
    )
    current = next((s for s in all_stages if s.number == state.current), None)
    current_steps = list(current.steps.all()) if current else []
    recurring = [r for stage in all_stages for step in stage.steps.all() if (r := step.recurring())]
    ctx.update(
        {
            "load_text": plan_load.describe_load(
                plan_load.person_load(recurring, state.current, ctx["membership"].role)
            ),
            "stages": all_stages,
            "current_stage": current,
            "current_steps": current_steps,
            "done_steps": done_steps,
            "current_done": sum(1 for s in current_steps if s.pk in done_steps),
            "still_to_do": [
                s for s in current_steps if s.pk not in done_steps and completions.can_do(s, ctx["membership"])
            ],
            "is_pace_setter": ctx["membership"].is_pace_setter,
            "action": progress.action_for(state, request.user.pk),
            "has_said": progress.has_said(state, request.user.pk),
            "partner_ready": progress.partner_signal_shown_to(state, request.user.pk),
            "can_step_back": progress.can_step_back(state),
            "next_stage": next((s for s in all_stages if s.number == state.next_stage), None),
            "recent_milestones": milestones.recent(reached, today),
            "milestones": reached,
            "progress_percent": round(100 * (state.current - 1) / (progress.LAST_STAGE - 1)),
            # Asked again, privately, before the touch stages open (never shown to the partner).
            "offer_safety_check": safety.offer_before_next_stage(
                request.user, next_stage=state.next_stage, current_stage_since=changes[-1].at if changes else None
            ),
        }
    )
    return render(request, "plans/overview.html", ctx)


@partner_required
@require_GET
def stage_detail(request: PartnerHttpRequest, number: int) -> HttpResponse:
    stage = content_cache.plan().by_number.get(number)
    if stage is None:
        raise Http404
    ctx = _context(request)
    steps = list(stage.steps.all())
    done = set(
        Completion.objects.visible_to(request.user)
        .filter(author=request.user, step__in=steps)
        .values_list("step_id", flat=True)
    )
    recurring = [
        r for step in content_cache.plan().steps if step.cadence != Step.Cadence.ONCE and (r := step.recurring())
    ]
    ctx.update(
        {
            "stage": stage,
            "steps": steps,
            "done_steps": done,
            "unlocked": progress.stage_unlocked(ctx["state"].current, number),
            "load_text": plan_load.describe_load(plan_load.person_load(recurring, number, ctx["membership"].role)),
            "carry": plan_load.carry_over(recurring, number),
        }
    )
    return render(request, "plans/stage.html", ctx)


@partner_required
@require_http_methods(["GET", "POST"])
def step_detail(request: PartnerHttpRequest, slug: str) -> HttpResponse:
    step = content_cache.plan().by_slug.get(slug)
    if step is None:
        raise Http404
    ctx = _context(request)
    membership: Partner = ctx["membership"]
    earliest, latest = completions.allowed_dates(request.user)
    form = CompletionForm(
        request.POST if request.method == "POST" else None, earliest=earliest, latest=latest, private=step.private
    )
    if request.method == "POST" and form.is_valid():
        try:
            completions.log_completion(
                membership=membership,
                step=step,
                current_stage=ctx["state"].current,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
                visibility=form.cleaned_data["visibility"],
            )
        except completions.CompletionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Logged. Well done for making the time."))
            return redirect("plans:step", slug=step.slug)
    entries = completions.completions_for(step, request.user)
    mine = [c for c in entries if c.author_id == request.user.pk]
    theirs = [c for c in entries if c.author_id != request.user.pk]
    stage_open = progress.stage_unlocked(ctx["state"].current, step.stage.number)
    done_now = completions.done_for_now(step, mine, latest) if stage_open else None
    ctx.update(
        {
            "step": step,
            "form": form,
            # The most recent ones; a daily step gathers many.
            "mine": mine[:RECENT_COMPLETIONS],
            "mine_earlier": len(mine) - len(mine[:RECENT_COMPLETIONS]),
            "theirs": theirs[:RECENT_COMPLETIONS],
            "theirs_earlier": len(theirs) - len(theirs[:RECENT_COMPLETIONS]),
            # Once it's done for now, say so instead of offering the form again (unless a submission just failed).
            "can_log": stage_open and completions.can_do(step, membership) and (done_now is None or form.is_bound),
            "done_now": done_now,
            "for_partner_only": not completions.can_do(step, membership),
            "total_timer_minutes": sum(p["minutes"] for p in step.timer),
            "later": _later_changes(step),
        }
    )
    return TemplateResponse(request, "plans/step.html", ctx)


def _later_changes(step: Step) -> list[tuple[str, str]]:
    """(what changes, why) for each later stage that lightens this step or lets it rest."""
    recurring = step.recurring()
    if recurring is None:
        return []
    return [(plan_load.describe_phase(phase, step.cadence), phase.why) for phase in recurring.later_changes()]


@partner_required
def completion_delete(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    completion = get_visible_or_404(Completion, request.user, pk=pk, author=request.user)
    if refusal := refuse_unless_post(request):
        return refusal
    slug = completion.step.slug
    completions.remove_completion(completion=completion, user=request.user)
    messages.success(request, _("Removed."))
    return redirect("plans:step", slug=slug)


@partner_required
def ready(request: PartnerHttpRequest) -> HttpResponse:
    if refusal := refuse_unless_post(request):
        return refusal
    couple = request.membership.couple
    try:
        result = stages.say_ready(couple=couple, user=request.user)
    except stages.StageError as exc:
        messages.info(request, str(exc))
        return redirect("plans:overview")
    if result.opened:
        pass  # the overview celebrates the opening itself: one message, not two
    elif result.action == progress.Action.WILLING:
        messages.success(
            request,
            _("Noted, privately. Your partner sets the pace here and won't be told; there's nothing to wait for."),
        )
    else:
        messages.success(request, _("Noted. The next stage opens when you're both ready."))
    return redirect("plans:overview")


@partner_required
def ready_take_back(request: PartnerHttpRequest) -> HttpResponse:
    if refusal := refuse_unless_post(request):
        return refusal
    stages.take_back_ready(couple=request.membership.couple, user=request.user)
    messages.success(request, _("Taken back. Nothing has changed."))
    return redirect("plans:overview")


@partner_required
@require_http_methods(["GET", "POST"])
def step_back(request: PartnerHttpRequest) -> HttpResponse:
    ctx = _context(request)
    if request.method == "POST":
        try:
            number = stages.step_back(couple=ctx["membership"].couple, user=request.user)
        except stages.StageError as exc:
            messages.info(request, str(exc))
        else:
            messages.success(
                request, _("You're back at stage %(n)s. Going back is part of going forward.") % {"n": number}
            )
        return redirect("plans:overview")
    if not progress.can_step_back(ctx["state"]):
        return redirect("plans:overview")
    ctx["back_to"] = content_cache.plan().by_number.get(ctx["state"].current - 1)
    return render(request, "plans/step_back_confirm.html", ctx)


@partner_required
@require_GET
def timeline(request: PartnerHttpRequest) -> HttpResponse:
    ctx = _context(request)
    ctx["changes"] = list(StageChange.objects.visible_to(request.user).select_related("by").order_by("-at", "-pk"))
    ctx["titles"] = content_cache.plan().titles
    return render(request, "plans/timeline.html", ctx)


@partner_required
@require_http_methods(["GET", "POST"])
def table_of_trust(request: PartnerHttpRequest) -> HttpResponse:
    ctx = _context(request)
    form = RitualForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rituals.add_ritual(couple=ctx["membership"].couple, by=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Added to your Table of Trust."))
        return redirect("plans:table_of_trust")
    all_rituals = list(
        Ritual.objects.visible_to(request.user)
        .select_related("created_by")
        .prefetch_related(Prefetch("dates_done", queryset=RitualDone.objects.select_related("by")))
    )
    ctx.update(
        {
            "form": form,
            "rituals": [r for r in all_rituals if r.archived_at is None],
            "archived": [r for r in all_rituals if r.archived_at is not None],
            "today": completions.local_today(request.user),
            "done_form": RitualDoneForm(initial={"done_on": completions.local_today(request.user)}),
        }
    )
    return TemplateResponse(request, "plans/table_of_trust.html", ctx)


@partner_required
def ritual_done(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    ritual = get_visible_or_404(Ritual, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    form = RitualDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a valid date."))
        return redirect("plans:table_of_trust")
    try:
        rituals.mark_done(ritual=ritual, by=request.user, on=form.cleaned_data["done_on"])
    except rituals.RitualError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Marked as done. Small rituals, kept, are how trust grows."))
    return redirect("plans:table_of_trust")


@partner_required
def ritual_archive(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    ritual = get_visible_or_404(Ritual, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    if request.POST.get("restore"):
        rituals.restore(ritual=ritual)
    else:
        rituals.archive(ritual=ritual)
    return redirect("plans:table_of_trust")


@partner_required
@require_http_methods(["GET", "POST"])
def transparency(request: PartnerHttpRequest) -> HttpResponse:
    ctx = _context(request)
    form = AgreementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        agreement.propose(couple=ctx["membership"].couple, by=request.user, **form.cleaned_data)
        messages.success(request, _("Proposed. It comes into force when your partner agrees."))
        return redirect("plans:transparency")
    items = list(AgreementItem.objects.visible_to(request.user).select_related("proposed_by", "replaces"))
    today = local_today(request.user)
    partner = other_partner(request.user)
    for item in items:
        item.asks_whom = _asks_whom(item, request.user, partner.user if partner else None)
        item.review_due = agreement.due_for_review(item, today)
    ctx.update(
        {
            "form": form,
            "in_force": [i for i in items if i.status == AgreementItem.Status.IN_FORCE],
            "proposed": [i for i in items if i.status == AgreementItem.Status.PROPOSED],
            "history": AgreementChange.objects.visible_to(request.user).select_related("item", "by")[:50],
        }
    )
    return TemplateResponse(request, "plans/transparency.html", ctx)


def _asks_whom(item: AgreementItem, viewer: User, partner: User | None) -> str:
    """ "You", the partner's name, or "both of you", as the person reading the page would say it."""
    if item.asks_of == AgreementItem.AsksOf.BOTH:
        return _("both of you")
    proposer_is_viewer = item.proposed_by_id == viewer.pk
    asks_viewer = proposer_is_viewer == (item.asks_of == AgreementItem.AsksOf.PROPOSER)
    if asks_viewer:
        return _("you")
    return partner.get_short_name() if partner else _("your partner")


@partner_required
def agreement_end(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(AgreementItem, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    try:
        agreement.end_agreement(item=item, by=request.user)
    except agreement.AgreementError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(
            request,
            _("Done: it's no longer in force. Your partner will see that it's no longer agreed, and nothing more."),
        )
    return redirect("plans:transparency")


@partner_required
def agreement_keep(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(AgreementItem, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    try:
        agreement.keep(item=item, by=request.user)
    except agreement.AgreementError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, _("Kept for now. Either of you can still end it at any time."))
    return redirect("plans:transparency")


@partner_required
def agreement_decide(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(AgreementItem, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    agree = request.POST.get("decision") == "agree"
    try:
        agreement.decide(item=item, by=request.user, agree=agree)
    except agreement.AgreementError as exc:
        messages.info(request, str(exc))
    else:
        if agree:
            messages.success(request, _("Agreed: it's now in force."))
        else:
            messages.info(request, _("Noted: you didn't agree to this one."))
    return redirect("plans:transparency")


@partner_required
def agreement_withdraw(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(AgreementItem, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    try:
        agreement.withdraw(item=item, by=request.user)
    except agreement.AgreementError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("plans:transparency")


@partner_required
@require_http_methods(["GET", "POST"])
def agreement_change(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(AgreementItem, request.user, pk=pk, status=AgreementItem.Status.IN_FORCE)
    ctx = _context(request)
    form = AgreementForm(
        request.POST if request.method == "POST" else None,
        initial={"area": item.area, "text": item.text, "asks_of": item.asks_of, "review_weeks": item.review_weeks},
    )
    if request.method == "POST" and form.is_valid():
        agreement.propose(couple=ctx["membership"].couple, by=request.user, replaces=item, **form.cleaned_data)
        messages.success(request, _("Change proposed. The current wording stays in force until your partner agrees."))
        return redirect("plans:transparency")
    ctx.update({"form": form, "item": item})
    return TemplateResponse(request, "plans/agreement_change.html", ctx)


@partner_required
@require_http_methods(["GET", "POST"])
def wish_notes(request: PartnerHttpRequest) -> HttpResponse:
    ctx = _context(request)
    is_open = wishnotes.wish_notes_open(ctx["state"].current)
    form = WishNoteForm(request.POST if request.method == "POST" and is_open else None)
    if request.method == "POST":
        if not is_open:
            messages.info(request, _("Wish notes open with stage 6."))
            return redirect("plans:wish_notes")
        if form.is_valid():
            wishnotes.write_wish_note(
                couple=ctx["membership"].couple,
                author=request.user,
                text=form.cleaned_data["text"],
                current_stage=ctx["state"].current,
            )
            messages.success(request, _("Your wish note is waiting on your partner's page."))
            return redirect("plans:wish_notes")
    notes = list(WishNote.objects.visible_to(request.user))
    ctx.update(
        {
            "form": form,
            "is_open": is_open,
            "received": [n for n in notes if n.author_id != request.user.pk],
            "sent": [n for n in notes if n.author_id == request.user.pk],
        }
    )
    return TemplateResponse(request, "plans/wish_notes.html", ctx)
