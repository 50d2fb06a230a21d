"""A choice field's label, as `get_FOO_display()` shows it, from a table kept per field and language.

Django's `get_FOO_display()` rebuilds the field's whole choices table on every call, hashing each lazy label
(a translation lookup each): a list of eighty check-ins asked for some 700 translations to show two labels
per entry (issue 14). The labels are the same for everyone in a language, so each field's table is built
once per language and process.
"""

from __future__ import annotations

from django import template
from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import get_language

register = template.Library()

_TABLES: dict[tuple[str, str, str | None], dict[object, str]] = {}


@register.filter
def display(instance: models.Model, field_name: str) -> str:
    """`{{ entry|display:"mood" }}` shows what `{{ entry.get_mood_display }}` would."""
    key = (instance._meta.label, field_name, get_language())
    table = _TABLES.get(key)
    if table is None:
        field = instance._meta.get_field(field_name)
        assert isinstance(field, models.Field) and field.choices, f"{key[0]}.{field_name} has no choices"
        table = _TABLES[key] = {value: force_str(label) for value, label in field.flatchoices}
    value = getattr(instance, field_name)
    return table[value] if value in table else force_str(value)
