from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from plans.agreement import DEFAULT_REVIEW_WEEKS, REVIEW_WEEKS
from plans.models import AgreementItem
from recovery.access import Visibility
from recovery.forms import choice_field


class CompletionForm(forms.Form):
    done_on = forms.DateField(label=_("When"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("A short note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see this"), choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.PARTNER
    )

    def __init__(self, *args: Any, earliest: date, latest: date, private: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.earliest, self.latest = earliest, latest
        self.fields["done_on"].initial = latest
        self.fields["done_on"].widget.attrs.update({"min": earliest.isoformat(), "max": latest.isoformat()})
        if private:
            # The private safety check: only ever "only me".
            choice_field(self, "visibility").choices = [(Visibility.ONLY_ME, Visibility.ONLY_ME.label)]
            self.fields["visibility"].initial = Visibility.ONLY_ME

    def clean_done_on(self) -> date:
        value = self.cleaned_data["done_on"]
        if not self.earliest <= value <= self.latest:
            raise forms.ValidationError(_("You can log today or yesterday (in your time zone)."))
        return value


class RitualForm(forms.Form):
    text = forms.CharField(
        label=_("I miss…"),
        max_length=200,
        help_text=_("Something you used to do together, or would love to: “our Sunday walks”, “cooking together”."),
    )


class RitualDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Date done"), widget=forms.DateInput(attrs={"type": "date"}))


class AgreementForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=AgreementItem.Area.choices)
    text = forms.CharField(
        label=_("What we agree"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Be specific: “I'll text when I leave work and if plans change.”"),
    )
    asks_of = forms.ChoiceField(
        label=_("Who does it ask something of?"),
        choices=AgreementItem.AsksOf.choices,
        initial=AgreementItem.AsksOf.BOTH,
        widget=forms.RadioSelect,
    )
    review_weeks = forms.TypedChoiceField(
        label=_("Look at it again after"),
        choices=[(weeks, ngettext_lazy("%(count)d week", "%(count)d weeks", weeks) % {"count": weeks})
                 for weeks in REVIEW_WEEKS],
        coerce=int,
        initial=DEFAULT_REVIEW_WEEKS,
        help_text=_("What fits the first weeks may not fit later ones. Either of you can end any item sooner."),
    )  # fmt: skip


class WishNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Your wish"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One small, kind, specific wish. Your partner reads it on their wish notes page."),
    )
