from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import QUESTION_VISIBILITIES


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question at a time works best. Your partner answers in writing, here."),
        error_messages={"required": _("Write your question first.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it and its answer"), choices=QUESTION_VISIBILITIES, widget=forms.RadioSelect
    )
    # Set once the person has seen the earlier, similar question or the note on sexual detail, and still
    # wants to send it: the second time, it is sent as it is.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write your answer first.")},
    )
    note = forms.CharField(
        label=_("What this changes, in a sentence (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “I got the month wrong” or “I left this out before, and I'm sorry.”"),
    )
    told_everything = forms.BooleanField(
        label=_("I have told you everything I know about this"),
        required=False,
        help_text=_("You can take this back later only by adding to your answer, and the change will show."),
    )

    def __init__(self, *args: Any, amending: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not amending:
            del self.fields["note"]
        else:
            self.fields["text"].label = _("Your answer, as it should now read")
