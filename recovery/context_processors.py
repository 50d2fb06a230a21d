from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from recovery.access import membership_of
from recovery.sessions import elapsed_since_touch

# The idle warning shows this long before the session ends (less when the timeout itself is short).
IDLE_WARNING_SECONDS = 120


def mend(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    context: dict[str, object] = {
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "invitation_valid_days": settings.INVITATION_VALID_DAYS,
        "account_restore_days": settings.ACCOUNT_RESTORE_DAYS,  # allauth's "account inactive" page says it
    }
    if user is None or not user.is_authenticated:
        context["layout_key"] = layout_key(menu="guest", section="", on_trigger_page=False, warning_minutes=0)
        return context
    idle_seconds = settings.SESSION_COOKIE_AGE
    warning_seconds = min(IDLE_WARNING_SECONDS, idle_seconds // 2)
    section = nav_section(request)
    on_trigger_page = getattr(request.resolver_match, "view_name", None) == "checkins:trigger_new"
    context.update(
        {
            # Which menu to show; called only when the menu is drawn, and cached for the request.
            "in_couple": lambda: membership_of(user) is not None,
            "nav_section": section,
            "on_trigger_page": on_trigger_page,
            # What the layout's cached fragments depend on, worked out (one look at the membership) only when
            # the layout is drawn: never on a redirect or a download.
            "layout_key": SimpleLazyObject(
                lambda: layout_key(
                    menu="therapist" if user.is_therapist else "couple" if membership_of(user) else "alone",
                    section=section,
                    on_trigger_page=on_trigger_page,
                    warning_minutes=warning_seconds // 60,
                )
            ),
            # static/js/mend.js warns before the server ends an idle session (SESSION_COOKIE_AGE, pushed
            # forward by activity) and then leaves for the log-in page…
            "idle_seconds": idle_seconds,
            # …counted from the session's last touch, which may be up to a minute ago (recovery/sessions.py).
            "idle_elapsed_seconds": elapsed_since_touch(request),
            "idle_warning_seconds": warning_seconds,
            "idle_warning_minutes": warning_seconds // 60,
            "draft_key": draft_key(user),
        }
    )
    return context


def layout_key(*, menu: str, section: str, on_trigger_page: bool, warning_minutes: int) -> str:
    """Everything the page layout's cached fragments (templates/base.html) are drawn from, as one key: the
    language, the menu (a guest's, a therapist's, a partner's, or someone's not yet in a couple), the section it
    marks, whether this is the trigger page, the quick-exit address and the idle warning's minutes. Nothing a
    person wrote, and nothing about them beyond which menu they see."""
    return "|".join(
        [get_language() or "", menu, section, "trigger" if on_trigger_page else "", settings.QUICK_EXIT_URL,
         str(warning_minutes)]
    )  # fmt: skip


# The main menu's sections, by URL name: the menu marks the one the page belongs to.
_SECTIONS = {
    "home": "home",
    "therapist_home": "caseload",
    "therapist_couple": "caseload",
    "care_team": "care",
    "care_seen": "care",
    "checkins:check_in": "checkins",
    "checkins:history": "checkins",
    "checkins:weekly_review": "checkins",
    "checkins:reviews": "checkins",
    "checkins:reminders": "reminders",
    "profile": "account",
    "checkins:triggers": "checkins",
    "checkins:trigger_edit": "checkins",
    "checkins:dates": "account",
    "checkins:date_edit": "account",
}


def nav_section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.app_name == "plans":
        return "plan"
    if match.view_name in _SECTIONS:
        return _SECTIONS[match.view_name]
    # allauth's account pages (e-mail, password, two-step sign-in, devices) belong to "Profile and security".
    return "account" if request.path.startswith("/accounts/") else ""


def draft_key(user: AbstractBaseUser) -> str:
    """An AES-256 key (hex) for carrying a half-written form across a log-in after an idle timeout.

    The browser holds the encrypted draft only between the timeout and signing in again, and this key
    only on the person's own signed-in pages: whoever comes to an unattended screen finds neither the
    words nor the key, and someone else signing in on it can't read them. It changes with the password.
    """
    return salted_hmac(
        "mend.idle-draft",
        f"{user.pk}:{user.get_session_auth_hash()}",
        algorithm="sha256",
    ).hexdigest()
