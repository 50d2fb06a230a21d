"""The plan pages: overview, steps, logging, gating through the pages, and who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from plans import stages
from plans.completions import local_today
from plans.models import Completion, Readiness, StageChange, Step
from tests.factories import CompletionFactory, StageChangeFactory, UserFactory, make_couple
from tests.helpers import page, people_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def couple():
    return make_couple(
        hurt=UserFactory(display_name="Alex", time_zone="Pacific/Auckland"),
        involved=UserFactory(display_name="Sam", time_zone="Pacific/Honolulu"),
    )


def _step(**filters) -> Step:
    return Step.objects.filter(retired=False, private=False, **filters).first()


def _log(client, step: Step, **data):
    payload = {"done_on": data.pop("done_on", None), "note": "", "visibility": "partner", **data}
    return client.post(reverse("plans:step", args=[step.slug]), payload)


def test_the_overview_shows_the_stage_and_its_steps(client, couple) -> None:
    alex, _sam = people_of(couple)
    client.force_login(alex)
    text = page(client.get(reverse("plans:overview")))
    assert "You're at stage 1 of 7" in text
    assert Step.objects.filter(stage__number=1).first().stage.title in text
    assert "I'm ready for the next stage" in text


def test_a_step_page_shows_instructions_who_how_long_and_sources(client, couple) -> None:
    alex, _sam = people_of(couple)
    client.force_login(alex)
    step = _step(stage__number=1)
    text = page(client.get(reverse("plans:step", args=[step.slug])))
    assert step.title in text
    for source in step.sources.all():
        assert source.title in text and source.author in text
    assert ("about" in text and "minutes" in text) or "over" in text


def test_logging_a_step_shows_you_and_your_partner_what_was_shared(client, couple) -> None:
    alex, sam = people_of(couple)
    step = _step(stage__number=1, who="both")
    client.force_login(alex)
    today = local_today(alex)
    response = _log(client, step, done_on=today.isoformat(), note="We talked gently.")
    assert response.status_code == 302
    assert f"You did this on {today:%A} {today.day} {today:%B %Y}" in page(
        client.get(reverse("plans:step", args=[step.slug]))
    )
    client.force_login(sam)
    text = page(client.get(reverse("plans:step", args=[step.slug])))
    assert f"Alex did this on {today:%A} {today.day} {today:%B %Y}" in text
    assert "We talked gently." in text


def test_only_me_completions_never_reach_the_partner_even_as_a_count(client, couple) -> None:
    alex, sam = people_of(couple)
    step = _step(stage__number=1, who="both")
    client.force_login(alex)
    _log(client, step, done_on=local_today(alex).isoformat(), note="just for me", visibility="only_me")
    client.force_login(sam)
    text = page(client.get(reverse("plans:step", args=[step.slug])))
    assert "just for me" not in text and "Alex did this" not in text
    assert "Nothing logged yet." in text
    assert not Completion.objects.visible_to(sam).exists()
    assert Completion.objects.visible_to(alex).count() == 1


def test_the_private_safety_check_is_always_only_me(client, couple) -> None:
    alex, sam = people_of(couple)
    step = Step.objects.get(private=True)
    client.force_login(alex)
    text = page(client.get(reverse("plans:step", args=[step.slug])))
    assert "only ever seen by you" in text
    assert _log(client, step, done_on=local_today(alex).isoformat(), visibility="partner").status_code == 400
    assert _log(client, step, done_on=local_today(alex).isoformat(), visibility="only_me").status_code == 302
    assert Completion.objects.get(step=step).visibility == "only_me"
    # The rule holds below the form too.
    from plans.completions import log_completion

    sam_membership = couple.partners.get(seat=2)
    forced = log_completion(
        membership=sam_membership, step=step, current_stage=1, done_on=local_today(sam), note="", visibility="partner"
    )
    assert forced.visibility == "only_me"
    client.force_login(sam)
    assert "Alex did this" not in page(client.get(reverse("plans:step", args=[step.slug])))


def test_bad_input_rerenders_with_what_was_typed(client, couple) -> None:
    alex, _sam = people_of(couple)
    step = _step(stage__number=1, who="both")
    client.force_login(alex)
    too_old = (local_today(alex) - timedelta(days=5)).isoformat()
    response = _log(client, step, done_on=too_old, note="kept words")
    assert response.status_code == 400
    assert "today or yesterday" in page(response) and "kept words" in page(response)
    assert _log(client, step, done_on="not a date", note="x").status_code == 400
    assert _log(client, step, done_on=local_today(alex).isoformat(), visibility="everyone").status_code == 400
    assert not Completion.objects.exists()


def test_a_second_log_for_the_same_period_is_refused_without_a_duplicate(client, couple) -> None:
    alex, _sam = people_of(couple)
    step = _step(stage__number=1, who="both", cadence="once") or _step(stage__number=1, who="both")
    client.force_login(alex)
    today = local_today(alex).isoformat()
    _log(client, step, done_on=today)
    response = _log(client, step, done_on=today, note="again")
    assert response.status_code == 400
    assert "already logged" in page(response)
    assert Completion.objects.filter(step=step).count() == 1


def test_daily_steps_are_logged_once_per_local_day(client, couple) -> None:
    alex, _sam = people_of(couple)
    step = Step.objects.filter(cadence="daily", who="both", retired=False).order_by("stage__number").first()
    StageChangeFactory(by=alex, from_stage=1, to_stage=step.stage.number, reason="opened")
    client.force_login(alex)
    today = local_today(alex)
    assert _log(client, step, done_on=(today - timedelta(days=1)).isoformat()).status_code == 302
    assert _log(client, step, done_on=today.isoformat()).status_code == 302
    assert set(Completion.objects.values_list("period", flat=True)) == {
        today.isoformat(),
        (today - timedelta(days=1)).isoformat(),
    }


def test_steps_of_an_unopened_stage_can_be_read_but_not_logged(client, couple) -> None:
    alex, _sam = people_of(couple)
    step = _step(stage__number=3, who="both")
    client.force_login(alex)
    text = page(client.get(reverse("plans:step", args=[step.slug])))
    assert "once its stage is open" in text
    assert _log(client, step, done_on=local_today(alex).isoformat()).status_code == 400
    assert not Completion.objects.exists()


def test_a_step_for_the_other_partner_cannot_be_logged_by_you(client, couple) -> None:
    alex, sam = people_of(couple)
    step = Step.objects.filter(who="involved", retired=False).order_by("stage__number").first()
    StageChangeFactory(by=alex, from_stage=1, to_stage=step.stage.number, reason="opened")
    client.force_login(alex)
    assert "for your partner to do" in page(client.get(reverse("plans:step", args=[step.slug])))
    assert _log(client, step, done_on=local_today(alex).isoformat()).status_code == 400
    client.force_login(sam)
    assert _log(client, step, done_on=local_today(sam).isoformat()).status_code == 302


def test_both_ready_opens_the_next_stage_and_it_is_recorded(client, couple) -> None:
    alex, sam = people_of(couple)
    client.force_login(alex)
    response = client.post(reverse("plans:ready"), follow=True)
    assert "opens when you're both ready" in page(response)
    client.force_login(sam)
    assert "Alex has said they're ready" in page(client.get(reverse("plans:overview")))
    response = client.post(reverse("plans:ready"), follow=True)
    assert "You opened stage 2" in page(response)  # celebrated once…
    assert page(response).count('class="message message--success"') == 0  # …not announced twice
    assert stages.current_stage(couple) == 2
    change = StageChange.objects.get(couple=couple)
    assert (change.by, change.from_stage, change.to_stage, change.reason) == (sam, 1, 2, "opened")
    assert not Readiness.objects.exists()
    assert "opened" in page(client.get(reverse("plans:timeline")))
    assert "You opened stage 2" in page(client.get(reverse("plans:overview")))  # the celebration


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _at_stage(couple, number: int) -> None:
    StageChangeFactory(couple=couple, by=None, from_stage=1, to_stage=number, reason="opened")


def test_the_pace_setter_opens_stage_five_and_is_never_shown_the_other_s_willingness(client, couple) -> None:
    alex, sam = people_of(couple)
    _at_stage(couple, 4)
    client.force_login(sam)
    text = page(client.get(reverse("plans:overview")))
    assert "Note that I'm willing" in text and "is never told" in text
    client.post(reverse("plans:ready"))
    assert stages.current_stage(couple) == 4  # willingness opens nothing
    client.force_login(alex)
    text = page(client.get(reverse("plans:overview")))
    assert "Open this stage" in text
    assert "willing" not in text.lower() and "Sam has said" not in text
    before = _without_tokens(page(client.get(reverse("plans:overview"))))
    Readiness.objects.all().delete()
    after = _without_tokens(page(client.get(reverse("plans:overview"))))
    assert after == before  # nothing on the page depended on Sam's word
    client.post(reverse("plans:ready"))
    assert stages.current_stage(couple) == 5


def test_with_mutual_hurt_both_must_open_a_pace_setter_stage(client) -> None:
    couple = make_couple(mutual=True)
    alex, sam = people_of(couple)
    _at_stage(couple, 5)
    client.force_login(alex)
    client.post(reverse("plans:ready"))
    assert stages.current_stage(couple) == 5
    client.force_login(sam)
    text = page(client.get(reverse("plans:overview")))
    assert "Open this stage" in text and "chosen to open" not in text  # nothing of Alex's choice
    client.post(reverse("plans:ready"))
    assert stages.current_stage(couple) == 6


def test_either_partner_steps_back_without_a_reason(client, couple) -> None:
    alex, sam = people_of(couple)
    _at_stage(couple, 3)
    Readiness.objects.create(couple=couple, user=alex, for_stage=4)
    client.force_login(sam)
    assert "without a reason" in page(client.get(reverse("plans:overview")))
    assert "You'll both return to stage 2" in page(client.get(reverse("plans:step_back")))
    client.post(reverse("plans:step_back"))
    assert stages.current_stage(couple) == 2
    assert not Readiness.objects.exists()
    change = StageChange.objects.latest("at")
    assert (change.by, change.from_stage, change.to_stage, change.reason) == (sam, 3, 2, "stepped_back")


def test_a_double_click_on_ready_opens_only_once(client, couple) -> None:
    alex, sam = people_of(couple)
    Readiness.objects.create(couple=couple, user=alex, for_stage=2)
    client.force_login(sam)
    client.post(reverse("plans:ready"))
    client.post(reverse("plans:ready"))
    assert stages.current_stage(couple) == 2
    assert StageChange.objects.count() == 1


def test_milestones_at_seven_days(client, couple) -> None:
    alex, _sam = people_of(couple)
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        client.force_login(alex)
        assert "7 days in the plan" in page(client.get(reverse("plans:overview")))


def test_table_of_trust_is_shared_and_dates_are_kept(client, couple) -> None:
    alex, sam = people_of(couple)
    client.force_login(alex)
    client.post(reverse("plans:table_of_trust"), {"text": "our Sunday walks"})
    client.force_login(sam)
    text = page(client.get(reverse("plans:table_of_trust")))
    assert "our Sunday walks" in text and "Added by Alex" in text
    ritual = couple.rituals.get()
    today = local_today(sam)
    client.post(reverse("plans:ritual_done", args=[ritual.pk]), {"done_on": today.isoformat()})
    response = client.post(reverse("plans:ritual_done", args=[ritual.pk]), {"done_on": today.isoformat()}, follow=True)
    assert "already marked" in page(response)
    future = (today + timedelta(days=2)).isoformat()
    response = client.post(reverse("plans:ritual_done", args=[ritual.pk]), {"done_on": future}, follow=True)
    assert "still to come" in page(response)
    assert ritual.dates_done.count() == 1
    assert client.post(reverse("plans:table_of_trust"), {"text": "   "}).status_code == 400


def test_transparency_items_come_into_force_when_the_other_agrees(client, couple) -> None:
    alex, sam = people_of(couple)
    client.force_login(sam)
    client.post(reverse("plans:transparency"), {**ITEM, "text": "Phones stay open to each other."})
    item = couple.agreement_items.get()
    assert client.post(reverse("plans:agreement_decide", args=[item.pk]), {"decision": "agree"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "proposed"  # you can't agree to your own proposal
    client.force_login(alex)
    client.post(reverse("plans:agreement_decide", args=[item.pk]), {"decision": "agree"})
    item.refresh_from_db()
    assert item.status == "in_force"
    client.post(reverse("plans:agreement_change", args=[item.pk]), {**ITEM, "text": "Phones open, for now."})
    change = couple.agreement_items.get(status="proposed")
    client.force_login(sam)
    client.post(reverse("plans:agreement_decide", args=[change.pk]), {"decision": "agree"})
    item.refresh_from_db()
    assert item.status == "replaced"
    history = page(client.get(reverse("plans:transparency")))
    for word in ("proposed", "agreed to", "replaced"):
        assert word in history


ITEM = {"area": "devices", "asks_of": "both", "review_weeks": "4"}


def test_each_item_says_what_it_asks_of_whom_and_when_to_look_again(client, couple) -> None:
    alex, sam = people_of(couple)
    client.force_login(sam)
    client.post(reverse("plans:transparency"), {**ITEM, "asks_of": "proposer", "text": "I text when I leave work."})
    item = couple.agreement_items.get()
    assert "Asks of you" in page(client.get(reverse("plans:transparency")))
    client.force_login(alex)
    assert "Asks of Sam" in page(client.get(reverse("plans:transparency")))
    client.post(reverse("plans:agreement_decide", args=[item.pk]), {"decision": "agree"})
    item.refresh_from_db()
    assert item.review_on == local_today(alex) + timedelta(weeks=4)
    assert "Look at it again on" in page(client.get(reverse("plans:transparency")))
    with time_machine.travel(timezone.now() + timedelta(weeks=4, days=1)):
        client.force_login(alex)  # four weeks on: a new session
        text = page(client.get(reverse("plans:transparency")))
        assert "Time to look at it again" in text and "Keep it for another 4 weeks" in text
        client.post(reverse("plans:agreement_keep", args=[item.pk]))
        item.refresh_from_db()
        assert item.review_on == local_today(alex) + timedelta(weeks=4)
    bad = client.post(reverse("plans:transparency"), {**ITEM, "text": "x", "review_weeks": "52"})
    assert bad.status_code == 400 and "x" not in [
        i.text for i in couple.agreement_items.all()
    ]  # encrypted: compared in Python


@pytest.mark.parametrize("who_ends", ["proposer", "the partner who agreed"])
def test_either_partner_withdraws_agreement_at_any_time_without_a_reason(client, couple, who_ends: str) -> None:
    alex, sam = people_of(couple)
    client.force_login(alex)
    client.post(reverse("plans:transparency"), {**ITEM, "asks_of": "partner", "text": "Location sharing on."})
    item = couple.agreement_items.get()
    client.force_login(sam)
    client.post(reverse("plans:agreement_decide", args=[item.pk]), {"decision": "agree"})
    ender, other = (alex, sam) if who_ends == "proposer" else (sam, alex)
    client.force_login(ender)
    response = client.post(reverse("plans:agreement_end", args=[item.pk]), follow=True)
    assert "no longer in force" in page(response)
    item.refresh_from_db()
    assert item.status == "ended"
    client.force_login(other)
    text = page(client.get(reverse("plans:transparency")))
    assert "No longer agreed: “Location sharing on.”" in text
    assert f"{ender.get_short_name()} no longer agreed" not in text  # who, and never why
    assert client.post(reverse("plans:agreement_end", args=[item.pk]), follow=True).status_code == 200  # twice: fine
    assert couple.agreement_items.get().status == "ended"


def test_the_agreement_page_says_it_is_never_for_control_and_links_private_help(client, couple) -> None:
    alex, _sam = people_of(couple)
    client.force_login(alex)
    text = page(client.get(reverse("plans:transparency")))
    assert "never a way to track, check up on or control each other" in text
    assert reverse("checkins:feels_like_control") in text and "This feels like control, not repair" in text
    assert "Do you feel safe with your partner?" in text  # the private question, offered here too
    plan = page(client.get(reverse("plans:overview")))
    assert reverse("checkins:feels_like_control") in plan


def test_the_safety_question_is_asked_again_privately_before_the_touch_stages(client, couple) -> None:
    alex, sam = people_of(couple)
    for person in (alex, sam):
        client.force_login(person)
        client.post(reverse("checkins:safety_check"), {"feels_safe": "yes"})  # asked at the start
    StageChangeFactory(by=alex, from_stage=3, to_stage=4, reason="opened")
    for person in (alex, sam):
        client.force_login(person)
        assert "Before the next stage: a private question" in page(client.get(reverse("plans:overview")))
    client.force_login(sam)
    client.post(reverse("checkins:safety_check"), {"feels_safe": "later", "next": reverse("plans:overview")})
    assert "Before the next stage: a private question" not in page(client.get(reverse("plans:overview")))
    client.force_login(alex)
    assert "Before the next stage: a private question" in page(client.get(reverse("plans:overview")))  # Alex's own


def test_wish_notes_wait_for_stage_six(client, couple) -> None:
    alex, sam = people_of(couple)
    client.force_login(alex)
    assert "opens only if and when you choose to open it" in page(client.get(reverse("plans:wish_notes")))
    client.force_login(sam)
    assert "opens only if and when Alex opens it" in page(client.get(reverse("plans:wish_notes")))
    client.force_login(alex)
    client.post(reverse("plans:wish_notes"), {"text": "Hold my hand on the walk home."})
    assert not couple.wish_notes.exists()
    _at_stage(couple, 6)
    client.post(reverse("plans:wish_notes"), {"text": "Hold my hand on the walk home."})
    client.force_login(sam)
    assert "Hold my hand on the walk home." in page(client.get(reverse("plans:wish_notes")))


def test_the_timer_step_lists_its_phases_for_use_without_javascript(client, couple) -> None:
    alex, _sam = people_of(couple)
    step = Step.objects.filter(tool="timer", retired=False).first()
    client.force_login(alex)
    text = page(client.get(reverse("plans:step", args=[step.slug])))
    assert "data-timer" in text
    for phase in step.timer:
        assert phase["label"] in text


def test_the_overview_s_query_count_does_not_grow_with_history(client, couple) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alex, sam = people_of(couple)
    client.force_login(alex)
    client.get(reverse("plans:overview"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("plans:overview"))
        return len(queries)

    quiet = count()
    # Session, person, membership with the partner, stage, readiness, completions, stage history; on the
    # embedded defaults one more: the plan's content version, read once a request from the database cache.
    assert quiet <= 8
    for number in (2, 3, 2, 3, 4):
        StageChangeFactory(by=sam, from_stage=1, to_stage=number, reason="opened")
    for step in Step.objects.filter(stage__number__lte=4, retired=False):
        for author in (alex, sam):
            CompletionFactory(step=step, author=author, period="once", done_on=date(2026, 11, 1))
    assert count() == quiet


def _expected_load(stage: int, role: str) -> str:
    from plans.content import load_plan, recurring_steps
    from plans.load import describe_load, person_load

    return describe_load(person_load(recurring_steps(load_plan()), stage, role))


def test_the_overview_shows_each_partner_their_own_load_at_the_current_stage(client, couple) -> None:
    alex, sam = people_of(couple)
    _at_stage(couple, 2)
    client.force_login(alex)
    alex_sees = page(client.get(reverse("plans:overview")))
    client.force_login(sam)
    sam_sees = page(client.get(reverse("plans:overview")))
    hurt, involved = _expected_load(2, "hurt"), _expected_load(2, "involved")
    assert hurt != involved  # small promises are Sam's to keep
    assert hurt in alex_sees and involved not in alex_sees
    assert involved in sam_sees and "minutes a day and" in involved and "minutes a week at this stage." in involved


def test_a_stage_page_says_what_carries_on_what_is_lighter_and_what_rests(client, couple) -> None:
    alex, _sam = people_of(couple)
    client.force_login(alex)
    text = page(client.get(reverse("plans:stage", args=[4])))
    assert _expected_load(4, "hurt") in text
    resting = text.split("Resting from this stage")[1]
    assert Step.objects.get(slug="evening-teleconference").title in resting
    assert "Keep the teleconference for an evening when feelings have piled up" in resting
    kept = text.split("Keep doing from earlier stages")[1].split("Resting from this stage")[0]
    assert Step.objects.get(slug="weekly-review").title in kept
    text = page(client.get(reverse("plans:stage", args=[3])))
    lighter = text.split("Lighter from this stage")[1]
    assert Step.objects.get(slug="daily-check-in").title in lighter and "about 10 minutes, every day" in lighter
    assert "Keep doing from earlier stages" not in page(client.get(reverse("plans:stage", args=[1])))


def test_a_step_page_says_how_often_and_when_it_lightens_or_rests(client, couple) -> None:
    alex, _sam = people_of(couple)
    client.force_login(alex)
    text = page(client.get(reverse("plans:step", args=["daily-check-in"])))
    assert "Later in the plan" in text
    assert "From stage 3: about 10 minutes, every day." in text
    assert "From stage 7: about 10 minutes, 3 days a week." in text
    text = page(client.get(reverse("plans:step", args=["evening-teleconference"])))
    assert "3 days a week" in text and "From stage 4, this step can rest." in text
    assert "Later in the plan" not in page(client.get(reverse("plans:step", args=["full-accounting"])))


def test_a_step_body_links_the_support_page(client, couple) -> None:
    alex, _sam = people_of(couple)
    client.force_login(alex)
    response = client.get(reverse("plans:step", args=["choosing-whether-to-rebuild"]))
    assert f'<a href="{reverse("checkins:safety_support")}">The support page</a>' in response.content.decode()


def test_the_pace_setter_is_addressed_as_you_and_the_other_by_name(client, couple) -> None:
    alex, sam = people_of(couple)
    client.force_login(alex)
    overview = page(client.get(reverse("plans:overview")))
    assert "you open this one, when you choose" in overview and "the partner who sets the pace" not in overview
    assert "only when you choose to open it" in page(client.get(reverse("plans:stage", args=[5])))
    client.force_login(sam)
    assert "Alex opens this one" in page(client.get(reverse("plans:overview")))
    assert "only if and when Alex opens it" in page(client.get(reverse("plans:stage", args=[5])))


def test_ready_says_which_steps_are_still_to_try(client, couple) -> None:
    alex, _sam = people_of(couple)
    client.force_login(alex)
    text = page(client.get(reverse("plans:overview")))
    stage_one = Step.objects.filter(stage__number=1, retired=False).exclude(who="involved")
    assert f"{stage_one.count()} steps of this stage are still yours to try" in text
    assert "Steps are a guide, not a test" in text
    for step in stage_one:
        assert step.title in text


def test_a_done_once_only_step_says_so_instead_of_offering_the_form_again(client, couple) -> None:
    alex, _sam = people_of(couple)
    step = Step.objects.filter(stage__number=1, cadence="once", who="both", private=False, retired=False).first()
    client.force_login(alex)
    assert "Mark as done" in page(client.get(reverse("plans:step", args=[step.slug])))
    _log(client, step, done_on=local_today(alex).isoformat())
    text = page(client.get(reverse("plans:step", args=[step.slug])))
    assert "Mark as done" not in text and "Nothing more to log here" in text
    _at_stage(couple, 2)
    daily = Step.objects.filter(stage__number=2, cadence="daily", who="both", retired=False).first()
    _log(client, daily, done_on=local_today(alex).isoformat())
    assert "Logged for today. See you tomorrow." in page(client.get(reverse("plans:step", args=[daily.slug])))
