"""The PHQ-9 pages (the person's own, never the partner's) and the "to bring to our therapist" marks.
Thin: rules in wellbeing.py, phq9.py and to_bring.py; reads through access.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from checkins import phq9, support, to_bring, wellbeing
from checkins.charts import sparkline
from checkins.models import Phq9Response
from checkins.wellbeing_forms import OfferForm, Phq9Form
from recovery.access import get_visible_or_404
from recovery.decorators import PartnerHttpRequest, partner_required, refuse_unless_post
from recovery.models import Partner


def _crisis_context(request: HttpRequest) -> dict[str, object]:
    """The support page's lines for the person's country (their time zone, or the browser's)."""
    code = support.choose_country(time_zones=support.time_zones_for(request.user, request.POST.get("tz", "")))
    content = support.support_content()
    return {"country": content.countries.get(code), "international": content.international}


@partner_required
@require_GET
def wellbeing_home(request: PartnerHttpRequest) -> HttpResponse:
    trend = wellbeing.own_trend(request.user)
    offer = wellbeing.offer_for(request.user)
    return render(
        request,
        "checkins/wellbeing.html",
        {
            "trend": list(reversed(trend)),
            "trend_line": sparkline(
                [p.total for p in trend[-12:]], high=phq9.MAX_TOTAL, label=_("Your PHQ-9 totals"), width=160, height=32
            ),
            "offer": offer,
            "due": wellbeing.offer_due(request.user, offer=offer, trend=trend),
            "notice": phq9.NOTICE,
        },
    )


@partner_required
@require_http_methods(["GET", "POST"])
def phq9_form(request: PartnerHttpRequest) -> HttpResponse:
    membership: Partner = request.membership
    form = Phq9Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            response = wellbeing.save_response(
                membership=membership,
                answers=form.answers(),
                difficulty=form.cleaned_data["difficulty"],
                visibility=form.cleaned_data["visibility"],
            )
        except wellbeing.WellbeingError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("checkins:phq9_result", pk=response.pk)
    return TemplateResponse(
        request,
        "checkins/phq9.html",
        {"form": form, "stem": phq9.STEM, "notice": phq9.NOTICE, "citation": phq9.CITATION, **_crisis_context(request)},
    )


@partner_required
@require_GET
def phq9_result(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    response = get_visible_or_404(Phq9Response, request.user, pk=pk)
    return render(
        request,
        "checkins/phq9_result.html",
        {"response": response, "notice": phq9.NOTICE, "max_total": phq9.MAX_TOTAL, **_crisis_context(request)},
    )


@partner_required
@require_POST
def wellbeing_offer(request: PartnerHttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    if action == "not_now":
        wellbeing.not_now(request.user)
        messages.success(request, _("We won't ask again for two weeks."))
    elif action == "settings":
        form = OfferForm(request.POST)
        form.is_valid()
        offered = bool(form.cleaned_data.get("offered"))
        wellbeing.set_offered(request.user, offered)
        messages.success(
            request,
            _("We'll offer it every two weeks.")
            if offered
            else _("We won't offer it again. It's here whenever you want it."),
        )
    else:
        messages.error(request, _("That didn't work. Please try again."))
        return redirect("checkins:wellbeing")
    return redirect(_next(request) or reverse("checkins:wellbeing"))


@partner_required
def to_bring_toggle(request: PartnerHttpRequest, kind: str, pk: int) -> HttpResponse:
    membership: Partner = request.membership
    entry = to_bring.entry_for(kind, pk, request.user)
    if refusal := refuse_unless_post(request):
        return refusal
    try:
        marked = to_bring.toggle(kind=kind, entry=entry, membership=membership)
    except to_bring.ToBringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Marked to bring to your therapist. It's listed in their brief for your next session.")
            if marked
            else _("No longer marked to bring to your therapist."),
        )
    return redirect(_next(request) or reverse("home"))


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""
