"""Accounts through allauth: sign-up with verification, hashing, MFA at rest, re-authentication,
rate limits, sessions, and the profile."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.usersessions.models import UserSession
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recovery.adapters import MFAAdapter
from recovery.models import User
from tests.factories import PASSWORD, UserFactory
from tests.helpers import page

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.person@example.com",
    "display_name": "Robin",
    "time_zone": "Pacific/Auckland",
    "password1": "a-good-long-passphrase",
    "password2": "a-good-long-passphrase",
}


def _login(client: Client, email: str, password: str = PASSWORD) -> object:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_up_needs_the_e_mail_verified_before_the_first_login(client, deliver) -> None:
    with deliver():
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.com")
    assert (user.display_name, user.time_zone) == ("Robin", "Pacific/Auckland")
    assert "_auth_user_id" not in client.session
    # Logging in before verifying is refused and re-sends the link.
    assert _login(client, SIGNUP["email"], SIGNUP["password1"])["Location"] == reverse(
        "account_email_verification_sent"
    )
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert "Hello," in mail.outbox[0].body and mail.outbox[0].subject.startswith("Mend: ")
    confirm = client.get(link)
    assert confirm.status_code == 200
    response = client.post(link)
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert response["Location"] == reverse("home")
    start = client.get(reverse("home"), follow=True)
    assert start.redirect_chain[-1][0] == reverse("start")
    assert page(start).count('class="message message--') == 1  # confirmed and logged in: one message


def test_sign_up_with_bad_input_keeps_what_was_typed(client) -> None:
    response = client.post(reverse("account_signup"), {**SIGNUP, "time_zone": "Mars/Olympus", "password2": "nope"})
    assert response.status_code == 400
    text = page(response)
    assert 'value="Robin"' in text
    assert 'value="new.person@example.com"' in text
    assert "Select a valid choice" in text
    assert not User.objects.exists()


def test_the_e_mail_is_the_login_and_unique_whatever_its_case(client) -> None:
    UserFactory(email="taken@example.com")
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "Taken@Example.com"})
    # Enumeration prevention: the same "check your e-mail" page, but no second account.
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert response.status_code in (302, 400)


def test_passwords_are_hashed_with_argon2(settings) -> None:
    settings.PASSWORD_HASHERS = importlib.import_module("recovery.settings").PASSWORD_HASHERS
    assert make_password("a-good-long-passphrase").startswith("argon2$")


def test_totp_secret_and_recovery_seed_are_encrypted_at_rest(client) -> None:
    user = UserFactory(email="mfa@example.com")
    _login(client, user.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # MFA changes ask again
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert secret not in str(totp.data)
    assert MFAAdapter().decrypt(totp.data["secret"]) == secret
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert MFAAdapter().decrypt(recovery.data["seed"]) != recovery.data["seed"]
    codes = RecoveryCodes(recovery).get_unused_codes()
    assert len(codes) > 0 and all(c not in str(recovery.data) for c in codes)


def test_log_in_asks_for_the_second_step_once_mfa_is_on(client) -> None:
    user = UserFactory(email="mfa@example.com")
    _login(client, user.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    client.post(reverse("mfa_activate_totp"), {"code": code})
    other = Client()
    assert _login(other, user.email)["Location"] == reverse("mfa_authenticate")
    assert other.get(reverse("profile")).status_code == 302  # not logged in until the code is given
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
        assert other.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
        assert other.get(reverse("profile")).status_code == 200


def test_changing_the_e_mail_needs_re_authentication(client) -> None:
    user = UserFactory(email="me@example.com")
    client.force_login(user)  # a session without a recent password entry
    response = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.com"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="new@example.com").exists()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": "new@example.com"})
    assert EmailAddress.objects.filter(user=user, email="new@example.com", verified=False).exists()


def test_turning_mfa_on_needs_re_authentication(client) -> None:
    client.force_login(UserFactory())
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))


def test_repeated_wrong_passwords_are_rate_limited(client, settings) -> None:
    # A cache every process shares (never one process's memory), or the limit would be per process.
    assert settings.CACHES["default"]["BACKEND"] in {
        "django.core.cache.backends.db.DatabaseCache",
        "recovery.cache.RedisCache",  # Django's, reusing its clients
    }
    user = UserFactory(email="target@example.com")
    for _attempt in range(5):
        response = _login(client, user.email, "wrong-password")
        assert response.status_code == 400
    response = _login(client, user.email, PASSWORD)  # even the right password waits now
    assert response.status_code in (400, 429)
    assert "too many" in page(response).lower()
    assert "_auth_user_id" not in client.session


def test_the_sessions_page_lists_and_ends_other_sessions(client) -> None:
    user = UserFactory(email="me@example.com")
    phone, laptop = Client(HTTP_USER_AGENT="Phone"), Client(HTTP_USER_AGENT="Laptop")
    _login(phone, user.email)
    _login(laptop, user.email)
    assert UserSession.objects.filter(user=user).count() == 2
    response = laptop.get(reverse("usersessions_list"))
    assert response.status_code == 200
    laptop.post(reverse("usersessions_list"), {})  # "Sign out other sessions"
    assert phone.get(reverse("profile")).status_code == 302
    assert laptop.get(reverse("profile")).status_code == 200


def test_the_profile_saves_a_valid_time_zone_and_rejects_others(client) -> None:
    user = UserFactory(display_name="Robin", time_zone="UTC")
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {"display_name": "Rob", "time_zone": "America/Sao_Paulo", "default_visibility": "only_me"},
        follow=True,
    )
    assert "Your profile is saved" in page(response)
    user.refresh_from_db()
    assert (user.display_name, user.time_zone, user.default_visibility) == ("Rob", "America/Sao_Paulo", "only_me")
    response = client.post(reverse("profile"), {"display_name": "Robert", "time_zone": "Not/AZone"})
    assert response.status_code == 400
    assert 'value="Robert"' in page(response)
    response = client.post(reverse("profile"), {"display_name": "   ", "time_zone": "UTC"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.time_zone == "America/Sao_Paulo"


def test_password_reset_mail_is_discreet(client, deliver) -> None:
    UserFactory(email="me@example.com")
    with deliver():
        client.post(reverse("account_reset_password"), {"email": "me@example.com"})
    (message,) = mail.outbox
    assert message.subject.startswith("Mend: ")
    for word in ("affair", "partner", "couple", "therap"):
        assert word not in (message.subject + message.body).lower()


def test_an_overlong_sign_up_address_is_refused_not_truncated(client) -> None:
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": address})
    assert response.status_code == 400
    assert not User.objects.exists()
