"""The trigger log and dates that matter. Thin: rules in triggers.py and dates.py, reads through access.py."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from checkins import dates, triggers
from checkins.forms import DateThatMattersForm, HolidayNotesForm, TriggerForm
from checkins.models import DateThatMatters, Trigger
from recovery.access import get_visible_or_404, other_partner
from recovery.decorators import PartnerHttpRequest, partner_required, refuse_unless_post
from recovery.localtime import local_today, monday_of
from recovery.models import Partner

LISTED_WEEKS = 4


@partner_required
@require_http_methods(["GET", "POST"])
def trigger_new(request: PartnerHttpRequest, pk: int | None = None) -> HttpResponse:
    membership: Partner = request.membership
    user = request.user
    existing = get_visible_or_404(Trigger, request.user, pk=pk, author=request.user) if pk is not None else None
    zone = ZoneInfo(user.time_zone)
    initial = None
    if existing is None:
        now = timezone.now().astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
        initial = {"visibility": user.default_visibility, "occurred_at": now}
    form = TriggerForm(
        request.POST if request.method == "POST" else None, instance=existing, initial=initial, zone=zone
    )
    if request.method == "POST" and form.is_valid():
        triggers.save_trigger(membership=membership, fields=form.cleaned_data, instance=existing)
        if existing is not None:
            messages.success(request, _("Saved."))
        elif form.cleaned_data["visibility"] == "only_me":
            messages.success(request, _("Noted, just for you. Be gentle with yourself for a while."))
        else:
            messages.success(request, _("Noted. Your partner will see it on their next page, with a way to answer."))
        return redirect("checkins:triggers")
    return TemplateResponse(request, "checkins/trigger_form.html", {"form": form, "editing": existing})


@partner_required
@require_GET
def trigger_list(request: PartnerHttpRequest) -> HttpResponse:
    user = request.user
    today = local_today(user)
    partner = other_partner(user)
    listed = list(
        Trigger.objects.visible_to(user)
        .filter(local_date__gte=monday_of(today) - timedelta(weeks=LISTED_WEEKS - 1))
        .order_by("-occurred_at")
    )
    answerable_since = timezone.now() - timedelta(days=triggers.PROMPT_DAYS)
    for trigger in listed:  # the partner's recent shared ones still open to a word, as in the prompt
        trigger.answerable = (
            trigger.author_id != user.pk
            and trigger.here_at is None
            and trigger.prompt_closed_at is None
            and trigger.created_at >= answerable_since
        )
    people = [(user.pk, _("You"))] + ([(partner.user_id, partner.user.get_short_name())] if partner else [])
    return render(
        request,
        "checkins/triggers.html",
        {
            "triggers": listed,
            "partner": partner,
            "weeks_listed": LISTED_WEEKS,
            "min_weeks": triggers.MIN_WEEKS_FOR_CHART,
            **triggers.charts_for(user, people, today=today),
        },
    )


@partner_required
def trigger_delete(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    trigger = get_visible_or_404(Trigger, request.user, pk=pk, author=request.user)
    if refusal := refuse_unless_post(request):
        return refusal
    triggers.delete_trigger(trigger)
    messages.success(request, _("Deleted."))
    return redirect("checkins:triggers")


@partner_required
def trigger_here(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    """The partner answers "I'm here". Only a trigger they may see, and not their own."""
    trigger = get_visible_or_404(Trigger, request.user, pk=pk)
    if trigger.author_id == request.user.pk:
        raise Http404
    if refusal := refuse_unless_post(request):
        return refusal
    if triggers.answer_here(trigger, request.user):
        messages.success(
            request,
            _("%(name)s will see that you're here. A few calm words in person, or a message, can help too.")
            % {"name": trigger.author.get_short_name()},
        )
    return redirect(_back(request))


@partner_required
def trigger_not_now(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    trigger = get_visible_or_404(Trigger, request.user, pk=pk)
    if trigger.author_id == request.user.pk:
        raise Http404
    if refusal := refuse_unless_post(request):
        return refusal
    triggers.not_now(trigger, request.user)
    return redirect(_back(request))


def _back(request: PartnerHttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


# --- Dates that matter ------------------------------------------------------------------------


@partner_required
@require_http_methods(["GET", "POST"])
def dates_page(request: PartnerHttpRequest) -> HttpResponse:
    """Your dates (and those your partner shared), a form to add one, and the holidays you want a note before."""
    membership: Partner = request.membership
    user = request.user
    form = DateThatMattersForm(prefix="date", initial={"visibility": DateThatMatters.Visibility.ONLY_ME})
    holiday_form = HolidayNotesForm(prefix="holidays", initial={"holidays": dates.chosen_holidays(user)})
    if request.method == "POST":  # a form with errors answers 400 (recovery/middleware.py)
        if request.POST.get("action") == "holidays":
            holiday_form = HolidayNotesForm(request.POST, prefix="holidays")
            if holiday_form.is_valid():
                dates.set_holidays(user, holiday_form.cleaned_data["holidays"])
                messages.success(request, _("Saved."))
                return redirect("checkins:dates")
        else:
            form = DateThatMattersForm(request.POST, prefix="date")
            if form.is_valid():
                dates.save_date(membership=membership, fields=form.cleaned_data)
                messages.success(request, _("Saved. In the week before it, your home page will have a note."))
                return redirect("checkins:dates")
    listed = list(DateThatMatters.objects.visible_to(user).select_related("author"))
    today = local_today(user)
    for entry in listed:
        entry.next_on = dates.next_occurrence(entry.on, yearly=entry.yearly, today=today)
    return TemplateResponse(
        request,
        "checkins/dates.html",
        {"form": form, "holiday_form": holiday_form, "dates": listed, "partner": other_partner(user)},
    )


@partner_required
@require_http_methods(["GET", "POST"])
def date_edit(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    entry = get_visible_or_404(DateThatMatters, request.user, pk=pk, author=request.user)
    form = DateThatMattersForm(request.POST if request.method == "POST" else None, instance=entry, prefix="date")
    if request.method == "POST" and form.is_valid():
        dates.save_date(membership=request.membership, fields=form.cleaned_data, instance=entry)
        messages.success(request, _("Saved."))
        return redirect("checkins:dates")
    return TemplateResponse(request, "checkins/date_edit.html", {"form": form, "entry": entry})


@partner_required
def date_delete(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    entry = get_visible_or_404(DateThatMatters, request.user, pk=pk, author=request.user)
    if refusal := refuse_unless_post(request):
        return refusal
    dates.delete_date(entry)
    messages.success(request, _("Deleted."))
    return redirect("checkins:dates")
