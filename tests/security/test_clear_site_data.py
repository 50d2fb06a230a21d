"""Leaving leaves nothing: the quick exit and logging out tell the browser to forget Mend's data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import page

pytestmark = pytest.mark.django_db

EVERYTHING = '"cache", "cookies", "storage"'


def test_the_quick_exit_clears_the_browser_s_data_and_signs_out(client, settings) -> None:
    settings.QUICK_EXIT_URL = "https://weather.example.org/"
    client.force_login(UserFactory())
    response = client.post(reverse("quick_exit"))
    assert response.status_code == 200
    assert response["Clear-Site-Data"] == EVERYTHING
    assert '<meta http-equiv="refresh" content="0; url=https://weather.example.org/">' in page(response)
    assert "_auth_user_id" not in client.session


def test_the_quick_exit_clears_the_browser_s_data_for_visitors_not_signed_in_too(client) -> None:
    assert client.post(reverse("quick_exit"))["Clear-Site-Data"] == EVERYTHING


def test_the_quick_exit_page_without_javascript_still_leaves_and_keeps_the_browser_s_data(client, settings) -> None:
    # The GET is the page a link or a browser without JavaScript lands on; it signs no one out.
    settings.QUICK_EXIT_URL = "https://weather.example.org/"
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("quick_exit"))
    assert response.status_code == 200
    assert "https://weather.example.org/" in page(response)
    assert "Clear-Site-Data" not in response
    assert client.session["_auth_user_id"] == str(user.pk)


def test_logging_out_clears_the_browser_s_data(client) -> None:
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == EVERYTHING
    assert "_auth_user_id" not in client.session


def test_ordinary_pages_and_the_log_out_question_leave_the_browser_s_data_alone(client) -> None:
    assert "Clear-Site-Data" not in client.get(reverse("account_login"))
    client.force_login(UserFactory())
    for name in ("home", "profile", "account_logout"):  # the GET of log-out only asks "are you sure?"
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, name
        assert "Clear-Site-Data" not in response, name
    # A form that doesn't sign anyone out doesn't clear anything either.
    response = client.post(reverse("profile"), {"display_name": "", "time_zone": "UTC"})
    assert response.status_code == 400
    assert "Clear-Site-Data" not in response
