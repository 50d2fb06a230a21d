"""Issue 14: the plan's content is read once per process and kept, and a sync is seen everywhere at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans import content_cache
from plans.content import load_plan, parse_plan
from plans.sync import sync_plan
from tests.plans.test_content import _raw

pytestmark = pytest.mark.django_db


def _plan_queries() -> int:
    with CaptureQueriesContext(connection) as captured:
        content_cache.plan()
    return sum('"plans_' in q["sql"] for q in captured.captured_queries)


def test_the_plan_is_read_once_and_kept() -> None:
    assert _plan_queries() > 0
    assert _plan_queries() == 0  # kept: only the version is looked up, in the shared cache
    stage = content_cache.plan().by_number[1]
    assert [s.slug for s in stage.steps.all()] == [s.slug for s in content_cache.plan().steps if s.stage.number == 1]


def test_another_process_s_sync_is_seen_at_the_next_use() -> None:
    content_cache.plan()
    cache.set(content_cache.VERSION_KEY, "synced elsewhere", None)  # what a sync in another process leaves
    assert _plan_queries() > 0


def test_a_sync_shows_the_new_words_at_once() -> None:
    before = content_cache.plan().by_number[1].title
    raw = _raw()
    raw["stages"][0]["title"] = "A new title for the first stage"
    sync_plan(parse_plan(raw))
    assert content_cache.plan().by_number[1].title == "A new title for the first stage"
    assert content_cache.plan().titles[1] == "A new title for the first stage"
    sync_plan(load_plan())
    assert content_cache.plan().by_number[1].title == before


class _CountingCache:
    """The shared cache, counting look-ups of the plan's version (whatever the cache: database or Redis)."""

    def __init__(self) -> None:
        self.lookups = 0

    def get(self, key: str, *args: object) -> object:
        self.lookups += key == content_cache.VERSION_KEY
        return cache.get(key, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(cache, name)


def test_a_request_looks_the_version_up_once_however_often_it_reads_the_plan(monkeypatch) -> None:
    # The signals' receivers are called directly: sending `request_started` would also run Django's
    # close_old_connections, which closes the test's connection mid-transaction on PostgreSQL.
    counting = _CountingCache()
    monkeypatch.setattr(content_cache, "cache", counting)
    content_cache.plan()
    try:
        content_cache.request_started()
        counting.lookups = 0
        for _ in range(3):
            content_cache.plan()
        assert counting.lookups == 1
        cache.set(content_cache.VERSION_KEY, "synced elsewhere", None)  # a sync in another process, mid-request
        content_cache.request_finished()
        content_cache.request_started()
        assert _plan_queries() > 0  # …is seen at the next request
    finally:
        content_cache.request_finished()
    counting.lookups = 0
    content_cache.plan()  # outside a request (a task), every read looks it up
    content_cache.plan()
    assert counting.lookups == 2


def test_a_page_that_reads_the_plan_three_times_looks_the_version_up_once(monkeypatch) -> None:
    """Through Django's own request signals: the plan overview reads the plan three times."""
    from django.urls import reverse

    from tests.factories import make_couple
    from tests.helpers import client_as

    client = client_as(make_couple().partners.get(seat=1).user)
    client.get(reverse("plans:overview"))
    counting = _CountingCache()
    monkeypatch.setattr(content_cache, "cache", counting)
    assert client.get(reverse("plans:overview")).status_code == 200
    assert counting.lookups == 1


def test_a_sync_within_a_request_is_seen_by_the_rest_of_that_request() -> None:
    content_cache.request_started()
    try:
        before = content_cache.plan().by_number[1].title
        raw = _raw()
        raw["stages"][0]["title"] = "A title changed mid-request"
        sync_plan(parse_plan(raw))
        assert content_cache.plan().by_number[1].title == "A title changed mid-request"
        # …kept under the new version, not the one this request looked up first (read again at the next one).
        assert cache.get(content_cache.VERSION_KEY) in content_cache._kept
        sync_plan(load_plan())
        assert content_cache.plan().by_number[1].title == before
    finally:
        content_cache.request_finished()
