"""In a real browser: Alex logs a trigger from the header of a page (on a phone), shared with Sam; Sam sees a
calm prompt on the next page he opens and answers "I'm here"; Alex sees that Sam is here."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from checkins.models import Trigger
from tests.e2e.conftest import MOBILE, screenshots
from tests.e2e.test_invitation_journey import log_in
from tests.factories import UserFactory, make_couple

pytestmark = pytest.mark.e2e


def test_a_trigger_logged_from_the_header_is_answered_i_m_here(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], transactional_db: None
) -> None:
    base = live_server.url
    alex = UserFactory(email="alex@example.com", display_name="Alex", time_zone="Pacific/Auckland")
    sam = UserFactory(email="sam@example.com", display_name="Sam", time_zone="Pacific/Auckland")
    make_couple(hurt=alex, involved=sam)
    alex_page = new_context(viewport=MOBILE).new_page()
    sam_page = new_context().new_page()
    log_in(alex_page, base, alex.email)
    log_in(sam_page, base, sam.email)

    # Alex, on a phone, on the plan: the header's "A trigger hit", reached from the keyboard.
    alex_page.goto(base + "/plan/")
    trigger_link = alex_page.get_by_role("link", name="A trigger hit")
    expect(trigger_link).to_be_visible()
    trigger_link.focus()
    alex_page.keyboard.press("Enter")
    expect(alex_page.get_by_role("heading", name="A trigger hit", level=1)).to_be_visible()
    # "When" starts at now, in Alex's own time; nothing is chosen for how strong until Alex chooses.
    expect(alex_page.get_by_label("When")).not_to_have_value("")
    strength = alex_page.get_by_role("group", name="How strong was it?")
    for n in range(1, 6):
        expect(strength.get_by_label(str(n), exact=True)).not_to_be_checked()
    alex_page.get_by_role("group", name="How strong was it?").get_by_label("4", exact=True).check()
    alex_page.get_by_label("What happened (if you'd like to say)").fill("The song from the hotel bar, in a shop.")
    alex_page.get_by_label("Me and my partner").check()
    screenshots(alex_page, "triggers", "form")
    alex_page.get_by_role("button", name="Save").click()
    expect(alex_page.get_by_text("Your partner will see it on their next page")).to_be_visible()
    assert Trigger.objects.get(author=alex).strength == 4

    # Sam's next page, whichever it is, asks him gently; "I'm here" answers it.
    sam_page.goto(base + "/checkins/")
    prompt = sam_page.get_by_role("region", name="Alex had a hard moment")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("say back what you heard")
    screenshots(sam_page, "triggers", "prompt")
    prompt.get_by_role("button", name="I'm here").click()
    expect(sam_page.get_by_text("Alex will see that you're here.")).to_be_visible()
    expect(sam_page.get_by_role("region", name="Alex had a hard moment")).to_have_count(0)
    assert sam_page.url.endswith("/checkins/")

    # Alex sees it on the trigger.
    alex_page.goto(base + "/triggers/")
    entry = alex_page.locator("li.entry").filter(has_text="The song from the hotel bar")
    expect(entry.get_by_text("Sam is here.")).to_be_visible()
    screenshots(alex_page, "triggers", "list")
