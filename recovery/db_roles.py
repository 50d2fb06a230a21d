"""Two PostgreSQL roles for a production database: an OWNER that runs migrations, and an APP role that the
web, worker and beat processes use, with only SELECT, INSERT, UPDATE and DELETE on Mend's tables.

The app role can't TRUNCATE, ALTER or DROP a table, or disable a trigger; so the audit of who looked at a
couple's data (whose triggers refuse UPDATE, DELETE and TRUNCATE) can't be emptied by the running app or
by anyone who takes over its connection. `manage.py database_roles` prints the SQL; a system check
(`manage.py check --database default`) warns when Mend runs as the owner or a superuser.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

AUDIT_TABLE = "recovery_auditevent"


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"{name!r} is not a plain role or database name (letters, digits and _ only)")
    return f'"{name}"'


def setup_statements(*, owner: str, app: str, database: str) -> list[str]:
    """Run once as a superuser, before the first `migrate`: the roles and the database."""
    o, a, d = _ident(owner), _ident(app), _ident(database)
    return [
        f"CREATE ROLE {o} LOGIN",
        f"CREATE ROLE {a} LOGIN",
        f"CREATE DATABASE {d} OWNER {o}",
    ]


def grant_statements(*, owner: str, app: str) -> list[str]:
    """Run in Mend's database as a superuser or the owner: what the app role may do, on the tables that
    exist now and on every table the owner's migrations create later."""
    o, a = _ident(owner), _ident(app)
    return [
        f"REVOKE ALL ON SCHEMA public FROM {a}",
        f"GRANT USAGE ON SCHEMA public TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {a}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {a}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {a}",
    ]


def runs_as_owner(connection: BaseDatabaseWrapper) -> bool:
    """Whether this PostgreSQL connection is a superuser or owns Mend's audit table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row and row[0]:
            return True
        cursor.execute("SELECT tableowner = current_user FROM pg_tables WHERE tablename = %s", [AUDIT_TABLE])
        row = cursor.fetchone()
        return bool(row and row[0])
