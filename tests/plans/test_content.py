"""plan.toml: validated with clear errors, complete, cited, and synced without losing progress."""

from __future__ import annotations

import copy
import tomllib
from collections import Counter

import pytest

from plans.content import PLAN_PATH, SOURCE_KEYS, PlanContentError, load_plan, parse_plan, render_body
from plans.models import Completion, Stage, Step
from plans.sync import sync_plan
from tests.factories import make_couple

RAW = tomllib.loads(PLAN_PATH.read_text(encoding="utf-8"))


def _raw() -> dict:
    return copy.deepcopy(RAW)


def test_the_plan_has_seven_stages_in_order_with_enough_steps() -> None:
    plan = load_plan()
    assert [s.number for s in plan.stages] == [1, 2, 3, 4, 5, 6, 7]
    assert all(len(stage.steps) >= 4 for stage in plan.stages)
    assert len(plan.steps) >= 35
    assert [s.opened_by for s in plan.stages] == ["both"] * 4 + ["pace_setter"] * 2 + ["both"]


def test_every_source_is_cited_at_least_three_times() -> None:
    counts = Counter(key for step in load_plan().steps for key in step.sources)
    assert {key: counts[key] >= 3 for key in SOURCE_KEYS} == dict.fromkeys(SOURCE_KEYS, True), counts


def test_the_tools_and_the_private_safety_check_are_in_the_plan() -> None:
    plan = load_plan()
    tools = {step.tool for step in plan.steps}
    assert {"table-of-trust", "transparency", "wish-notes", "timer"} <= tools
    private = [step for step in plan.steps if step.private]
    assert len(private) == 1 and plan.stages[0].steps.count(private[0]) == 1
    assert all(step.timer for step in plan.steps if step.tool == "timer")
    cadences = {step.cadence for step in plan.steps}
    assert cadences == {"once", "daily", "weekly"}


def _step(raw: dict, stage: int = 0, index: int = 0) -> dict:
    return raw["stages"][stage]["steps"][index]


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda r: _step(r).__setitem__("sources", ["no-such-article"]), "unknown source key 'no-such-article'"),
        (lambda r: _step(r, 1, 0).__setitem__("slug", _step(r)["slug"]), "duplicate step slug"),
        (lambda r: _step(r).pop("title"), "missing title"),
        (lambda r: _step(r).__setitem__("kind", "homework"), "kind 'homework' is not one of"),
        (lambda r: _step(r).__setitem__("who", "everyone"), "who 'everyone' is not one of"),
        (lambda r: _step(r).__setitem__("cadence", "hourly"), "cadence 'hourly' is not one of"),
        (lambda r: _step(r).update(minutes=10, days=3), "give either minutes or days"),
        (lambda r: _step(r).__setitem__("tool", "jukebox"), "tool 'jukebox' is not one of"),
        (lambda r: r["stages"][4].__setitem__("opened_by", "anyone"), "opened_by 'anyone' is not one of"),
        (lambda r: r["stages"].pop(), "must have 7 stages"),
    ],
)
def test_a_broken_plan_is_refused_with_a_message_naming_the_step(breakage, message: str) -> None:
    raw = _raw()
    slug = _step(raw)["slug"]
    breakage(raw)
    with pytest.raises(PlanContentError) as error:
        parse_plan(raw)
    assert message in str(error.value)
    if "stage" not in message and "opened_by" not in message:
        assert f"stage 1, step {slug!r}" in str(error.value) or "stage 2" in str(error.value)


def test_every_problem_is_reported_at_once() -> None:
    raw = _raw()
    _step(raw)["kind"] = "homework"
    _step(raw, 2, 1)["sources"] = ["nope"]
    with pytest.raises(PlanContentError) as error:
        parse_plan(raw)
    assert "homework" in str(error.value) and "'nope'" in str(error.value)


def test_bodies_render_as_escaped_paragraphs_and_lists() -> None:
    html = render_body("First <b>para</b>.\n\n- one\n- two\n\nLast line\ncontinues.")
    assert html == "<p>First &lt;b&gt;para&lt;/b&gt;.</p><ul><li>one</li><li>two</li></ul><p>Last line continues.</p>"


@pytest.mark.django_db
def test_migrate_synced_the_plan_and_syncing_again_changes_nothing() -> None:
    plan = load_plan()
    assert Stage.objects.count() == 7
    assert Step.objects.filter(retired=False).count() == len(plan.steps)
    before = list(Step.objects.values_list("pk", "slug", "title", "body").order_by("pk"))
    assert sync_plan(plan)["retired"] == 0
    assert list(Step.objects.values_list("pk", "slug", "title", "body").order_by("pk")) == before


@pytest.mark.django_db
def test_editing_the_text_keeps_every_couple_s_progress() -> None:
    couple = make_couple()
    hurt = couple.partners.get(seat=1).user
    step = Step.objects.filter(stage__number=1, who="both").first()
    Completion.objects.create(step=step, couple=couple, author=hurt, period="once", done_on="2026-11-01")
    raw = _raw()
    for stage in raw["stages"]:
        for s in stage["steps"]:
            if s["slug"] == step.slug:
                s["title"] = "A new title"
                s["body"] = "New words for the same step."
    dropped = raw["stages"][6]["steps"].pop()
    sync_plan(parse_plan(raw))
    step.refresh_from_db()
    assert (step.title, step.body) == ("A new title", "New words for the same step.")
    assert Completion.objects.get(step=step).author == hurt
    assert Step.objects.get(slug=dropped["slug"]).retired
    sync_plan(load_plan())  # and back again
    assert not Step.objects.get(slug=dropped["slug"]).retired
