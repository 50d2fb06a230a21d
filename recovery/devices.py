"""A browser's user-agent string, read as a person would say it: "Chrome on Android", "Safari on iPhone".

The signed-in devices page and the security e-mails name devices this way instead of showing the raw
string. Only the browser and the system are read, never a version or a model: enough for someone to
recognise their own phone, and nothing that reads like tracking. A string we don't recognise is "an
unknown browser" rather than a guess. A small ordered rule list is enough for the browsers people
actually use; a full user-agent database (ua-parser) would be a dependency for detail we don't show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Order matters: many browsers carry another's token for compatibility (Edge and Samsung Internet say
# "Chrome", Chrome says "Safari", iPhones say "like Mac OS X", Android says "Linux"), so the more specific
# token is looked for first.
_BROWSERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"\bEdg(?:e|A|iOS)?/", "Edge"),
        (r"\bSamsungBrowser/", "Samsung Internet"),
        (r"\b(?:OPR|OPiOS|OPT)/|\bOpera\b", "Opera"),
        (r"\bVivaldi/", "Vivaldi"),
        (r"\bYaBrowser/", "Yandex Browser"),
        (r"\b(?:Firefox|FxiOS)/", "Firefox"),
        (r"\b(?:HeadlessChrome|Chrome|CriOS|Chromium)/", "Chrome"),
        (r"\bMSIE |\bTrident/", "Internet Explorer"),
        (r"\bVersion/[\d.]+.*\bSafari/|\bMobile/\w+ Safari/", "Safari"),
    )
)

# (pattern, name): the names are the ones people use for their device or system.
_SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"\biPhone\b", "iPhone"),
        (r"\biPad\b", "iPad"),
        (r"\biPod\b", "iPod touch"),
        (r"\bAndroid\b", "Android"),
        (r"\bCrOS\b", "ChromeOS"),
        (r"\bWindows Phone\b", "Windows Phone"),
        (r"\bWindows\b", "Windows"),
        (r"\bMacintosh\b|\bMac OS X\b", "Mac"),
        (r"\bLinux\b|\bX11\b", "Linux"),
    )
)

# A header longer than any real browser sends isn't worth scanning (allauth stores 500 characters).
_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Device:
    browser: str | None
    system: str | None

    def __str__(self) -> str:
        return describe_device(self)


def parse_user_agent(user_agent: str | None) -> Device:
    """The browser and system named in a User-Agent header; None for each part not recognised."""
    text = (user_agent or "")[:_MAX_LENGTH]
    return Device(browser=_first_match(_BROWSERS, text), system=_first_match(_SYSTEMS, text))


def describe_device(device: Device) -> str:
    """'Chrome on Android', 'Firefox', 'a browser on iPhone', or 'an unknown browser' (lower case first, to
    sit inside a sentence; templates use |capfirst at the start of one)."""
    if device.browser and device.system:
        return _("%(browser)s on %(system)s") % {"browser": device.browser, "system": device.system}
    if device.browser:
        return device.browser
    if device.system:
        return _("a browser on %(system)s") % {"system": device.system}
    return _("an unknown browser")


def device_name(user_agent: str | None) -> str:
    return describe_device(parse_user_agent(user_agent))


def _first_match(rules: tuple[tuple[re.Pattern[str], str], ...], text: str) -> str | None:
    return next((name for pattern, name in rules if pattern.search(text)), None)
