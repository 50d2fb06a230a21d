"""Pages of "Your data": download it, delete the account (and restore it), and the privacy page.

Thin: the work is in data_export.py, closing.py and erasure.py. Downloading and closing ask for the
password (or second step) again first — allauth's re-authentication — because a session left open on a
shared device must not be enough to take someone's words away, or to end their account.
"""

from __future__ import annotations

import contextlib

from allauth.account.decorators import reauthentication_required
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from recovery.access import membership_of, other_partner
from recovery.composition import closing, data_export
from recovery.decorators import AuthedHttpRequest
from recovery.forms import CloseAccountForm
from recovery.models import DataExport


def _durations() -> dict[str, int]:
    return {
        "export_hours": settings.DATA_EXPORT_VALID_HOURS,
        "restore_days": settings.ACCOUNT_RESTORE_DAYS,
        "space_days": settings.CLOSED_SPACE_KEPT_DAYS,
    }


@login_required
@reauthentication_required(allow_get=True)  # reading the page is free; asking for a download is not
@require_http_methods(["GET", "POST"])
def my_data(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "prepare":
            if not ratelimit.consume(request, action="mend_data_export", user=request.user):
                messages.error(request, _("You've asked for several downloads today. Please try again tomorrow."))
                return redirect("my_data")
            data_export.request_export(user=request.user)
            messages.success(
                request,
                _("We're preparing your download. It usually takes a minute or two; we'll e-mail you when it's ready."),
            )
            return redirect("my_data")
        if action == "discard":
            data_export.discard(user=request.user)
            messages.success(request, _("Your download has been deleted."))
            return redirect("my_data")
        return render(request, "recovery/my_data.html", _my_data_context(request), status=400)
    return render(request, "recovery/my_data.html", _my_data_context(request))


def _my_data_context(request: AuthedHttpRequest) -> dict[str, object]:
    membership = membership_of(request.user)
    return {
        "export": data_export.latest_for(request.user),
        "in_space": membership is not None,
        **_durations(),
    }


@login_required
@reauthentication_required
@require_safe
def data_download(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    export = DataExport.objects.select_related("user").filter(pk=pk, user=request.user).first()
    if export is None:
        return render(request, "recovery/download_gone.html", {"reason": "missing", **_durations()}, status=404)
    if export.status != DataExport.Status.READY or export.expires_at is None or export.expires_at <= timezone.now():
        return render(request, "recovery/download_gone.html", {"reason": "expired", **_durations()}, status=410)
    response = HttpResponse(data_export.content_of(export), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{data_export.filename_for(export)}"'
    return response  # no-store, like every response (recovery.middleware.no_store_middleware)


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def account_close(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    form = CloseAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = user.email
        with contextlib.suppress(closing.ClosingError):  # a second tab got there first: closed either way
            closing.close_account(user=user)
        logout(request)
        return render(request, "recovery/account_closed.html", {"email": email, **_durations()})
    partner = other_partner(user)
    return TemplateResponse(  # a form with errors answers 400 (recovery/middleware.py)
        request,
        "recovery/account_close.html",
        {"form": form, "in_space": membership_of(user) is not None, "partner": partner, **_durations()},
    )


@require_http_methods(["GET", "POST"])
def account_restore(request: HttpRequest, token: str) -> HttpResponse:
    """From the e-mail sent on closing. A GET only asks (mail scanners open links); a POST restores."""
    user = closing.find_restorable(token)
    if user is None or user.closed_at is None:  # (a restorable account is a closed one)
        return render(request, "recovery/restore_problem.html", _durations(), status=410)
    if request.method == "POST":
        try:
            closing.restore_account(user=user)
        except closing.ClosingError:
            return render(request, "recovery/restore_problem.html", _durations(), status=410)
        messages.success(request, _("Your account is open again, with everything in it. Log in to continue."))
        return redirect("account_login")
    return render(
        request,
        "recovery/account_restore.html",
        {"deadline": closing.restore_deadline(user.closed_at), "zone": user.time_zone, **_durations()},
    )


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "recovery/privacy.html", _durations())
