"""The therapist's view in a real browser: invited, consented by one (nothing), by both (access),
revoked (the next request is a 404)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from recovery.totp import totp_code
from tests.e2e.test_invitation_journey import EMAIL, LOG_IN, log_in
from tests.factories import PASSWORD, TherapistFactory, UserFactory, enable_mfa, make_couple

pytestmark = pytest.mark.e2e


def test_a_couple_invites_consents_and_revokes(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], transactional_db: None
) -> None:
    base = live_server.url
    alex = UserFactory(email="alex@example.com", display_name="Alex")
    sam = UserFactory(email="sam@example.com", display_name="Sam")
    make_couple(hurt=alex, involved=sam)
    doc = TherapistFactory(email="doc@example.com", display_name="Dr Morgan")
    secret = enable_mfa(doc)
    alex_page, sam_page, doc_page = (new_context().new_page() for _ in range(3))
    log_in(alex_page, base, alex.email)
    log_in(sam_page, base, sam.email)

    # The therapist signs in with their second step.
    doc_page.goto(base + "/accounts/login/")
    doc_page.get_by_label(EMAIL).fill(doc.email)
    doc_page.get_by_label("Password").fill(PASSWORD)
    doc_page.locator("main").get_by_role("button", name=LOG_IN).click()
    doc_page.get_by_label(re.compile("code", re.I)).fill(totp_code(secret))
    doc_page.locator("main").get_by_role("button").first.click()
    expect(doc_page.get_by_role("heading", name="Your caseload")).to_be_visible()

    # Alex invites; the therapist accepts; with only Alex's consent there is nothing to see.
    alex_page.goto(base + "/care/")
    alex_page.get_by_label("Your therapist's e-mail address").fill(doc.email)
    alex_page.get_by_role("button", name="Send the invitation").click()
    expect(alex_page.get_by_text("Access starts only when you have both agreed.").first).to_be_visible()
    link = re.search(r"https?://\S+/care/invitation/\S+/", mail.outbox[-1].body).group(0)
    doc_page.goto(link)
    expect(doc_page.get_by_role("heading", name="Alex invited you")).to_be_visible()
    doc_page.get_by_role("button", name="Accept").click()
    expect(doc_page.get_by_text("No couples have given you access yet.")).to_be_visible()
    expect(
        doc_page.get_by_text("Alex invited you. You'll see their progress here once their partner agrees too.")
    ).to_be_visible()

    # Sam agrees: now the therapist sees the couple, read-only.
    sam_page.goto(base + "/care/")
    sam_page.get_by_role("button", name="I agree").click()
    doc_page.goto(base + "/therapist/")
    doc_page.get_by_role("link", name=re.compile("Alex")).click()
    expect(doc_page.get_by_role("heading", name="Alex & Sam")).to_be_visible()
    couple_url = doc_page.url

    # The couple sees the look; Alex revokes; the therapist's next request is a 404.
    alex_page.goto(base + "/care/seen/")
    expect(alex_page.get_by_text(re.compile("Dr Morgan opened your progress summary once"))).to_be_visible()
    expect(alex_page.get_by_text(re.compile("Dr Morgan saw your line in their caseload"))).to_be_visible()
    alex_page.goto(base + "/care/")
    alex_page.get_by_role("button", name="End access now").click()
    response = doc_page.goto(couple_url)
    assert response is not None and response.status == 410
    expect(doc_page.get_by_role("heading", name="Your access to this couple has ended")).to_be_visible()
