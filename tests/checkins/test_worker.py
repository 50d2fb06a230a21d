"""Reminders against the real services: two sweeps at once on PostgreSQL, and a real Celery worker on
the real Redis broker, killed with SIGKILL mid-batch and restarted: every due reminder is sent exactly
once. Skipped without PostgreSQL and Redis (a failure under REQUIRE_SERVICES=1, as in CI)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from checkins import reminders
from checkins.models import Reminder
from recovery.celery import app
from recovery.models import Delivery
from tests.factories import make_couple

ROOT = Path(__file__).resolve().parents[2]


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def _require_redis() -> None:
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (set CELERY_BROKER_URL)")


def _due_people(count: int) -> list:
    people = []
    for _ in range(count):
        couple = make_couple()
        for partner in couple.partners.all():
            people.append(partner.user)
    due = timezone.now() - timedelta(seconds=5)
    Reminder.objects.bulk_create(
        [Reminder(user=user, kind="daily", local_time=clock(20, 0), next_due_at=due) for user in people]
    )
    return people


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_make_one_delivery_each() -> None:
    _require_postgres()
    people = _due_people(20)
    barrier = threading.Barrier(2)
    results: list[list[int]] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(reminders.sweep(batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    first, second = results
    assert first and second  # both did part of the work…
    assert not set(first) & set(second)  # …never the same part
    assert Delivery.objects.count() == len(people) == len(first) + len(second)
    assert Delivery.objects.values("user").distinct().count() == len(people)


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "recovery", "worker", "--pool=solo", "--concurrency=1",
         "--prefetch-multiplier=1", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_and_restarted_sends_every_reminder_exactly_once(tmp_path: Path) -> None:
    _require_postgres()
    _require_redis()
    people = _due_people(6)  # twelve people, twelve due reminders
    mail_dir, markers, log = tmp_path / "mail", tmp_path / "markers", tmp_path / "worker.log"
    mail_dir.mkdir()
    markers.mkdir()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "EMAIL_BACKEND": "tests.slow_email.SlowFileBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEND_TEST_SEND_MARKERS": str(markers),
        "MEND_TEST_SEND_SECONDS": "1",
        "DELIVERY_CLAIM_TIMEOUT": "3",
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "PYTHONPATH": str(ROOT),
    }

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    app.conf.task_always_eager = False
    try:
        queued = reminders.sweep()  # commits, and queues twelve sends on the real broker
    finally:
        app.conf.task_always_eager = True
    assert len(queued) == len(people)

    worker = _start_worker(env, log)
    try:
        # Kill it in the middle of a send, after a few have gone out.
        def mid_send() -> bool:
            sent, started = len(list(mail_dir.iterdir())), len(list(markers.iterdir()))
            return sent >= 3 and started > sent

        _wait_for(mid_send, 60, "the worker to be mid-send")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        sent_before = len(list(mail_dir.iterdir()))
        assert sent_before < len(people)

        worker = _start_worker(env, log)
        _wait_for(lambda: Delivery.objects.filter(status="sent").count() == len(people), 120, "every delivery sent")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()

    recipients = []
    for message in mail_dir.iterdir():
        recipients += [
            line.split(":", 1)[1].strip() for line in message.read_text().splitlines() if line.startswith("To:")
        ]
    assert sorted(recipients) == sorted(user.email for user in people), log.read_text()[-3000:]
    assert Delivery.objects.filter(attempts__gte=2).exists()  # the killed send was taken up again
