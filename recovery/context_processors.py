from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from recovery.access import couple_of


def mend(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "current_couple": couple_of(user) if user is not None else None,
    }
