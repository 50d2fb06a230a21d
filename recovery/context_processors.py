from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def mend(request: HttpRequest) -> dict[str, object]:
    return {
        "quick_exit_url": settings.QUICK_EXIT_URL,
        # Signed-in pages leave for the log-in page a little after the idle timeout, so nothing
        # private stays on an unattended screen.
        "idle_refresh_seconds": settings.SESSION_COOKIE_AGE + 5,
        "invitation_valid_days": settings.INVITATION_VALID_DAYS,
        "account_restore_days": settings.ACCOUNT_RESTORE_DAYS,  # allauth's "account inactive" page says it
    }
