"""Check-ins and the weekly reveal in a real browser, with two partners on their own devices."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.test_invitation_journey import log_in
from tests.factories import UserFactory, make_couple

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]


@pytest.fixture
def two_phones(live_server: LiveServer, new_context: NewContext, transactional_db: None) -> tuple[Page, Page]:
    alex = UserFactory(email="alex@example.com", display_name="Alex", time_zone="Pacific/Auckland")
    sam = UserFactory(email="sam@example.com", display_name="Sam", time_zone="Pacific/Auckland")
    make_couple(hurt=alex, involved=sam)
    alex_page, sam_page = new_context().new_page(), new_context().new_page()
    log_in(alex_page, live_server.url, alex.email)
    log_in(sam_page, live_server.url, sam.email)
    return alex_page, sam_page


def _review(page: Page, appreciation: str) -> None:
    page.get_by_label("What worked this week").fill("The evening talks.")
    page.get_by_label("Something I appreciated about you").fill(appreciation)
    for group, answer in (
        ("Please indicate the degree of happiness", "Happy"),
        ("I have a warm and comfortable relationship", "Mostly true"),
        ("How rewarding is your relationship", "Somewhat"),
        ("In general, how satisfied are you", "Mostly"),
    ):
        page.get_by_role("group", name=re.compile(group)).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Share my review").click()


def test_a_check_in_shared_and_the_weekly_reveal(live_server: LiveServer, two_phones) -> None:
    alex, sam = two_phones
    base = live_server.url

    # The private question comes first, and nothing of the answer reaches the partner.
    alex.goto(base + "/")
    expect(alex.get_by_text("Do you feel safe with your partner?")).to_be_visible()
    alex.get_by_role("button", name="No, or I'm not sure").click()
    expect(alex.get_by_role("heading", name="You deserve to feel safe")).to_be_visible()
    sam.goto(base + "/")
    expect(sam.get_by_text("Do you feel safe with your partner?")).to_be_visible()
    sam.get_by_role("button", name="Not now").click()

    # A daily check-in, in well under two minutes.
    alex.goto(base + "/checkins/today/")
    alex.get_by_label("Good", exact=True).check()
    alex.get_by_role("group", name="How much trust I feel today").get_by_label("6", exact=True).check()
    alex.get_by_role("group", name="How close I feel today").get_by_label("7", exact=True).check()
    alex.get_by_label("A high of today").fill("We walked after dinner.")
    alex.get_by_label("Me and my partner").check()
    alex.get_by_role("button", name="Save check-in").click()
    expect(alex.get_by_text("Check-in saved.")).to_be_visible()
    expect(alex.get_by_text("You've checked in today.")).to_be_visible()
    expect(alex.get_by_text("Your trends appear after a few check-ins")).to_be_visible()  # one isn't a trend

    sam.reload()
    expect(sam.get_by_text("We walked after dinner.")).to_be_visible()
    expect(sam.get_by_text("Alex has shared a check-in today.")).to_have_count(0)  # presence is Alex's choice

    # Weekly reviews: hidden from each other until both have shared.
    alex.goto(base + "/checkins/week/")
    _review(alex, "Thank you for staying, Sam.")
    expect(alex.get_by_text("Your review for this week is saved.")).to_be_visible()
    sam.goto(base + "/checkins/week/")
    expect(sam.get_by_text("Thank you for staying, Sam.")).to_have_count(0)
    _review(sam, "Thank you for listening, Alex.")
    expect(sam.get_by_text("Thank you for staying, Sam.")).to_be_visible()
    alex.reload()
    expect(alex.get_by_text("Thank you for listening, Alex.")).to_be_visible()
    expect(alex.get_by_text("You've both shared this week's review")).to_be_visible()
    alex.goto(base + "/")
    expect(alex.get_by_text("This week you both shared your weekly review.")).to_be_visible()


def test_bad_check_in_input_keeps_what_was_typed(live_server: LiveServer, two_phones) -> None:
    alex, _sam = two_phones
    alex.goto(live_server.url + "/checkins/today/")
    alex.get_by_label("A low of today").fill("A hard evening.")
    alex.get_by_role("button", name="Save check-in").click()  # no mood chosen: the browser or server says so
    expect(alex.get_by_label("A low of today")).to_have_value("A hard evening.")
