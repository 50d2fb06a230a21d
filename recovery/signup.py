"""The sign-up form: the same work and the same answer whether or not the address already has an account.

Having a Mend account is itself sensitive (it says someone's relationship went through an affair), so
sign-up must not tell a stranger who is here. allauth already gives the same answer for a known address
(ACCOUNT_PREVENT_ENUMERATION: the "check your e-mail" page, and an "you already have an account" e-mail
instead of a confirmation), but only a new account has its password hashed, which is most of the
request's time: with argon2, a known address answered in a tenth of the time.

This lives apart from recovery/forms.py because allauth builds its sign-up form on top of
ACCOUNT_SIGNUP_FORM_CLASS (recovery.forms.SignupDetailsForm): importing allauth's form from that module
would be a circular import.
"""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse

from recovery.models import User


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form (ACCOUNT_FORMS["signup"]) that hashes the password on both paths."""

    def try_save(self, request: HttpRequest) -> tuple[User | None, HttpResponse | None]:
        if self.account_already_exists:
            spend_the_password_hashing_a_new_account_would(self.cleaned_data.get("password1"))
        return super().try_save(request)


def spend_the_password_hashing_a_new_account_would(password: str | None) -> None:
    """Hash the password with the configured hasher, as creating the account would, and forget it.

    A new account without a password (allauth's passkey sign-up) gets no hash, so neither does this.
    """
    if password:
        make_password(password)
