"""The invitation journey in a real browser: sign up, create the space, invite, join — and what goes wrong.

Each partner uses a browser context of their own (their own cookies), like two phones. E-mails land in
django.core.mail.outbox: the live server runs in this process, and pytest-django switches e-mail to
the locmem backend.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.signals import request_finished, request_started
from playwright.sync_api import BrowserContext, Locator, Page, Route, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from recovery import invitations
from recovery.models import Couple, Invitation, Partner, User
from tests.e2e.conftest import DESKTOP, MOBILE, TIME_ZONE
from tests.factories import PASSWORD, UserFactory, make_couple, make_invitation, make_waiting_couple

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]

ONE_EMAIL = "aroha@example.com"
ONE_NAME = "Aroha"
TWO_EMAIL = "tama@example.com"
TWO_NAME = "Tama"
NEW_PASSWORD = "quiet-harbour-lantern-42"

CONFIRM_PATH = re.compile(r"https?://[^\s/]+(/accounts/confirm-email/[^\s/]+/)")
INVITATION_LINK = re.compile(r"https?://[^\s\"<>]+/invitation/[^\s/\"<>]+/")

# Mend's words on allauth's pages (templates/account/, tests/recovery/test_voice.py), matched exactly.
EMAIL = re.compile(r"^E-mail address$")
SIGN_UP = re.compile(r"^Sign up$")
LOG_IN = re.compile(r"^Log in$")
VERIFY_EMAIL = re.compile(r"^Check your e-mail$")
CONFIRM_EMAIL = re.compile(r"^Confirm your e-mail address$")
CONFIRM_BUTTON = "Confirm my e-mail address"


# --- helpers -------------------------------------------------------------------------------------


def mail_to(address: str) -> mail.EmailMessage:
    """The newest e-mail sent to `address` (fails with the list of recipients if there is none)."""
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, f"no e-mail to {address}; outbox has {[m.to for m in mail.outbox]}"
    return sent[-1]


def heading(page: Page, text: str | re.Pattern[str]) -> Locator:
    return page.get_by_role("heading", level=1, name=text)


def password_fields(page: Page) -> tuple[Locator, Locator]:
    return page.get_by_label(re.compile(r"^Password:?$")), page.get_by_label(re.compile(r"^Password \(again\)"))


def snap(page: Page, name: str) -> None:
    """With E2E_SCREENSHOTS=DIR, full-page screenshots at phone and desktop widths:
    DIR/e2e-<name>-{mobile,desktop}.png, to look at the pages as a person would."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if not folder:
        return
    original = page.viewport_size or DESKTOP
    for label, size in (("mobile", MOBILE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=f"{folder}/e2e-{name}-{label}.png", full_page=True)
    page.set_viewport_size(original)


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def expect_landing_page(page: Page) -> None:
    """The signed-out front page (checked by its calls to action, not its changing headline)."""
    expect(page.locator("main").get_by_role("link", name="Create your account")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label(EMAIL).fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name=LOG_IN).click()
    # Logged in: the log-out form is on the page (on a phone it sits inside the closed Menu).
    expect(page.locator("form[action='/accounts/logout/'] button")).to_have_count(1)


def sessions_of(user: User) -> list[Session]:
    return [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


@contextmanager
def server_request_done(path: str) -> Iterator[threading.Event]:
    """An event set once the live server has finished answering a request for `path`."""
    done = threading.Event()
    seen = threading.local()  # the live server answers each request in a thread of its own

    def started(sender: object, environ: dict[str, str], **kwargs: object) -> None:
        seen.watched = environ.get("PATH_INFO") == path

    def finished(sender: object, **kwargs: object) -> None:
        if getattr(seen, "watched", False):
            done.set()

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    try:
        yield done
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)


def open_invitation(page: Page, base_url: str, token: str) -> int:
    response = page.goto(f"{base_url}/invitation/{token}/")
    assert response is not None
    return response.status


# --- the whole journey ---------------------------------------------------------------------------


def test_two_partners_sign_up_and_share_a_space(live_server: LiveServer, new_context: NewContext) -> None:
    base = live_server.url

    # a) Partner one signs up from the landing page.
    one = new_context().new_page()
    one.goto(base + "/")
    expect_landing_page(one)
    snap(one, "landing")
    one.get_by_role("link", name="Sign up", exact=True).click()
    expect(one).to_have_url(base + "/accounts/signup/")
    expect(heading(one, SIGN_UP)).to_be_visible()

    one.get_by_label(EMAIL).fill(ONE_EMAIL)
    one.get_by_label("Your first name").fill(ONE_NAME)
    # static/js/mend.js replaces the server's UTC default with the browser's zone.
    expect(one.get_by_label("Your time zone")).to_have_value(TIME_ZONE)
    password, again = password_fields(one)
    password.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    snap(one, "signup")
    one.get_by_role("button", name=SIGN_UP).click()

    expect(heading(one, VERIFY_EMAIL)).to_be_visible()
    confirmation = CONFIRM_PATH.search(mail_to(ONE_EMAIL).body)
    assert confirmation, mail_to(ONE_EMAIL).body
    one.goto(base + confirmation.group(1))
    expect(heading(one, CONFIRM_EMAIL)).to_be_visible()
    one.get_by_role("button", name=CONFIRM_BUTTON).click()

    # Confirming logs in; with no space yet, home sends the person on to create one.
    expect(one).to_have_url(base + "/start/")
    expect(one.get_by_role("button", name="Log out")).to_be_visible()
    expect(heading(one, "Create your shared space")).to_be_visible()
    one.get_by_label("I was hurt").check()
    one.get_by_role("button", name="Create our space").click()

    expect(one).to_have_url(base + "/space/invite/")
    expect(one.get_by_text("Your shared space is ready. Next, invite your partner.")).to_be_visible()
    one.get_by_label("Your partner's e-mail address").fill(TWO_EMAIL)
    one.get_by_role("button", name="Send the invitation").click()

    expect(one).to_have_url(base + "/")
    expect(heading(one, f"Hello, {ONE_NAME}")).to_be_visible()
    expect(one.get_by_role("heading", name="Waiting for your partner")).to_be_visible()
    expect(one.get_by_text(f"We're sending an invitation to {TWO_EMAIL}. The link works for 7 days.")).to_be_visible()
    snap(one, "home-waiting")

    user_one = User.objects.get(email=ONE_EMAIL)
    assert (user_one.display_name, user_one.time_zone) == (ONE_NAME, TIME_ZONE)
    assert Partner.objects.get(user=user_one).role == Partner.Role.HURT

    # b) Partner two opens the link from the e-mail in a browser of their own.
    invitation_mail = mail_to(TWO_EMAIL)
    link = INVITATION_LINK.search(invitation_mail.body)
    assert link, invitation_mail.body
    assert link.group(0).startswith(base + "/invitation/")
    assert ONE_NAME not in invitation_mail.subject + invitation_mail.body  # discreet: no names in the e-mail

    two = new_context().new_page()
    two.goto(link.group(0))
    expect(heading(two, "You've been invited to a shared space")).to_be_visible()
    two.get_by_role("link", name="Create my account").click()

    expect(heading(two, SIGN_UP)).to_be_visible()
    expect(two.get_by_label(EMAIL)).to_have_value(TWO_EMAIL)
    two.get_by_label("Your first name").fill(TWO_NAME)
    expect(two.get_by_label("Your time zone")).to_have_value(TIME_ZONE)
    password, again = password_fields(two)
    password.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    two.get_by_role("button", name=SIGN_UP).click()

    # The invited address counts as verified: no confirmation e-mail, straight back to the invitation.
    expect(two).to_have_url(link.group(0))
    expect(heading(two, f"Join {ONE_NAME}'s shared space")).to_be_visible()
    assert not [m for m in mail.outbox if TWO_EMAIL in m.to and m is not invitation_mail]
    two.get_by_role("button", name="Join the space").click()

    expect(two).to_have_url(base + "/")
    expect(heading(two, f"Hello, {TWO_NAME}")).to_be_visible()
    expect(two.get_by_text("Welcome. You've joined your shared space.")).to_be_visible()
    expect(two.get_by_text(f"You and {ONE_NAME} share this space.", exact=True)).to_be_visible()
    snap(two, "home-shared")

    # Partner one's page shows partner two once reloaded.
    one.reload()
    expect(one.get_by_text(f"You and {TWO_NAME} share this space.", exact=True)).to_be_visible()
    expect(one.get_by_text("Waiting for your partner")).to_have_count(0)

    couple = Couple.objects.get(partners__user=user_one)
    assert sorted(couple.partners.values_list("user__email", "role")) == [
        (ONE_EMAIL, Partner.Role.HURT),
        (TWO_EMAIL, Partner.Role.INVOLVED),
    ]
    assert Invitation.objects.get(couple=couple).accepted_by.email == TWO_EMAIL


# --- links that can't be used --------------------------------------------------------------------


@pytest.fixture
def waiting_couple(live_server: LiveServer) -> Couple:
    """Wren's space, waiting for a partner (live_server brings a transactional database)."""
    return make_waiting_couple(creator=UserFactory(display_name="Wren", email="wren@example.com"))


def test_expired_invitation(live_server: LiveServer, page: Page, waiting_couple: Couple) -> None:
    _invitation, token = make_invitation(waiting_couple, email="invitee@example.com", expired=True)

    assert open_invitation(page, live_server.url, token) == 410
    expect(heading(page, "This invitation has expired")).to_be_visible()
    snap(page, "problem-expired")


def test_used_invitation(live_server: LiveServer, page: Page, waiting_couple: Couple) -> None:
    invitation, token = make_invitation(waiting_couple, email="invitee@example.com")
    invitations.accept_invitation(invitation=invitation, user=UserFactory(email="invitee@example.com"))

    assert open_invitation(page, live_server.url, token) == 410
    expect(heading(page, "This invitation has already been used")).to_be_visible()


def test_invitation_for_another_address(live_server: LiveServer, page: Page, waiting_couple: Couple) -> None:
    _invitation, token = make_invitation(waiting_couple, email="invitee@example.com")
    UserFactory(display_name="Lou", email="lou@example.com")
    log_in(page, live_server.url, "lou@example.com")

    assert open_invitation(page, live_server.url, token) == 409
    expect(heading(page, "This invitation is for a different e-mail address")).to_be_visible()
    expect(page.get_by_text("you're logged in as lou@example.com")).to_be_visible()
    expect(page.get_by_text("invitee@example.com")).to_have_count(0)  # only the masked address is shown
    assert not Partner.objects.filter(couple=waiting_couple, seat=2).exists()


def test_cancelled_invitation(live_server: LiveServer, page: Page, waiting_couple: Couple) -> None:
    invitation, token = make_invitation(waiting_couple, email="invitee@example.com")
    invitations.cancel_invitation(invitation=invitation)

    assert open_invitation(page, live_server.url, token) == 410
    expect(heading(page, "This invitation was cancelled")).to_be_visible()


def test_mangled_invitation_link(live_server: LiveServer, page: Page, waiting_couple: Couple) -> None:
    _invitation, token = make_invitation(waiting_couple, email="invitee@example.com")

    # What an e-mail program that breaks long links across lines leaves of it.
    assert open_invitation(page, live_server.url, token[: len(token) // 2]) == 404
    expect(heading(page, "We couldn't find this invitation")).to_be_visible()


# --- quick exit ----------------------------------------------------------------------------------


def test_quick_exit_leaves_and_logs_out(live_server: LiveServer, page: Page, settings: Settings) -> None:
    base = live_server.url
    neutral = base + "/healthz"
    settings.QUICK_EXIT_URL = neutral
    person = UserFactory(display_name="Lou", email="lou@example.com")
    make_waiting_couple(creator=person)
    log_in(page, base, person.email)
    expect(heading(page, "Hello, Lou")).to_be_visible()

    # mend.js signs out with a beacon to /exit/ and leaves at once. Chromium stops reporting the beacon
    # to Playwright once the page is gone, so watch for it on the server. The neutral page is held back
    # until the beacon is answered: both requests carry the session cookie, and on the live server's
    # single shared in-memory SQLite connection two concurrent signed-in requests can collide (a test
    # artefact; the real neutral site is another host).
    with server_request_done("/exit/") as beacon_done:

        def after_beacon(route: Route) -> None:
            beacon_done.wait(timeout=5)
            route.continue_()

        page.route(neutral, after_beacon)
        page.get_by_role("button", name="Quick exit").click()
        expect(page).to_have_url(neutral)
    assert beacon_done.is_set(), "the quick-exit beacon never reached /exit/"
    assert not sessions_of(person)

    page.goto(base + "/")
    expect_landing_page(page)


def test_quick_exit_without_javascript(live_server: LiveServer, new_context: NewContext, settings: Settings) -> None:
    base = live_server.url
    settings.QUICK_EXIT_URL = base + "/healthz"
    UserFactory(display_name="Lou", email="lou@example.com")
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, base, "lou@example.com")

    # The plain form posts to /exit/, which signs out and forwards with a meta refresh.
    page.get_by_role("button", name="Quick exit").click()
    expect(page).to_have_url(base + "/healthz")
    assert not sessions_of(User.objects.get(email="lou@example.com"))
    page.goto(base + "/")
    expect(main_nav(page).get_by_role("link", name="Log in")).to_be_visible()


# --- wrong input ---------------------------------------------------------------------------------


def test_inviting_your_own_address(live_server: LiveServer, page: Page) -> None:
    base = live_server.url
    person = UserFactory(display_name="Lou", email="lou@example.com")
    make_waiting_couple(creator=person)
    log_in(page, base, person.email)

    page.goto(base + "/space/invite/")
    field = page.get_by_label("Your partner's e-mail address")
    field.fill("Lou@Example.com")
    with page.expect_response(lambda response: response.url == base + "/space/invite/") as answer:
        page.get_by_role("button", name="Send the invitation").click()
    assert answer.value.status == 400

    expect(page.get_by_text("That's your own address. Please enter your partner's.")).to_be_visible()
    expect(field).to_have_value("Lou@Example.com")
    snap(page, "invite-error")
    assert not Invitation.objects.exists()
    assert not mail.outbox


# --- the person's own time zone ------------------------------------------------------------------


def test_dates_follow_the_persons_time_zone(live_server: LiveServer, page: Page) -> None:
    # 20:00 UTC on 21 November is 09:00 on 22 November in Auckland.
    with time_machine.travel(datetime(2026, 11, 21, 20, 0, tzinfo=UTC), tick=True):
        person = UserFactory(display_name="Lou", email="lou@example.com", time_zone=TIME_ZONE)
        make_couple(hurt=person)
        log_in(page, live_server.url, person.email)
        started = page.get_by_text("Started on").inner_text()
    assert started == "Started on 22 November 2026."
