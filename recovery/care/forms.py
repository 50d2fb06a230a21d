"""The therapist side's forms: inviting a therapist, a therapist's profile, the date of the last session."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from recovery.models import TherapistProfile


class InviteTherapistForm(forms.Form):
    email = forms.EmailField(max_length=254, label=gettext_lazy("Your therapist's e-mail address"))


class TherapistProfileForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practice"].required = True

    class Meta:
        model = TherapistProfile
        fields = ["practice", "registration"]
        labels = {"practice": gettext_lazy("Your name and practice, as your clients know you")}
        help_texts = {
            "registration": gettext_lazy("Optional: your licence or registration, as couples would check it.")
        }


class LastSessionForm(forms.Form):
    last_session_on = forms.DateField(
        label=gettext_lazy("Our last session was on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_last_session_on(self) -> date:
        on = self.cleaned_data["last_session_on"]
        if on > self.today:
            raise forms.ValidationError(gettext_lazy("Choose a date that has passed: today or earlier."))
        return on
