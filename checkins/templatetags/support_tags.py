from __future__ import annotations

from django import template

from checkins import support

register = template.Library()


@register.filter
def shows_support_box(step_slug: str) -> bool:
    """Whether a plan step carries the "If it's more than a hard day" box (listed in support.toml)."""
    return support.shows_support_box(step_slug)
