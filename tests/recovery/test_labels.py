"""Issue 14: the `display` filter shows exactly what Django's `get_FOO_display()` does, for every choice of
every choice field of Mend's models, and a value outside the choices as Django shows it (the value itself)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.template import Context, Template
from django.utils import translation

from recovery.templatetags.labels import _TABLES, display

FIELDS = [
    (model, field)
    for model in apps.get_models()
    if model._meta.app_label in {"recovery", "plans", "checkins"}
    for field in model._meta.get_fields()
    if isinstance(field, models.Field) and field.choices and not field.is_relation
]


def test_there_are_choice_fields_to_compare() -> None:
    assert len(FIELDS) >= 10


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m._meta.label}.{f.name}" for m, f in FIELDS])
def test_every_choice_shows_what_get_display_shows(model: type[models.Model], field: models.Field) -> None:
    for value, _label in [*field.flatchoices, ("not-a-choice", None)]:
        instance = model()
        setattr(instance, field.attname, value)
        expected = getattr(instance, f"get_{field.name}_display")()
        assert display(instance, field.name) == expected
        assert display(instance, field.name) == expected  # and from the kept table, the same


def test_in_a_template_it_is_escaped_like_any_value() -> None:
    from checkins.models import DailyCheckIn

    entry = DailyCheckIn(mood=5, visibility="<b>")
    html = Template('{% load labels %}{{ e|display:"mood" }} / {{ e|display:"visibility" }}').render(
        Context({"e": entry})
    )
    assert html == f"{entry.get_mood_display()} / &lt;b&gt;"


def test_the_kept_table_is_per_language() -> None:
    """A second language, when Mend has one, gets a table of its own, never the first one's labels."""
    from checkins.models import DailyCheckIn

    entry = DailyCheckIn(visibility="partner")
    for language in ("en", "de"):
        with translation.override(language):
            assert display(entry, "visibility") == entry.get_visibility_display()
    assert {("checkins.DailyCheckIn", "visibility", "en"), ("checkins.DailyCheckIn", "visibility", "de")} <= set(
        _TABLES
    )
