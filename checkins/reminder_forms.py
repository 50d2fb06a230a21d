from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from checkins.reminders import MAX_PAUSE_DAYS

WEEKDAYS = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
    (5, _("Saturday")), (6, _("Sunday")),
]  # fmt: skip


class ReminderSettingsForm(forms.Form):
    daily_enabled = forms.BooleanField(label=_("Remind me to check in every day"), required=False)
    daily_time = forms.TimeField(label=_("At"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    weekly_enabled = forms.BooleanField(label=_("Remind me about the weekly review"), required=False)
    weekly_weekday = forms.TypedChoiceField(label=_("On"), choices=WEEKDAYS, coerce=int)
    weekly_time = forms.TimeField(label=_("At"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    paused_until = forms.DateField(
        label=_("Pause all reminders until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "No reminders up to and including this day (at most a year from today). Leave empty to keep them coming."
        ),
    )
    partner_ready = forms.BooleanField(label=_("E-mail me when there's an update about the next stage"), required=False)
    reviews_ready = forms.BooleanField(
        label=_("E-mail me when our weekly reviews are ready to read together"), required=False
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.latest_pause = today + timedelta(days=MAX_PAUSE_DAYS)
        self.fields["paused_until"].widget.attrs.update(
            {"min": today.isoformat(), "max": self.latest_pause.isoformat()}
        )

    def clean_paused_until(self) -> date | None:
        value = self.cleaned_data.get("paused_until")
        if value and value < self.today:
            raise forms.ValidationError(_("Choose today or a later date."))
        if value and value > self.latest_pause:
            raise forms.ValidationError(
                _("A pause can last up to a year. Choose a date on or before %(date)s.")
                % {"date": formats.date_format(self.latest_pause, "j F Y")}
            )
        return value
