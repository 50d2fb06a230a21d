"""Creating the couple space, pausing it, ending it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from recovery.access import can_view_couple, couple_of, membership_of
from recovery.couples import CoupleError, create_couple, end_couple
from recovery.models import Couple, Invitation, Partner
from tests.factories import TherapistFactory, UserFactory, make_couple, make_invitation, make_waiting_couple

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("situation", "role", "mutual"),
    [("hurt", "hurt", False), ("involved", "involved", False), ("both", "hurt", True)],
)
def test_it_creates_the_space_with_the_role_the_person_chose(client, situation, role, mutual) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("start"), {"situation": situation})
    assert response.status_code == 302
    assert response["Location"] == reverse("invite_partner")
    membership = Partner.objects.get(user=user)
    assert (membership.role, membership.seat, membership.couple.hurt_is_mutual) == (role, 1, mutual)
    assert membership.couple.status == Couple.Status.ACTIVE


def test_it_rerenders_the_start_form_with_a_clear_error(client) -> None:
    client.force_login(UserFactory())
    response = client.post(reverse("start"), {"situation": "nonsense"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Couple.objects.exists()


def test_a_person_belongs_to_one_current_couple_only() -> None:
    couple = make_couple()
    hurt = Partner.objects.get(couple=couple, seat=1).user
    with pytest.raises(CoupleError):
        create_couple(user=hurt, situation="hurt")
    other = make_waiting_couple()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(couple=other, user=hurt, role="involved", seat=2)


def test_a_couple_never_has_a_third_partner() -> None:
    couple = make_couple()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(couple=couple, user=UserFactory(), role="hurt", seat=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(couple=couple, user=UserFactory(), role="hurt", seat=2)


def test_therapists_cannot_start_a_couple_space(client) -> None:
    therapist = TherapistFactory()
    with pytest.raises(CoupleError):
        create_couple(user=therapist, situation="hurt")
    client.force_login(therapist)
    assert client.post(reverse("start"), {"situation": "hurt"})["Location"] == reverse("home")
    assert not Couple.objects.exists()


def test_home_says_waiting_for_your_partner_until_they_join(client) -> None:
    couple = make_waiting_couple()
    creator = couple.partners.get().user
    client.force_login(creator)
    page = client.get(reverse("home")).content.decode()
    assert "Waiting for your partner" in page
    assert "Invite your partner" in page


def test_home_names_the_partner_once_they_have_joined(client) -> None:
    couple = make_couple()
    hurt, involved = (p.user for p in couple.partners.order_by("seat"))
    client.force_login(involved)
    page = client.get(reverse("home")).content.decode()
    assert f"You and {hurt.display_name} share this space" in page
    assert "Waiting for your partner" not in page
    assert f"{hurt.display_name} sets the pace" in page
    assert "stage 1 of 7" in page and 'href="/plan/"' in page


def test_either_partner_can_pause_and_resume(client) -> None:
    couple = make_couple()
    involved = couple.partners.get(seat=2).user
    client.force_login(involved)
    assert "Pause your space?" in client.get(reverse("couple_pause")).content.decode()
    response = client.post(reverse("couple_pause"), follow=True)
    assert "Your space is paused" in response.content.decode()
    couple.refresh_from_db()
    assert couple.status == Couple.Status.PAUSED
    assert couple.status_changed_by == involved
    # A second pause (another tab) changes nothing and says so kindly.
    response = client.post(reverse("couple_pause"), follow=True)
    assert response.status_code == 200
    client.force_login(couple.partners.get(seat=1).user)
    response = client.post(reverse("couple_resume"), follow=True)
    assert "Your space is active again" in response.content.decode()
    couple.refresh_from_db()
    assert couple.status == Couple.Status.ACTIVE


def test_ending_closes_the_space_for_both_and_lets_each_start_again(client) -> None:
    couple = make_couple()
    hurt, involved = (p.user for p in couple.partners.order_by("seat"))
    client.force_login(hurt)
    page = client.get(reverse("couple_end")).content.decode()
    assert "legitimate outcome" in page
    response = client.post(reverse("couple_end"), follow=True)
    assert "Your shared space is closed" in response.content.decode()
    couple.refresh_from_db()
    assert couple.status == Couple.Status.ENDED
    assert membership_of(hurt) is None
    assert couple_of(involved) is None
    assert not can_view_couple(involved, couple)
    # Each may start afresh; the start page acknowledges the closed space.
    client.force_login(involved)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert "Your previous shared space was closed" in page
    create_couple(user=involved, situation="involved")
    assert couple_of(involved) != couple


def test_ending_a_waiting_space_cancels_its_invitation() -> None:
    couple = make_waiting_couple()
    invitation, _token = make_invitation(couple)
    end_couple(couple=couple, by=couple.partners.get().user)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert not Invitation.objects.filter(couple=couple, cancelled_at__isnull=True).exists()


def test_ending_twice_is_harmless(client) -> None:
    couple = make_couple()
    client.force_login(couple.partners.get(seat=1).user)
    client.post(reverse("couple_end"))
    response = client.post(reverse("couple_end"))
    assert response.status_code == 302  # no couple any more: back to the start, no 500
