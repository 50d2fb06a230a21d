"""allauth hooks: where people land after signing in, account e-mails through the outbox, and MFA
secrets encrypted at rest."""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import cached_property
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from recovery import outbox

# An account e-mail (a confirmation link, a password reset, a security notice) not delivered within a
# day is no use: by then the person has asked again.
ACCOUNT_EMAIL_VALID_FOR = timedelta(days=1)

PENDING_INVITATION_SESSION_KEY = "mend_pending_invitation"
PENDING_CARE_SESSION_KEY = "mend_pending_care_invitation"  # a therapist's invitation link, the same way


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return self._pending_invitation_url(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self._pending_invitation_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_email_verification_redirect_url(self, email_address: Any) -> str:
        return self._pending_invitation_url(self.request) or super().get_email_verification_redirect_url(email_address)

    def _pending_invitation_url(self, request: HttpRequest) -> str | None:
        # Someone who opened an invitation link, then signed up or logged in, goes back to accept it.
        token = request.session.get(PENDING_INVITATION_SESSION_KEY)
        if token:
            return reverse("invitation_accept", args=[token])
        care_token = request.session.get(PENDING_CARE_SESSION_KEY)
        return reverse("care_accept", args=[care_token]) if care_token else None

    def clean_email(self, email: str) -> str:
        # The column holds 254 characters (RFC 5321); a longer address would fail at the database.
        if len(email) > 254:
            raise ValidationError(_("That e-mail address is too long."))
        return super().clean_email(email)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's e-mails, in Mend's templates, rendered now and sent by the outbox (retried, never lost,
        and never holding up the page). allauth documents this hook for sending asynchronously."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        text = message.body
        if message.content_subtype == "html":
            html, text = message.body, strip_tags(message.body)
        outbox.queue_rendered(
            address=email,
            subject=str(message.subject),
            text=str(text),
            html=str(html),
            expires_at=timezone.now() + ACCOUNT_EMAIL_VALID_FOR,
            period=uuid.uuid4().hex,  # each account e-mail is its own message
        )

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        # Confirming an address also logs the person in: one message for one action, not two.
        said = request.__dict__.setdefault("_mend_allauth_messages", set())
        if message_template == "account/messages/logged_in.txt" and "account/messages/email_confirmed.txt" in said:
            return
        said.add(message_template)
        super().add_message(request, level, message_template, message_context, extra_tags, message)

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
