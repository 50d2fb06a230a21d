from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

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
        return context
    idle_seconds = settings.SESSION_COOKIE_AGE
    warning_seconds = min(IDLE_WARNING_SECONDS, idle_seconds // 2)
    context.update(
        {
            # Which menu to show; called only when the menu is drawn, and cached for the request.
            "in_couple": lambda: membership_of(user) is not None,
            "nav_section": nav_section(request),
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
