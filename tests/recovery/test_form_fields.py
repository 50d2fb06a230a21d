"""Issue 14: `choice_input` draws a choice's `<input>` in Python, byte for byte what Django's option templates
draw (`{{ option.tag }}`), for every radio button and check box Mend shows, chosen or not, with or without
errors, and for values and attributes that need escaping."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django import forms

from checkins.forms import DailyCheckInForm, DateThatMattersForm, HolidayNotesForm, TriggerForm, WeeklyReviewForm
from recovery.templatetags.form_fields import choice_input


class Awkward(forms.Form):
    radio = forms.ChoiceField(
        choices=[("a&b", 'A "quoted" <choice>'), ("<b>", "B"), (3, "three")],
        widget=forms.RadioSelect(attrs={"class": "x y", "data-note": 'it\'s "<odd>"', "hidden": True}),
        help_text="Help & more",
    )
    optional = forms.ChoiceField(choices=[("", "none"), ("1", "one")], widget=forms.RadioSelect, required=False)
    boxes = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple)
    frozen = forms.ChoiceField(choices=[("1", "one")], widget=forms.RadioSelect, disabled=True, initial="1")


def _forms() -> list[forms.BaseForm]:
    london = ZoneInfo("Europe/London")
    return [
        Awkward(),
        Awkward(data={"radio": "<b>", "boxes": ["y"]}),
        Awkward(data={"radio": "not a choice", "boxes": ["z"]}),  # errors
        DailyCheckInForm(show_shared_unprompted=True),
        DailyCheckInForm(data={"mood": "3", "trust": "7", "visibility": "partner"}, show_shared_unprompted=True),
        WeeklyReviewForm(is_involved=True),
        WeeklyReviewForm(data={"visibility": "only_me"}, is_involved=False),
        TriggerForm(zone=london),
        TriggerForm(data={"strength": "9"}, zone=london),
        DateThatMattersForm(),
        HolidayNotesForm(),
        HolidayNotesForm(data={"notes": ["nonsense"]}),
    ]


@pytest.mark.django_db
def test_each_option_is_drawn_exactly_as_django_draws_it() -> None:
    drawn = 0
    for form in _forms():
        form.is_bound and form.is_valid()  # errors as the page would show them
        for field in form:
            if not isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            for option in field:
                assert choice_input(option) == option.tag(), (type(form).__name__, field.name)
                drawn += 1
    assert drawn > 60  # the check-in's scales alone have 33 options


def test_an_option_drawn_by_another_template_is_left_to_django() -> None:
    class Own(forms.RadioSelect):
        option_template_name = "django/forms/widgets/input.html"

    field = forms.Form()
    field.fields["pick"] = forms.ChoiceField(choices=[("1", "one")], widget=Own)
    option = next(iter(field["pick"]))
    assert choice_input(option) == option.tag()
