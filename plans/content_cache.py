"""The plan's content — stages, their steps and sources — is the same for everyone and changes only when
`plans.sync.sync_plan` runs (after `migrate`). Each process keeps it in memory and checks it on every use
against a version in the shared cache, which a sync replaces: a new plan is seen by every process at its
next request, and reading the plan costs one cache look-up a request instead of several queries (a page that
reads the plan three times looks the version up once; outside a request, every read looks it up).

Read-only: the objects are shared by every request of the process, so nothing may change them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Prefetch

from plans.models import Stage, Step

VERSION_KEY = "plans:content-version"
# The plan by version, the newest two: a request begun before a sync ends on the version it began with while
# the next ones read the new one, and neither makes the other read the plan again.
_kept: dict[str, PlanContent] = {}
_KEPT_VERSIONS = 2
_writing = threading.Lock()
# The version as looked up in this request: "" in a request that hasn't read the plan yet, None outside one.
_request_version: ContextVar[str | None] = ContextVar("plan_version_this_request", default=None)


@dataclass(frozen=True)
class PlanContent:
    stages: Sequence[Stage]  # by number; `stage.steps.all()` holds its current steps; `step_count` counts all
    by_number: dict[int, Stage]
    titles: dict[int, str]
    steps: list[Step]  # every current (not retired) step, by stage and position, with its stage
    by_slug: dict[str, Step]  # …and its sources


def plan() -> PlanContent:
    version = _request_version.get()
    if not version:
        version = _version()
        if _request_version.get() == "":
            _request_version.set(version)  # the rest of this request reads the plan without asking again
    content = _kept.get(version)
    if content is None:
        content = _load()
        with _writing:
            _kept[version] = content
            for older in list(_kept)[:-_KEPT_VERSIONS]:
                del _kept[older]
    return content


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:  # a fresh cache: whoever sets it first names the version everyone uses
        cache.add(VERSION_KEY, uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return str(version)


def request_started(**kwargs: Any) -> None:
    """At a request's start (the `request_started` signal): its first read of the plan looks the version up."""
    _request_version.set("")


def request_finished(**kwargs: Any) -> None:
    _request_version.set(None)


def changed() -> None:
    """After the plan's rows changed: every process reads them again (now, and once they are committed)."""
    forget()
    if _request_version.get() is not None:
        _request_version.set("")  # this request's next read sees the new plan
    cache.set(VERSION_KEY, uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid4().hex, None), robust=True)


def forget() -> None:
    """This process reads the plan afresh at its next use (tests call it between tests)."""
    with _writing:
        _kept.clear()


def _load() -> PlanContent:
    stages = list(
        Stage.objects.annotate(step_count=Count("steps")).prefetch_related(
            Prefetch("steps", queryset=Step.objects.filter(retired=False))
        )
    )
    steps = list(Step.objects.filter(retired=False).select_related("stage").prefetch_related("sources"))
    return PlanContent(
        stages=stages,
        by_number={stage.number: stage for stage in stages},
        titles={stage.number: stage.title for stage in stages},
        steps=steps,
        by_slug={step.slug: step for step in steps},
    )
