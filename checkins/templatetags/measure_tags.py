"""The CSI-4's scale in templates, from checkins/measures.py (the one place its distress line is defined):
`{{ total|below_distress_line }}`, and `{% csi4_scale as csi4 %}` for `csi4.cutoff` and `csi4.max` in text."""

from __future__ import annotations

from django import template

from checkins import measures

register = template.Library()


@register.filter
def below_distress_line(total: float | None) -> bool:
    return total is not None and measures.is_distressed(total)


@register.simple_tag
def csi4_scale() -> dict[str, float]:
    return {"cutoff": measures.DISTRESS_CUTOFF, "max": measures.MAX_TOTAL}
