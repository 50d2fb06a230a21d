"""allauth hooks: where people land after signing in, and MFA secrets encrypted at rest."""

from __future__ import annotations

from functools import cached_property

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

PENDING_INVITATION_SESSION_KEY = "mend_pending_invitation"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return self._pending_invitation_url(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self._pending_invitation_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_email_verification_redirect_url(self, email_address) -> str:  # type: ignore[no-untyped-def]
        return self._pending_invitation_url(self.request) or super().get_email_verification_redirect_url(email_address)

    def _pending_invitation_url(self, request: HttpRequest) -> str | None:
        # Someone who opened an invitation link, then signed up or logged in, goes back to accept it.
        token = request.session.get(PENDING_INVITATION_SESSION_KEY)
        if token:
            return reverse("invitation_accept", args=[token])
        care_token = request.session.get("mend_pending_care_invitation")
        return reverse("care_accept", args=[care_token]) if care_token else None

    def clean_email(self, email: str) -> str:
        # The column holds 254 characters (RFC 5321); a longer address would fail at the database.
        if len(email) > 254:
            raise ValidationError(_("That e-mail address is too long."))
        return super().clean_email(email)

    def format_email_subject(self, subject: str) -> str:
        # Discreet subjects: the product name and a plain phrase, never the request's host or more.
        return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are Fernet-encrypted; the first key encrypts, any decrypts."""

    @cached_property
    def _fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(key.encode()) for key in settings.MFA_ENCRYPTION_KEYS])

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return self._fernet.decrypt(encrypted_text.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("An MFA secret could not be decrypted: check MFA_ENCRYPTION_KEYS.") from exc
