from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from recovery.models import Couple, Invitation, User
from tests.factories import (
    TherapistFactory,
    UserFactory,
    enable_mfa,
    make_care_access,
    make_couple,
    make_invitation,
    make_plan_records,
    make_waiting_couple,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    # In CI (REQUIRE_SERVICES=1) nothing may be skipped: a skip for a missing service is a failure.
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_SERVICES=1 forbids skipping: {report.longrepr}"


@dataclass
class World:
    """One couple (Alex, hurt; Sam, involved), an outsider couple, a lone user, a therapist."""

    couple: Couple
    hurt: User
    involved: User
    outsider_couple: Couple
    outsider: User
    lone: User
    therapist: User
    invitation: Invitation  # an open invitation of a *waiting* couple the outsider's side cannot see
    invitation_token: str
    waiting_partner: User
    # Plan records of the couple (Alex and Sam), for the walk's object URLs.
    completion: object = None
    ritual: object = None
    agreement_item: object = None
    # Therapists of Alex and Sam: consented by both (with MFA), consented by one only, and revoked.
    care: User | None = None
    care_pending: User | None = None
    care_revoked: User | None = None
    care_access: object = None


@pytest.fixture
def world(db: None) -> World:
    hurt = UserFactory(display_name="Alex", email="alex@example.com")
    involved = UserFactory(display_name="Sam", email="sam@example.com")
    couple = make_couple(hurt=hurt, involved=involved)
    outsider = UserFactory(display_name="Olive", email="olive@example.com")
    outsider_couple = make_couple(hurt=outsider, involved=UserFactory(display_name="Otto"))
    waiting_partner = UserFactory(display_name="Wren", email="wren@example.com")
    waiting = make_waiting_couple(creator=waiting_partner)
    invitation, token = make_invitation(waiting, email="invitee@example.com")
    plan_records = make_plan_records(couple, hurt=hurt, involved=involved)
    # `therapist` is the therapist of ANOTHER couple (the outsider's), fully consented, with MFA.
    therapist = TherapistFactory(email="therapist@example.com")
    enable_mfa(therapist)
    make_care_access(outsider_couple, therapist)
    care = TherapistFactory(email="care@example.com", display_name="Dr Care")
    enable_mfa(care)
    care_access = make_care_access(couple, care)
    care_pending = TherapistFactory(email="pending@example.com")
    enable_mfa(care_pending)
    make_care_access(couple, care_pending, consented="one")
    care_revoked = TherapistFactory(email="revoked@example.com")
    enable_mfa(care_revoked)
    make_care_access(couple, care_revoked, ended=True)
    return World(
        couple=couple,
        hurt=hurt,
        involved=involved,
        outsider_couple=outsider_couple,
        outsider=outsider,
        lone=UserFactory(display_name="Lou", email="lou@example.com"),
        therapist=therapist,
        invitation=invitation,
        invitation_token=token,
        waiting_partner=waiting_partner,
        **plan_records,
        care=care,
        care_pending=care_pending,
        care_revoked=care_revoked,
        care_access=care_access,
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    # Argon2 is the production hasher (tests/recovery/test_accounts.py checks it); tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _empty_cache(request: pytest.FixtureRequest) -> None:
    # Rate-limit counters live in the shared cache (Redis in CI): each test starts with none.
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        from django.core.cache import cache, caches

        cache.clear()
        caches["fragments"].clear()  # the layout, kept in memory…
        caches["charts"].clear()  # …and the charts


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with deliver(): ...` runs what the block queued on commit — the outbox's sends — as it ends.

    Ordinary tests run inside a transaction that is never committed, so the outbox's doorbells (rung on
    commit) would never ring; this rings them, through the real send task (eager in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _flush_past_the_audit_trigger() -> None:
    # Tests that commit (live server, real workers) are cleaned up with TRUNCATE, which the audit table's
    # trigger refuses on PostgreSQL, as it should in production. The test database's superuser flushes
    # with triggers off (session_replication_role, superusers only), and puts them back on at once.
    from django.db import connection
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def teardown(self: TransactionTestCase) -> None:
        if connection.vendor != "postgresql":
            return original(self)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            original(self)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    TransactionTestCase._fixture_teardown = teardown  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    _flush_past_the_audit_trigger()


@pytest.fixture(autouse=True)
def _broker_answers_again() -> None:
    # The outbox rests after a refused publish (process-wide, as in a worker); each test starts afresh.
    from recovery import outbox

    outbox._broker_refused_at = None


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process() -> None:
    # Tasks queued on commit run in the test process (the worker test starts real workers itself).
    from recovery.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _plan_content_read_afresh() -> None:
    """The plan content kept in memory (plans/content_cache.py) comes from the database as each test sees it."""
    from plans import content_cache

    content_cache.forget()
