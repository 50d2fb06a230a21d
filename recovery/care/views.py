"""Care-team pages: the couple's side (invite, consent, end, who has seen our data) and the
therapist's (accept, caseload, a couple's read-only summary)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from checkins import phq9
from recovery.access import (
    get_care_couple_or_404,
    get_visible_or_404,
    has_second_step,
    membership_of,
    other_partner,
    therapist_couple_ids,
    waiting_care_accesses,
)
from recovery.adapters import PENDING_CARE_SESSION_KEY
from recovery.care import brief_pdf, caseload, session_brief
from recovery.care import consent as care
from recovery.care import summary as care_summary
from recovery.care.forms import InviteTherapistForm, LastSessionForm, TherapistProfileForm
from recovery.decorators import AuthedHttpRequest, PartnerHttpRequest, partner_required, refuse_unless_post
from recovery.invitations import mask_email, owns_verified_address
from recovery.models import CareTeamAccess, Couple, Partner

# --- the couple's side -------------------------------------------------------------------------------


@partner_required
@require_http_methods(["GET", "POST"])
def care_team(request: PartnerHttpRequest) -> HttpResponse:
    membership: Partner = request.membership
    form = InviteTherapistForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            care.invite_therapist(couple=membership.couple, by=request.user, email=form.cleaned_data["email"])
        except care.CareError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Invitation sent. Access starts only when you have both agreed."))
            return redirect("care_team")
    partner_ids = {p.user_id for p in membership.couple.partners.filter(left_at__isnull=True)}
    accesses = list(
        CareTeamAccess.objects.visible_to(request.user)
        .select_related("therapist__therapist_profile", "invited_by", "ended_by", "couple")
        .prefetch_related("consents")
        .order_by("-created_at")
    )
    for access in accesses:
        access.state = care.status_of(access, partner_ids)
        access.i_consented = any(c.partner_id == request.user.pk for c in access.consents.all())
    return TemplateResponse(  # a form with errors answers 400 (recovery/middleware.py)
        request, "care/care_team.html", {"form": form, "accesses": accesses, "partner": other_partner(request.user)}
    )


@partner_required
def care_consent(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    access = get_visible_or_404(CareTeamAccess, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    try:
        care.consent(access=access, partner=request.user)
    except care.CareError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, _("You've agreed. The therapist can see your progress once you both have."))
    return redirect("care_team")


@partner_required
def care_end(request: PartnerHttpRequest, pk: int) -> HttpResponse:
    access = get_visible_or_404(CareTeamAccess, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    care.end(access=access, by=request.user)
    messages.success(request, _("Access has ended. Nothing more can be seen from now on."))
    return redirect("care_team")


@partner_required
@require_GET
def care_seen(request: PartnerHttpRequest) -> HttpResponse:
    everything = request.GET.get("all") == "1"
    return render(
        request,
        "care/care_seen.html",
        {"days": care.looks_by_day(request.user, everything=everything), "everything": everything,
         "seen_days": care.SEEN_DAYS},
    )  # fmt: skip


# --- the therapist's side ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def care_accept(request: HttpRequest, token: str) -> HttpResponse:
    access = care.find_by_token(token)
    if access is None or access.ended_at or access.therapist_id or access.expires_at <= timezone.now():
        request.session.pop(PENDING_CARE_SESSION_KEY, None)
        return render(request, "care/care_accept.html", {"problem": True}, status=404 if access is None else 410)
    if not request.user.is_authenticated:
        # Remember the link through sign-up or log-in; signing up from it with the invited address counts
        # as confirming that address (the link could only have been opened from that inbox).
        request.session[PENDING_CARE_SESSION_KEY] = token
        get_account_adapter(request).stash_verified_email(request, access.email)
        here = reverse("care_accept", args=[token])
        return render(
            request,
            "care/care_accept.html",
            {
                "signup_url": reverse("account_signup") + "?" + urlencode({"email": access.email, "next": here}),
                "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
            },
        )
    if membership_of(request.user) is not None:
        return render(request, "care/care_accept.html", {"is_partner": True}, status=409)
    if not request.user.is_therapist:
        return redirect(reverse("therapist_join") + "?" + urlencode({"next": request.path}))
    if not owns_verified_address(request.user, access.email):
        request.session.pop(PENDING_CARE_SESSION_KEY, None)
        return render(
            request,
            "recovery/invitation_problem.html",
            {"code": "mismatch", "masked_email": mask_email(access.email)},
            status=409,
        )
    if request.method == "POST":
        try:
            care.accept(access=access, therapist=request.user)
        except care.CareError as exc:
            messages.error(request, str(exc))
            return redirect("therapist_home")
        request.session.pop(PENDING_CARE_SESSION_KEY, None)
        messages.success(
            request,
            _("Accepted. You'll see %(name)s's progress once both partners have agreed.")
            % {"name": access.invited_by.get_short_name()},
        )
        return redirect("therapist_home")
    return render(request, "care/care_accept.html", {"access": access, "confirm": True})


@login_required
@require_http_methods(["GET", "POST"])
def therapist_join(request: AuthedHttpRequest) -> HttpResponse:
    """Therapists' own path: a signed-in person without a couple space adds their practice details."""
    if request.user.is_therapist:
        return redirect("therapist_home")
    if membership_of(request.user) is not None:
        messages.info(request, _("This account belongs to a couple's space, so it can't also be a therapist account."))
        return redirect("home")
    form = TherapistProfileForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        care.become_therapist(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your therapist account is ready. Next, turn on two-step sign-in."))
        next_url = request.GET.get("next", "")
        return redirect(next_url if next_url.startswith("/care/invitation/") else "therapist_home")
    return TemplateResponse(request, "care/therapist_join.html", {"form": form})  # errors: 400 (middleware)


def therapist_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_therapist:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@therapist_required
@require_GET
def therapist_home(request: AuthedHttpRequest) -> HttpResponse:
    mfa_on = has_second_step(request.user)
    summaries = caseload.caseload(request.user) if mfa_on else []
    care.record_views(request, [summary.couple for summary in summaries], care.VIEWED_CASELOAD)
    return render(
        request,
        "care/therapist_home.html",
        {"couples": caseload.for_page(summaries), "mfa_on": mfa_on, "waiting": waiting_care_accesses(request.user)},
    )


@therapist_required
@require_GET
def therapist_couple(request: AuthedHttpRequest, couple_id: int) -> HttpResponse:
    if couple_id not in therapist_couple_ids(request.user) and care.access_ended_for(request.user, couple_id):
        # They knew this couple; say in words that access ended, rather than an unexplained 404.
        return render(request, "care/therapist_access_ended.html", status=410)
    couple = get_care_couple_or_404(request.user, couple_id)
    care.record_view(request, couple, care.VIEWED_SUMMARY)
    return render(request, "care/therapist_couple.html", care_summary.summary_for(request.user, couple))


@therapist_required
def therapist_end(request: AuthedHttpRequest, couple_id: int) -> HttpResponse:
    couple = get_care_couple_or_404(request.user, couple_id)
    if refusal := refuse_unless_post(request):
        return refusal
    for access in CareTeamAccess.objects.filter(couple=couple, therapist=request.user, ended_at__isnull=True):
        care.end(access=access, by=request.user)
    messages.success(request, _("You've ended your access to this couple's progress."))
    return redirect("therapist_home")


# --- the session brief ---------------------------------------------------------------------------------------


def _care_couple_or_ended(request: AuthedHttpRequest, couple_id: int) -> Couple | HttpResponse:
    """The couple (or the "access ended" page for a therapist who once had it, or a 404)."""
    if couple_id not in therapist_couple_ids(request.user) and care.access_ended_for(request.user, couple_id):
        return render(request, "care/therapist_access_ended.html", status=410)
    return get_care_couple_or_404(request.user, couple_id)


@therapist_required
@require_GET
def therapist_brief(request: AuthedHttpRequest, couple_id: int) -> HttpResponse:
    couple = _care_couple_or_ended(request, couple_id)
    if isinstance(couple, HttpResponse):
        return couple
    brief = session_brief.brief_for(request.user, couple)  # before recording this look: "since" is the one before
    care.record_view(request, couple, care.VIEWED_BRIEF)
    form = LastSessionForm(initial={"last_session_on": brief.since}, today=brief.today)
    return render(
        request,
        "care/therapist_brief.html",
        {
            "brief": brief,
            "couple": couple,
            "form": form,
            "since_text": brief_pdf.since_text(brief),
            "phq9_notice": phq9.NOTICE,
        },
    )


@therapist_required
@require_GET
def therapist_brief_pdf(request: AuthedHttpRequest, couple_id: int) -> HttpResponse:
    couple = _care_couple_or_ended(request, couple_id)
    if isinstance(couple, HttpResponse):
        return couple
    brief = session_brief.brief_for(request.user, couple)
    care.record_view(request, couple, care.VIEWED_BRIEF_PDF)
    response = HttpResponse(brief_pdf.render(brief), content_type="application/pdf")
    # A download, never shown inline or kept by a browser or proxy: the file names no one.
    response["Content-Disposition"] = f'attachment; filename="mend-session-brief-{brief.today.isoformat()}.pdf"'
    add_never_cache_headers(response)  # no-store (the middleware says so for every response too)
    return response


@therapist_required
def therapist_last_session(request: AuthedHttpRequest, couple_id: int) -> HttpResponse:
    couple = get_care_couple_or_404(request.user, couple_id)
    if refusal := refuse_unless_post(request):
        return refusal
    today = session_brief.local_today(request.user)
    form = LastSessionForm(request.POST, today=today)
    if form.is_valid():
        session_brief.set_last_session(therapist=request.user, couple=couple, on=form.cleaned_data["last_session_on"])
        messages.success(request, _("Saved. The brief now shows what changed since then."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("last_session_on", [])))
    return redirect("therapist_brief", couple_id=couple.pk)
