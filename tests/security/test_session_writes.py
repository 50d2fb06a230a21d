"""Issue 14: the session and the usersessions activity row are written at most once a minute, and the idle
timeout (30 minutes, warned two minutes before by static/js/mend.js) still holds at that granularity."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recovery.sessions import TOUCH_EVERY
from tests.factories import UserFactory
from tests.helpers import page

pytestmark = pytest.mark.django_db


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _writes(client, name: str = "profile") -> tuple[int, int]:
    """(session writes, usersessions writes) of one request."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name)).status_code == 200
    sqls = [q["sql"] for q in captured.captured_queries]
    session = sum(s.startswith(("UPDATE", "INSERT")) and "django_session" in s for s in sqls)
    activity = sum(s.startswith(("UPDATE", "INSERT")) and "usersessions_usersession" in s for s in sqls)
    return session, activity


def test_requests_within_a_minute_write_neither_the_session_nor_the_activity_row(client) -> None:
    client.force_login(UserFactory())
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(reverse("profile"))  # the first signed-in request records the activity
    for seconds in (5, 20, 40, TOUCH_EVERY - 1):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            assert _writes(client) == (0, 0)
    with time_machine.travel(start + timedelta(seconds=TOUCH_EVERY), tick=False):
        assert _writes(client) == (1, 1)  # a minute on: both once
    with time_machine.travel(start + timedelta(seconds=TOUCH_EVERY + 30), tick=False):
        assert _writes(client) == (0, 0)
    seen = UserSession.objects.get(session_key=client.session.session_key).last_seen_at
    assert seen == start + timedelta(seconds=TOUCH_EVERY)


@pytest.mark.parametrize("quiet_for", [0, 1, 30, 59])
def test_the_page_tells_the_warning_exactly_when_the_server_ends_the_session(client, settings, quiet_for) -> None:
    """However the latest request falls within the minute, the session ends the idle timeout after its last
    touch, and the page says how long ago that was, so static/js/mend.js warns two minutes before the
    server ends it and leaves when it does: "Stay logged in" always works in the warning, and the log-in
    page it goes to afterwards never finds the session still alive."""
    client.force_login(UserFactory())
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(reverse("profile"))  # touched now
    last = start + timedelta(seconds=quiet_for)
    with time_machine.travel(last, tick=False):
        text = page(client.get(reverse("profile")))  # the latest request: touched only if a minute has passed
    elapsed = int(re.search(r'data-idle-elapsed-seconds="(\d+)"', text).group(1))
    assert elapsed == quiet_for
    ends = last - timedelta(seconds=elapsed) + idle  # what the page's script counts to
    assert abs(_expiry(client) - ends) < timedelta(seconds=1)  # the server's end is the script's end…
    with time_machine.travel(ends + timedelta(seconds=1), tick=False):
        response = client.get(reverse("profile"))  # …and it is gone just after it
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("quiet_for", [0, 30, 59])
def test_stay_logged_in_in_the_warning_always_pushes_the_timeout_forward(client, settings, quiet_for) -> None:
    client.force_login(UserFactory())
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(reverse("profile"))
    stay = start + idle - timedelta(minutes=2) + timedelta(seconds=quiet_for)  # within the warning
    with time_machine.travel(stay, tick=False):
        assert client.post(reverse("session_keep_alive")).status_code == 204
    assert abs(_expiry(client) - (stay + idle)) < timedelta(seconds=1)
    with time_machine.travel(stay + idle + timedelta(seconds=1), tick=False):
        assert client.get(reverse("profile")).status_code == 302


def test_a_new_session_key_gets_its_activity_row_at_once(client) -> None:
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("profile"))
    client.logout()
    client.force_login(user)  # a new session within the minute
    client.get(reverse("profile"))
    assert UserSession.objects.filter(session_key=client.session.session_key).exists()


def test_a_changed_session_is_written_at_once(client) -> None:
    client.force_login(UserFactory())
    client.get(reverse("profile"))
    session = client.session
    session["something"] = "changed"
    session.save()
    assert client.post(reverse("quick_exit")).status_code == 200  # flushes the session: written at once
    assert client.get(reverse("profile")).status_code == 302
