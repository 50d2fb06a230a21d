"""The real services CI provides. Locally they may be absent (a skip); under REQUIRE_SERVICES=1 a skip
fails the run (tests/conftest.py), so CI proves it ran against PostgreSQL and Redis."""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection, Exchange, Queue

from recovery.celery import app as celery_app


@pytest.mark.django_db
def test_it_runs_on_postgresql_when_configured() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("DATABASE_URL does not point at PostgreSQL")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 13


def test_the_configured_broker_carries_a_message() -> None:
    """Publish to the broker Celery is configured with, and read the message back."""
    queue_name = f"mend-selftest-{uuid.uuid4().hex}"
    exchange = Exchange(queue_name, type="direct")
    queue = Queue(queue_name, exchange, routing_key=queue_name, auto_delete=True)
    with Connection(celery_app.conf.broker_url, transport_options=celery_app.conf.broker_transport_options) as conn:
        conn.ensure_connection(max_retries=2)
        with conn.Producer() as producer:
            producer.publish({"ping": queue_name}, exchange=exchange, routing_key=queue_name, declare=[queue])
        simple = conn.SimpleQueue(queue)
        message = simple.get(timeout=5)
        assert message.payload == {"ping": queue_name}
        message.ack()
        simple.close()


def test_celery_uses_redis_when_configured() -> None:
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("CELERY_BROKER_URL does not point at Redis")
    assert celery_app.conf.broker_url.startswith("redis://")
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]


@pytest.mark.django_db
def test_the_shared_cache_works() -> None:
    from django.core.cache import cache

    cache.set("mend-selftest", "ok", 30)
    assert cache.get("mend-selftest") == "ok"
    if os.environ.get("CACHE_URL", "").startswith("redis://"):
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
