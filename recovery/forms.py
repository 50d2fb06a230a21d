from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from recovery.couples import SITUATIONS
from recovery.models import User, available_time_zones, validate_time_zone


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, which has choices (a model field with choices becomes a TypedChoiceField),
    typed as such so its choices can be narrowed."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a choice field")
    return field


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_time_zones())]


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Your time zone"))
        kwargs.setdefault(
            "help_text", _("Reminders and daily check-ins follow your local day. We fill this in from your browser.")
        )
        super().__init__(choices=time_zone_choices, **kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        validate_time_zone(value)


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Your first name"),
        max_length=60,
        help_text=_("How Mend will address you, and how your partner will see you."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    time_zone = TimeZoneField(initial="UTC")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # static/js/mend.js fills in the browser's zone on a fresh form (never over a choice made);
            # without JavaScript the person picks it.
            self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = "true"

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.time_zone = self.cleaned_data["time_zone"]
        user.save(update_fields=["display_name", "time_zone"])


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "default_visibility", "shows_check_in_presence"]
        labels = {"display_name": _("Your first name")}
        help_texts = {
            "default_visibility": _("Each check-in and review starts with this choice; you can change it each time.")
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "default_visibility": forms.RadioSelect,
        }

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please tell us what to call you."))
        return name


class StartCoupleForm(forms.Form):
    situation = forms.ChoiceField(
        label=_("Which sentence fits you best?"),
        choices=SITUATIONS,
        widget=forms.RadioSelect,
        help_text=_(
            "This decides who sets the pace for the most sensitive parts of the plan: the partner who was "
            "hurt (or both of you, if you were both hurt). You can talk it through together first."
        ),
        error_messages={"required": _("Please choose the sentence that fits you best.")},
    )


class InvitePartnerForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label=_("Your partner's e-mail address"),
        help_text=_("We send one short e-mail with a private link. It doesn't mention you or what it's about."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email == self.user.email.lower():
            raise forms.ValidationError(_("That's your own address. Please enter your partner's."))
        return email


class CloseAccountForm(forms.Form):
    """A plain confirmation before an account is closed: one box to tick, saying what happens."""

    understood = forms.BooleanField(
        label=_("I understand: my account closes now, and is deleted for good if I don't restore it in time."),
        required=True,
        error_messages={"required": _("Tick the box to say you understand, or go back if you'd rather not.")},
    )
