"""Where to turn in a crisis: the reviewed data in content/support.toml, loaded, checked and chosen from.

The file lists, per country, the emergency number, lines for people who might hurt themselves
("crisis") and domestic-abuse services ("abuse"), each with the page that states it and the date it
was checked; plus a fallback for everywhere else that names directories of helplines. Validation
collects every problem and names the country and line it belongs to, so an editor sees all mistakes
at once, and a broken file stops the app at first use rather than showing a wrong number.

Which country to show comes from, in order: an explicit choice, the signed-in person's time zone, the
browser's time zone (sent by mend.js), and otherwise the worldwide page.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

SUPPORT_PATH = Path(__file__).resolve().parent / "content" / "support.toml"
INTERNATIONAL = "international"
SERVES = ("women", "men")
KINDS = ("crisis", "abuse")

_CODE = re.compile(r"^[A-Z]{2}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# What a person may type to dial: digits, spaces, hyphens, dots, brackets and a leading +.
_DIALLABLE = re.compile(r"^\+?[0-9][0-9 ().-]*$")
_LINE_FIELDS = {
    "name",
    "phone",
    "text",
    "text_keyword",
    "whatsapp",
    "chat",
    "web",
    "hours",
    "description",
    "serves",
    "region",
    "dial_note",
    "source",
    "checked",
}
_EMERGENCY_FIELDS = {"number", "label", "sms", "source", "checked"}
_DIRECTORY_FIELDS = {"name", "web", "description", "source", "checked"}
_COUNTRY_FIELDS = {"code", "name", "emergency", "crisis", "abuse"}


class SupportContentError(ValueError):
    """The support file is wrong; the message lists every problem, each naming its country and line."""


def _digits(number: str) -> str:
    return ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)


@dataclass(frozen=True)
class EmergencyNumber:
    number: str
    label: str
    sms: bool
    sources: tuple[str, ...]
    checked: date

    @property
    def href(self) -> str:
        return ("sms:" if self.sms else "tel:") + _digits(self.number)


@dataclass(frozen=True)
class Line:
    """One service: a crisis line or a domestic-abuse service."""

    name: str
    hours: str
    description: str
    sources: tuple[str, ...]
    checked: date
    phone: str = ""
    text: str = ""
    text_keyword: str = ""
    whatsapp: str = ""
    chat: str = ""
    web: str = ""
    serves: str = ""
    region: str = ""
    dial_note: str = ""

    @property
    def tel_href(self) -> str:
        return "tel:" + _digits(self.phone) if self.phone else ""

    @property
    def sms_href(self) -> str:
        if not self.text:
            return ""
        # "?&body=" is the form both Android and iOS messaging apps accept for a prefilled message.
        return "sms:" + _digits(self.text) + (f"?&body={self.text_keyword}" if self.text_keyword else "")

    @property
    def whatsapp_href(self) -> str:
        return "https://wa.me/" + _digits(self.whatsapp).lstrip("+") if self.whatsapp else ""


@dataclass(frozen=True)
class Directory:
    name: str
    web: str
    description: str
    sources: tuple[str, ...]
    checked: date


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    emergency: tuple[EmergencyNumber, ...]
    crisis: tuple[Line, ...]
    abuse: tuple[Line, ...]

    @property
    def first_call(self) -> Line:
        """The crisis line to offer first: the first one that can be called."""
        return next(line for line in self.crisis if line.phone)


@dataclass(frozen=True)
class International:
    name: str
    emergency: tuple[EmergencyNumber, ...]
    directories: tuple[Directory, ...]


@dataclass(frozen=True)
class SupportContent:
    countries: dict[str, Country]
    international: International
    support_box_steps: tuple[str, ...]

    def lines(self) -> list[tuple[str, Line]]:
        """Every line with the country code it belongs to, for reviews and tests."""
        return [(c.code, line) for c in self.countries.values() for line in (*c.crisis, *c.abuse)]


# --- loading and validation -------------------------------------------------------------------------


def load_support(path: Path = SUPPORT_PATH, *, today: date | None = None) -> SupportContent:
    """Read and check the file. Pass `today` to also reject `checked` dates in the future (the tests
    do); the running site leaves it out so a server clock running slow can't take the page down."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SupportContentError(f"{path.name}: {exc}") from exc
    return parse_support(raw, today=today)


@functools.cache
def support_content() -> SupportContent:
    """The support file, read and checked once per process."""
    return load_support()


def parse_support(raw: dict[str, Any], *, today: date | None = None) -> SupportContent:
    errors: list[str] = []
    check = _Checker(errors, today)
    steps = raw.get("support_box_steps", [])
    if not isinstance(steps, list) or not all(isinstance(s, str) and _SLUG.match(s) for s in steps):
        errors.append("support_box_steps must be a list of step slugs")
        steps = []
    international = check.international(raw.get("international"))
    countries: dict[str, Country] = {}
    raw_countries = raw.get("countries")
    if not isinstance(raw_countries, list) or not raw_countries:
        errors.append("the file has no [[countries]]")
        raw_countries = []
    for index, raw_country in enumerate(raw_countries, start=1):
        country = check.country(raw_country, index)
        if country is None:
            continue
        if country.code in countries:
            errors.append(f"country {country.code}: listed twice")
        countries[country.code] = country
    unknown = set(raw) - {"support_box_steps", "international", "countries"}
    if unknown:
        errors.append(f"unknown top-level field(s) {', '.join(sorted(unknown))}")
    if errors:
        raise SupportContentError("support.toml has problems:\n- " + "\n- ".join(errors))
    assert international is not None  # an error was recorded otherwise
    return SupportContent(countries=countries, international=international, support_box_steps=tuple(steps))


class _Checker:
    """Reads one part of the file at a time, recording every problem instead of stopping at the first."""

    def __init__(self, errors: list[str], today: date | None) -> None:
        self.errors = errors
        self.today = today

    def text(self, raw: dict[str, Any], name: str, where: str, *, required: bool = True) -> str:
        value = raw.get(name, "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.errors.append(f"{where}: missing {name}" if required else f"{where}: {name} must be text")
            return ""
        return value.strip()

    def url(self, raw: dict[str, Any], name: str, where: str) -> str:
        value = self.text(raw, name, where, required=False)
        if value and not value.startswith("https://"):
            self.errors.append(f"{where}: {name} must be an https:// address")
            return ""
        return value

    def number(self, raw: dict[str, Any], name: str, where: str, *, min_digits: int, required: bool = False) -> str:
        value = self.text(raw, name, where, required=required)
        if value and (not _DIALLABLE.match(value) or len(re.sub(r"\D", "", value)) < min_digits):
            self.errors.append(f"{where}: {name} {value!r} is not a number a phone can dial")
            return ""
        return value

    def provenance(self, raw: dict[str, Any], where: str) -> tuple[tuple[str, ...], date | None]:
        """Every line says where it was verified and when."""
        source = raw.get("source")
        sources = (source,) if isinstance(source, str) else tuple(source) if isinstance(source, list) else ()
        if not sources:
            self.errors.append(f"{where}: missing source (the page that states the number)")
        elif not all(isinstance(s, str) and s.startswith(("https://", "http://")) for s in sources):
            self.errors.append(f"{where}: source must be a web address, or a list of them")
        checked = raw.get("checked")
        # TOML dates arrive as datetime.date; a date-time is a different thing and a typo here.
        if not isinstance(checked, date) or isinstance(checked, datetime):
            self.errors.append(f"{where}: missing checked (the date the source was read, like 2026-11-21)")
            checked = None
        elif self.today is not None and checked > self.today:
            self.errors.append(f"{where}: checked {checked.isoformat()} is in the future")
        return sources, checked

    def unknown_fields(self, raw: dict[str, Any], allowed: set[str], where: str) -> None:
        unknown = set(raw) - allowed
        if unknown:
            self.errors.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")

    def emergency(self, raw: Any, where: str) -> EmergencyNumber | None:
        if not isinstance(raw, dict):
            self.errors.append(f"{where}: is not a table")
            return None
        before = len(self.errors)
        number = self.number(raw, "number", where, min_digits=2, required=True)
        label = self.text(raw, "label", where)
        sms = raw.get("sms", False)
        if not isinstance(sms, bool):
            self.errors.append(f"{where}: sms must be true or false")
        sources, checked = self.provenance(raw, where)
        self.unknown_fields(raw, _EMERGENCY_FIELDS, where)
        if len(self.errors) > before or checked is None:
            return None
        return EmergencyNumber(number=number, label=label, sms=sms, sources=sources, checked=checked)

    def emergencies(self, raw: Any, where: str) -> tuple[EmergencyNumber, ...]:
        if not isinstance(raw, list) or not raw:
            self.errors.append(f"{where}: has no emergency number")
            return ()
        found = [self.emergency(item, f"{where}, emergency #{i}") for i, item in enumerate(raw, start=1)]
        return tuple(e for e in found if e)

    def line(self, raw: Any, where: str) -> Line | None:
        if not isinstance(raw, dict):
            self.errors.append(f"{where}: is not a table")
            return None
        before = len(self.errors)
        name = self.text(raw, "name", where)
        where = f"{where} ({name})" if name else where
        fields = {
            "phone": self.number(raw, "phone", where, min_digits=3),
            "text": self.number(raw, "text", where, min_digits=3),
            "whatsapp": self.number(raw, "whatsapp", where, min_digits=8),
            "chat": self.url(raw, "chat", where),
            "web": self.url(raw, "web", where),
            "text_keyword": self.text(raw, "text_keyword", where, required=False),
            "region": self.text(raw, "region", where, required=False),
            "dial_note": self.text(raw, "dial_note", where, required=False),
            "serves": self.text(raw, "serves", where, required=False).lower(),
        }
        if not any(fields[k] for k in ("phone", "text", "whatsapp", "chat", "web")):
            self.errors.append(f"{where}: give at least one way to reach it (phone, text, whatsapp, chat or web)")
        if fields["text_keyword"] and not fields["text"]:
            self.errors.append(f"{where}: text_keyword needs a text number")
        if fields["whatsapp"] and not fields["whatsapp"].startswith("+"):
            self.errors.append(f"{where}: whatsapp must be written with its country code, like +34 600 000 016")
        if fields["serves"] and fields["serves"] not in SERVES:
            self.errors.append(f"{where}: serves must be one of {', '.join(SERVES)} (leave it out for anyone)")
        hours = self.text(raw, "hours", where)
        description = self.text(raw, "description", where)
        sources, checked = self.provenance(raw, where)
        self.unknown_fields(raw, _LINE_FIELDS, where)
        if len(self.errors) > before or checked is None:
            return None
        return Line(name=name, hours=hours, description=description, sources=sources, checked=checked, **fields)

    def country(self, raw: Any, index: int) -> Country | None:
        if not isinstance(raw, dict):
            self.errors.append(f"country #{index}: is not a table")
            return None
        before = len(self.errors)
        code = raw.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            self.errors.append(f"country #{index}: code must be a two-letter ISO 3166 code in capitals, like GB")
            code = f"#{index}"
        where = f"country {code}"
        name = self.text(raw, "name", where)
        emergency = self.emergencies(raw.get("emergency"), where)
        kinds: dict[str, tuple[Line, ...]] = {}
        for kind, label in (("crisis", "crisis line"), ("abuse", "domestic-abuse service")):
            raw_lines = raw.get(kind)
            if not isinstance(raw_lines, list) or not raw_lines:
                self.errors.append(f"{where}: has no {label} ([[countries.{kind}]])")
                raw_lines = []
            found = [self.line(item, f"{where}, {kind} #{i}") for i, item in enumerate(raw_lines, start=1)]
            kinds[kind] = tuple(line for line in found if line)
            # One step to a real person: each kind needs a number to call, not only a website.
            if raw_lines and not any(line.phone for line in kinds[kind]) and len(self.errors) == before:
                self.errors.append(f"{where}: needs at least one {label} with a phone number")
        self.unknown_fields(raw, _COUNTRY_FIELDS, where)
        if len(self.errors) > before:
            return None
        return Country(code=code, name=name, emergency=emergency, crisis=kinds["crisis"], abuse=kinds["abuse"])

    def international(self, raw: Any) -> International | None:
        where = "international"
        if not isinstance(raw, dict):
            self.errors.append("the file has no [international] fallback")
            return None
        before = len(self.errors)
        name = self.text(raw, "name", where)
        emergency = self.emergencies(raw.get("emergency"), where)
        directories: list[Directory] = []
        raw_dirs = raw.get("directories")
        if not isinstance(raw_dirs, list) or not raw_dirs:
            self.errors.append(f"{where}: names no directory of helplines ([[international.directories]])")
            raw_dirs = []
        for i, item in enumerate(raw_dirs, start=1):
            dir_where = f"{where}, directory #{i}"
            if not isinstance(item, dict):
                self.errors.append(f"{dir_where}: is not a table")
                continue
            dir_name = self.text(item, "name", dir_where)
            web = self.url(item, "web", dir_where)
            if not web:
                self.errors.append(f"{dir_where}: missing web (the directory's address)")
            description = self.text(item, "description", dir_where)
            sources, checked = self.provenance(item, dir_where)
            self.unknown_fields(item, _DIRECTORY_FIELDS, dir_where)
            if web and checked is not None:
                directories.append(Directory(dir_name, web, description, sources, checked))
        self.unknown_fields(raw, {"name", "emergency", "directories"}, where)
        if len(self.errors) > before:
            return None
        return International(name=name, emergency=emergency, directories=tuple(directories))


# --- which country to show --------------------------------------------------------------------------

TZDATA_PACKAGE = "tzdata"


def _tzdata_file(*parts: str) -> bytes | None:
    try:
        return resources.files(TZDATA_PACKAGE).joinpath("zoneinfo", *parts).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError, NotADirectoryError, OSError):
        return None


@functools.cache
def _zone_countries() -> dict[str, str]:
    """Time zone -> ISO country code, from zone.tab as shipped in the tzdata package.

    zone.tab (not zone1970.tab) because it names exactly one country per zone: Europe/Berlin is
    Germany, where zone1970.tab shares it with Denmark, Norway and Sweden.
    """
    raw = _tzdata_file("zone.tab")
    if raw is None:
        return {}
    mapping = {}
    for row in raw.decode("utf-8").splitlines():
        if row and not row.startswith("#"):
            columns = row.split("\t")
            if len(columns) >= 3:
                mapping[columns[2]] = columns[0]
    return mapping


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _countries_by_zone_content() -> dict[bytes, frozenset[str]]:
    """Zone file digest -> the countries whose zones have exactly those rules.

    Browsers may report an old alias (Chromium has said "Asia/Calcutta"); tzdata ships each alias as
    a copy of its zone's file, so identical content identifies the zone without a hand-kept table.
    """
    by_digest: dict[bytes, set[str]] = {}
    for zone, code in _zone_countries().items():
        data = _tzdata_file(*zone.split("/"))
        if data is not None:
            by_digest.setdefault(hashlib.sha256(data).digest(), set()).add(code)
    return {digest: frozenset(codes) for digest, codes in by_digest.items()}


def countries_for_time_zone(name: str) -> frozenset[str]:
    """The ISO codes an IANA time zone may belong to: one for a zone, several for some old aliases
    ("Europe/Belfast" has the same rules as London, Jersey, Guernsey and the Isle of Man), none for
    UTC or an unknown name."""
    # Only names the zoneinfo database knows are ever used to open a file: nothing a visitor types
    # reaches the file system.
    if not isinstance(name, str) or len(name) > 64 or name not in _known_zones():
        return frozenset()
    direct = _zone_countries().get(name)
    if direct:
        return frozenset({direct})
    data = _tzdata_file(*name.split("/"))
    return _countries_by_zone_content().get(hashlib.sha256(data).digest(), frozenset()) if data else frozenset()


def country_for_time_zone(name: str) -> str | None:
    """The country of a time zone, when there is exactly one."""
    codes = countries_for_time_zone(name)
    return next(iter(codes)) if len(codes) == 1 else None


def choose_country(*, requested: str = "", time_zones: tuple[str, ...] = ()) -> str:
    """A listed country's code, or INTERNATIONAL: an explicit choice first, then each time zone in turn.

    An alias shared by several countries counts when only one of them is listed: "Canada/Eastern"
    (Toronto's rules, also the Bahamas') means Canada here.
    """
    content = support_content()
    requested = (requested or "").strip()[:32]
    if requested.upper() in content.countries:
        return requested.upper()
    if requested.lower() == INTERNATIONAL:
        return INTERNATIONAL
    for zone in time_zones:
        listed = countries_for_time_zone(zone) & content.countries.keys()
        if len(listed) == 1:
            return next(iter(listed))
    return INTERNATIONAL


def time_zones_for(user: object, browser_time_zone: str = "") -> tuple[str, ...]:
    """The signed-in person's own time zone comes before the one the browser reports."""
    own = getattr(user, "time_zone", "") if getattr(user, "is_authenticated", False) else ""
    return tuple(zone for zone in (own, browser_time_zone) if zone)


def country_choices() -> list[tuple[str, str]]:
    content = support_content()
    listed = sorted(((c.code, c.name) for c in content.countries.values()), key=lambda choice: choice[1])
    return [*listed, (INTERNATIONAL, _("Somewhere else"))]


def support_url(*, browser_time_zone: str = "") -> str:
    """The support page, carrying the browser's time zone when it names a real zone."""
    url = reverse("checkins:safety_support")
    zone = (browser_time_zone or "").strip()
    return f"{url}?{urlencode({'tz': zone})}" if zone in _known_zones() else url


def shows_support_box(step_slug: str) -> bool:
    return step_slug in support_content().support_box_steps


def low_mood_message() -> SafeString:
    """Said after a check-in at the lowest mood: gentle, private, and one tap from a real person."""
    return format_html(
        '{} <a href="{}" data-add-time-zone>{}</a>',
        _(
            "That sounds like a really hard day. If you feel you can't go on, or you might hurt yourself, "
            "please talk to someone now: Mend isn't watched in real time."
        ),
        reverse("checkins:safety_support"),
        _("Find someone to talk to"),
    )
