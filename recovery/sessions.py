"""Sessions and their activity rows written at most once a minute, not on every request.

Writing the session (to push the idle timeout forward) and allauth's usersessions row (last seen) on every
request halved the app's floor (issue 14). Here a request "touches" the session — writes it with a new
expiry, and records the activity — only when a minute has passed since the last touch, when the session
key changed (a log-in), or when asked to (the idle warning's "Stay logged in").

The idle timeout stays exact at that granularity: the session always ends the idle timeout after its last
touch (any other write keeps that expiry), and each page tells static/js/mend.js how long ago that touch
was (`data-idle-elapsed-seconds`), so the warning two minutes before and the move to the log-in page
happen when the server ends the session — never after it, and never before. Someone idle since a request
that didn't touch is signed out up to a minute sooner than the full timeout after that request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from allauth.usersessions import app_settings as usersessions_settings
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

from recovery.auth_backends import RENAMED

TOUCH_EVERY = 60  # seconds; a tenth of the timeout when that is shorter (a test's 10-second timeout, say)
TOUCHED = "_mend_touched"  # when the session was last touched (epoch seconds): its expiry counts from here
_TOUCHING = "_mend_touching"  # on the request: this one touches the session


class SessionStore(db.SessionStore):
    """The database session, expiring the idle timeout after its last touch, whenever it is written."""

    def load(self) -> dict[str, Any]:
        data = super().load()
        # A session signed in before recovery/auth_backends.py names the backend it replaced: read it as ours
        # (written back the next time the session is), so no one is signed out by the change.
        backend = data.get(BACKEND_SESSION_KEY)
        if backend in RENAMED:
            data[BACKEND_SESSION_KEY] = RENAMED[backend]
        return data

    def get_expiry_date(self, **kwargs: Any) -> datetime:
        touched = self.get(TOUCHED)
        if "modification" not in kwargs and touched is not None:
            kwargs["modification"] = datetime.fromtimestamp(touched, UTC)
        return super().get_expiry_date(**kwargs)


def touch_every() -> int:
    return max(1, min(TOUCH_EVERY, settings.SESSION_COOKIE_AGE // 10))


def touch(request: HttpRequest) -> None:
    """Push the session's expiry forward now (and record the activity), whenever it was last touched."""
    request.session[TOUCHED] = time.time()
    setattr(request, _TOUCHING, True)


def elapsed_since_touch(request: HttpRequest) -> int:
    """Seconds since the session's expiry was last pushed forward (0 if this request does it)."""
    session = getattr(request, "session", None)  # none on a request built by hand (RequestFactory)
    touched = session.get(TOUCHED) if session is not None else None
    return 0 if touched is None else max(0, int(time.time() - touched))


class ThrottledSessionMiddleware(SessionMiddleware):
    """Django's session middleware, touching an unchanged session at most once a minute."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request._mend_session_key = request.session.session_key  # type: ignore[attr-defined]
        session = request.session
        if session.session_key and not session.is_empty() and time.time() - session.get(TOUCHED, 0) >= touch_every():
            touch(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.modified
            and not session.is_empty()
            and session.session_key != getattr(request, "_mend_session_key", None)
        ):
            session[TOUCHED] = time.time()  # a new session (a log-in): its timeout starts now
        return super().process_response(request, response)


def user_sessions_activity_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """allauth's UserSessionsMiddleware (the signed-in devices' last seen, IP and browser), writing its row
    only when the request touches the session (at most once a minute) or the session is new to it."""

    def middleware(request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            usersessions_settings.TRACK_ACTIVITY
            and session is not None
            and session.session_key
            and user is not None
            and user.is_authenticated
            and (getattr(request, _TOUCHING, False) or session.get("_mend_seen_key") != session.session_key)
        ):
            from allauth.usersessions.models import UserSession  # a model: not at import (SESSION_ENGINE)

            UserSession.objects.create_from_request(request)
            session["_mend_seen_key"] = session.session_key
        return get_response(request)

    return middleware
