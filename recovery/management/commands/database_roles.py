"""Print the SQL that sets up Mend's two PostgreSQL roles (see recovery/db_roles.py and the README)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from recovery import db_roles


class Command(BaseCommand):
    help = "Print the SQL for an owner role that migrates and an app role with only SELECT/INSERT/UPDATE/DELETE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="mend_owner", help="the role that owns the tables and migrates")
        parser.add_argument("--app", default="mend_app", help="the role the web, worker and beat processes use")
        parser.add_argument("--database", default="mend")

    def handle(self, *args: Any, owner: str, app: str, database: str, **options: Any) -> None:
        lines = [
            "-- 1. As a superuser, once (then set passwords with \\password in psql):",
            *[f"{sql};" for sql in db_roles.setup_statements(owner=owner, app=app, database=database)],
            "",
            f"-- 2. In the {database} database, as a superuser or {owner} (again after upgrading an old database):",
            f"\\connect {database}",
            *[f"{sql};" for sql in db_roles.grant_statements(owner=owner, app=app)],
            "",
            f"-- 3. Migrate as {owner}; run the web, worker and beat processes as {app}:",
            f"--    DATABASE_URL=postgres://{owner}:…@host/{database} manage.py migrate",
            f"--    DATABASE_URL=postgres://{app}:…@host/{database} honcho start",
        ]
        self.stdout.write("\n".join(lines))
