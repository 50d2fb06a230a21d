"""Sign-up must not reveal whether an address already has an account: not by its answer, not by its time.

Having an account with Mend is itself sensitive, so the sign-up form answers the same for a known
and an unknown address, and does the same expensive work (hashing the password with the production
hasher) on both paths.
"""

from __future__ import annotations

import importlib
import re
import statistics
import time
from collections.abc import Callable
from unittest.mock import patch

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from recovery.adapters import AccountAdapter
from recovery.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSPHRASE = "a-good-long-passphrase"
ROUNDS = 15  # sign-ups of each kind that are timed (after the warm-up), interleaved
WARM_UP = 2
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _signup_data(email: str) -> dict[str, str]:
    return {
        "email": email,
        "display_name": "Robin",
        "time_zone": "Europe/London",
        "password1": PASSPHRASE,
        "password2": PASSPHRASE,
    }


def _sign_up(email: str, visitor: int) -> tuple[float, int, str]:
    """One sign-up by a fresh visitor (own session and address, as strangers are): time, status, Location."""
    client = Client(REMOTE_ADDR=f"10.0.{visitor // 250}.{visitor % 250 + 1}")
    started = time.perf_counter()
    response = client.post(reverse("account_signup"), _signup_data(email))
    elapsed = time.perf_counter() - started
    return elapsed, response.status_code, response.get("Location", "")


@pytest.fixture
def production_hashers(settings) -> None:
    # tests/conftest.py swaps in a fast hasher for speed; this test is about the real cost.
    settings.PASSWORD_HASHERS = importlib.import_module("recovery.settings").PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def _timed_rounds(sign_up_new: Callable[[], tuple], sign_up_existing: Callable[[], tuple]) -> tuple[list, list]:
    new, existing = [], []
    for round_number in range(WARM_UP + ROUNDS):
        # Alternate which kind goes first, so drift in the machine's load falls on both alike.
        pair = (sign_up_new, sign_up_existing) if round_number % 2 == 0 else (sign_up_existing, sign_up_new)
        results = {fn: fn() for fn in pair}
        if round_number >= WARM_UP:
            new.append(results[sign_up_new])
            existing.append(results[sign_up_existing])
    return new, existing


def test_sign_up_takes_as_long_for_a_known_address_as_for_a_new_one(production_hashers) -> None:
    known = [UserFactory(email=f"known{n}@example.com").email for n in range(WARM_UP + ROUNDS)]
    counter = iter(range(10_000))
    known_addresses = iter(known)
    new_addresses = (f"newcomer{n}@example.com" for n in range(10_000))

    new, existing = _timed_rounds(
        lambda: _sign_up(next(new_addresses), next(counter)),
        lambda: _sign_up(next(known_addresses), next(counter)),
    )

    new_median = statistics.median(t for t, _status, _location in new)
    existing_median = statistics.median(t for t, _status, _location in existing)
    print(f"\nsign-up median: new address {new_median:.3f} s, existing address {existing_median:.3f} s")
    difference = abs(new_median - existing_median) / max(new_median, existing_median)
    assert difference < 0.20, f"new {new_median:.3f} s vs existing {existing_median:.3f} s ({difference:.0%} apart)"
    # And the answers themselves are the same: every one a redirect to the same "check your e-mail" page.
    answers = {(status, location) for _t, status, location in new + existing}
    assert answers == {(302, reverse("account_email_verification_sent"))}


def test_a_known_address_gets_the_same_answer_and_one_e_mail(production_hashers, deliver) -> None:
    UserFactory(email="known@example.com")
    new_client, known_client = Client(), Client()
    sent: list[tuple[str, str]] = []
    send_mail = AccountAdapter.send_mail

    def recording_send_mail(adapter: AccountAdapter, template_prefix: str, email: str, context: dict) -> None:
        sent.append((template_prefix, email))
        send_mail(adapter, template_prefix, email, context)

    with patch.object(AccountAdapter, "send_mail", recording_send_mail), deliver():
        new = new_client.post(reverse("account_signup"), _signup_data("newcomer@example.com"))
        known = known_client.post(reverse("account_signup"), _signup_data("Known@Example.com"))
    assert (new.status_code, new["Location"]) == (known.status_code, known["Location"])

    # The page each is sent to reads the same, bar the address itself.
    def read(client: Client, location: str, address: str) -> str:
        text = client.get(location).content.decode().replace(address, "ADDRESS")
        return CSRF_TOKEN.sub("", text)  # each visitor's own form token

    assert read(new_client, new["Location"], "newcomer@example.com") == read(
        known_client, known["Location"], "known@example.com"
    )
    # One e-mail each, through the adapter: a confirmation link for the newcomer, a "you already have an
    # account" note for the other.
    assert sent == [
        ("account/email/email_confirmation_signup", "newcomer@example.com"),
        ("account/email/account_already_exists", "known@example.com"),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["known@example.com", "newcomer@example.com"]
    assert User.objects.filter(email__iexact="known@example.com").count() == 1
