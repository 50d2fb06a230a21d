"""Mend's own system checks.

- With `check --deploy`: every link in an e-mail must work and one-click pausing (RFC 8058) needs
  HTTPS, so SITE_URL must be an https address of a real host; and the sender must be a real address.
- With `check --database default` on PostgreSQL: warn when Mend runs as its tables' owner (or a
  superuser), which could empty or alter the audit table (see db_roles.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import connections

from recovery import db_roles

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _is_local(host: str) -> bool:
    host = host.lower().rstrip(".")
    return not host or host in _LOCAL_HOSTS or host.endswith(".localhost")


@register(Tags.security, deploy=True)
def check_email_links_and_sender(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    site = urlsplit(settings.SITE_URL)
    if site.scheme != "https":
        problems.append(
            Error(
                f"SITE_URL is {settings.SITE_URL!r}: links in e-mails must be https.",
                hint="Set SITE_URL to the https address people reach Mend at, e.g. https://mend.example.org.",
                id="mend.E001",
            )
        )
    if _is_local(site.hostname or ""):
        problems.append(
            Error(
                f"SITE_URL is {settings.SITE_URL!r}: every link in every e-mail would point at this machine.",
                hint="Set SITE_URL to Mend's public address, e.g. https://mend.example.org.",
                id="mend.E002",
            )
        )
    for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL"):
        address = parseaddr(getattr(settings, name))[1]
        if _is_local(address.rpartition("@")[2]):
            problems.append(
                Error(
                    f"{name} is {getattr(settings, name)!r}: mail servers refuse or bin a .localhost sender.",
                    hint=f'Set {name} to an address at your own domain, e.g. "Mend <hello@mend.example.org>".',
                    id="mend.E003",
                )
            )
    return problems


@register(Tags.database)
def check_database_role(
    app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor == "postgresql" and db_roles.runs_as_owner(connection):
            problems.append(
                Warning(
                    "Mend is connected as the owner of its tables (or a superuser): it could empty or alter "
                    "the record of who has seen each couple's data.",
                    hint="Migrate as an owner role and run the web, worker and beat processes as an app role "
                    "with only SELECT, INSERT, UPDATE and DELETE: `manage.py database_roles` prints the SQL.",
                    id="mend.W010",
                )
            )
    return problems
