"""The composition layer's account changes: joining a space turns on both partners' reminders; a new time zone
moves them. (The core's invitations.py and profile form know nothing of reminders.)"""

from __future__ import annotations

import pytest

from checkins.models import Reminder
from recovery.composition import account
from recovery.forms import ProfileForm
from tests.factories import UserFactory, make_invitation, make_waiting_couple

pytestmark = pytest.mark.django_db


def test_joining_a_space_reminds_both_partners_from_then_on() -> None:
    creator = UserFactory(display_name="Alex")
    couple = make_waiting_couple(creator=creator)
    invitation, _token = make_invitation(couple, email="sam@example.com")
    sam = UserFactory(display_name="Sam", email="sam@example.com")
    assert not Reminder.objects.exists()

    joined = account.join_couple(invitation=invitation, user=sam)

    assert joined.pk == couple.pk
    for person in (creator, sam):
        kinds = set(Reminder.objects.filter(user=person, enabled=True).values_list("kind", flat=True))
        assert kinds == {Reminder.Kind.DAILY_CHECK_IN, Reminder.Kind.WEEKLY_REVIEW}
        assert not Reminder.objects.filter(user=person, next_due_at__isnull=True).exists()


def test_a_new_time_zone_moves_the_person_s_reminders() -> None:
    sam = UserFactory(display_name="Sam", time_zone="Europe/London")
    couple = make_waiting_couple()
    invitation, _token = make_invitation(couple, email=sam.email)
    account.join_couple(invitation=invitation, user=sam)
    before = dict(Reminder.objects.filter(user=sam).values_list("kind", "next_due_at"))

    form = ProfileForm(
        {
            "display_name": "Sam",
            "time_zone": "Pacific/Auckland",
            "default_visibility": sam.default_visibility,
            "shows_check_in_presence": "on",
        },
        instance=sam,
    )
    assert form.is_valid(), form.errors
    account.save_profile(form)

    after = dict(Reminder.objects.filter(user=sam).values_list("kind", "next_due_at"))
    assert after.keys() == before.keys()
    assert all(after[kind] != before[kind] for kind in before)  # 11-13 hours apart, whatever the day
