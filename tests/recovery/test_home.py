"""The home page around today, the main menu and the section menus: what they say, and that together
they reach every page a couple uses, read from the HTML itself."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import content_cache
from plans.models import Step
from recovery.localtime import local_today, monday_of
from tests.factories import (
    CompletionFactory,
    DailyCheckInFactory,
    TherapistFactory,
    UserFactory,
    WeeklyReviewFactory,
    daily_check_ins,
    make_couple,
    make_invitation,
    make_waiting_couple,
)
from tests.helpers import client_as, page, people_of

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    """Every link and form on a page, with the navigation (by its aria-label) or section it sits in."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.open: list[tuple[str, str]] = []  # (tag, name) of the landmarks we are inside
        self.links: list[tuple[str, str, dict[str, str | None]]] = []  # (where, href, attributes)
        self.posts: list[tuple[str, str]] = []  # (where, action)
        self.buttons: list[tuple[str, str]] = []  # (where, class) of links styled as buttons
        self.feed(text)

    def where(self) -> str:
        return "/".join(name for _tag, name in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("nav", "main", "section"):
            self.open.append((tag, attributes.get("aria-label") or attributes.get("aria-labelledby") or tag))
        elif tag == "a" and attributes.get("href"):
            self.links.append((self.where(), attributes["href"] or "", attributes))
        elif tag == "form" and (attributes.get("method") or "").lower() == "post":
            self.posts.append((self.where(), attributes.get("action") or ""))

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag and tag in ("nav", "main", "section"):
            self.open.pop()

    def hrefs(self, inside: str = "") -> set[str]:
        return {href for where, href, _a in self.links if inside in where}

    def current(self, inside: str) -> set[str]:
        return {href for where, href, a in self.links if inside in where and a.get("aria-current")}


def _home(user) -> str:
    return page(client_as(user).get(reverse("home")))


@pytest.fixture
def couple():
    return make_couple(hurt=UserFactory(display_name="Alex"), involved=UserFactory(display_name="Sam"))


def _next_action(text: str) -> str:
    start = text.index('aria-labelledby="next-heading"')
    return text[start : text.index("</section>", start)]


# --- the next action and the charts ------------------------------------------------------------------


def test_a_new_couple_is_asked_to_check_in_and_sees_no_empty_charts(couple) -> None:
    alex, _sam = people_of(couple)
    text = _home(alex)
    action = _next_action(text)
    assert "You haven't checked in yet today." in action
    assert f'<a class="button" href="{reverse("checkins:check_in")}">Check in</a>' in action
    main = text[text.index("<main") : text.index("</main>")]
    assert main.count('class="button"') == 2  # the check-in, and the private safety question's "Yes"
    assert "Your trends appear after a few check-ins" in text
    assert 'role="img"' not in text and "No entries yet" not in text


def test_with_history_the_charts_come_in_a_phone_and_a_page_width_version(couple) -> None:
    alex, sam = people_of(couple)
    daily_check_ins(alex, range(10))
    daily_check_ins(sam, range(1, 11))
    WeeklyReviewFactory(author=alex, week_start=monday_of(local_today(alex)))
    text = _home(alex)
    assert "Your trends appear" not in text
    assert text.count('role="img"') == 8  # trust, closeness, mood and CSI-4, each drawn twice
    for chart in ("trust", "closeness", "mood", "csi"):
        assert f'id="chart-{chart}-title"' in text and f'id="chart-{chart}-narrow-title"' in text
    assert text.count("Show the numbers") == 4
    assert text.count('class="table-wrap" role="region" tabindex="0" aria-label="') == 4
    assert 'aria-label="Felt trust: the numbers"' in text


def test_the_trends_appear_at_three_check_ins_the_viewer_may_see(couple) -> None:
    alex, sam = people_of(couple)
    daily_check_ins(sam, range(5), visibility="only_me")
    daily_check_ins(alex, range(2), visibility="partner")
    assert "Your trends appear after a few check-ins" in _home(alex)  # Sam's private ones don't count
    assert 'role="img"' in _home(sam)  # Sam's own do: 5 of Sam's and Alex's 2 shared
    daily_check_ins(alex, [2], visibility="partner")
    assert 'role="img"' in _home(alex)
    assert "CSI-4) appears here after your first weekly review" in _home(alex)


def test_a_check_in_done_on_friday_makes_the_weekly_review_next(couple) -> None:
    alex, _sam = people_of(couple)  # Europe/London
    with time_machine.travel(datetime(2026, 3, 13, 10, tzinfo=UTC)):  # a Friday
        DailyCheckInFactory(author=alex)
        action = _next_action(_home(alex))
    assert f'<a class="button" href="{reverse("checkins:weekly_review")}">Write this week\'s review</a>' in action
    assert "You've checked in today." in action


def test_on_friday_only_your_own_review_of_this_week_moves_the_review_off_the_top(couple) -> None:
    """The home page tells the next action whether this week's review is written from the reviews it reads for
    its chart: yours, kept "only me" or shared, counts; the partner's never does; last week's doesn't."""
    alex, sam = people_of(couple)
    review_next = f'<a class="button" href="{reverse("checkins:weekly_review")}">'
    with time_machine.travel(datetime(2026, 3, 13, 10, tzinfo=UTC)):  # a Friday
        DailyCheckInFactory(author=alex)
        WeeklyReviewFactory(author=sam, week_start=monday_of(local_today(sam)), visibility="partner")
        WeeklyReviewFactory(author=alex, week_start=monday_of(local_today(alex)) - timedelta(weeks=1))
        assert review_next in _next_action(_home(alex))
        WeeklyReviewFactory(author=alex, week_start=monday_of(local_today(alex)), visibility="only_me")
        assert review_next not in _next_action(_home(alex))


def test_before_today_s_check_in_the_home_page_reads_nothing_for_what_comes_after_it(couple) -> None:
    """The check-in comes first: the review day, the review and the plan's next step aren't read for it."""
    alex, _sam = people_of(couple)
    client = client_as(alex)

    def tables_read() -> str:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("home"))
        return " ".join(q["sql"] for q in queries.captured_queries)

    with time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=UTC)):  # a Tuesday
        client.get(reverse("home"))
        before = tables_read()
        assert "checkins_reminder" not in before and "plans_completion" not in before
        DailyCheckInFactory(author=alex)
        after = tables_read()
    # Checked in, midweek: is today the review day (their reminder's), and if not, the plan's next step.
    assert "checkins_reminder" in after and "plans_completion" in after


def test_after_the_check_in_midweek_the_next_step_of_the_plan_is_linked(couple) -> None:
    alex, _sam = people_of(couple)
    with time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=UTC)):  # a Tuesday
        DailyCheckInFactory(author=alex)
        today = local_today(alex)
        steps = [s for s in Step.objects.filter(stage__number=1, retired=False) if s.who in ("both", "hurt")]
        CompletionFactory(step=steps[0], author=alex, done_on=today)
        action = _next_action(_home(alex))
    assert f"Next in your plan: {steps[1].title}." in action
    assert f'href="{reverse("plans:step", args=[steps[1].slug])}">Open this step</a>' in action


def test_a_paused_space_offers_to_resume_first(couple) -> None:
    alex, _sam = people_of(couple)
    couple.status = couple.Status.PAUSED
    couple.save()
    action = _next_action(_home(alex))
    assert "Your space is paused" in action
    assert f'action="{reverse("couple_resume")}"' in action and "Check in" not in action


def test_waiting_for_a_partner_shows_the_invitation_and_what_to_do_meanwhile() -> None:
    couple = make_waiting_couple(creator=UserFactory(display_name="Wren"))
    wren = couple.partners.get().user
    text = _home(wren)
    assert "Waiting for your partner" in _next_action(text)
    assert f'<a class="button" href="{reverse("invite_partner")}">Invite your partner</a>' in text
    invitation, _token = make_invitation(couple, email="kit@example.com")
    text = _home(wren)
    assert "We've invited kit@example.com. The link works until" in text
    # "Send again" right after sending is not the main thing to do: checking in is.
    assert '<button type="submit" class="button button--secondary">Send again</button>' in text
    assert f'<a class="button" href="{reverse("checkins:check_in")}">Check in</a>' in _next_action(text)
    meanwhile = Links(text).hrefs("meanwhile-heading")
    assert {reverse("plans:overview"), reverse("checkins:check_in"), reverse("checkins:reminders")} <= meanwhile
    invitation.expires_at = invitation.created_at
    invitation.save()
    assert "Send a fresh link" in _home(wren)


def test_the_home_page_costs_the_same_queries_however_long_the_history(couple) -> None:
    alex, sam = people_of(couple)
    client = client_as(alex)
    client.get(reverse("home"))  # sessions, caches and the like settle

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        # The cache's own statements aside (with the database cache of `make test`; none with Redis).
        return sum("mend_cache" not in q["sql"] and not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
                   for q in queries.captured_queries)  # fmt: skip

    today = local_today(alex)
    # Checked in today and this week's review written, before and after: the next action reads the plan both
    # times (what it reads hangs on what is done today, not on how long the history is).
    daily_check_ins(alex, [0])
    WeeklyReviewFactory(author=alex, week_start=monday_of(today))
    empty = count()
    daily_check_ins(alex, range(1, 60))
    daily_check_ins(sam, range(60))
    for week in range(8):
        for person in (alex, sam):
            if (person, week) != (alex, 0):
                WeeklyReviewFactory(author=person, week_start=monday_of(today) - timedelta(weeks=week))
    for step in Step.objects.filter(stage__number=1, who__in=("both", "hurt"))[:4]:
        CompletionFactory(step=step, author=alex, done_on=today)
    cache.clear()  # the plan's version goes (the plan is read again here, as any page would)…
    caches["charts"].clear()  # …and the charts' kept copy
    content_cache.plan()
    assert count() == empty  # drawing the charts reads nothing more (no field left out of the chart query)
    assert count() == empty  # and drawn once, they come from the cache


# --- getting everywhere --------------------------------------------------------------------------------

EVERY_PLACE = [
    ("checkins:check_in", []),
    ("checkins:weekly_review", []),
    ("checkins:history", []),
    ("checkins:reviews", []),
    ("checkins:triggers", []),
    ("checkins:dates", []),
    ("plans:overview", []),
    ("plans:table_of_trust", []),
    ("plans:transparency", []),
    ("care_team", []),
    ("care_seen", []),
    ("checkins:reminders", []),
    ("profile", []),
]


@pytest.mark.parametrize("waiting", [False, True], ids=["couple", "waiting"])
def test_the_home_page_links_every_place_a_couple_uses(waiting: bool) -> None:
    user = make_waiting_couple().partners.get().user if waiting else make_couple().partners.get(seat=1).user
    main = Links(_home(user)).hrefs("main")
    missing = [name for name, args in EVERY_PLACE if reverse(name, args=args) not in main]
    assert not missing


def test_the_main_menu_reaches_home_check_in_plan_therapist_reminders_profile_and_log_out(couple) -> None:
    alex, _sam = people_of(couple)
    links = Links(page(client_as(alex).get(reverse("checkins:history"))))
    menu = links.hrefs("Main")
    assert menu == {
        reverse("home"),
        reverse("checkins:check_in"),
        reverse("plans:overview"),
        reverse("care_team"),
        reverse("checkins:reminders"),
        reverse("profile"),
    }
    assert ("Main", reverse("account_logout")) in links.posts
    assert links.current("Main") == {reverse("checkins:check_in")}  # the section this page belongs to
    assert '<summary class="site-menu__toggle">Menu</summary>' in page(client_as(alex).get(reverse("home")))


def test_a_therapist_s_menu_has_the_caseload_and_no_couple_pages() -> None:
    therapist = TherapistFactory()
    links = Links(page(client_as(therapist).get(reverse("therapist_home"))))
    assert links.hrefs("Main") == {reverse("therapist_home"), reverse("profile")}
    assert ("Main", reverse("account_logout")) in links.posts
    assert links.current("Main") == {reverse("therapist_home")}


def test_someone_without_a_space_gets_home_profile_and_log_out() -> None:
    lone = UserFactory()
    links = Links(page(client_as(lone).get(reverse("profile"))))
    assert links.hrefs("Main") == {reverse("home"), reverse("profile")}


def test_signed_out_visitors_get_log_in_and_sign_up() -> None:
    links = Links(page(Client().get(reverse("account_login"))))
    assert links.hrefs("Main") == {reverse("account_login"), reverse("account_signup")}


SECTIONS = {
    "Check-ins and reviews": [
        ("checkins:check_in", []),
        ("checkins:history", []),
        ("checkins:weekly_review", []),
        ("checkins:reviews", []),
        ("checkins:triggers", []),
    ],
    "Plan": [
        ("plans:overview", []),
        ("plans:stage", [1]),
        ("plans:timeline", []),
        ("plans:table_of_trust", []),
        ("plans:transparency", []),
        ("plans:wish_notes", []),
    ],
    "Care and privacy": [("care_team", []), ("care_seen", [])],
    "Account settings": [
        ("profile", []),
        ("checkins:reminders", []),
        ("checkins:dates", []),
        ("account_email", []),
        ("account_change_password", []),
        ("mfa_index", []),
        ("usersessions_list", []),
    ],
}


@pytest.mark.parametrize("section", list(SECTIONS))
def test_each_section_page_links_its_neighbours(couple, section: str) -> None:
    alex, _sam = people_of(couple)
    client = client_as(alex)
    urls = [reverse(name, args=args) for name, args in SECTIONS[section]]
    for url in urls:
        links = Links(page(client.get(url)))
        assert set(urls) <= links.hrefs(section), url
        assert links.current(section) == {url}, url


# --- the charts at a phone's width -------------------------------------------------------------------

PHONE_COLUMN = 390 - 2 * 16  # the page's side margins on a 390-px phone


def test_on_a_phone_the_chart_text_is_at_least_12_px(couple) -> None:
    alex, _sam = people_of(couple)
    daily_check_ins(alex, range(5))
    text = page(client_as(alex).get(reverse("home")))
    frames = text.split('<div class="chart-frame chart-frame--narrow">')[1:]
    assert len(frames) == 3  # no reviews yet: the three daily charts
    for frame in frames:
        svg = ET.fromstring(frame[: frame.index("</svg>") + 6])
        assert svg.get("width") is None and svg.get("height") is None  # scales to its column
        view_width = float(svg.get("viewBox").split()[2])  # type: ignore[union-attr]
        assert view_width <= PHONE_COLUMN + 10  # drawn about 1:1, not squeezed from a wider drawing
        scale = PHONE_COLUMN / view_width
        for label in svg.iter("{http://www.w3.org/2000/svg}text"):
            size = float(label.get("font-size") or svg.get("font-size"))  # type: ignore[arg-type]
            assert size * scale >= 12, (label.text, size * scale)
