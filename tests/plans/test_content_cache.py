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
