from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _

from checkins.measures import CSI4_ITEMS
from checkins.models import DailyCheckIn, WeeklyReview
from recovery.access import Visibility


class ScaleInput(forms.NumberInput):
    """A 0-10 slider; static/js/mend.js shows its value beside it."""

    input_type = "range"

    def __init__(self, low_label: str, high_label: str) -> None:
        super().__init__(attrs={"min": 0, "max": 10, "step": 1, "data-scale": "true"})
        self.low_label, self.high_label = low_label, high_label


class DailyCheckInForm(forms.ModelForm):
    class Meta:
        model = DailyCheckIn
        fields = [
            "mood", "trust", "closeness", "high", "low", "to_talk_through", "trigger", "trigger_note",
            "shared_unprompted", "visibility",
        ]  # fmt: skip
        widgets = {
            "mood": forms.RadioSelect,
            "trust": ScaleInput(_("none"), _("complete")),
            "closeness": ScaleInput(_("distant"), _("very close")),
            "high": forms.Textarea(attrs={"rows": 2}),
            "low": forms.Textarea(attrs={"rows": 2}),
            "to_talk_through": forms.Textarea(attrs={"rows": 2}),
            "trigger_note": forms.Textarea(attrs={"rows": 2}),
            "shared_unprompted": forms.Textarea(attrs={"rows": 2}),
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "trust": _("0 is none at all, 10 is complete trust."),
            "closeness": _("0 is very distant, 10 is very close."),
            "shared_unprompted": _("Anything you told your partner before they had to ask."),
        }

    def __init__(self, *args: object, show_shared_unprompted: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("trust", "closeness"):
            self.fields[name].validators.append(_range(0, 10))
        if not show_shared_unprompted:
            del self.fields["shared_unprompted"]
        self.fields["visibility"].choices = Visibility.choices
        self.fields["mood"].choices = [c for c in self.fields["mood"].choices if c[0] != ""]


def _range(low: int, high: int) -> Callable[[int | None], None]:
    def validate(value: int | None) -> None:
        if value is not None and not low <= value <= high:
            raise forms.ValidationError(_("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high})

    return validate


class WeeklyReviewForm(forms.ModelForm):
    class Meta:
        model = WeeklyReview
        fields = [
            "what_worked", "what_was_hard", "small_victory", "appreciation", "accountability",
            *[item.key for item in CSI4_ITEMS], "visibility",
        ]  # fmt: skip
        widgets = {
            "what_worked": forms.Textarea(attrs={"rows": 3}),
            "what_was_hard": forms.Textarea(attrs={"rows": 3}),
            "small_victory": forms.Textarea(attrs={"rows": 2}),
            "appreciation": forms.Textarea(attrs={"rows": 2}),
            "accountability": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args: object, is_involved: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for item in CSI4_ITEMS:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text, choices=item.choices, coerce=int, widget=forms.RadioSelect
            )
            if self.instance.pk:
                self.initial[item.key] = getattr(self.instance, item.key)
        self.fields["visibility"].choices = Visibility.choices
        self.fields["accountability"].label = (
            _("Accountability: what I did this week to rebuild trust, and where I fell short")
            if is_involved
            else _(
                "Accountability (optional): a small, everyday moment this week you'd like to own or put right, "
                "such as a sharp word. This isn't about the affair."
            )
        )
