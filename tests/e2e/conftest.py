"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

No browser is ever downloaded: Playwright launches the system Chromium at CHROMIUM_PATH. When it is
missing or does not start, the tests are skipped (and the root conftest turns that skip into a failure
when REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

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


def screenshots(page: Page, prefix: str, name: str) -> None:
    """With E2E_SCREENSHOTS=DIR, full-page screenshots at 390 and 1280 px: DIR/<prefix>-<name>-{390,1280}.png.
    The page is left at the width it had."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    original = page.viewport_size or DESKTOP
    for size in (MOBILE, DESKTOP):
        page.set_viewport_size(size)
        page.screenshot(path=f"{folder}/{prefix}-{name}-{size['width']}.png", full_page=True)
    page.set_viewport_size(original)


# Auto-waiting assertions give up after this long; a live server on localhost answers far sooner.
DEFAULT_TIMEOUT_MS = 10_000


# Sync Playwright keeps an asyncio event loop running in the test thread while it is started; Django's
# ORM (the tests arranging data, pytest-django flushing the database) refuses to run there without this.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the browser tests.

    Package scope rather than session scope: once the last test under tests/e2e/ is done, Playwright
    stops (its event loop with it) and DJANGO_ALLOW_ASYNC_UNSAFE is taken out of the environment again.
    Left set, it leaks into the rest of the run, e.g. into `manage.py check --deploy` subprocesses
    (async.E001), and a still-running loop would break the ORM in every later test.
    """
    if not Path(CHROMIUM_PATH).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM_PATH} (apt-get install chromium)")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import expect, sync_playwright
    except ImportError as exc:
        pytest.skip(f"The playwright Python package is not installed: {exc}")

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"

    def restore_environment() -> None:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
    except PlaywrightError as exc:
        playwright.stop()
        restore_environment()
        pytest.skip(f"Chromium at {CHROMIUM_PATH} could not be launched: {exc}")
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        restore_environment()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """A factory for fresh browser contexts (one per person in a test); all are closed afterwards."""
    contexts: list[BrowserContext] = []

    def make(**options: object) -> BrowserContext:
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
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh browser context of its own (Pacific/Auckland, desktop width)."""
    return new_context().new_page()


@pytest.fixture(autouse=True)
def _links_in_e_mails_point_at_the_live_server(request: pytest.FixtureRequest, settings: object) -> None:
    # The outbox builds every link from SITE_URL (e-mails are sent far from any request).
    if "live_server" in request.fixturenames:
        settings.SITE_URL = request.getfixturevalue("live_server").url  # type: ignore[attr-defined]
