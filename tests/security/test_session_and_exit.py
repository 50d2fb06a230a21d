"""The idle timeout, the quick exit, and headers on authenticated pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import EmailAddressFactory, UserFactory, make_couple
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


def test_no_page_refreshes_itself_and_signed_in_pages_carry_the_idle_timeout_for_the_warning(client, settings) -> None:
    user = UserFactory()
    client.force_login(user)
    text = page(client.get(reverse("profile")))
    assert 'http-equiv="refresh"' not in text  # a timed refresh lost half-written reviews (WCAG 2.2.1)
    assert f'data-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in text
    assert 'data-idle-warning-seconds="120"' in text
    assert f'data-keep-alive-url="{reverse("session_keep_alive")}"' in text
    assert 'role="alertdialog"' in text and "Stay logged in" in text
    assert "You'll be logged out in 2 minutes to keep this private. Stay logged in?" in text
    client.logout()
    anonymous = page(client.get(reverse("account_login")))
    assert 'http-equiv="refresh"' not in anonymous
    assert "data-idle-seconds" not in anonymous and "data-draft-key" not in anonymous


def test_a_short_timeout_warns_halfway(client, settings) -> None:
    settings.SESSION_COOKIE_AGE = 60
    client.force_login(UserFactory())
    text = page(client.get(reverse("profile")))
    assert 'data-idle-seconds="60"' in text and 'data-idle-warning-seconds="30"' in text
    assert "You'll be logged out in less than a minute to keep this private." in text


def test_staying_logged_in_pushes_the_idle_timeout_forward(client, settings) -> None:
    client.force_login(UserFactory())
    start = timezone.now()
    minutes = settings.SESSION_IDLE_TIMEOUT_MINUTES
    with time_machine.travel(start + timedelta(minutes=minutes - 2)):
        response = client.post(reverse("session_keep_alive"))
        assert response.status_code == 204 and response.content == b""
    with time_machine.travel(start + timedelta(minutes=minutes + 5)):  # past the first expiry, not the second
        assert client.get(reverse("profile")).status_code == 200


def test_without_staying_the_session_ends_and_keep_alive_sends_to_log_in(client, settings) -> None:
    client.force_login(UserFactory())
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES, seconds=5)):
        response = client.post(reverse("session_keep_alive"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_keep_alive_takes_only_a_post_with_the_form_token(client) -> None:
    from django.test import Client

    assert client.post(reverse("session_keep_alive"))["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("session_keep_alive"))["Location"].startswith(reverse("account_login"))
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("session_keep_alive")).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(reverse("session_keep_alive")).status_code == 403
    strict.get(reverse("profile"))  # sets the CSRF cookie, as any page does
    token = strict.cookies["csrftoken"].value
    assert strict.post(reverse("session_keep_alive"), headers={"X-CSRFToken": token}).status_code == 204


def test_the_draft_key_is_each_person_s_own_and_changes_with_the_password() -> None:
    from recovery.context_processors import draft_key

    alex, sam = UserFactory(), UserFactory()
    key = draft_key(alex)
    assert len(key) == 64 and int(key, 16) >= 0  # 32 bytes: an AES-256 key
    assert draft_key(alex) == key != draft_key(sam)
    alex.set_password("a-new-and-different-passphrase")
    alex.save()
    assert draft_key(alex) != key


def test_quick_exit_is_the_first_control_a_keyboard_reaches(client) -> None:
    import re

    for signed_in in (False, True):
        if signed_in:
            client.force_login(make_couple().partners.first().user)
        body = page(client.get(reverse("home"))).split("<body", 1)[1]
        first = re.search(r"<(a|button|summary|select|textarea|input(?![^>]*type=\"hidden\"))\b[^>]*>", body)
        assert first is not None and first.group(0).startswith('<button type="submit" class="quick-exit__button"')


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
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.security.test_url_walk import page_problems

    user = UserFactory()
    EmailAddressFactory(user=user, email="pending@example.com", verified=False, primary=False)
    RecoveryCodes.activate(user)
    client.force_login(user)
    for name in ("account_email", "mfa_index"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert page_problems(response) == [], name
