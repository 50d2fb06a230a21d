"""plan.toml: validated with clear errors, complete, cited, and synced without losing progress."""

from __future__ import annotations

import copy
import tomllib
from collections import Counter
from datetime import date

import pytest

from plans.content import (
    PLAN_PATH,
    SOURCE_KEYS,
    PlanContentError,
    body_links,
    load_plan,
    parse_plan,
    recurring_steps,
    render_body,
)
from plans.load import MAX_MINUTES_A_DAY, MAX_MINUTES_A_WEEK, stage_load
from plans.models import Completion, Stage, Step
from plans.sync import sync_plan
from tests.factories import CompletionFactory, make_couple
from tests.plans.shingles import fingerprint, load_fingerprints, shingles

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
    CompletionFactory(step=step, author=hurt, period="once", done_on=date(2026, 11, 1))
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


# --- What the clinical review asked of the content, kept true -----------------------------------------


def _where(plan) -> dict[str, tuple[int, int]]:
    """slug -> (stage number, position in the stage)."""
    return {step.slug: (stage.number, i) for stage in plan.stages for i, step in enumerate(stage.steps)}


def _content(slug: str):
    return next(step for step in load_plan().steps if step.slug == slug)


@pytest.mark.parametrize(
    ("slug", "latest_stage"),
    [
        ("when-a-trigger-hits", 1),
        ("self-care", 1),
        ("sti-testing", 1),
        ("private-safety-check", 1),
        ("weekly-review", 2),
        ("the-long-view", 2),
        ("daily-check-in", 2),
    ],
)
def test_early_help_comes_early(slug: str, latest_stage: int) -> None:
    stage, _position = _where(load_plan())[slug]
    assert stage <= latest_stage


def test_the_rebuild_decision_is_revisited_after_understanding_what_left_us_vulnerable() -> None:
    where = _where(load_plan())
    assert where["choosing-whether-to-rebuild"][0] == 1
    assert where["revisit-the-rebuild-decision"] > where["what-left-us-vulnerable"]


def test_sti_testing_comes_before_and_is_named_in_coming_back_together() -> None:
    where = _where(load_plan())
    assert where["sti-testing"] < where["only-by-mutual-desire"]
    body = _content("only-by-mutual-desire").body
    assert "sexual health check from the first stage" in body and "condoms" in body
    assert "cdc-sti-2021" in _content("sti-testing").sources


def test_decisions_about_leaving_carry_the_safety_caveat_and_link_the_support_page() -> None:
    for slug in ("choosing-whether-to-rebuild", "revisit-the-rebuild-decision"):
        body = _content(slug).body
        assert "domestic abuse service" in body and "frightened of your partner" in body
        assert "[The support page](/safety/support/)" in body


def test_the_evening_teleconference_is_short_hurt_partner_first_and_stops_if_anger_rises() -> None:
    step = _content("evening-teleconference")
    assert step.per_week <= 3 and step.minutes <= 10
    assert 5 <= sum(phase.minutes for phase in step.timer) <= 10
    assert "the partner who was hurt speaks first, or alone" in step.body
    assert "their own feelings" in step.body and "Stop if anger is rising" in step.body
    # The timer and the body agree on when replies happen.
    assert "weekly review" in step.timer[-1].label and "tomorrow" not in step.timer[-1].label
    assert "waits for your weekly review" in step.body


def test_empathy_is_led_by_the_partner_who_had_the_affair_and_vigilance_is_an_injury() -> None:
    assert _content("practising-empathy").who == "involved"
    body = _content("signs-of-attention").body
    assert "response to an injury, not a flaw" in body and "never yours to suggest" in body


def test_the_long_view_states_its_evidence_honestly() -> None:
    step = _content("the-long-view")
    assert "marin-2014" in step.sources
    for fact in ("19 couples", "four in ten", "one in four", "stayed together", "small study"):
        assert fact in step.body


@pytest.mark.parametrize(
    ("slug", "not_cited"),
    [
        ("private-safety-check", "six-step-plan"),  # no article discusses abuse
        ("end-the-affair", "six-step-plan"),  # it never mentions ending the affair
        ("choosing-whether-to-rebuild", "ten-steps"),  # no such content
    ],
)
def test_the_citations_the_review_found_wrong_stay_fixed(slug: str, not_cited: str) -> None:
    assert not_cited not in _content(slug).sources


def test_contempt_and_stonewalling_are_named_in_the_ground_rules() -> None:
    body = _content("speak-from-i").body
    assert "Contempt" in body and "Stonewalling" in body


def test_no_stage_asks_more_than_the_limit_and_the_weekly_review_is_counted_once() -> None:
    steps = recurring_steps(load_plan())
    for number in range(1, 8):
        load = stage_load(steps, number)
        assert load.day <= MAX_MINUTES_A_DAY and load.week <= MAX_MINUTES_A_WEEK, (number, load)
    assert _content("keep-the-weekly-review").cadence == "once"


def test_every_stage_rests_or_keeps_what_came_before_and_something_rests() -> None:
    plan = load_plan()
    assert any(stage.rests for stage in plan.stages) and any(stage.lightens for stage in plan.stages)
    for stage in plan.stages[1:]:
        assert stage.keep_doing or stage.rests or stage.lightens


def test_links_in_step_bodies_lead_to_pages_of_this_site() -> None:
    from django.urls import resolve

    links = [link for step in load_plan().steps for link in body_links(step.body)]
    assert "/safety/support/" in links
    for link in links:
        resolve(link)  # raises Resolver404 for a page that doesn't exist


def test_no_run_of_six_words_is_copied_from_the_source_articles() -> None:
    fingerprints = load_fingerprints()
    plan = load_plan()
    texts = [(f"stage {s.number}", f"{s.title}\n{s.summary}") for s in plan.stages]
    texts += [(f"stage {s.number} carry-over", item.why) for s in plan.stages for item in (*s.rests, *s.lightens)]
    for step in plan.steps:
        texts.append((step.slug, "\n".join([step.title, step.body, *(p.label for p in step.timer)])))
    copied = [
        f"{where}: {' '.join(shingle)}"
        for where, text in texts
        for shingle in shingles(text)
        if fingerprint(shingle) in fingerprints
    ]
    assert copied == []


def test_the_shingle_check_catches_a_copied_sentence() -> None:
    copied = "Communication is the key to rebuilding intimacy after infidelity."  # from six-step-plan
    assert any(fingerprint(s) in load_fingerprints() for s in shingles(copied))


# --- The validator: load and carry-over -------------------------------------------------------------


def _raw_step(raw: dict, slug: str) -> dict:
    return next(s for stage in raw["stages"] for s in stage["steps"] if s["slug"] == slug)


def _refused(raw: dict) -> str:
    with pytest.raises(PlanContentError) as error:
        parse_plan(raw)
    return str(error.value)


def test_a_stage_over_thirty_minutes_a_day_is_refused_naming_the_stage_and_its_steps() -> None:
    raw = _raw()
    _raw_step(raw, "evening-highs-and-lows")["minutes"] = 20
    message = _refused(raw)
    assert "stage 2: about 38.0 minutes a day for the partner who had the affair, over the limit of 30" in message
    assert "daily-check-in (15.0)" in message and "evening-highs-and-lows (20.0)" in message


def test_a_stage_over_three_hours_a_week_is_refused() -> None:
    raw = _raw()
    _raw_step(raw, "thoughtful-gestures")["minutes"] = 130
    message = _refused(raw)
    assert "stage 2: 190 minutes a week for the partner who was hurt, over the limit of 180" in message
    assert "thoughtful-gestures (130)" in message and "weekly-review (45)" in message


def test_a_stage_must_say_what_happens_to_each_earlier_recurring_step() -> None:
    raw = _raw()
    raw["stages"][3]["keep_doing"].remove("weekly-review")
    assert "stage 4: say what happens to 'weekly-review'" in _refused(raw)


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda r: r["stages"][2]["keep_doing"].append("full-accounting"), "stage 3: 'full-accounting' is not a daily"),
        (lambda r: r["stages"][2]["keep_doing"].append("daily-check-in"), "'daily-check-in' is named more than once"),
        (
            lambda r: r["stages"][2]["lighten"][0].update(minutes=20),
            "stage 3, lighten 'daily-check-in': must be lighter than now",
        ),
        (lambda r: r["stages"][2]["lighten"][0].pop("why"), "lighten 'daily-check-in': missing why"),
        (lambda r: _raw_step(r, "weekly-review").__setitem__("per_week", 3), "per_week is only for daily steps"),
        (lambda r: _raw_step(r, "daily-check-in").__setitem__("per_week", 9), "per_week must be a whole number"),
        (
            lambda r: _raw_step(r, "sensate-caressing").__setitem__("follows", "daily-check-in"),
            "follows 'daily-check-in', which must be an earlier weekly step of the same stage",
        ),
        (
            lambda r: _raw_step(r, "sti-testing").__setitem__("body", "See [a site](https://example.com/)."),
            "a link must look like [words](/a/path/on/this/site/)",
        ),
        (lambda r: r["stages"][1].__setitem__("keep", []), "stage 2: unknown field(s) keep"),
    ],
)
def test_a_broken_carry_over_is_refused_with_a_clear_message(breakage, message: str) -> None:
    raw = _raw()
    breakage(raw)
    assert message in _refused(raw)


def test_an_old_plan_without_carry_over_can_still_be_measured_unchecked() -> None:
    raw = _raw()
    for stage in raw["stages"]:
        for field in ("keep_doing", "rest", "lighten"):
            stage.pop(field, None)
    assert "say what happens to" in _refused(raw)
    plan = parse_plan(raw, check_load=False)
    assert stage_load(recurring_steps(plan), 7).week > MAX_MINUTES_A_WEEK  # nothing rests: it piles up


def test_body_links_render_as_links_and_everything_else_stays_escaped() -> None:
    html = render_body(
        "See [the support page](/safety/support/) or <b>[this](https://example.com/)</b>.\n\n- [One](/a/)"
    )
    assert html == (
        '<p>See <a href="/safety/support/">the support page</a> or '
        "&lt;b&gt;[this](https://example.com/)&lt;/b&gt;.</p>"
        '<ul><li><a href="/a/">One</a></li></ul>'
    )


# --- Sync: schedules, and progress when a step moves ---------------------------------------------------


@pytest.mark.django_db
def test_the_sync_stores_each_recurring_step_s_schedule() -> None:
    step = Step.objects.get(slug="daily-check-in")
    recurring = step.recurring()
    assert recurring is not None and recurring.introduced_at == 2
    assert [(p.from_stage, p.minutes, p.per_week) for p in recurring.phases] == [(2, 15, 7), (3, 10, 7), (7, 10, 3)]
    assert Step.objects.get(slug="sensate-caressing").follows == "hand-on-hand-second-stage"
    assert Step.objects.get(slug="full-accounting").recurring() is None


@pytest.mark.django_db
def test_a_step_that_moves_to_another_stage_keeps_every_couple_s_progress() -> None:
    couple = make_couple()
    hurt = couple.partners.get(seat=1).user
    step = Step.objects.get(slug="self-care")
    assert step.stage.number == 1
    CompletionFactory(step=step, author=hurt, period="2026-W44", done_on=date(2026, 11, 1))
    raw = _raw()
    moved = raw["stages"][0]["steps"].pop(
        next(i for i, s in enumerate(raw["stages"][0]["steps"]) if s["slug"] == "self-care")
    )
    raw["stages"][2]["steps"].append(moved)
    raw["stages"][1]["keep_doing"].remove("self-care")
    raw["stages"][2]["keep_doing"].remove("self-care")
    sync_plan(parse_plan(raw))
    step.refresh_from_db()
    assert (step.pk, step.stage.number, step.retired) == (Step.objects.get(slug="self-care").pk, 3, False)
    assert Completion.objects.get(step=step).author == hurt
    assert step.recurring().introduced_at == 3
    sync_plan(load_plan())  # and back again
    step.refresh_from_db()
    assert step.stage.number == 1 and Completion.objects.filter(step=step).count() == 1
