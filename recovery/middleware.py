from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import BadRequest
from django.forms import BaseForm, BaseFormSet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control


def no_store_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Nothing Mend renders may be kept by a browser or a proxy: pages hold private words.

    Static files never reach this (whitenoise answers them first), so they stay cacheable.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True, private=True)
        return response

    return middleware


def invalid_form_status_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A page re-rendered because a form on it had errors answers 400, not 200.

    Mend's views and allauth's (sign-up, log-in, password and e-mail pages) alike return a TemplateResponse
    with their forms in the context (as `form`, or under any name when a page has two) and leave the status
    to this middleware.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.method == "POST" and response.status_code == 200 and isinstance(response, TemplateResponse):
            context = response.context_data or {}
            if any(_has_errors(value) for value in context.values()):
                response.status_code = 400
        return response

    return middleware


def _has_errors(value: object) -> bool:
    """A bound form (or formset) that doesn't validate. Asked of the type first, so a lazy value in the context
    is never evaluated here. A bound form the view left unvalidated (allauth's password reset with a dead
    link re-shows the posted form) is validated here, as before: it was sent back, so it answers 400."""
    if not issubclass(type(value), BaseForm | BaseFormSet):
        return False
    assert isinstance(value, BaseForm | BaseFormSet)
    if not value.is_bound:
        return False
    return bool(value.errors) if isinstance(value, BaseForm) else not value.is_valid()


def user_time_zone_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Dates on every page are shown in the signed-in person's own time zone."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(ZoneInfo(user.time_zone))
            except (ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return get_response(request)

    return middleware


def _holds_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def reject_nul_bytes_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A NUL byte in the address, the query string or a submitted form answers 400 (Mend's 400 page).

    No one types a NUL, and PostgreSQL can't store or compare one in text: a search or filter holding
    one failed with a 500 (the admin's lists, for one). Refusing it here covers every page at once.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path_info
            or _holds_nul(request.GET)
            or (request.method == "POST" and _holds_nul(request.POST))
        ):
            raise BadRequest("A NUL byte in the request.")
        return get_response(request)

    return middleware


def drop_nul_cookies_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A cookie holding a NUL byte (a forged session id) is ignored, as if absent: the session lookup would
    otherwise fail on PostgreSQL with a 500 before any page could answer."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
            request.COOKIES = {k: v for k, v in request.COOKIES.items() if "\x00" not in k and "\x00" not in v}
        return get_response(request)

    return middleware


# Tells the browser to forget everything it holds for Mend: cached pages, cookies, local storage.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def clear_site_data(response: HttpResponse) -> HttpResponse:
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


def clear_site_data_on_sign_out_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A request that signed someone out (allauth's log-out, the quick exit) leaves nothing in the browser.

    Someone may share a device with the person they are worried about: once they leave, the browser
    should hold no page, cookie or stored data of Mend's. Keyed on the sign-out itself rather than on
    one URL, so every way out does the same.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = get_response(request)
        if was_signed_in and not request.user.is_authenticated:
            clear_site_data(response)
        return response

    return middleware
