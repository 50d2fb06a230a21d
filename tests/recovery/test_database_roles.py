"""Two database roles: the app role the processes run as can read and write Mend's rows, and can't alter,
empty or switch off the audit of who looked at a couple's data. PostgreSQL only (skipped elsewhere, a
failure in CI under REQUIRE_SERVICES=1)."""

from __future__ import annotations

import io
import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from recovery import db_roles
from recovery.models import AuditEvent
from tests.factories import TherapistFactory, make_couple


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def app_role():  # type: ignore[no-untyped-def]
    """A LOGIN role with exactly the grants `manage.py database_roles` prints; dropped afterwards."""
    _require_postgres()
    name = f"mend_app_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}" LOGIN')
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        for sql in db_roles.grant_statements(owner=owner, app=name):
            cursor.execute(sql)
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{name}"')
        cursor.execute(f'DROP ROLE "{name}"')


def _connect_as(role: str):  # type: ignore[no-untyped-def]
    settings = connection.settings_dict
    conn = psycopg2.connect(
        dbname=settings["NAME"], user=role, host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432
    )
    conn.autocommit = True
    return conn


def _refused(conn, sql: str, why: str) -> None:  # type: ignore[no-untyped-def]
    with conn.cursor() as cursor, pytest.raises(psycopg2.Error, match=why):
        cursor.execute(sql)


@pytest.mark.django_db(transaction=True)
def test_the_app_role_works_with_rows_but_cannot_touch_the_audit(app_role: str) -> None:
    couple = make_couple()
    doc = TherapistFactory()
    AuditEvent.objects.create(couple=couple, therapist=doc, what="progress summary")
    conn = _connect_as(app_role)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM recovery_couple")
            assert cursor.fetchone()[0] >= 1
            cursor.execute("UPDATE recovery_couple SET hurt_is_mutual = hurt_is_mutual WHERE id = %s", [couple.pk])
            cursor.execute(
                "INSERT INTO recovery_auditevent (couple_id, therapist_id, what, at) "
                "VALUES (%s, %s, 'caseload', now())",
                [couple.pk, doc.pk],
            )  # the app writes audit rows…
        # …and can't change, remove, empty or switch off their protection.
        _refused(conn, "UPDATE recovery_auditevent SET what = 'nothing'", "cannot be changed or deleted")
        _refused(conn, "DELETE FROM recovery_auditevent", "cannot be changed or deleted")
        _refused(conn, "TRUNCATE recovery_auditevent", "permission denied")
        disable = "ALTER TABLE recovery_auditevent DISABLE TRIGGER recovery_auditevent_no_update_delete"
        _refused(conn, disable, "must be owner")
        _refused(conn, "ALTER TABLE recovery_auditevent DISABLE TRIGGER ALL", "must be owner")
        _refused(conn, "DROP TABLE recovery_auditevent", "must be owner")
    finally:
        conn.close()
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_check_warns_when_mend_runs_as_the_owner_and_the_command_prints_the_roles() -> None:
    _require_postgres()
    out = io.StringIO()
    call_command("check", "--database", "default", stdout=out, stderr=out)
    assert "mend.W010" in out.getvalue()  # the test database's superuser owns everything
    sql = io.StringIO()
    call_command("database_roles", "--owner", "mend_owner", "--app", "mend_app", "--database", "mend", stdout=sql)
    text = sql.getvalue()
    for statement in (
        'CREATE ROLE "mend_app" LOGIN;',
        'CREATE DATABASE "mend" OWNER "mend_owner";',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "mend_app";',
        'ALTER DEFAULT PRIVILEGES FOR ROLE "mend_owner" IN SCHEMA public',
    ):
        assert statement in text
    assert "TRUNCATE" not in text.split("-- 2.")[1]  # the app role is never granted it


def test_role_names_are_checked_before_they_reach_sql() -> None:
    with pytest.raises(ValueError):
        db_roles.grant_statements(owner="mend_owner", app='x"; DROP TABLE y; --')
