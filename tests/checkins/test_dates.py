"""Dates that matter: private unless shared with the partner, never the therapist's; a kind note on the home
page in the week before (on the person's own local days), and never a word of them in an e-mail."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from checkins import dates, reminders
from checkins.models import DateThatMatters, HolidayNote, Reminder
from tests.factories import TherapistFactory, UserFactory, enable_mfa, make_care_access, make_couple
from tests.helpers import client_as, fresh, page


@pytest.fixture
def people(db: None):
    alex = UserFactory(display_name="Alex", time_zone="Europe/London")
    sam = UserFactory(display_name="Sam", time_zone="Europe/London")
    couple = make_couple(hurt=alex, involved=sam)
    return couple, alex, sam


def _date(couple, author, *, on: date, label: str = "The day I found out", visibility: str = "only_me", yearly=True):
    return DateThatMatters.objects.create(
        couple=couple, author=author, label=label, on=on, yearly=yearly, visibility=visibility
    )


@pytest.mark.parametrize(
    ("on", "yearly", "today", "expected"),
    [
        (date(2024, 3, 14), True, date(2026, 3, 10), date(2026, 3, 14)),
        (date(2024, 3, 14), True, date(2026, 3, 14), date(2026, 3, 14)),  # the day itself
        (date(2024, 3, 14), True, date(2026, 3, 15), date(2027, 3, 14)),
        (date(2024, 2, 29), True, date(2026, 2, 20), date(2026, 2, 28)),  # a leap day in an ordinary year
        (date(2024, 12, 30), True, date(2026, 12, 31), date(2027, 12, 30)),
        (date(2026, 5, 1), False, date(2026, 4, 28), date(2026, 5, 1)),
        (date(2026, 5, 1), False, date(2026, 5, 2), None),  # once, and past
    ],
)
def test_the_next_occurrence(on: date, yearly: bool, today: date, expected: date | None) -> None:
    assert dates.next_occurrence(on, yearly=yearly, today=today) == expected


@pytest.mark.parametrize(
    ("zone", "instant", "days"),
    [
        # 14 March is seven days away on 7 March local: in Auckland that is already so at 12:00 UTC on the 6th.
        ("Pacific/Auckland", datetime(2026, 3, 6, 12, 0, tzinfo=UTC), 7),
        ("Pacific/Auckland", datetime(2026, 3, 6, 10, 0, tzinfo=UTC), None),  # still the 6th there: eight days
        # In Los Angeles 04:00 UTC on the 14th is still the 13th: one day to go, then the day itself.
        ("America/Los_Angeles", datetime(2026, 3, 14, 4, 0, tzinfo=UTC), 1),
        ("America/Los_Angeles", datetime(2026, 3, 14, 9, 0, tzinfo=UTC), 0),
        ("America/Los_Angeles", datetime(2026, 3, 15, 9, 0, tzinfo=UTC), None),  # the day after: gone
        ("Europe/London", datetime(2026, 3, 14, 23, 30, tzinfo=UTC), 0),
        ("Europe/London", datetime(2026, 3, 15, 0, 30, tzinfo=UTC), None),
    ],
)
def test_the_note_window_follows_the_person_s_own_days(people, zone: str, instant: datetime, days) -> None:
    couple, alex, _sam = people
    alex.time_zone = zone
    alex.save()
    _date(couple, alex, on=date(2019, 3, 14))
    with time_machine.travel(instant, tick=False):
        near = dates.coming_up(alex)
        text = page(client_as(alex).get(reverse("home")))
    assert [c.days for c in near] == ([] if days is None else [days])
    assert ("The day I found out" in text) == (days is not None)
    if days is not None:
        assert reverse("plans:step", args=["setbacks-plan"]) in text


def test_a_shared_date_is_named_by_who_shared_it_and_your_own_by_nobody(people) -> None:
    couple, alex, sam = people
    with time_machine.travel(datetime(2026, 3, 12, 12, tzinfo=UTC), tick=False):
        _date(couple, alex, on=date(2019, 3, 14), label="Alex's date", visibility="partner")
        _date(couple, sam, on=date(2019, 3, 15), label="Sam's date", visibility="partner")
        seen_by_sam = [(c.label, c.mine, c.author_name) for c in dates.coming_up(fresh(sam))]
        text = page(client_as(sam).get(reverse("home")))
    assert seen_by_sam == [("Alex's date", False, "Alex"), ("Sam's date", True, "")]
    assert "In 2 days, a date that matters to Alex: Alex's date." in text  # the nearest comes first


def test_a_private_date_never_reaches_the_partner_and_no_date_reaches_the_therapist(people) -> None:
    couple, alex, sam = people
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False):
        private = _date(couple, alex, on=date(2020, 3, 14), label="The receipt in the car")
        shared = _date(couple, alex, on=date(2011, 3, 12), label="Our wedding day", visibility="partner")
        assert set(DateThatMatters.objects.visible_to(alex)) == {private, shared}
        assert list(DateThatMatters.objects.visible_to(sam)) == [shared]
        assert not DateThatMatters.objects.visible_to(type(doc).objects.get(pk=doc.pk)).exists()
        sam_home = page(client_as(sam).get(reverse("home")))
        assert "The receipt in the car" not in sam_home
        assert "a date that matters to Alex: Our wedding day" in sam_home
        sam_dates = page(client_as(sam).get(reverse("checkins:dates")))
        assert "The receipt in the car" not in sam_dates and "Our wedding day" in sam_dates
        therapist_page = page(client_as(doc).get(reverse("therapist_couple", args=[couple.pk])))
        assert "Our wedding day" not in therapist_page and "The receipt in the car" not in therapist_page
    assert client_as(sam).get(reverse("checkins:date_edit", args=[private.pk])).status_code == 404
    delete = reverse("checkins:date_delete", args=[shared.pk])
    assert client_as(sam).post(delete).status_code == 404  # not Sam's to delete


def test_add_change_and_delete_a_date(people) -> None:
    couple, alex, _sam = people
    client = client_as(alex)
    bad = client.post(reverse("checkins:dates"), {"action": "date", "date-label": "D-day", "date-on": "14/03/2025",
                                                  "date-visibility": "only_me"})  # fmt: skip
    assert bad.status_code == 400 and "Enter a date." in page(bad) and "D-day" in page(bad)
    good = {"action": "date", "date-label": "D-day", "date-on": "2025-03-14", "date-yearly": "on",
            "date-visibility": "only_me"}  # fmt: skip
    assert client.post(reverse("checkins:dates"), good).status_code == 302
    entry = DateThatMatters.objects.get(couple=couple)
    assert (entry.label, entry.on, entry.yearly, entry.author) == ("D-day", date(2025, 3, 14), True, alex)
    changed = {"date-label": "The day I knew", "date-on": "2025-03-15", "date-visibility": "partner"}
    response = client.post(reverse("checkins:date_edit", args=[entry.pk]), changed)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.label, entry.on, entry.yearly, entry.visibility) == (
        "The day I knew",
        date(2025, 3, 15),
        False,
        "partner",
    )
    assert client.get(reverse("checkins:date_delete", args=[entry.pk])).status_code == 405
    assert client.post(reverse("checkins:date_delete", args=[entry.pk])).status_code == 302
    assert not DateThatMatters.objects.exists()


def test_holidays_are_chosen_and_bring_a_note_in_the_week_before(people) -> None:
    _couple, alex, sam = people
    client = client_as(alex)
    response = client.post(
        reverse("checkins:dates"), {"action": "holidays", "holidays-holidays": ["valentines", "christmas"]}
    )
    assert response.status_code == 302
    assert set(HolidayNote.objects.filter(user=alex).values_list("holiday", flat=True)) == {"valentines", "christmas"}
    assert (
        client.post(reverse("checkins:dates"), {"action": "holidays", "holidays-holidays": ["easter"]}).status_code
        == 400
    )
    with time_machine.travel(datetime(2026, 2, 9, 12, 0, tzinfo=UTC), tick=False):
        assert [(c.label, c.days) for c in dates.coming_up(alex)] == [("Valentine's Day", 5)]
        assert dates.coming_up(sam) == []  # a holiday note is the person's own
        assert "Valentine&#x27;s Day" in client_as(alex).get(reverse("home")).content.decode()
    with time_machine.travel(datetime(2026, 2, 15, 12, 0, tzinfo=UTC), tick=False):
        assert dates.coming_up(alex) == []
    client.post(reverse("checkins:dates"), {"action": "holidays"})  # none chosen: all cleared
    assert not HolidayNote.objects.filter(user=alex).exists()


def test_reminder_e_mails_never_name_a_date(people, django_capture_on_commit_callbacks) -> None:
    couple, alex, _sam = people
    _date(couple, alex, on=date(2020, 3, 14), label="The hotel weekend")
    HolidayNote.objects.create(user=alex, holiday="valentines")
    found = reminders.reminders_for(alex)
    Reminder.objects.filter(user=alex, kind="weekly").update(enabled=False, next_due_at=None)
    daily = found["daily"]
    daily.local_time = time(20, 0)
    daily.save()
    with time_machine.travel(datetime(2026, 3, 12, 12, 0, tzinfo=UTC), tick=False):
        reminders.reschedule(alex)
        daily.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.sweep(now=daily.next_due_at)
    (message,) = mail.outbox
    bodies = [message.subject, message.body, *[content for content, _type in message.alternatives]]
    for text in bodies:
        assert "hotel" not in text.lower() and "valentine" not in text.lower() and "date that matters" not in text
    assert timedelta(0) <= daily.next_due_at - datetime(2026, 3, 12, tzinfo=UTC) < timedelta(days=1)
