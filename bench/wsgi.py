"""The benchmark's WSGI app: Mend as deployed, except that `/bench/bare/…` runs behind Django's default
middleware (what `startproject` writes) instead of Mend's — the bare framework floor, in the same server."""

import os
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

DJANGO_DEFAULT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


class BareHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        mend = settings.MIDDLEWARE
        settings.MIDDLEWARE = DJANGO_DEFAULT_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = mend


mend_app = get_wsgi_application()
bare_app = BareHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    app = bare_app if environ.get("PATH_INFO", "").startswith("/bench/bare/") else mend_app
    return app(environ, start_response)
