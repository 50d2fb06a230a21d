"""The "bring this to our therapist" toggle's state on pages of other apps (a question page in plans): the page
asks here, so plans needs no import of checkins."""

from __future__ import annotations

from typing import Any

from django import template

from checkins import to_bring

register = template.Library()


@register.simple_tag(takes_context=True)
def bring_state(context: template.Context, kind: str, entry: to_bring.Entry) -> dict[str, bool]:
    """Whether the person on this page may mark the entry, and whether they have (`may`, `marked`)."""
    request: Any = context["request"]
    membership = getattr(request, "membership", None)
    if membership is None or not to_bring.may_mark(entry, membership):
        return {"may": False, "marked": False}
    return {"may": True, "marked": to_bring.is_marked(kind, entry, membership)}
