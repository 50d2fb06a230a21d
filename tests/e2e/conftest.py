"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

No browser is ever downloaded: Playwright launches the system Chromium at CHROMIUM_PATH. When it is
missing or does not start, the tests are skipped (and the root conftest turns that skip into a failure
when REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Sync Playwright runs an asyncio event loop in the test thread; without this Django's ORM (used by
# the tests to arrange data and by pytest-django to flush the database) refuses to run in it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIME_ZONE = "Pacific/Auckland"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}

# Auto-waiting assertions give up after this long; a live server on localhost answers far sooner.
DEFAULT_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM_PATH).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM_PATH} (apt-get install chromium)")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"The playwright Python package is not installed: {exc}")

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
    except PlaywrightError as exc:
        playwright.stop()
        pytest.skip(f"Chromium at {CHROMIUM_PATH} could not be launched: {exc}")
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def new_context(browser: object) -> Iterator[object]:
    """A factory for fresh browser contexts (one per person in a test); all are closed afterwards."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    contexts = []

    def make(**options: object) -> object:
        options.setdefault("timezone_id", TIME_ZONE)
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: object) -> object:
    """A page in a fresh browser context of its own (Pacific/Auckland, desktop width)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    return new_context().new_page()  # type: ignore[operator]
