"""The trigger log: one tap from every page, the partner's calm prompt and "I'm here", the weekly chart, and
what reaches the therapist (triggers shared "with our therapist too", never the others, not even as a count)."""

from __future__ import annotations

import importlib
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins import triggers
from checkins.models import Trigger
from recovery.access import membership_of
from recovery.auth_backends import AuthenticationBackend
from recovery.care import session_brief
from recovery.care.caseload import caseload
from recovery.care.summary import summary_for
from recovery.composition import data_export
from recovery.localtime import local_today, monday_of
from recovery.models import Couple
from tests.factories import TherapistFactory, TriggerFactory, UserFactory, enable_mfa, make_care_access, make_couple
from tests.helpers import client_as, fresh, page

VISIBILITIES = ("only_me", "partner", "therapist")


def _trigger(couple, author, *, days_ago: int = 0, **fields: object):
    """A trigger logged when it happened, `days_ago` days ago (dated in the author's zone by the factory)."""
    when = timezone.now() - timedelta(days=days_ago)
    return TriggerFactory(couple=couple, author=author, occurred_at=when, created_at=when, **fields)


@pytest.fixture
def people(db: None):
    alex = UserFactory(display_name="Alex", time_zone="Europe/London")
    sam = UserFactory(display_name="Sam", time_zone="Europe/London")
    couple = make_couple(hurt=alex, involved=sam)
    doc = TherapistFactory(display_name="Dr Morgan")
    enable_mfa(doc)
    make_care_access(couple, doc)
    return couple, alex, sam, doc


# --- logging one -------------------------------------------------------------------------------------


def test_it_is_one_tap_from_every_partner_page(people) -> None:
    _couple, alex, _sam, doc = people
    for name in ("home", "checkins:history", "plans:overview", "profile", "checkins:dates"):
        text = page(client_as(alex).get(reverse(name), follow=True))
        assert f'class="trigger-link" href="{reverse("checkins:trigger_new")}"' in text, name
    assert "trigger-link" not in page(client_as(doc).get(reverse("therapist_home")))
    assert "trigger-link" not in page(Client().get(reverse("home")))


def test_the_form_starts_at_now_in_local_time_with_no_strength_chosen(people) -> None:
    _couple, alex, _sam, _doc = people
    alex.time_zone, alex.default_visibility = "America/Los_Angeles", "therapist"
    alex.save()
    with time_machine.travel(datetime(2026, 3, 10, 5, 30, tzinfo=UTC), tick=False):
        text = page(client_as(alex).get(reverse("checkins:trigger_new")))
    assert 'value="2026-03-09T22:30"' in text  # 05:30 UTC is 22:30 the evening before in Los Angeles
    assert 'name="strength"' in text and "checked" not in text.split('name="strength"')[1].split("</fieldset>")[0]
    # Who sees it starts at the person's own default, like every entry.
    assert re.search(r'name="visibility" value="therapist"[^>]*checked', text)
    assert not re.search(r'name="visibility" value="(only_me|partner)"[^>]*checked', text)


def test_a_trigger_is_saved_on_the_author_s_own_date(people) -> None:
    couple, alex, _sam, _doc = people
    alex.time_zone = "Pacific/Auckland"
    alex.save()
    with time_machine.travel(datetime(2026, 3, 10, 20, 0, tzinfo=UTC), tick=False):
        response = client_as(alex).post(
            reverse("checkins:trigger_new"),
            {"occurred_at": "2026-03-11T08:45", "strength": "4", "what_happened": "The café on Queen Street.",
             "what_helped": "", "visibility": "only_me"},
        )  # fmt: skip
    assert response.status_code == 302
    trigger = Trigger.objects.get(couple=couple)
    assert trigger.local_date.isoformat() == "2026-03-11"
    assert trigger.occurred_at == datetime(2026, 3, 10, 19, 45, tzinfo=UTC)
    assert trigger.what_happened == "The café on Queen Street."


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"strength": ""}, "Choose a number from 1 to 5."),
        ({"strength": "9"}, "Select a valid choice"),
        ({"occurred_at": "yesterday-ish"}, "Enter a date and time."),
        ({"occurred_at": "2099-01-01T10:00"}, "That's still to come."),
        ({"visibility": "everyone"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_a_clear_400_and_keeps_the_words(people, posted: dict, error: str) -> None:
    _couple, alex, _sam, _doc = people
    data = {"occurred_at": "2026-01-05T10:00", "strength": "3", "what_happened": "A red car like theirs.",
            "what_helped": "", "visibility": "partner", **posted}  # fmt: skip
    response = client_as(alex).post(reverse("checkins:trigger_new"), data)
    assert response.status_code == 400
    text = page(response)
    assert error in text and "A red car like theirs." in text
    assert not Trigger.objects.exists()


# --- the partner's prompt and "I'm here" ------------------------------------------------------------


def test_a_shared_trigger_asks_the_partner_once_and_i_m_here_reaches_the_author(people) -> None:
    couple, alex, sam, _doc = people
    trigger = _trigger(couple, alex, visibility="partner")
    sam_client = client_as(sam)
    text = page(sam_client.get(reverse("plans:overview")))
    assert "Alex had a hard moment" in text and "say back what you heard" in text
    assert "Alex had a hard moment" not in page(client_as(alex).get(reverse("home")))  # never your own
    response = sam_client.post(reverse("checkins:trigger_here", args=[trigger.pk]), {"next": "/plan/"})
    assert response["Location"] == "/plan/"
    trigger.refresh_from_db()
    first = trigger.here_at
    assert first is not None
    assert "Alex had a hard moment" not in page(sam_client.get(reverse("plans:overview")))
    sam_client.post(reverse("checkins:trigger_here", args=[trigger.pk]))  # a second tap changes nothing
    trigger.refresh_from_db()
    assert trigger.here_at == first
    assert "Sam is here." in page(client_as(alex).get(reverse("checkins:triggers")))


def test_not_now_closes_the_prompt_and_tells_the_author_nothing(people) -> None:
    couple, alex, sam, _doc = people
    trigger = _trigger(couple, alex, visibility="therapist")
    sam_client = client_as(sam)
    assert sam_client.post(reverse("checkins:trigger_not_now", args=[trigger.pk]))["Location"] == "/"
    assert "had a hard moment" not in page(sam_client.get(reverse("home")))
    alex_page = page(client_as(alex).get(reverse("checkins:triggers")))
    assert "is here" not in alex_page and "not now" not in alex_page.lower().replace("not now,", "")


def test_the_prompt_never_shows_an_only_me_trigger_nor_an_old_one(people) -> None:
    couple, alex, sam, _doc = people
    private = _trigger(couple, alex, visibility="only_me")
    _trigger(couple, alex, visibility="partner", days_ago=triggers.PROMPT_DAYS + 1)
    assert triggers.open_prompts(sam) == []
    assert "had a hard moment" not in page(client_as(sam).get(reverse("home")))
    # Nor can the partner answer (or learn of) a private one: 404, as for one that doesn't exist.
    for name in ("checkins:trigger_here", "checkins:trigger_not_now", "checkins:trigger_edit"):
        assert client_as(sam).post(reverse(name, args=[private.pk])).status_code == 404
    private.refresh_from_db()
    assert private.here_at is None


def test_only_a_shared_trigger_marks_the_couple_and_pages_look_for_prompts_only_after_one(people) -> None:
    """Every partner page asks for open prompts; the couple's `shared_trigger_at` (read with the membership)
    spares that query on the days no shared trigger can be recent enough to prompt — never a prompt missed."""
    couple, alex, sam, _doc = people

    def prompts_and_queries() -> tuple[list, int]:
        person = AuthenticationBackend().get_user(sam.pk)  # as a request loads the person
        membership_of(person)  # as every page has, before the layout asks
        with CaptureQueriesContext(connection) as queries:
            found = triggers.open_prompts(person)
        return found, len(queries)

    assert prompts_and_queries() == ([], 0)  # nothing shared yet: no query
    _trigger(couple, alex, visibility="only_me")
    couple.refresh_from_db()
    assert couple.shared_trigger_at is None  # a private one leaves no trace, not even this
    assert prompts_and_queries() == ([], 0)
    with time_machine.travel(timezone.now() - timedelta(days=triggers.PROMPT_DAYS + 1)):
        _trigger(couple, alex, visibility="partner")  # shared, but long enough ago to have passed
    assert prompts_and_queries() == ([], 0)
    shared = _trigger(couple, alex, visibility="partner")
    couple.refresh_from_db()
    assert couple.shared_trigger_at is not None and couple.shared_trigger_at >= shared.created_at
    found, queries = prompts_and_queries()
    assert [t.pk for t in found] == [shared.pk] and queries == 1
    # A private one made shared later marks the couple too.
    private = _trigger(couple, sam, visibility="only_me")
    Couple.objects.filter(pk=couple.pk).update(shared_trigger_at=None)
    private.visibility = "partner"
    private.save()
    assert [t.pk for t in triggers.open_prompts(fresh(alex))] == [private.pk]


def test_the_migration_marks_couples_from_their_newest_shared_trigger(people) -> None:
    couple, alex, sam, _doc = people
    older = _trigger(couple, alex, visibility="partner", days_ago=2)
    _trigger(couple, sam, visibility="only_me")  # newer, but private: not counted
    other = make_couple(hurt=UserFactory(), involved=UserFactory())
    _trigger(other, other.partners.get(seat=1).user, visibility="only_me")
    Couple.objects.update(shared_trigger_at=None)  # as before the migration
    backfill = importlib.import_module("checkins.migrations.0007_backfill_shared_trigger_at").backfill
    backfill(django_apps, None)
    couple.refresh_from_db()
    other.refresh_from_db()
    assert couple.shared_trigger_at == older.created_at
    assert other.shared_trigger_at is None


def test_the_author_cannot_answer_their_own_and_the_partner_cannot_change_it(people) -> None:
    couple, alex, sam, _doc = people
    trigger = _trigger(couple, alex, visibility="partner")
    assert client_as(alex).post(reverse("checkins:trigger_here", args=[trigger.pk])).status_code == 404
    assert client_as(sam).post(reverse("checkins:trigger_delete", args=[trigger.pk])).status_code == 404
    assert Trigger.objects.filter(pk=trigger.pk, here_at__isnull=True).exists()


# --- the visibility matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_who_sees_a_trigger_in_any_form(people, visibility: str, deliver) -> None:
    couple, alex, sam, doc = people
    outsider_couple = make_couple()
    outsider = outsider_couple.partners.get(seat=1).user
    words = f"Marker sentence {visibility} about the lake."
    per_window = {22: 1, 15: 2, 8: 3, 1: 4}  # four weeks, rising: the flag's shape, if they counted
    for days_ago, count in per_window.items():
        for _n in range(count):
            _trigger(couple, alex, days_ago=days_ago, visibility=visibility, what_happened=words)
    partner_sees = visibility != "only_me"
    therapist_sees = visibility == "therapist"

    assert Trigger.objects.visible_to(alex).count() == 10
    assert Trigger.objects.visible_to(sam).count() == (10 if partner_sees else 0)
    assert Trigger.objects.visible_to(fresh(doc)).count() == (10 if therapist_sees else 0)
    assert Trigger.objects.visible_to(outsider).count() == 0
    assert Trigger.objects.visible_to(AnonymousUser()).count() == 0
    # The partner's pages: the list and its chart, the prompt.
    sam_page = page(client_as(sam).get(reverse("checkins:triggers")))
    assert (words in sam_page) == partner_sees
    assert ("chart-trigger-count" in sam_page) == partner_sees
    assert bool(triggers.open_prompts(sam)) == partner_sees
    assert words not in page(client_as(outsider).get(reverse("checkins:triggers")))
    # The therapist: caseload counts and flag, the summary's weeks, the brief's count.
    (summary,) = caseload(fresh(doc))
    alex_row = summary.partners[0]
    assert alex_row.triggers_14 == (7 if therapist_sees else 0)
    assert ("triggers rising for three weeks" in " ".join(summary.flags)) == therapist_sees
    caseload_page = page(client_as(fresh(doc)).get(reverse("therapist_home")))  # its card and its table row
    assert ("triggers shared in 14 days: 7 (mean strength " in caseload_page) == therapist_sees
    assert ("Alex: 7 (strength " in caseload_page) == therapist_sees
    weeks = summary_for(fresh(doc), couple)["trigger_weeks"]
    assert (sum(w.count for _m, people_weeks in weeks for w in people_weeks if w) == 10) == therapist_sees
    assert bool(weeks) == therapist_sees
    brief = session_brief.brief_for(fresh(doc), couple)
    assert brief.partners[0].triggers_since == (7 if therapist_sees else 0)  # the last 14 days
    therapist_page = page(client_as(fresh(doc)).get(reverse("therapist_couple", args=[couple.pk])))
    assert words not in therapist_page  # the therapist sees counts and strength, never the words
    # The partner's data export.
    with deliver():
        data_export.request_export(user=sam)
    export = data_export.latest_for(sam)
    archive = zipfile.ZipFile(io.BytesIO(data_export.content_of(export)))
    data = json.loads(archive.read("mend-data/data.json"))
    assert (len(data["triggers"]) == 10) == partner_sees and (len(data["triggers"]) == 0) != partner_sees
    assert (words in archive.read("mend-data/triggers.html").decode()) == partner_sees


# --- the page, its chart and its cost -------------------------------------------------------------------


def test_the_chart_appears_only_once_three_weeks_have_triggers(people) -> None:
    couple, alex, _sam, _doc = people
    _trigger(couple, alex, days_ago=0)
    _trigger(couple, alex, days_ago=8)
    text = page(client_as(alex).get(reverse("checkins:triggers")))
    assert "chart-trigger-count" not in text and "3 different weeks" in text
    assert "fade over months, not in a straight line" in text
    _trigger(couple, alex, days_ago=15, strength=5)
    text = page(client_as(alex).get(reverse("checkins:triggers")))
    assert "chart-trigger-count" in text and "chart-trigger-strength" in text
    assert "Show the numbers" in text  # the accessible table under each chart


def test_per_week_counts_and_means_by_local_week(people) -> None:
    couple, alex, sam, _doc = people
    today = local_today(alex)
    for days_ago, strength in ((0, 2), (0, 4), (7, 5)):
        _trigger(couple, alex, days_ago=days_ago, strength=strength)
    _trigger(couple, sam, days_ago=0, strength=1, visibility="only_me")
    weeks = triggers.per_week(Trigger.objects.visible_to(alex), since=today - timedelta(weeks=4))
    assert set(weeks) == {alex.pk}  # Sam's private one isn't there at all
    this_week = next(w for w in weeks[alex.pk] if w.monday == monday_of(today))
    assert (this_week.count, this_week.mean_strength) == (2, 3.0)


def test_the_trigger_page_costs_the_same_however_many_triggers(people) -> None:
    couple, alex, sam, _doc = people

    def cost() -> int:
        client = client_as(alex)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("checkins:triggers")).status_code == 200
        return len(queries)

    _trigger(couple, alex, days_ago=1)
    _trigger(couple, sam, days_ago=2)
    few = cost()
    for days_ago in range(40):
        _trigger(couple, alex, days_ago=days_ago)
        _trigger(couple, sam, days_ago=days_ago, visibility="therapist")
    assert cost() == few


# --- the caseload's rising flag ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "rising"),
    [([1, 2, 3, 4], True), ([0, 1, 2, 3], True), ([1, 2, 2, 4], False), ([4, 3, 2, 1], False), ([1, 2, 3], False),
     ([0, 0, 0, 0], False), ([5, 1, 2, 3], False)],
)  # fmt: skip
def test_rising_means_three_week_on_week_increases(counts: list[int], rising: bool) -> None:
    assert triggers.is_rising(counts) is rising


def test_the_caseload_flags_triggers_rising_for_three_weeks(people) -> None:
    couple, alex, _sam, doc = people
    today = timezone.now().date()
    for window, count in enumerate([1, 2, 3, 5]):
        for _n in range(count):
            days_ago = 7 * (3 - window) + 2
            when = timezone.now() - timedelta(days=days_ago)
            TriggerFactory(
                author=alex,
                occurred_at=when,
                local_date=today - timedelta(days=days_ago),
                strength=4,
                visibility="therapist",
            )
    (summary,) = caseload(fresh(doc))
    assert summary.partners[0].trigger_weeks == [1, 2, 3, 5]
    assert "Alex: triggers rising for three weeks" in summary.flags
    assert "triggers rising for three weeks" in page(client_as(fresh(doc)).get(reverse("therapist_home")))
    # A flat last week ends the run.
    Trigger.objects.filter(couple=couple, local_date=today - timedelta(days=2)).first().delete()
    Trigger.objects.filter(couple=couple, local_date=today - timedelta(days=2)).first().delete()
    (summary,) = caseload(fresh(doc))
    assert summary.partners[0].trigger_weeks == [1, 2, 3, 3]
    assert not any("rising" in flag for flag in summary.flags)


def test_the_caseload_query_count_does_not_grow_with_triggers(people) -> None:
    couple, alex, sam, doc = people

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert caseload(fresh(doc))
        return len(queries)

    _trigger(couple, alex, days_ago=1, visibility="therapist")
    few = cost()
    for days_ago in range(28):
        _trigger(couple, alex, days_ago=days_ago, visibility="therapist")
        _trigger(couple, sam, days_ago=days_ago, visibility="therapist")
    other = make_couple()
    make_care_access(other, doc)
    _trigger(other, other.partners.get(seat=1).user, days_ago=3, visibility="therapist")
    assert cost() == few


def test_the_trigger_page_offers_i_m_here_only_while_the_prompt_would(people) -> None:
    couple, alex, sam, _doc = people
    recent = _trigger(couple, alex, days_ago=1, what_happened="Recent one.")
    old = _trigger(couple, alex, days_ago=triggers.PROMPT_DAYS + 2, what_happened="Old one.")
    text = page(client_as(sam).get(reverse("checkins:triggers")))
    assert reverse("checkins:trigger_here", args=[recent.pk]) in text
    assert reverse("checkins:trigger_here", args=[old.pk]) not in text
    assert "Old one." in text  # still listed: only the ask has passed
