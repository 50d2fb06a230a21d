"""The plan in a real browser: two partners on their own devices move through the stages together."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from plans.models import StageChange, Step
from recovery.models import User
from tests.e2e.test_invitation_journey import log_in
from tests.factories import UserFactory, make_couple

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]


@pytest.fixture
def two_phones(live_server: LiveServer, new_context: NewContext, transactional_db: None) -> tuple[Page, Page, User]:
    alex = UserFactory(email="alex@example.com", display_name="Alex", time_zone="Pacific/Auckland")
    sam = UserFactory(email="sam@example.com", display_name="Sam", time_zone="Pacific/Auckland")
    make_couple(hurt=alex, involved=sam)
    alex_page, sam_page = new_context().new_page(), new_context().new_page()
    log_in(alex_page, live_server.url, alex.email)
    log_in(sam_page, live_server.url, sam.email)
    return alex_page, sam_page, alex


def test_both_ready_opens_the_next_stage_and_shared_steps_show_up(live_server: LiveServer, two_phones) -> None:
    alex, sam, _alex_user = two_phones
    base = live_server.url
    alex.goto(base + "/plan/")
    expect(alex.get_by_role("heading", name="You're at stage 1 of 7")).to_be_visible()
    alex.get_by_role("button", name="I'm ready for the next stage").click()
    expect(alex.get_by_text("The next stage opens when you're both ready.")).to_be_visible()

    sam.goto(base + "/plan/")
    expect(sam.get_by_text("Alex has said they're ready.")).to_be_visible()
    sam.get_by_role("button", name="I'm ready for the next stage").click()
    expect(sam.get_by_text(re.compile(r"You opened stage 2, “.+”"))).to_be_visible()
    alex.reload()
    expect(alex.get_by_role("heading", name="You're at stage 2 of 7")).to_be_visible()
    expect(alex.get_by_text(re.compile("You opened stage 2"))).to_be_visible()

    # Sam logs a shared step with a note, and a private one; Alex sees only the shared one.
    shared = Step.objects.filter(stage__number=2, who="both", private=False).first()
    sam.goto(f"{base}/plan/steps/{shared.slug}/")
    sam.get_by_label("A short note (optional)").fill("We did it after dinner.")
    sam.get_by_label("Me and my partner").check()
    sam.get_by_role("button", name="Log it").click()
    expect(sam.get_by_text("Logged. Well done for making the time.")).to_be_visible()
    private = Step.objects.filter(stage__number=1, who="both", private=False).exclude(pk=shared.pk).first()
    sam.goto(f"{base}/plan/steps/{private.slug}/")
    sam.get_by_label("A short note (optional)").fill("Only for me.")
    sam.get_by_label("Only me").check()
    sam.get_by_role("button", name="Log it").click()
    expect(sam.get_by_text(re.compile("You did this on"))).to_be_visible()

    alex.goto(f"{base}/plan/steps/{shared.slug}/")
    expect(alex.get_by_text(re.compile("Sam did this on"))).to_be_visible()
    expect(alex.get_by_text("We did it after dinner.")).to_be_visible()
    alex.goto(f"{base}/plan/steps/{private.slug}/")
    expect(alex.get_by_text("Nothing logged yet.")).to_be_visible()
    expect(alex.get_by_text("Only for me.")).to_have_count(0)

    # Either partner steps back, with a confirmation and no reason asked.
    sam.goto(base + "/plan/")
    sam.get_by_role("link", name="Step back a stage").click()
    sam.get_by_role("button", name="Step back").click()
    expect(sam.get_by_role("heading", name="You're at stage 1 of 7")).to_be_visible()
    sam.goto(base + "/plan/timeline/")
    expect(sam.get_by_text(re.compile("stepped back to"))).to_be_visible()


def test_the_pace_setter_is_never_shown_the_other_s_willingness(live_server: LiveServer, two_phones) -> None:
    alex, sam, alex_user = two_phones
    couple = alex_user.memberships.get().couple
    StageChange.objects.create(couple=couple, by=alex_user, from_stage=3, to_stage=4, reason="opened")
    sam.goto(live_server.url + "/plan/")
    sam.get_by_role("button", name="Note that I'm willing").click()
    expect(sam.get_by_text(re.compile("Noted, privately"))).to_be_visible()

    alex.goto(live_server.url + "/plan/")
    expect(alex.get_by_role("button", name="Open this stage")).to_be_visible()
    expect(alex.locator("main")).not_to_contain_text("willing")
    expect(alex.locator("main")).not_to_contain_text("Sam has said")
    alex.get_by_role("button", name="Open this stage").click()
    expect(alex.get_by_role("heading", name="You're at stage 5 of 7")).to_be_visible()


def test_table_of_trust_and_the_exercise_timer(live_server: LiveServer, two_phones) -> None:
    alex, sam, _alex_user = two_phones
    alex.goto(live_server.url + "/plan/table-of-trust/")
    expect(alex.get_by_text("Your table is empty.")).to_be_visible()
    alex.get_by_label("I miss…").fill("our Sunday walks")
    alex.get_by_role("button", name="Add").click()
    alex.get_by_role("button", name="Mark as done").click()
    expect(alex.get_by_text(re.compile("Marked as done"))).to_be_visible()
    sam.goto(live_server.url + "/plan/table-of-trust/")
    expect(sam.get_by_text("Added by Alex")).to_be_visible()
    expect(sam.get_by_text(re.compile("Done on:"))).to_be_visible()

    timer_step = Step.objects.filter(tool="timer").order_by("stage__number").first()
    alex.goto(f"{live_server.url}/plan/steps/{timer_step.slug}/")
    alex.locator("[data-timer]").get_by_role("button", name="Start").click()
    clock = alex.get_by_role("timer")
    first = timer_step.timer[0]["minutes"]
    expect(clock).to_have_text(re.compile(rf"^{first - 1}:5\d$"))
    alex.locator("[data-timer]").get_by_role("button", name="Pause").click()
    expect(alex.locator("[data-timer]").get_by_role("button", name="Resume")).to_be_visible()
