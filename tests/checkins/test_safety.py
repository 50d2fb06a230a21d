"""Crisis and abuse support: the reviewed data file, choosing a country, and every way to reach it."""

from __future__ import annotations

import copy
import re
import tomllib
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkins import support
from checkins.models import DailyCheckIn
from plans.content import load_plan
from plans.models import Step
from tests.factories import UserFactory, make_couple
from tests.helpers import page
from tests.security.walk import all_routes

# The countries the issue asks for; more may be added, none of these may go.
REQUIRED_COUNTRIES = {"US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "ES", "MX", "IN", "ZA"}
CHECK_IN = {"trust": "5", "closeness": "5", "high": "", "low": "", "to_talk_through": "", "trigger_note": "",
            "visibility": "only_me"}  # fmt: skip


def _raw() -> dict:
    return tomllib.loads(support.SUPPORT_PATH.read_text(encoding="utf-8"))


def _problems(raw: dict, today: date = date(2026, 11, 21)) -> str:
    with pytest.raises(support.SupportContentError) as caught:
        support.parse_support(raw, today=today)
    return str(caught.value)


def _country(raw: dict, code: str) -> dict:
    return next(c for c in raw["countries"] if c["code"] == code)


# --- the data file ---------------------------------------------------------------------------------


def test_every_country_has_an_emergency_number_a_crisis_line_and_an_abuse_service() -> None:
    content = support.load_support(today=timezone.localdate())
    assert content.countries.keys() >= REQUIRED_COUNTRIES
    for code, country in content.countries.items():
        assert country.emergency, code
        assert any(line.phone for line in country.crisis), f"{code} has no crisis line to call"
        assert any(line.phone for line in country.abuse), f"{code} has no abuse service to call"


def test_a_fallback_for_everywhere_else_names_a_directory_and_emergency_advice() -> None:
    fallback = support.load_support().international
    assert fallback.emergency and {e.number for e in fallback.emergency} >= {"112"}
    assert any("findahelpline.com" in d.web for d in fallback.directories)


def test_every_line_says_where_it_was_verified_and_when() -> None:
    content = support.load_support(today=timezone.localdate())
    everything = [
        *(line for _code, line in content.lines()),
        *(e for c in content.countries.values() for e in c.emergency),
        *content.international.emergency,
        *content.international.directories,
    ]
    assert len(everything) > 40
    for item in everything:
        assert item.sources and all(re.match(r"https?://\S+$", s) for s in item.sources), item
        assert item.checked <= timezone.localdate(), item


def test_the_real_file_loads_and_is_the_one_the_site_uses() -> None:
    support.support_content.cache_clear()
    assert support.support_content() == support.load_support()


def test_the_validator_names_every_problem_in_a_broken_file() -> None:
    raw = _raw()
    del _country(raw, "GB")["abuse"]
    _country(raw, "US")["crisis"][0].pop("source")
    _country(raw, "FR")["crisis"][0]["checked"] = date(2027, 1, 1)
    _country(raw, "DE")["crisis"][0]["phon"] = "0800 111 0 111"
    _country(raw, "ES")["crisis"][0]["phone"] = "call us"
    _country(raw, "IN")["emergency"] = []
    raw["countries"].append(copy.deepcopy(_country(raw, "IE")))
    problems = _problems(raw)
    assert "country GB: has no domestic-abuse service" in problems
    assert "country US, crisis #1 (988 Suicide & Crisis Lifeline): missing source" in problems
    assert "checked 2027-01-01 is in the future" in problems
    assert "unknown field(s) phon" in problems
    assert "phone 'call us' is not a number a phone can dial" in problems
    assert "country IN: has no emergency number" in problems
    assert "country IE: listed twice" in problems


def test_a_file_without_a_fallback_or_a_directory_is_refused() -> None:
    raw = _raw()
    raw["international"]["directories"] = []
    assert "names no directory of helplines" in _problems(raw)
    del raw["international"]
    assert "no [international] fallback" in _problems(raw)


def test_a_crisis_line_with_only_a_website_is_not_enough() -> None:
    raw = _raw()
    nz = _country(raw, "NZ")
    nz["crisis"] = [{k: v for k, v in nz["crisis"][0].items() if k not in ("phone", "text")} | {"web": "https://x.nz"}]
    assert "country NZ: needs at least one crisis line with a phone number" in _problems(raw)


def test_dates_and_addresses_are_checked() -> None:
    raw = _raw()
    au = _country(raw, "AU")
    au["crisis"][0]["checked"] = "2026-11-21"  # a string, not a TOML date
    au["abuse"][0]["web"] = "http://insecure.example"
    au["abuse"][0]["serves"] = "everyone"
    problems = _problems(raw)
    assert "missing checked" in problems
    assert "web must be an https:// address" in problems
    assert "serves must be one of women, men" in problems


def test_the_running_site_does_not_fail_on_a_slow_clock() -> None:
    # A checked date after the server's today is an editing mistake the tests catch; it must not
    # take the support page down on a machine whose clock is behind.
    assert support.parse_support(_raw(), today=None).countries["GB"]
    assert "in the future" in _problems(_raw(), today=date(2026, 1, 1))


def test_the_steps_with_a_support_box_exist_in_the_plan() -> None:
    slugs = {step.slug for step in load_plan().steps}
    listed = support.support_content().support_box_steps
    assert listed and set(listed) <= slugs


def test_links_dial_the_digits_and_prefill_the_text_keyword() -> None:
    content = support.support_content()
    samaritans = content.countries["GB"].crisis[0]
    assert samaritans.tel_href == "tel:116123"
    shout = next(line for line in content.countries["GB"].crisis if line.name == "Shout")
    assert shout.sms_href == "sms:85258?&body=SHOUT"
    hotline = content.countries["US"].abuse[0]
    assert hotline.tel_href == "tel:18007997233"
    spain = content.countries["ES"].abuse[0]
    assert spain.whatsapp_href == "https://wa.me/34600000016"
    text_114 = next(e for e in content.countries["FR"].emergency if e.sms)
    assert text_114.href == "sms:114"


# --- choosing a country ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "code"),
    [
        ("Europe/London", "GB"),
        ("America/Toronto", "CA"),
        ("America/Mexico_City", "MX"),
        ("Asia/Kolkata", "IN"),
        ("Africa/Johannesburg", "ZA"),
        ("Europe/Berlin", "DE"),
        ("Pacific/Auckland", "NZ"),
        ("Australia/Sydney", "AU"),
        ("America/New_York", "US"),
        ("Europe/Dublin", "IE"),
        ("Europe/Paris", "FR"),
        ("Europe/Madrid", "ES"),
        ("America/Los_Angeles", "US"),
        ("Australia/Perth", "AU"),
        ("America/Vancouver", "CA"),
        ("Atlantic/Canary", "ES"),
        # Old names some browsers still report resolve through tzdata's own copies of the zone.
        ("Asia/Calcutta", "IN"),
        ("US/Eastern", "US"),
        ("Europe/Belfast", "GB"),
        ("Canada/Eastern", "CA"),
    ],
)
def test_a_time_zone_chooses_its_country(zone: str, code: str) -> None:
    assert support.choose_country(time_zones=(zone,)) == code


@pytest.mark.parametrize(
    "zone", ["Asia/Tokyo", "UTC", "Etc/GMT+5", "Europe/Jersey", "", "Mars/Olympus", "../../etc/passwd", "x" * 5000]
)
def test_a_zone_with_no_listed_country_falls_back_to_the_worldwide_page(zone: str) -> None:
    assert support.choose_country(time_zones=(zone,)) == support.INTERNATIONAL


def test_an_explicit_choice_wins_and_the_person_s_own_zone_comes_before_the_browser_s() -> None:
    assert support.choose_country(requested="au", time_zones=("Europe/London",)) == "AU"
    assert support.choose_country(requested="international", time_zones=("Europe/London",)) == "international"
    assert support.choose_country(requested="ZZ", time_zones=("Asia/Tokyo", "Europe/Paris")) == "FR"
    person = UserFactory.build(time_zone="Pacific/Auckland")
    assert support.time_zones_for(person, "Europe/Madrid") == ("Pacific/Auckland", "Europe/Madrid")


# --- the support page ------------------------------------------------------------------------------


def _position(text: str, needle: str) -> int:
    assert needle in text, needle
    return text.index(needle)


@pytest.mark.django_db
def test_an_anonymous_visitor_choosing_a_country_sees_its_lines_as_tel_links(client) -> None:
    text = page(client.get(reverse("checkins:safety_support") + "?country=DE"))
    crisis = _position(text, 'href="tel:08001110111"')
    abuse = _position(text, 'href="tel:116016"')
    emergency = _position(text, "If you or someone else is in danger now")
    assert crisis < abuse < emergency
    assert "Help in Germany" in text and "Mend isn't watched in real time" in text


@pytest.mark.django_db
def test_a_signed_in_person_in_london_sees_uk_numbers_first_without_choosing() -> None:
    person = UserFactory(time_zone="Europe/London")
    client = Client()
    client.force_login(person)
    text = page(client.get(reverse("checkins:safety_support")))
    assert "Help in United Kingdom" in text
    assert _position(text, 'href="tel:116123"') < _position(text, 'href="tel:08082000247"')
    assert _position(text, "If you might hurt yourself") < _position(text, "If you're afraid of your partner")
    assert 'href="tel:999"' in text


@pytest.mark.django_db
def test_the_browser_time_zone_places_an_anonymous_visitor(client) -> None:
    text = page(client.get(reverse("checkins:safety_support") + "?tz=Asia/Kolkata"))
    assert "Help in India" in text and 'href="tel:14416"' in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["?country=XX", "?country=<script>", "?tz=../../etc/passwd", "?country=%01&tz=Mars/Base", "?tz=" + "A" * 3000, ""],
)
def test_garbage_or_nothing_gives_the_worldwide_page_not_an_error(client, query: str) -> None:
    response = client.get(reverse("checkins:safety_support") + query)
    text = page(response)
    assert response.status_code == 200
    assert "Find A Helpline" in text and 'href="tel:112"' in text and "local emergency number" in text
    assert '<select id="country" name="country">' in text


@pytest.mark.django_db
def test_the_picker_lists_every_country_and_asks_the_browser_only_when_nothing_placed_the_visitor(client) -> None:
    text = page(client.get(reverse("checkins:safety_support")))
    for code in REQUIRED_COUNTRIES:
        assert f'<option value="{code}"' in text
    assert "data-locate-by-time-zone" in text
    assert "data-locate-by-time-zone" not in page(client.get(reverse("checkins:safety_support") + "?tz=UTC"))
    assert "data-locate-by-time-zone" not in page(client.get(reverse("checkins:safety_support") + "?country=FR"))


@pytest.mark.django_db
def test_not_sure_on_the_safety_check_lands_on_local_numbers(client) -> None:
    response = client.post(reverse("checkins:safety_check"), {"feels_safe": "no", "tz": "Europe/Madrid"})
    assert response["Location"] == reverse("checkins:safety_support") + "?tz=Europe%2FMadrid"
    assert 'href="tel:024"' in page(client.get(response["Location"]))
    # A time zone that isn't one is dropped rather than passed on.
    response = client.post(reverse("checkins:safety_check"), {"feels_safe": "no", "tz": "javascript:alert(1)"})
    assert response["Location"] == reverse("checkins:safety_support")
    assert "data-time-zone" in page(client.get(reverse("checkins:safety_check")))


# --- reachable from everywhere ---------------------------------------------------------------------

FOOTER_LINK = re.compile(r'<a href="/safety/support/" data-add-time-zone>If you feel you can\'t go on')


@pytest.mark.django_db
def test_every_page_has_the_get_help_now_link_in_its_footer() -> None:
    couple = make_couple(hurt=UserFactory(), involved=UserFactory())
    signed_in = Client()
    signed_in.force_login(couple.partners.get(seat=1).user)
    pages = 0
    for route in all_routes():
        if route.params:
            continue
        path = reverse(route.name)
        for client in (Client(), signed_in):
            response = client.get(path)
            body = response.content.decode() if response["Content-Type"].startswith("text/html") else ""
            # Every page in Mend's layout (all but the quick-exit hand-off and Django's admin).
            if response.status_code == 200 and 'class="site-footer"' in body:
                assert FOOTER_LINK.search(body), f"{route.name} ({'signed in' if client is signed_in else 'anonymous'})"
                pages += 1
    assert pages > 20


def _step_page(slug: str) -> str:
    couple = make_couple(hurt=UserFactory(), involved=UserFactory())
    client = Client()
    client.force_login(couple.partners.get(seat=1).user)
    return page(client.get(reverse("plans:step", args=[slug])))


BOX = 'href="/safety/support/" data-add-time-zone>Find someone to talk to now'


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["self-care", "setbacks-plan"])
def test_self_care_and_setbacks_steps_carry_the_support_box(slug: str) -> None:
    assert Step.objects.filter(slug=slug).exists(), f"no step {slug!r}: update support_box_steps in support.toml"
    text = _step_page(slug)
    assert "If it's more than a hard day" in text and BOX in text


@pytest.mark.django_db
def test_other_steps_do_not_carry_the_support_box() -> None:
    other = Step.objects.exclude(slug__in=support.support_content().support_box_steps).first()
    assert BOX not in _step_page(other.slug)


@pytest.mark.django_db
def test_a_check_in_at_the_lowest_mood_offers_the_crisis_line_to_its_author_only() -> None:
    couple = make_couple(hurt=UserFactory(), involved=UserFactory())
    alex, sam = (couple.partners.get(seat=n).user for n in (1, 2))
    client = Client()
    client.force_login(alex)
    response = client.post(reverse("checkins:check_in"), {**CHECK_IN, "mood": "1"}, follow=True)
    text = page(response)
    assert DailyCheckIn.objects.get().mood == 1
    assert "Check-in saved." in text
    assert "If you feel you can't go on, or you might hurt yourself" in text
    assert '<a href="/safety/support/" data-add-time-zone>Find someone to talk to</a>' in text
    partner = Client()
    partner.force_login(sam)
    assert "you might hurt yourself, please talk" not in page(partner.get(reverse("home")))


@pytest.mark.django_db
def test_a_low_but_not_lowest_mood_gets_no_crisis_message() -> None:
    couple = make_couple(hurt=UserFactory(), involved=UserFactory())
    client = Client()
    client.force_login(couple.partners.get(seat=1).user)
    text = page(client.post(reverse("checkins:check_in"), {**CHECK_IN, "mood": "2"}, follow=True))
    assert "Check-in saved." in text and "you might hurt yourself, please talk" not in text


def test_the_data_was_reviewed_within_the_last_year() -> None:
    # A reminder with teeth: the numbers must be re-checked at least yearly (see the file's header).
    oldest = min(line.checked for _code, line in support.support_content().lines())
    assert timezone.localdate() - oldest < timedelta(days=366), "re-check every line in support.toml"
