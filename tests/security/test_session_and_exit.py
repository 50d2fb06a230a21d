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


def test_quick_exit_works_even_with_a_stale_form_token() -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post(reverse("quick_exit"))  # no CSRF token at all
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signed_in_pages_leave_the_screen_after_the_idle_timeout(client, settings) -> None:
    client.force_login(UserFactory())
    text = page(client.get(reverse("profile")))
    seconds = settings.SESSION_COOKIE_AGE + 5
    assert f'<meta http-equiv="refresh" content="{seconds}; url=/accounts/login/">' in text
    client.logout()
    assert 'http-equiv="refresh"' not in page(client.get(reverse("account_login")))


def test_the_health_check_answers_probes(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.head("/healthz").status_code == 200


def test_dates_are_shown_in_the_person_s_time_zone(client) -> None:
    import datetime as dt

    auckland = UserFactory(time_zone="Pacific/Auckland")
    couple = make_couple(hurt=auckland)
    couple.created_at = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)  # 11 March, 12:30 in Auckland
    couple.save()
    client.force_login(auckland)
    assert "Started on 11 March 2026" in page(client.get(reverse("home")))
    honolulu = couple.partners.get(seat=2).user
    honolulu.time_zone = "Pacific/Honolulu"
    honolulu.save()
    client.force_login(honolulu)
    assert "Started on 10 March 2026" in page(client.get(reverse("home")))


def test_secret_links_are_redacted_from_logs() -> None:
    import logging

    from recovery.logs import RedactSecretLinks

    args = ("/invitation/abc.def/",)
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Gone: %s", args, None)
    RedactSecretLinks().filter(record)
    assert record.getMessage() == "Gone: /invitation/[redacted]/"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "/accounts/confirm-email/Mzk:1x/", (), None)
    RedactSecretLinks().filter(record)
    assert "Mzk" not in record.getMessage()


def test_pages_with_pending_e_mail_change_or_mfa_codes_stay_inline_free(client) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.security.test_url_walk import page_problems

    user = UserFactory()
    EmailAddress.objects.create(user=user, email="pending@example.com", verified=False, primary=False)
    RecoveryCodes.activate(user)
    client.force_login(user)
    for name in ("account_email", "mfa_index"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert page_problems(response) == [], name
