from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect

from recovery.access import membership_of
from recovery.models import Partner, User

View = Callable[..., HttpResponse]


class AuthedHttpRequest(HttpRequest):
    """The request a view behind `login_required` (or `partner_required`, `therapist_required`) receives:
    its `user` is a signed-in Mend `User`, never `AnonymousUser`. A type for annotations only; Django
    still builds a plain `HttpRequest`."""

    user: User


class PartnerHttpRequest(AuthedHttpRequest):
    """The request a `partner_required` view receives: also carries the signed-in partner's membership."""

    membership: Partner


def partner_required(view: View) -> View:
    """Signed in and a member of a couple space; anyone else is sent to the start page."""

    @login_required
    @wraps(view)
    def wrapped(request: PartnerHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = membership_of(request.user)
        if membership is None:
            return redirect("home")
        request.membership = membership
        return view(request, *args, **kwargs)

    return wrapped


def refuse_unless_post(request: HttpRequest) -> HttpResponse | None:
    """For action URLs that check the object first (another couple's is a 404 whatever the method),
    then accept only POST."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])
