"""Reaching someone in a crisis, on a phone, without an account: one tap from the question to a number."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.conftest import MOBILE

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]


def _phone(new_context: NewContext, time_zone: str) -> Page:
    return new_context(viewport=MOBILE, timezone_id=time_zone, is_mobile=True, has_touch=True).new_page()


def _fully_in_view(page: Page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= MOBILE["height"], f"{box} is below the first screen"


def test_not_sure_on_the_safety_check_shows_a_local_crisis_number_without_scrolling(
    live_server: LiveServer, new_context: NewContext, transactional_db: None
) -> None:
    page = _phone(new_context, "Europe/London")
    page.goto(live_server.url + "/safety/")
    page.get_by_role("button", name="No, or I'm not sure").click()

    call = page.get_by_role("link", name="Call 116 123")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:116123")
    _fully_in_view(page, call)
    expect(page.get_by_text("Help in United Kingdom")).to_be_visible()
    # The way out is in view too.
    _fully_in_view(page, page.get_by_role("button", name="Quick exit"))


def test_the_footer_link_opens_local_numbers_and_another_country_can_be_chosen(
    live_server: LiveServer, new_context: NewContext, transactional_db: None
) -> None:
    page = _phone(new_context, "Australia/Sydney")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="If you feel you can't go on, or might hurt yourself: get help now").click()
    call = page.get_by_role("link", name="Call 13 11 14")
    expect(call).to_be_visible()
    _fully_in_view(page, call)

    page.get_by_label("Show help for").select_option(label="Canada")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Help in Canada")).to_be_visible()
    expect(page.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")


def test_a_visitor_from_a_country_we_do_not_list_gets_the_worldwide_directory(
    live_server: LiveServer, new_context: NewContext, transactional_db: None
) -> None:
    page = _phone(new_context, "Asia/Tokyo")
    page.goto(live_server.url + "/safety/support/")
    expect(page.get_by_role("link", name="Open Find A Helpline")).to_be_visible()
    expect(page.get_by_role("link", name="Call 112")).to_have_attribute("href", "tel:112")
    assert "tz=Asia%2FTokyo" in page.url  # asked the browser once, and stopped there
