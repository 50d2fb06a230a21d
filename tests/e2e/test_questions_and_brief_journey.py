"""In a real browser: Alex asks a question, Sam answers and later amends it, and both see the amendment with
its date; the PHQ-9's item 9 shows crisis lines the moment it is answered; the demo therapist's session
brief shows reliable change and the new flags, prints on one page, and downloads as a PDF."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import formats
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from checkins import measures
from checkins.measures import PublishedReliability
from recovery.care.demo import DEMO_TOTP_SECRET
from recovery.management.commands.demo import DEMO_PASSWORD
from recovery.models import Couple
from recovery.totp import totp_code
from tests.e2e.conftest import MOBILE, screenshots
from tests.e2e.test_invitation_journey import EMAIL, LOG_IN, log_in
from tests.factories import UserFactory, make_couple

pytestmark = pytest.mark.e2e

# A test input, so the labels can be seen: the real published numbers await verification (checkins/measures.py).
EXAMPLE = PublishedReliability(sd=4.0, reliability=0.94, citation="worked example, threshold 2.72 points")


def test_a_question_is_asked_answered_and_amended_and_both_see_the_amendment_with_its_date(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], transactional_db: None
) -> None:
    base = live_server.url
    alex = UserFactory(email="alex@example.com", display_name="Alex", time_zone="Pacific/Auckland")
    sam = UserFactory(email="sam@example.com", display_name="Sam", time_zone="Pacific/Auckland")
    make_couple(hurt=alex, involved=sam)
    alex_page, sam_page = new_context().new_page(), new_context().new_page()
    log_in(alex_page, base, alex.email)
    log_in(sam_page, base, sam.email)

    # Alex asks, in writing.
    alex_page.goto(base + "/plan/questions/")
    alex_page.get_by_role("textbox", name="Your question").fill("When did it start, and when did it end?")
    alex_page.get_by_label("The two of us and our therapist").check()
    alex_page.get_by_role("button", name="Send my question").click()
    expect(alex_page.get_by_text("Your question is sent.")).to_be_visible()
    question_url = alex_page.url

    # Sam sees it waiting, and answers.
    sam_page.goto(base + "/plan/questions/")
    expect(sam_page.get_by_role("heading", name="A question for you to answer")).to_be_visible()
    sam_page.get_by_role("link", name="When did it start, and when did it end?").click()
    sam_page.get_by_role("textbox", name="Your answer", exact=True).fill(
        "It started in March last year and ended in January."
    )
    sam_page.get_by_role("button", name="Send my answer").click()
    expect(sam_page.get_by_text("Answered.")).to_be_visible()

    # Later Sam corrects it: an amendment, added, never an edit.
    sam_page.get_by_label("Your answer, as it should now read").fill(
        "It started in February last year, not March. It ended on 14 January."
    )
    sam_page.get_by_label("What this changes, in a sentence (optional)").fill("I had the start wrong by a month.")
    sam_page.get_by_label("I have told you everything I know about this").check()
    sam_page.get_by_role("button", name="Add this amendment").click()
    expect(sam_page.get_by_text("Your amendment is added, dated, below the earlier answer.")).to_be_visible()
    screenshots(sam_page, "measures", "question-amended")

    # The page dates the answer in the reader's zone (Auckland, as both are): their today, not the machine's.
    today = formats.date_format(datetime.now(ZoneInfo("Pacific/Auckland")).date(), "j F Y")
    for page in (alex_page, sam_page):
        page.goto(question_url)
        amendment = page.locator(".qa__amendment")
        expect(amendment).to_contain_text("Amendment 1")
        expect(amendment).to_contain_text(re.compile(rf"added by Sam on {today}"))
        expect(amendment).to_contain_text("I had the start wrong by a month.")
        expect(amendment.locator("del").first).to_contain_text("March")  # what it was
        expect(amendment.locator("ins").first).to_contain_text("February")  # what it is now
        expect(page.locator(".qa__answer")).to_contain_text(re.compile(rf"Sam answered on {today}"))
        expect(page.get_by_text("“I have told you everything I know about this.”")).to_be_visible()
    screenshots(alex_page, "measures", "question-as-asker")

    # Asking something like it again offers the earlier answer first.
    alex_page.goto(base + "/plan/questions/")
    alex_page.get_by_role("textbox", name="Your question").fill("When did it start?")
    alex_page.get_by_role("button", name="Send my question").click()
    expect(alex_page.get_by_role("heading", name=re.compile("You asked something like this on"))).to_be_visible()
    expect(alex_page.get_by_text("It ended on 14 January.").first).to_be_visible()
    screenshots(alex_page, "measures", "question-similar")


def test_item_9_shows_crisis_lines_the_moment_it_is_answered(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], transactional_db: None
) -> None:
    base = live_server.url
    alex = UserFactory(email="alex@example.com", display_name="Alex", time_zone="Europe/London")
    make_couple(hurt=alex)
    page = new_context().new_page()
    log_in(page, base, alex.email)
    page.set_viewport_size(MOBILE)
    page.goto(base + "/wellbeing/phq9/")
    crisis = page.locator("[data-crisis-now]")
    expect(crisis).to_be_hidden()
    item_9 = page.get_by_role("group", name=re.compile("^Thoughts that you would be better off dead"))
    item_9.get_by_label("Several days").check()
    expect(crisis).to_be_visible()
    expect(crisis).to_be_focused()
    expect(crisis.locator('a[href="tel:116123"]')).to_be_visible()  # Samaritans, one tap
    expect(crisis).to_contain_text("no one is alerted")
    screenshots(page, "measures", "phq9-item9")


def _therapist_logs_in(page: Page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label(EMAIL).fill("dr.rivera@demo.mend.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name=LOG_IN).click()
    page.get_by_label(re.compile("code", re.I)).fill(totp_code(DEMO_TOTP_SECRET))
    page.locator("main").get_by_role("button").first.click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()


def test_the_demo_therapist_s_brief_shows_reliable_change_and_the_new_flags(
    live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    transactional_db: None,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]  # the demo refuses to run on a production site
    call_command("demo", verbosity=0)
    monkeypatch.setattr(measures, "CSI4_RELIABILITY", EXAMPLE)
    base = live_server.url
    page = new_context().new_page()
    _therapist_logs_in(page, base)

    # The caseload flags the change that matters, not the level.
    table = page.locator(".caseload-table")  # on a desktop; a phone shows the same as cards
    expect(table.get_by_text("Jordan: crossed below 13.5 since the previous review")).to_be_visible()
    expect(table.get_by_text("Jordan: reliably worse than their first score")).to_be_visible()
    expect(table.get_by_text(re.compile("Jordan: a PHQ-9 shared with you marks thoughts of self-harm"))).to_be_visible()
    screenshots(page, "measures", "caseload")
    expect(page.get_by_text("CSI-4 below 13.5")).to_have_count(0)

    alex_and_sam = Couple.objects.get(partners__user__email="alex@demo.mend.test")
    page.goto(f"{base}/therapist/couples/{alex_and_sam.pk}/brief/")
    expect(page.get_by_role("heading", name="Session brief: Alex & Sam")).to_be_visible()
    rows = page.locator(".brief__table tbody tr")
    expect(rows.nth(0)).to_contain_text("reliably better")  # Alex: 5 to 15
    expect(rows.nth(1)).to_contain_text("reliably better")  # Sam: 8 to 16
    expect(rows.nth(0)).to_contain_text(re.compile(r"of 27, mild"))  # Alex's PHQ-9, shared
    expect(rows.nth(1)).to_contain_text("not shared")  # Sam's stays his
    expect(page.get_by_text("the date you set as your last session")).to_be_visible()
    expect(page.locator(".brief__bring")).to_contain_text("Question: When did it start, and when did it end?")
    expect(page.locator(".brief__bring")).to_contain_text("marked by Alex")
    screenshots(page, "measures", "brief-alex-sam")

    # Printed, it is one sheet.
    page.emulate_media(media="print")
    printed = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", printed)) == 1
    page.emulate_media(media="screen")

    # The download is a PDF, recorded for the couple to see.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("mend-session-brief-")
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")

    jordan = Couple.objects.get(partners__user__email="jordan@demo.mend.test")
    page.goto(f"{base}/therapist/couples/{jordan.pk}/brief/")
    first_row = page.locator(".brief__table tbody tr").nth(0)
    expect(first_row).to_contain_text("reliably worse")
    expect(first_row).to_contain_text("crossed below 13.5")
    expect(first_row).to_contain_text("Item 9 above 0: thoughts of self-harm")
    screenshots(page, "measures", "brief-jordan-casey")

    alex_page = new_context().new_page()
    log_in(alex_page, base, "alex@demo.mend.test", DEMO_PASSWORD)
    alex_page.goto(base + "/care/seen/")
    expect(alex_page.get_by_text(re.compile("Dr Rivera opened your session brief once"))).to_be_visible()
    expect(alex_page.get_by_text(re.compile("Dr Rivera downloaded your session brief once"))).to_be_visible()
    alex_page.goto(base + "/checkins/reviews/")
    expect(alex_page.get_by_text("Against your first score: reliably better.")).to_be_visible()
    screenshots(alex_page, "measures", "reviews-own-change")
