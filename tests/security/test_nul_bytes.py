"""A NUL byte anywhere in the address or a form is answered with 400 (PostgreSQL can't hold one)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recovery.models import User
from tests.factories import UserFactory
from tests.helpers import page

pytestmark = pytest.mark.django_db


def _is_the_bad_request_page(response: object) -> bool:
    return (
        response.status_code == 400  # type: ignore[attr-defined]
        and "Something was wrong with that request" in page(response)  # type: ignore[arg-type]
        and "no-store" in response["Cache-Control"]  # type: ignore[index]
        and "script-src 'self'" in response["Content-Security-Policy"]  # type: ignore[index]
    )


def test_a_nul_byte_in_the_query_string_is_a_bad_request(client) -> None:
    client.force_login(UserFactory())
    for query in ("q=%00", "%00=1", "next=/%00", "a=1&b=x%00y"):
        assert _is_the_bad_request_page(client.get(f"{reverse('home')}?{query}")), query
        assert _is_the_bad_request_page(client.get(f"{reverse('account_login')}?{query}")), query


def test_a_nul_byte_in_the_path_is_a_bad_request(client) -> None:
    assert _is_the_bad_request_page(client.get("/plan/%00/"))


def test_a_nul_byte_in_a_form_is_a_bad_request_and_nothing_is_stored(client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "new\x00@example.com", "display_name": "Robin", "time_zone": "UTC",
         "password1": "a-good-long-passphrase", "password2": "a-good-long-passphrase"},
    )  # fmt: skip
    assert _is_the_bad_request_page(response)
    assert not User.objects.exists()
    user = UserFactory(display_name="Robin")
    client.force_login(user)
    response = client.post(reverse("profile"), {"display_name": "Ro\x00bin", "time_zone": "UTC"})
    assert _is_the_bad_request_page(response)
    user.refresh_from_db()
    assert user.display_name == "Robin"


def test_ordinary_requests_pass(client) -> None:
    assert client.get(reverse("account_login"), {"next": "/plan/"}).status_code == 200
    client.force_login(UserFactory())
    response = client.post(
        reverse("profile"), {"display_name": "Robin", "time_zone": "Europe/Paris", "default_visibility": "partner"}
    )
    assert response.status_code == 302


def test_a_session_cookie_holding_a_nul_byte_is_ignored_not_a_500(client) -> None:
    client.force_login(UserFactory())
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get(reverse("home")).status_code == 200  # the landing page, as for anyone without a session
    assert client.get(reverse("profile")).status_code == 302  # signed out, sent to log in
