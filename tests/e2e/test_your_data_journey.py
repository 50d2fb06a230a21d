"""Your data in a real browser: the download is asked for after the password, arrives as a zip whose pages
open offline with JavaScript off; the account is deleted, restored from the e-mailed link, and used again."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.conftest import MOBILE
from tests.e2e.test_invitation_journey import log_in
from tests.factories import PASSWORD, UserFactory, make_couple
from tests.recovery.writing import write_through_the_app

pytestmark = pytest.mark.e2e

# Set MEND_SCREENSHOTS=/some/dir to keep screenshots of the pages this journey passes through.
SHOTS = os.environ.get("MEND_SCREENSHOTS")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_partner_downloads_their_data_reads_it_offline_deletes_and_restores_the_account(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], transactional_db: None, tmp_path: Path
) -> None:
    base = live_server.url
    alex = UserFactory(email="alex@example.com", display_name="Alex")
    sam = UserFactory(email="sam@example.com", display_name="Sam")
    couple = make_couple(hurt=alex, involved=sam)
    written = write_through_the_app(couple, alex, sam)
    page = new_context(viewport=MOBILE, accept_downloads=True).new_page()
    log_in(page, base, alex.email)

    # Profile and security -> Your data -> Prepare: the password first, then the download is prepared.
    page.goto(base + "/profile/")
    page.locator("main").get_by_role("link", name="Download my data").click()
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    page.get_by_role("button", name="Prepare my download").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Continue").click()
    expect(page.get_by_text("We're preparing your download.")).to_be_visible()
    page.reload()  # the worker (in-process here) has built it meanwhile
    expect(page.get_by_text(re.compile("Your download is ready"))).to_be_visible()
    _shot(page, "my-data-ready-390")
    assert any("ready" in m.subject for m in mail.outbox if m.to == [alex.email])

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download the zip file").click()
    download = waiting.value
    assert re.fullmatch(r"mend-data-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    archive = tmp_path / download.suggested_filename
    download.save_as(archive)
    zipfile.ZipFile(archive).extractall(tmp_path)

    # The export opens from the folder, offline, with JavaScript off.
    reader = new_context(java_script_enabled=False, offline=True).new_page()
    reader.goto((tmp_path / "mend-data" / "index.html").as_uri())
    expect(reader.get_by_role("heading", name=re.compile("data from Mend"))).to_be_visible()
    _shot(reader, "export-index-1280")
    reader.get_by_role("link", name="Daily check-ins").click()
    expect(reader.get_by_text(written.alex_shared[0])).to_be_visible()
    expect(reader.get_by_text(written.sam_shared[0])).to_be_visible()
    expect(reader.get_by_text(written.sam_only_me[0])).to_have_count(0)
    _shot(reader, "export-check-ins-1280")

    # Delete the account: a plain confirmation (the password was given a moment ago).
    page.goto(base + "/profile/data/")
    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", name="Delete your account?")).to_be_visible()
    _shot(page, "account-close-390")
    page.get_by_label(re.compile("I understand")).check()
    page.locator("main").get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is closed")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    _shot(page, "account-closed-390")

    # Sam is told only that his partner has left.
    sam_page = new_context().new_page()
    log_in(sam_page, base, sam.email)
    expect(sam_page.get_by_text("Your partner has left the space.")).to_be_visible()
    _shot(sam_page, "start-partner-left-1280")

    # The link in the e-mail restores the account, and Alex logs in as before.
    (message,) = [m for m in mail.outbox if m.to == [alex.email] and "closed" in m.subject]
    link = re.search(r"https?://\S+/restore/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Restore your account?")).to_be_visible()
    _shot(page, "account-restore-390")
    page.get_by_role("button", name="Restore my account").click()
    expect(page.get_by_text("Your account is open again")).to_be_visible()
    log_in(page, base, alex.email)
