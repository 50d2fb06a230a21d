from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkins.measures import CSI4_ITEMS, CSI4_KEYS
from checkins.models import MOOD_CHOICES, DailyCheckIn, DateThatMatters, Holiday, Trigger, WeeklyReview
from recovery.access import Visibility
from recovery.forms import choice_field

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ScaleSelect(forms.RadioSelect):
    """A 0-10 scale as a row of numbered choices with its two ends named. Nothing is chosen until the
    person chooses: a slider always sent a number, so an untouched answer was stored as 5 out of 10."""

    def __init__(self, low_label: StrOrPromise, high_label: StrOrPromise) -> None:
        super().__init__()
        self.low_label, self.high_label = low_label, high_label


def scale_field(
    label: StrOrPromise, low: StrOrPromise, high: StrOrPromise, help_text: StrOrPromise
) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=ScaleSelect(low, high),
        help_text=help_text,
        error_messages={"required": _("Choose a number from 0 to 10.")},
    )


class DailyCheckInForm(forms.ModelForm):
    trust = scale_field(
        _("How much trust I feel today"), _("none"), _("complete"), _("0 is none at all, 10 is complete trust.")
    )
    closeness = scale_field(
        _("How close I feel today"), _("very distant"), _("very close"), _("0 is very distant, 10 is very close.")
    )

    class Meta:
        model = DailyCheckIn
        fields = [
            "mood", "trust", "closeness", "high", "low", "to_talk_through", "trigger", "trigger_note",
            "shared_unprompted", "visibility",
        ]  # fmt: skip
        widgets = {
            "mood": forms.RadioSelect,
            "high": forms.Textarea(attrs={"rows": 2}),
            "low": forms.Textarea(attrs={"rows": 2}),
            "to_talk_through": forms.Textarea(attrs={"rows": 2}),
            "trigger_note": forms.Textarea(attrs={"rows": 2}),
            "shared_unprompted": forms.Textarea(attrs={"rows": 2}),
            "visibility": forms.RadioSelect,
        }
        help_texts = {"shared_unprompted": _("Anything you told your partner before they had to ask.")}

    def __init__(self, *args: Any, show_shared_unprompted: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not show_shared_unprompted:
            del self.fields["shared_unprompted"]
        choice_field(self, "visibility").choices = Visibility.choices
        choice_field(self, "mood").choices = MOOD_CHOICES  # the model's, without the empty "---------"


class WeeklyReviewForm(forms.ModelForm):
    class Meta:
        model = WeeklyReview
        fields = [
            "what_worked", "what_was_hard", "small_victory", "appreciation", "accountability",
            *CSI4_KEYS, "visibility",
        ]  # fmt: skip
        widgets = {
            "what_worked": forms.Textarea(attrs={"rows": 3}),
            "what_was_hard": forms.Textarea(attrs={"rows": 3}),
            "small_victory": forms.Textarea(attrs={"rows": 2}),
            "appreciation": forms.Textarea(attrs={"rows": 2}),
            "accountability": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args: Any, is_involved: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in CSI4_ITEMS:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text, choices=item.choices, coerce=int, widget=forms.RadioSelect
            )
            if self.instance.pk:
                self.initial[item.key] = getattr(self.instance, item.key)
        choice_field(self, "visibility").choices = Visibility.choices
        self.fields["accountability"].label = (
            _("Accountability: what I did this week to rebuild trust, and where I fell short")
            if is_involved
            else _(
                "Accountability (optional): a small, everyday moment this week you'd like to own or put right, "
                "such as a sharp word. This isn't about the affair."
            )
        )


class TriggerForm(forms.ModelForm):
    """ "A trigger hit": when (local time, now unless changed), how strong, and, if the person wants, what
    happened, what helped and who sees it."""

    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("Now, unless you change it. Your own time."),
        error_messages={"required": _("Say when it happened."), "invalid": _("Enter a date and time.")},
    )
    strength = forms.TypedChoiceField(
        label=_("How strong was it?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=ScaleSelect(_("a flicker"), _("overwhelming")),
        help_text=_("1 is a flicker, 5 is overwhelming."),
        error_messages={"required": _("Choose a number from 1 to 5.")},
    )

    class Meta:
        model = Trigger
        fields = ["occurred_at", "strength", "what_happened", "what_helped", "visibility"]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 2}),
            "what_helped": forms.Textarea(attrs={"rows": 2}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        choice_field(self, "visibility").choices = Visibility.choices
        if self.instance.pk:
            self.initial["occurred_at"] = self.instance.occurred_at.astimezone(zone).replace(tzinfo=None)
            self.fields["occurred_at"].help_text = _("Your own time.")

    def clean_occurred_at(self) -> datetime:
        value: datetime = self.cleaned_data["occurred_at"]
        # The browser sends the person's wall-clock time: read it in their zone, whatever Django activated.
        value = value.replace(tzinfo=None).replace(tzinfo=self.zone)
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("That's still to come. Choose a time that has already passed."))
        return value


class DateThatMattersForm(forms.ModelForm):
    class Meta:
        model = DateThatMatters
        fields = ["label", "on", "yearly", "visibility"]
        widgets = {
            "label": forms.TextInput(attrs={"maxlength": 120}),
            "on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "label": _("In your own words, for instance “the day I found out” or “our wedding anniversary”."),
            "yearly": _("Untick it for a date that comes once."),
        }
        error_messages = {"on": {"invalid": _("Enter a date.")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "visibility").choices = DateThatMatters.Visibility.choices


class HolidayNotesForm(forms.Form):
    holidays = forms.MultipleChoiceField(
        label=_("A gentle note in the week before"),
        choices=Holiday.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Holidays can stir things up, even years on. Choose any you'd like a note before."),
    )
