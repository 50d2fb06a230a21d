"""On a phone, only by clicking: a new couple from sign-up to a check-in, a weekly review and inviting their
therapist; and the idle warning: "Stay logged in", or a lapse that keeps a half-written review.

The one address typed is the first. Links in e-mails are opened the way a mail program does: the e-mail is
shown (its HTML, or its text with the links made clickable) and the link is clicked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from recovery.models import CareTeamAccess, User
from tests.e2e.conftest import DESKTOP, MOBILE, screenshots
from tests.e2e.test_checkins_journey import _review
from tests.e2e.test_invitation_journey import (
    CONFIRM_EMAIL,
    EMAIL,
    LOG_IN,
    SIGN_UP,
    VERIFY_EMAIL,
    heading,
    log_in,
    mail_to,
    password_fields,
)
from tests.factories import PASSWORD, UserFactory, make_couple

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]
NEW_PASSWORD = "quiet-harbour-lantern-42"
URL = re.compile(r"https?://[^\s\"<>]+")
# A header taller than this is more than one line (44-px controls, their padding and a border).
ONE_LINE = 70


def phone(new_context: NewContext) -> Page:
    return new_context(viewport=MOBILE, is_mobile=True, has_touch=True).new_page()


def open_link_in_email(page: Page, message: mail.EmailMessage, link: re.Pattern[str]) -> None:
    """Show the e-mail as a mail program would and click the link whose address matches `link`."""
    body = next((content for content, kind in getattr(message, "alternatives", []) if kind == "text/html"), None)
    if body is None:
        linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html.escape(message.body))
        body = f"<pre>{linked}</pre>"
    page.set_content(body)
    anchors = page.locator("a")
    for index in range(anchors.count()):
        if link.search(anchors.nth(index).get_attribute("href") or ""):
            anchors.nth(index).click()
            return
    raise AssertionError(f"no link matching {link.pattern} in the e-mail to {message.to}")


def menu(page: Page, name: str) -> None:
    """Open the main menu (one line on a phone) and follow one of its links."""
    page.get_by_role("navigation", name="Main").locator("summary").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def expect_one_line_header(page: Page) -> None:
    box = page.locator(".site-header").bounding_box()
    assert box is not None and box["height"] <= ONE_LINE, box
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]  # nothing sideways


def check_in(page: Page) -> None:
    page.get_by_label("Good", exact=True).check()
    page.get_by_role("group", name="How much trust I feel today").get_by_label("6", exact=True).check()
    page.get_by_role("group", name="How close I feel today").get_by_label("7", exact=True).check()
    page.get_by_label("A high of today").fill("We walked after dinner.")
    page.get_by_label("Me and my partner").check()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()


def test_a_new_couple_on_phones_gets_from_sign_up_to_inviting_a_therapist_by_clicking(
    live_server: LiveServer, new_context: NewContext
) -> None:
    base = live_server.url
    one = phone(new_context)

    # Sign up: the first and only address typed.
    one.goto(base + "/")
    expect_one_line_header(one)
    one.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(heading(one, SIGN_UP)).to_be_visible()
    one.get_by_label(EMAIL).fill("aroha@example.com")
    one.get_by_label("Your first name").fill("Aroha")
    password, again = password_fields(one)
    password.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    one.get_by_role("button", name=SIGN_UP).click()
    expect(heading(one, VERIFY_EMAIL)).to_be_visible()
    open_link_in_email(one, mail_to("aroha@example.com"), re.compile(r"/accounts/confirm-email/"))
    expect(heading(one, CONFIRM_EMAIL)).to_be_visible()
    one.get_by_role("button", name="Confirm").click()

    one.get_by_label("I was hurt").check()
    one.get_by_role("button", name="Create our space").click()
    one.get_by_label("Your partner's e-mail address").fill("tama@example.com")
    one.get_by_role("button", name="Send the invitation").click()

    # Waiting for Tama: the invitation's state, and the day's one next thing to do.
    expect(one.get_by_role("heading", name="Waiting for your partner")).to_be_visible()
    expect(one.get_by_text("We've invited tama@example.com.")).to_be_visible()
    expect(one.get_by_role("heading", name="While you wait")).to_be_visible()
    expect_one_line_header(one)
    screenshots(one, "home", "waiting")
    one.locator("main").get_by_role("link", name="Check in", exact=True).click()
    check_in(one)

    # Tama joins from the invitation e-mail, on a phone of their own.
    two = phone(new_context)
    open_link_in_email(two, mail_to("tama@example.com"), re.compile(r"/invitation/"))
    two.get_by_role("link", name="Create my account").click()
    two.get_by_label("Your first name").fill("Tama")
    password, again = password_fields(two)
    password.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    two.get_by_role("button", name=SIGN_UP).click()
    two.get_by_role("button", name="Join the space").click()
    expect(heading(two, "Hello, Tama")).to_be_visible()
    two.get_by_role("button", name="Not now").click()  # the private safety question, for later

    # A new couple's home: the next action first, and no empty charts.
    next_action = two.get_by_role("region", name="Today")
    expect(next_action.get_by_text("You haven't checked in yet today.")).to_be_visible()
    expect(two.get_by_text("Your trends appear after a few check-ins")).to_be_visible()
    expect(two.locator("svg.chart")).to_have_count(0)  # no empty charts
    expect(two.get_by_text("We walked after dinner.")).to_be_visible()  # what Aroha shared
    expect_one_line_header(two)
    screenshots(two, "home", "new-couple")

    next_action.get_by_role("link", name="Check in", exact=True).click()
    expect(two).to_have_url(base + "/checkins/today/")
    check_in(two)

    # The weekly review, through the menu and the check-ins' own menu.
    menu(two, "Check in")
    two.get_by_role("navigation", name="Check-ins and reviews").get_by_role("link", name="This week's review").click()
    expect(heading(two, "This week's review")).to_be_visible()
    _review(two, "Thank you for staying with this, Aroha.")
    expect(two.get_by_text("Your review for this week is saved.")).to_be_visible()

    # Inviting their therapist, through the menu.
    menu(two, "Your therapist")
    expect(heading(two, "Your therapist")).to_be_visible()
    expect_one_line_header(two)
    two.get_by_label("Your therapist's e-mail address").fill("dr.hale@example.com")
    two.get_by_role("button", name="Send the invitation").click()
    expect(two.get_by_text("Access starts only when you have both agreed.").first).to_be_visible()
    assert CareTeamAccess.objects.filter(email="dr.hale@example.com").exists()
    two.get_by_role("navigation", name="Care and privacy").get_by_role("link", name="Who has seen our data").click()
    expect(heading(two, "Who has seen our data")).to_be_visible()

    # Back home through the menu: both have checked in, so after three check-ins the charts would follow.
    menu(two, "Home")
    expect(two.get_by_text("You've checked in today.")).to_be_visible()
    screenshots(two, "home", "after-check-in")


def test_charts_on_a_phone_fit_the_screen_with_readable_labels(
    live_server: LiveServer, new_context: NewContext, transactional_db: None
) -> None:
    from datetime import timedelta

    from checkins.models import DailyCheckIn
    from recovery.localtime import local_today

    alex = UserFactory(email="alex@example.com", display_name="Alex", time_zone="Pacific/Auckland")
    sam = UserFactory(email="sam@example.com", display_name="Sam", time_zone="Pacific/Auckland")
    couple = make_couple(hurt=alex, involved=sam)
    alex.safety_check_offered_at = timezone.now()
    alex.save()
    today = local_today(alex)
    for day in range(40):
        for person in (alex, sam):
            DailyCheckIn.objects.create(
                couple=couple, author=person, local_date=today - timedelta(days=day), mood=3 + day % 2,
                trust=4 + day % 4, closeness=5, visibility="partner",
            )  # fmt: skip
    page = new_context().new_page()
    log_in(page, live_server.url, alex.email)
    page.set_viewport_size(MOBILE)
    page.reload()
    charts = page.get_by_role("img", name="Felt trust")
    expect(charts).to_have_count(1)  # the phone's drawing; the page-width one is not shown
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].filter(s => s.getBoundingClientRect().width > 0)
            .map(s => {
              const box = s.getBoundingClientRect();
              const scale = box.width / s.viewBox.baseVal.width;
              return {right: box.right, smallest: Math.min(...[...s.querySelectorAll('text')]
                .map(t => parseFloat(getComputedStyle(t).fontSize) * scale))};
            })"""
    )
    assert len(sizes) == 3  # trust, closeness, mood (no reviews: no CSI-4 chart)
    for chart in sizes:
        assert chart["right"] <= MOBILE["width"] - 16  # inside the page margin: nothing to scroll
        assert chart["smallest"] >= 12, chart
    labels = page.get_by_role("img", name="Felt trust").locator("text.chart-tick").all_text_contents()
    assert today.strftime("%-d %b") in labels  # the newest day is in view
    page.set_viewport_size(DESKTOP)
    expect(page.get_by_role("img", name="Felt trust")).to_have_count(1)
    assert "eight weeks" in (page.locator("#chart-trust-desc").text_content() or "")


# --- the idle warning ------------------------------------------------------------------------------------


def _valid_sessions(user: User) -> list[Session]:
    return [
        s for s in Session.objects.filter(expire_date__gt=timezone.now())
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]  # fmt: skip


@pytest.fixture
def short_timeout(settings: Settings) -> int:
    """A 10-second idle timeout: the warning shows after 5 seconds (half of it, when that is under two
    minutes), and the page leaves about 12 seconds after the last request."""
    settings.SESSION_COOKIE_AGE = 10
    return 10


def test_stay_logged_in_keeps_the_session(
    live_server: LiveServer, new_context: NewContext, short_timeout: int, transactional_db: None
) -> None:
    person = UserFactory(email="lou@example.com", display_name="Lou")
    make_couple(hurt=person)
    page = new_context().new_page()
    log_in(page, live_server.url, person.email)

    warning = page.get_by_role("alertdialog", name="Still there?")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=8_000)
    expect(warning).to_contain_text("You'll be logged out in less than a minute to keep this private.")
    expect(warning.get_by_role("button", name="Stay logged in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()
    # Well past the first deadline, the page is still here and the session with it.
    page.wait_for_timeout((short_timeout - 3) * 1000)
    expect(heading(page, "Hello, Lou")).to_be_visible()
    assert page.url == live_server.url + "/"
    assert _valid_sessions(person)


def test_a_lapsed_session_goes_to_log_in_and_brings_back_a_half_written_review(
    live_server: LiveServer, new_context: NewContext, short_timeout: int, transactional_db: None
) -> None:
    person = UserFactory(email="lou@example.com", display_name="Lou")
    partner = UserFactory(email="kit@example.com", display_name="Kit")
    make_couple(hurt=person, involved=partner)
    page = new_context().new_page()
    log_in(page, live_server.url, person.email)
    page.get_by_role("link", name="This week's review").first.click()
    page.get_by_label("What worked this week").fill("Walking together after dinner.")
    page.get_by_role("group", name=re.compile("Please indicate the degree of happiness")).get_by_label(
        "Happy", exact=True
    ).check()

    # Nobody answers the warning: the page leaves for the log-in page once the server has ended the session.
    expect(page.get_by_role("alertdialog", name="Still there?")).to_be_visible(timeout=8_000)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fcheckins%2Fweek%2F$"), timeout=15_000)
    assert not _valid_sessions(person)
    carried = page.evaluate("sessionStorage.getItem('mend.idle-draft')")
    assert carried and "Walking" not in carried and "Happy" not in carried  # encrypted for the hop

    # Someone else signing in on this screen doesn't get it: it can't be read, and it's gone.
    page.get_by_label(EMAIL).fill(partner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name=LOG_IN).click()
    expect(heading(page, "This week's review")).to_be_visible()
    expect(page.get_by_label("What worked this week")).to_have_value("")
    assert page.evaluate("sessionStorage.getItem('mend.idle-draft')") is None
    page.get_by_role("button", name="Log out").click()

    # Lou again, from the start: signing in after the lapse brings the words back, once.
    log_in(page, live_server.url, person.email)
    page.get_by_role("link", name="This week's review").first.click()
    page.get_by_label("What worked this week").fill("Walking together after dinner.")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fcheckins%2Fweek%2F$"), timeout=20_000)
    page.get_by_label(EMAIL).fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name=LOG_IN).click()
    expect(heading(page, "This week's review")).to_be_visible()
    expect(page.get_by_label("What worked this week")).to_have_value("Walking together after dinner.")
    expect(page.get_by_role("status").filter(has_text="We kept what you'd written")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('mend.idle-draft')") is None
    page.reload()
    expect(page.get_by_label("What worked this week")).to_have_value("")  # never saved anywhere


def test_quick_exit_from_the_log_in_page_drops_a_carried_draft(
    live_server: LiveServer, new_context: NewContext, short_timeout: int, settings: Settings, transactional_db: None
) -> None:
    settings.QUICK_EXIT_URL = live_server.url + "/healthz"
    person = UserFactory(email="lou@example.com", display_name="Lou")
    make_couple(hurt=person)
    page = new_context().new_page()
    log_in(page, live_server.url, person.email)
    page.get_by_role("link", name="This week's review").first.click()
    page.get_by_label("What worked this week").fill("Something private.")
    expect(page).to_have_url(re.compile(r"/accounts/login/"), timeout=20_000)
    assert page.evaluate("sessionStorage.getItem('mend.idle-draft')")
    page.get_by_role("button", name="Quick exit").click()
    expect(page).to_have_url(live_server.url + "/healthz")
    assert page.evaluate("sessionStorage.getItem('mend.idle-draft')") is None


def test_typing_counts_as_being_there(
    live_server: LiveServer, new_context: NewContext, short_timeout: int, transactional_db: None
) -> None:
    person = UserFactory(email="lou@example.com", display_name="Lou")
    make_couple(hurt=person)
    page = new_context().new_page()
    log_in(page, live_server.url, person.email)
    page.get_by_role("link", name="This week's review").first.click()
    field = page.get_by_label("What worked this week")
    field.click()
    for word in ["We", "kept", "talking", "even", "when", "it", "was", "hard"]:  # about 16 seconds of slow typing
        page.keyboard.type(word + " ")
        page.wait_for_timeout(2_000)
        expect(page.get_by_role("alertdialog", name="Still there?")).to_be_hidden()
    assert page.url.endswith("/checkins/week/")  # well past the 12 seconds an untouched page would last
    expect(field).to_have_value("We kept talking even when it was hard ")
    assert _valid_sessions(person)
