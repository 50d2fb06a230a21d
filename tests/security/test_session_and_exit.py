"""The idle timeout, the quick exit, and headers on authenticated pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, make_couple
from tests.helpers import page

pytestmark = pytest.mark.django_db


def test_an_idle_session_ends_after_the_timeout(client, settings) -> None:
    couple = make_couple()
    client.force_login(couple.partners.first().user)
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=25)):
        assert client.get(reverse("home")).status_code == 200  # activity pushes the expiry forward
    with time_machine.travel(start + timedelta(minutes=50)):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=50 + settings.SESSION_IDLE_TIMEOUT_MINUTES, seconds=5)):
        response = client.get(reverse("profile"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_quick_exit_signs_out_and_leaves_for_the_neutral_site(client, settings) -> None:
    settings.QUICK_EXIT_URL = "https://weather.example.org/"
    client.force_login(UserFactory())
    response = client.post(reverse("quick_exit"))
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="0; url=https://weather.example.org/">' in page(response)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("profile")).status_code == 302


def test_quick_exit_is_on_every_page_and_needs_no_inline_script(client) -> None:
    text = page(client.get(reverse("account_login")))
    assert 'action="/exit/"' in text and "Quick exit" in text
    assert '<script src="/static/js/mend.js" defer></script>' in text


def test_authenticated_pages_are_never_stored(client) -> None:
    client.force_login(UserFactory())
    response = client.get(reverse("profile"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
