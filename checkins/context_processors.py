"""What every page of a signed-in person may show from check-ins: the partner's shared triggers waiting for a
word (checkins/triggers.py). Lazy: one query, and only on pages that draw the prompt (partners' pages)."""

from __future__ import annotations

from django.http import HttpRequest

from checkins.triggers import open_prompts


def triggers(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"trigger_prompts": lambda: open_prompts(user)}
