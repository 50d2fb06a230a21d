"""Drawing a radio button or check box of a choice field without a template per option.

Django draws each option through three small templates (the option, the input, its attributes); a check-in's
scales have 30 options, and those renders cost more than the rest of the page's own work (issue 14). This
writes the same `<input>` Django's `input.html` and `attrs.html` would, escaped the same way; an option drawn
by any other template is left to Django.
"""

from __future__ import annotations

from django import template
from django.forms.boundfield import BoundWidget
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The option templates that draw nothing but django/forms/widgets/input.html when the label isn't wrapped.
_PLAIN_OPTIONS = {"django/forms/widgets/radio_option.html", "django/forms/widgets/checkbox_option.html"}


@register.filter
def choice_input(option: BoundWidget) -> SafeString:
    """The option's `<input>`, exactly as `{{ option.tag }}` draws it."""
    data = option.data
    if data.get("template_name") not in _PLAIN_OPTIONS:
        return option.tag()
    parts: list[str] = [format_html('<input type="{}" name="{}"', data["type"], data["name"])]
    if data["value"] is not None:
        parts.append(format_html(' value="{}"', str(data["value"])))
    for name, value in data["attrs"].items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value is not False:
            parts.append(format_html(' {}="{}"', name, str(value)))
    parts.append(">")
    return mark_safe("".join(parts))  # every part above was escaped by format_html
