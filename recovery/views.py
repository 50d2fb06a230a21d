"""Pages of the couple space. Thin: access questions go to access.py, writes to couples.py and
invitations.py."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from recovery import couples, invitations, sessions
from recovery.access import get_visible_or_404, membership_of, other_partner, previous_membership
from recovery.adapters import PENDING_INVITATION_SESSION_KEY
from recovery.composition import account, home_page
from recovery.decorators import AuthedHttpRequest, PartnerHttpRequest, partner_required, refuse_unless_post
from recovery.forms import InvitePartnerForm, ProfileForm, StartCoupleForm
from recovery.middleware import clear_site_data
from recovery.models import Couple, Invitation


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return render(request, "recovery/landing.html")
    if user.is_therapist:
        return redirect("therapist_home")
    membership = membership_of(user)
    if membership is None:
        return redirect("start")
    partner = other_partner(user)
    open_invitation = None if partner else _open_invitation(request)
    return render(request, "recovery/home.html", home_page.home_context(user, membership, partner, open_invitation))


def _open_invitation(request: HttpRequest) -> Invitation | None:
    return (
        Invitation.objects.visible_to(request.user).filter(accepted_at__isnull=True, cancelled_at__isnull=True).first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if user.is_therapist or membership_of(user) is not None:
        return redirect("home")
    form = StartCoupleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            couples.create_couple(user=user, situation=form.cleaned_data["situation"])
        except couples.CoupleError as exc:
            messages.error(request, str(exc))
            return redirect("home")
        messages.success(request, _("Your shared space is ready. Next, invite your partner."))
        return redirect("invite_partner")
    previous = previous_membership(user)
    kept_until = (
        previous.left_at + timedelta(days=settings.CLOSED_SPACE_KEPT_DAYS) if previous and previous.left_at else None
    )
    return TemplateResponse(  # a form with errors answers 400 (recovery/middleware.py)
        request,
        "recovery/start.html",
        {
            "form": form,
            "previous": previous,
            # Until the closed space is erased (erasure.erase_due_spaces), the person's own entries wait there.
            "previous_kept_until": kept_until if kept_until and kept_until > timezone.now() else None,
        },
    )


@partner_required
@require_http_methods(["GET", "POST"])
def invite_partner(request: PartnerHttpRequest) -> HttpResponse:
    couple: Couple = request.membership.couple
    if other_partner(request.user) is not None:
        messages.info(request, _("Your partner has already joined your shared space."))
        return redirect("home")
    form = InvitePartnerForm(request.POST if request.method == "POST" else None, user=request.user)
    status = 200  # or 429 for too many; a form with errors answers 400 (recovery/middleware.py)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not _may_send_invitation(request, email):
            form.add_error(None, _invite_problem_message("too_many"))
            status = 429
        else:
            try:
                invitation, _token = invitations.invite_partner(couple=couple, invited_by=request.user, email=email)
            except invitations.InvitationProblem as problem:
                if problem.code == "just_sent":
                    messages.info(request, _invite_problem_message("just_sent"))
                    return redirect("home")
                form.add_error(None, _invite_problem_message(problem.code))
            else:
                _report_sent(request, invitation)
                return redirect("home")
    return TemplateResponse(
        request, "recovery/invite.html", {"form": form, "open_invitation": _open_invitation(request)}, status=status
    )


def _may_send_invitation(request: HttpRequest, email: str) -> bool:
    """Invitation e-mails are limited per person and per address (ACCOUNT_RATE_LIMITS), so Mend can't
    be used to flood someone's inbox."""
    return ratelimit.consume(request, action="mend_invitation", key=email.lower(), user=request.user)


def _invite_problem_message(code: str) -> str:
    return {
        "self": _("That's your own address. Please enter your partner's."),
        "full": _("Your partner has already joined your shared space."),
        "space_closed": _("This shared space has been closed."),
        "race": _("Another invitation was being sent at the same moment. Please check the page and try again."),
        "just_sent": _("We sent that invitation a moment ago. E-mails can take a few minutes to arrive."),
        "too_many": _(
            "You've sent several invitations recently. To protect everyone's inbox, please wait an hour and try again."
        ),
    }.get(code, _("That invitation couldn't be sent. Please try again."))


def _report_sent(request: HttpRequest, invitation: Invitation) -> None:
    messages.success(
        request,
        _("We're sending an invitation to %(email)s. The link works for %(days)s days.")
        % {"email": invitation.email, "days": settings.INVITATION_VALID_DAYS},
    )


@login_required
def invitation_resend(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    # The object is found (or 404) before the method is checked: outsiders learn nothing either way.
    invitation = get_visible_or_404(Invitation, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    if not _may_send_invitation(request, invitation.email):
        messages.error(request, _invite_problem_message("too_many"))
        return redirect("home")
    try:
        invitation, _token = invitations.resend_invitation(invitation=invitation)
    except invitations.InvitationProblem as problem:
        if problem.code == "just_sent":
            messages.info(request, _invite_problem_message("just_sent"))
        else:
            messages.info(request, _("That invitation has already been used or replaced by a newer one."))
        return redirect("home")
    _report_sent(request, invitation)
    return redirect("home")


@login_required
def invitation_cancel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invitation = get_visible_or_404(Invitation, request.user, pk=pk)
    if refusal := refuse_unless_post(request):
        return refusal
    try:
        invitations.cancel_invitation(invitation=invitation)
    except invitations.InvitationProblem:
        messages.info(request, _("That invitation had already been used or cancelled."))
    else:
        messages.success(request, _("The invitation is cancelled. Its link no longer works."))
    return redirect("home")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.find_by_token(token)
    if invitation is None:
        return _invitation_problem(request, "invalid", None, status=404)
    try:
        invitations.check_usable(invitation)
    except invitations.InvitationProblem as problem:
        return _invitation_problem(request, problem.code, invitation, status=410)

    if not request.user.is_authenticated:
        # Remember the link through sign-up or log-in, and count the invited address as verified:
        # the link could only have been opened from that inbox.
        request.session[PENDING_INVITATION_SESSION_KEY] = token
        get_account_adapter(request).stash_verified_email(request, invitation.email)
        accept_url = reverse("invitation_accept", args=[token])
        return render(
            request,
            "recovery/invitation_welcome.html",
            {
                "invitation": invitation,
                "signup_url": reverse("account_signup") + "?" + urlencode({"email": invitation.email}),
                "login_url": reverse("account_login") + "?" + urlencode({"next": accept_url}),
            },
        )

    try:
        invitations.check_acceptable_by(invitation, request.user)
    except invitations.InvitationProblem as problem:
        return _invitation_problem(request, problem.code, invitation, status=409)

    if request.method == "POST":
        try:
            account.join_couple(invitation=invitation, user=request.user)
        except invitations.InvitationProblem as problem:
            return _invitation_problem(request, problem.code, invitation, status=409)
        request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        messages.success(request, _("Welcome. You've joined your shared space."))
        return redirect("home")

    first = invitations.inviter_of(invitation)
    return render(
        request,
        "recovery/invitation_accept.html",
        {
            "invitation": invitation,
            "inviter": first,
            "your_role": couples.role_for_second_partner(invitation.couple, first),
        },
    )


def _invitation_problem(request: HttpRequest, code: str, invitation: Invitation | None, *, status: int) -> HttpResponse:
    request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
    return render(
        request,
        "recovery/invitation_problem.html",
        {
            "code": code,
            "invitation": invitation,
            "masked_email": invitations.mask_email(invitation.email) if invitation else "",
        },
        status=status,
    )


@partner_required
@require_http_methods(["GET", "POST"])
def pause(request: PartnerHttpRequest) -> HttpResponse:
    couple: Couple = request.membership.couple
    if request.method == "POST":
        try:
            couples.pause_couple(couple=couple, by=request.user)
        except couples.CoupleError as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, _("Your space is paused. Either of you can resume whenever you're ready."))
        return redirect("home")
    if couple.status != Couple.Status.ACTIVE:
        return redirect("home")
    return render(request, "recovery/pause_confirm.html", {"couple": couple})


@partner_required
def resume(request: PartnerHttpRequest) -> HttpResponse:
    if refusal := refuse_unless_post(request):
        return refusal
    try:
        couples.resume_couple(couple=request.membership.couple, by=request.user)
    except couples.CoupleError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, _("Welcome back. Your space is active again."))
    return redirect("home")


@partner_required
@require_http_methods(["GET", "POST"])
def end(request: PartnerHttpRequest) -> HttpResponse:
    couple: Couple = request.membership.couple
    if request.method == "POST":
        try:
            couples.end_couple(couple=couple, by=request.user)
        except couples.CoupleError as exc:
            messages.info(request, str(exc))
            return redirect("home")
        messages.success(
            request,
            _("Your shared space is closed. Whatever comes next, we hope you're looking after yourself."),
        )
        return redirect("home")
    return render(
        request,
        "recovery/end_confirm.html",
        {"couple": couple, "partner": other_partner(request.user), "space_days": settings.CLOSED_SPACE_KEPT_DAYS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        account.save_profile(form)
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return TemplateResponse(request, "recovery/profile.html", {"form": form})  # errors: 400 (middleware)


@csrf_exempt  # leaving must never fail on a stale form token; a forced sign-out harms no one
@require_http_methods(["GET", "POST"])
def quick_exit(request: HttpRequest) -> HttpResponse:
    """Leave for a neutral site at once. A POST (the button) also signs the person out.

    The POST also tells the browser to forget Mend's pages, cookies and stored data, whether or not
    anyone was signed in: leaving should leave nothing behind on a shared device.
    """
    if request.method == "POST":
        logout(request)
        return clear_site_data(render(request, "recovery/quick_exit.html"))
    return render(request, "recovery/quick_exit.html")


@login_required
@require_POST
def keep_session_alive(request: AuthedHttpRequest) -> HttpResponse:
    """Answers "Stay logged in" on the idle warning, and typing in a long form: pushes the session's expiry
    forward now (other requests do so at most once a minute: recovery/sessions.py). An ended session gets
    the log-in redirect, which tells static/js/mend.js to leave for the log-in page."""
    sessions.touch(request)
    return HttpResponse(status=204)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
