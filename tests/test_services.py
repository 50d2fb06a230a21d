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
        assert settings.CACHES["default"]["BACKEND"] == "recovery.cache.RedisCache"


def test_the_redis_cache_reuses_one_client_per_pool() -> None:
    if not os.environ.get("CACHE_URL", "").startswith("redis://"):
        pytest.skip("CACHE_URL does not point at Redis")
    from recovery.cache import RedisCache

    cache = RedisCache(os.environ["CACHE_URL"], {"KEY_PREFIX": f"selftest-{uuid.uuid4().hex}"})
    first = cache._cache.get_client(write=True)
    cache.set("a", {"n": 1}, 30)
    cache.set_many({"b": 2, "c": 3}, 30)
    assert cache.get("a") == {"n": 1} and cache.get_many(["b", "c"]) == {"b": 2, "c": 3}
    assert cache.incr("b") == 3 and cache.delete("c") and cache.get("c") is None
    assert cache._cache.get_client() is first and cache._cache.get_client(write=True) is first
    cache.delete_many(["a", "b"])
