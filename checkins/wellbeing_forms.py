from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from checkins import phq9
from recovery.access import OwnVisibility


class Phq9Form(forms.Form):
    """The nine questions with the published answers, the optional difficulty question, and who may see it.
    Nothing is pre-chosen: an untouched question is a question not answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in phq9.ITEMS:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text,
                choices=phq9.ANSWERS,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer for this question.")},
            )
        self.fields[phq9.SELF_HARM_ITEM.key].widget.attrs["data-self-harm-item"] = ""
        self.fields["difficulty"] = forms.TypedChoiceField(
            label=phq9.DIFFICULTY_QUESTION,
            choices=phq9.DIFFICULTY_ANSWERS,
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            help_text=_("Optional, and not part of the score."),
        )
        self.fields["visibility"] = forms.ChoiceField(
            label=_("Who can see your answers"),
            choices=OwnVisibility.choices,
            initial=OwnVisibility.ONLY_ME,
            widget=forms.RadioSelect,
            help_text=_("Never your partner: they won't see your answers, your score, or that you answered."),
        )

    @property
    def item_fields(self) -> list[forms.BoundField]:
        return [self[item.key] for item in phq9.ITEMS]

    def answers(self) -> list[int]:
        return [self.cleaned_data[item.key] for item in phq9.ITEMS]


class OfferForm(forms.Form):
    offered = forms.BooleanField(label=_("Offer me the PHQ-9 every two weeks"), required=False)
