"""Filters for Mend's versions of allauth's pages: devices by name, the authenticator key in groups."""

from __future__ import annotations

from django import template

from recovery import devices

register = template.Library()

# Authenticator apps show and accept keys in groups of four; reading 32 characters in one run is how
# people mistype them.
KEY_GROUP_SIZE = 4


@register.filter
def device_name(user_agent: str | None) -> str:
    """'Chrome on Android' for a User-Agent header (see recovery/devices.py)."""
    return devices.device_name(user_agent)


@register.filter
def key_groups(secret: str | None) -> list[str]:
    """'ABCDEFGHIJ' → ['ABCD', 'EFGH', 'IJ']."""
    text = "".join((secret or "").split())
    return [text[i : i + KEY_GROUP_SIZE] for i in range(0, len(text), KEY_GROUP_SIZE)]


@register.filter
def second_step_on(user: object) -> bool:
    """Whether the account has two-step sign-in (any authenticator, as allauth counts it)."""
    from allauth.mfa.utils import is_mfa_enabled

    return bool(getattr(user, "is_authenticated", False)) and is_mfa_enabled(user)


@register.filter
def email_change_blocked(user: object) -> bool:
    """allauth refuses a new, unconfirmed e-mail address on an account with two-step sign-in (see
    allauth.mfa.signals.on_add_email); the page says so up front instead of after a refused form."""
    from allauth.account import app_settings as account_settings
    from allauth.mfa import app_settings as mfa_settings

    if mfa_settings.ALLOW_UNVERIFIED_EMAIL or account_settings.EMAIL_VERIFICATION_BY_CODE_ENABLED:
        return False
    return second_step_on(user)


@register.simple_tag
def site_link(view_name: str) -> str:
    """An absolute link to one of Mend's pages for an account e-mail, built like every other e-mail link."""
    from django.urls import reverse

    from recovery import outbox

    return outbox.site_url(reverse(view_name))
