"""The invitation journey in a real browser: sign up, create the space, invite, join — and what goes wrong.

Each partner uses a browser context of their own (their own cookies), like two phones. E-mails land in
django.core.mail.outbox: the live server runs in this process and the root conftest uses locmem mail.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from recovery import invitations
from recovery.models import Couple, Invitation, Partner, User
from tests.e2e.conftest import DESKTOP, MOBILE, TIME_ZONE
from tests.factories import PASSWORD, UserFactory, make_invitation, make_waiting_couple

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]

ONE_EMAIL = "aroha@example.com"
ONE_NAME = "Aroha"
TWO_EMAIL = "tama@example.com"
TWO_NAME = "Tama"
NEW_PASSWORD = "quiet-harbour-lantern-42"

CONFIRM_PATH = re.compile(r"https?://[^\s/]+(/accounts/confirm-email/[^\s/]+/)")
INVITATION_LINK = re.compile(r"https?://[^\s\"<>]+/invitation/[^\s/\"<>]+/")


# --- helpers -------------------------------------------------------------------------------------


def mail_to(address: str) -> mail.EmailMessage:
    """The newest e-mail sent to `address` (fails with the list of recipients if there is none)."""
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, f"no e-mail to {address}; outbox has {[m.to for m in mail.outbox]}"
    return sent[-1]


def heading(page: Page, text: str) -> object:
    return page.get_by_role("heading", level=1, name=text)


def password_fields(page: Page) -> tuple[object, object]:
    return page.get_by_label("Password:", exact=True), page.get_by_label("Password (again)")


def snap(page: Page, name: str) -> None:
    """Full-page screenshots at phone and desktop widths: /tmp/e2e-<name>-{mobile,desktop}.png."""
    original = page.viewport_size or DESKTOP
    for label, size in (("mobile", MOBILE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=f"/tmp/e2e-{name}-{label}.png", full_page=True)
    page.set_viewport_size(original)


def main_nav(page: Page) -> object:
    return page.get_by_role("navigation", name="Main")


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def sessions_of(user: User) -> list[Session]:
    return [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def open_invitation(page: Page, base_url: str, token: str) -> int:
    response = page.goto(f"{base_url}/invitation/{token}/")
    assert response is not None
    return response.status


# --- the whole journey ---------------------------------------------------------------------------


def test_two_partners_sign_up_and_share_a_space(live_server: object, new_context: NewContext) -> None:
    base = live_server.url  # type: ignore[attr-defined]

    # a) Partner one signs up from the landing page.
    one = new_context().new_page()
    one.goto(base + "/")
    expect(heading(one, "A steady, private path back to each other")).to_be_visible()
    snap(one, "landing")
    one.get_by_role("link", name="Sign up", exact=True).click()
    expect(one).to_have_url(base + "/accounts/signup/")
    expect(heading(one, "Sign Up")).to_be_visible()

    one.get_by_label("Email").fill(ONE_EMAIL)
    one.get_by_label("Your first name").fill(ONE_NAME)
    # static/js/mend.js replaces the server's UTC default with the browser's zone.
    expect(one.get_by_label("Your time zone")).to_have_value(TIME_ZONE)
    password, again = password_fields(one)
    password.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    snap(one, "signup")
    one.get_by_role("button", name="Sign Up").click()

    expect(heading(one, "Verify Your Email Address")).to_be_visible()
    confirmation = CONFIRM_PATH.search(mail_to(ONE_EMAIL).body)
    assert confirmation, mail_to(ONE_EMAIL).body
    one.goto(base + confirmation.group(1))
    expect(heading(one, "Confirm Email Address")).to_be_visible()
    one.get_by_role("button", name="Confirm").click()

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
    expect(one.get_by_text(f"We've sent an invitation to {TWO_EMAIL}. The link works for 7 days.")).to_be_visible()
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

    expect(heading(two, "Sign Up")).to_be_visible()
    expect(two.get_by_label("Email")).to_have_value(TWO_EMAIL)
    two.get_by_label("Your first name").fill(TWO_NAME)
    expect(two.get_by_label("Your time zone")).to_have_value(TIME_ZONE)
    password, again = password_fields(two)
    password.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD)
    two.get_by_role("button", name="Sign Up").click()

    # The invited address counts as verified: no confirmation e-mail, straight back to the invitation.
    expect(two).to_have_url(link.group(0))
    expect(heading(two, f"Join {ONE_NAME}'s shared space")).to_be_visible()
    assert not [m for m in mail.outbox if TWO_EMAIL in m.to and m is not invitation_mail]
    two.get_by_role("button", name="Join the space").click()

    expect(two).to_have_url(base + "/")
    expect(heading(two, f"Hello, {TWO_NAME}")).to_be_visible()
    expect(two.get_by_text(f"Welcome. You and {ONE_NAME} now share this space.")).to_be_visible()
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
def waiting_couple(live_server: object) -> Couple:
    """Wren's space, waiting for a partner (live_server brings a transactional database)."""
    return make_waiting_couple(creator=UserFactory(display_name="Wren", email="wren@example.com"))


def test_expired_invitation(live_server: object, page: Page, waiting_couple: Couple) -> None:
    _invitation, token = make_invitation(waiting_couple, email="invitee@example.com", expired=True)

    assert open_invitation(page, live_server.url, token) == 410  # type: ignore[attr-defined]
    expect(heading(page, "This invitation has expired")).to_be_visible()
    expect(page.get_by_text("Please ask Wren to send it again")).to_be_visible()
    snap(page, "problem-expired")


def test_used_invitation(live_server: object, page: Page, waiting_couple: Couple) -> None:
    invitation, token = make_invitation(waiting_couple, email="invitee@example.com")
    invitations.accept_invitation(invitation=invitation, user=UserFactory(email="invitee@example.com"))

    assert open_invitation(page, live_server.url, token) == 410  # type: ignore[attr-defined]
    expect(heading(page, "This invitation has already been used")).to_be_visible()


def test_invitation_for_another_address(live_server: object, page: Page, waiting_couple: Couple) -> None:
    _invitation, token = make_invitation(waiting_couple, email="invitee@example.com")
    UserFactory(display_name="Lou", email="lou@example.com")
    log_in(page, live_server.url, "lou@example.com")  # type: ignore[attr-defined]

    assert open_invitation(page, live_server.url, token) == 409  # type: ignore[attr-defined]
    expect(heading(page, "This invitation is for a different e-mail address")).to_be_visible()
    expect(page.get_by_text("you're logged in as lou@example.com")).to_be_visible()
    expect(page.get_by_text("invitee@example.com")).to_have_count(0)  # only the masked address is shown
    assert not Partner.objects.filter(couple=waiting_couple, seat=2).exists()


def test_cancelled_invitation(live_server: object, page: Page, waiting_couple: Couple) -> None:
    invitation, token = make_invitation(waiting_couple, email="invitee@example.com")
    invitations.cancel_invitation(invitation=invitation)

    assert open_invitation(page, live_server.url, token) == 410  # type: ignore[attr-defined]
    expect(heading(page, "This invitation was cancelled")).to_be_visible()


def test_mangled_invitation_link(live_server: object, page: Page, waiting_couple: Couple) -> None:
    _invitation, token = make_invitation(waiting_couple, email="invitee@example.com")

    # What an e-mail program that breaks long links across lines leaves of it.
    assert open_invitation(page, live_server.url, token[: len(token) // 2]) == 404  # type: ignore[attr-defined]
    expect(heading(page, "We couldn't find this invitation")).to_be_visible()


# --- quick exit ----------------------------------------------------------------------------------


def test_quick_exit_leaves_and_logs_out(live_server: object, page: Page, settings: object) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    settings.QUICK_EXIT_URL = base + "/healthz"  # type: ignore[attr-defined]
    person = UserFactory(display_name="Lou", email="lou@example.com")
    make_waiting_couple(creator=person)
    log_in(page, base, person.email)
    expect(heading(page, "Hello, Lou")).to_be_visible()

    # The script signs out with a beacon and leaves at once. Chromium stops reporting the beacon to
    # Playwright once the page has gone (net::ERR_ABORTED), so wait for its effect on the server.
    page.get_by_role("button", name="Quick exit").click()
    expect(page).to_have_url(base + "/healthz")
    wait_until(lambda: not sessions_of(person), "the quick-exit beacon to sign the person out")

    page.goto(base + "/")
    expect(heading(page, "A steady, private path back to each other")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_quick_exit_without_javascript(live_server: object, new_context: NewContext, settings: object) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    settings.QUICK_EXIT_URL = base + "/healthz"  # type: ignore[attr-defined]
    UserFactory(display_name="Lou", email="lou@example.com")
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, base, "lou@example.com")

    # The plain form posts to /exit/, which signs out and forwards with a meta refresh.
    page.get_by_role("button", name="Quick exit").click()
    expect(page).to_have_url(base + "/healthz")
    page.goto(base + "/")
    expect(main_nav(page).get_by_role("link", name="Log in")).to_be_visible()


# --- wrong input ---------------------------------------------------------------------------------


def test_inviting_your_own_address(live_server: object, page: Page) -> None:
    base = live_server.url  # type: ignore[attr-defined]
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
