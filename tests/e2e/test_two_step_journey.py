"""A new therapist sets up two-step sign-in on one phone (390 px wide), as issue 11 asks: reads the key in
groups, copies it with one tap (or could open the otpauth:// link), types the code, and saves the recovery
codes; then logs in again with a code from the app."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from recovery.totp import totp_code
from tests.e2e.conftest import MOBILE
from tests.e2e.test_invitation_journey import (
    CONFIRM_BUTTON,
    CONFIRM_PATH,
    EMAIL,
    LOG_IN,
    SIGN_UP,
    VERIFY_EMAIL,
    heading,
    mail_to,
    password_fields,
    snap,
)

pytestmark = pytest.mark.e2e

THERAPIST_EMAIL = "kahu@example.com"
PASSWORD = "tide-pool-lantern-harbour-7"


def current_code(secret: str) -> str:
    return totp_code(secret)


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_new_therapist_sets_up_two_step_sign_in_on_one_phone(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    base = live_server.url
    phone = new_context(viewport=MOBILE, permissions=["clipboard-read", "clipboard-write"]).new_page()

    # Signs up and confirms the e-mail address.
    phone.goto(base + "/accounts/signup/")
    expect(heading(phone, SIGN_UP)).to_be_visible()
    phone.get_by_label(EMAIL).fill(THERAPIST_EMAIL)
    phone.get_by_label("Your first name").fill("Kahu")
    password, again = password_fields(phone)
    password.fill(PASSWORD)
    again.fill(PASSWORD)
    phone.get_by_role("button", name=SIGN_UP).click()
    expect(heading(phone, VERIFY_EMAIL)).to_be_visible()
    phone.goto(base + CONFIRM_PATH.search(mail_to(THERAPIST_EMAIL).body).group(1))
    phone.get_by_role("button", name=CONFIRM_BUTTON).click()
    expect(heading(phone, "Create your shared space")).to_be_visible()  # logged in (the menu holds "Log out")

    # Becomes a therapist; the caseload asks for two-step sign-in first.
    phone.goto(base + "/therapist/join/")
    phone.get_by_label("Your name and practice, as your clients know you").fill("Kahu Tane, Harbour Counselling")
    phone.get_by_role("button", name="Create my therapist account").click()
    phone.locator("main").get_by_role("link", name="Set up two-step sign-in").click()
    if "/reauthenticate/" in phone.url:  # allauth asks for the password again unless it was just typed
        expect(heading(phone, "Confirm it's you")).to_be_visible()
        phone.get_by_label("Password", exact=True).fill(PASSWORD)
        phone.get_by_role("button", name="Continue").click()

    # The set-up page: why, the otpauth:// link, the key in groups of four, a copy button, the QR code.
    expect(heading(phone, "Set up two-step sign-in")).to_be_visible()
    expect(phone.get_by_text("Therapists need two-step sign-in before they see any couple.")).to_be_visible()
    groups = phone.locator(".totp-key__group")
    expect(groups.first).to_be_visible()
    key = "".join(groups.all_inner_texts())
    assert len(key) == 32 and all(len(group) == 4 for group in groups.all_inner_texts())
    link = phone.get_by_role("link", name="Open in my authenticator app")
    expect(link).to_have_attribute("href", re.compile(rf"^otpauth://totp/.+\?secret={key}&issuer=Mend$"))
    expect(phone.get_by_role("img", name="QR code that adds Mend to an authenticator app")).to_be_visible()
    assert phone.locator("main input[disabled]").count() == 0
    assert fits_the_screen(phone)
    snap(phone, "two-step-set-up")

    phone.get_by_role("button", name="Copy the key").click()
    expect(phone.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    copied = phone.evaluate("navigator.clipboard.readText()")
    assert copied == key

    # Pastes the key into the authenticator app (here: computes the code from it) and types the code.
    used = current_code(copied)
    phone.get_by_label("Six-digit code").fill(used)
    phone.get_by_role("button", name="Turn on two-step sign-in").click()

    # Recovery codes: where to keep them, Download first; the download holds the codes on the page.
    expect(heading(phone, "Your recovery codes")).to_be_visible()
    expect(phone.get_by_text("Two-step sign-in is on.")).to_be_visible()
    expect(phone.get_by_text("In a password manager, next to your Mend password, or")).to_be_visible()
    codes = phone.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    buttons = phone.locator("main .actions").first.locator(".button")
    expect(buttons.first).to_have_text("Download the codes")
    assert fits_the_screen(phone)
    snap(phone, "two-step-recovery-codes")
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download the codes").click()
    saved = tmp_path / "codes.txt"
    download_info.value.save_as(saved)
    assert [line for line in saved.read_text().splitlines() if re.fullmatch(r"\d{8}", line)] == codes
    phone.get_by_role("link", name="I've saved them: continue").click()
    expect(heading(phone, "Your caseload")).to_be_visible()
    expect(phone.get_by_text("Turn on two-step sign-in to see any couple.")).to_have_count(0)

    # Next time, logging in takes the password and a code from the app.
    phone.get_by_text("Menu", exact=True).click()  # on a phone, "Log out" is in the menu
    phone.get_by_role("button", name="Log out").click()
    phone.goto(base + "/accounts/login/")
    phone.get_by_label(EMAIL).fill(THERAPIST_EMAIL)
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    phone.locator("main").get_by_role("button", name=LOG_IN).click()
    expect(heading(phone, "Enter your code")).to_be_visible()
    # A code is good once: the one that turned two-step sign-in on is refused if its 30 seconds aren't over
    # (allauth's replay guard), so this person, like anyone, types the app's next one.
    code = current_code(key)
    while code == used:
        time.sleep(1)
        code = current_code(key)
    phone.get_by_label("Code", exact=True).fill(code)
    phone.locator("main").get_by_role("button", name=LOG_IN).click()
    expect(heading(phone, "Your caseload")).to_be_visible()
