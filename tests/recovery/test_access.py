"""recovery/access.py: who may see what."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from recovery.access import can_view_couple, couple_of, get_visible_or_404, membership_of, other_partner
from recovery.models import Couple, Invitation, Partner
from tests.factories import TherapistFactory, UserFactory, make_couple, make_invitation, make_waiting_couple
from tests.helpers import fresh

pytestmark = pytest.mark.django_db


def test_couple_of_is_the_current_couple_for_each_partner() -> None:
    couple = make_couple()
    for partner in couple.partners.all():
        assert couple_of(partner.user) == couple
        assert can_view_couple(partner.user, couple)


def test_nobody_else_can_view_the_couple() -> None:
    couple = make_couple()
    outsider_couple = make_couple()
    outsider = outsider_couple.partners.first().user
    for person in (outsider, UserFactory(), TherapistFactory(), AnonymousUser()):
        assert not can_view_couple(person, couple)
    assert couple_of(AnonymousUser()) is None
    assert not can_view_couple(couple.partners.first().user, None)


def test_other_partner_is_the_partner_not_yourself() -> None:
    couple = make_couple()
    hurt, involved = (p.user for p in couple.partners.order_by("seat"))
    assert other_partner(hurt).user == involved
    assert other_partner(involved).user == hurt
    waiting = make_waiting_couple()
    assert other_partner(waiting.partners.get().user) is None


def test_visible_to_returns_only_the_person_s_own_couple_rows() -> None:
    mine = make_waiting_couple()
    theirs = make_waiting_couple()
    my_invitation, _ = make_invitation(mine, email="a@example.com")
    make_invitation(theirs, email="b@example.com")
    me = mine.partners.get().user
    assert list(Invitation.objects.visible_to(me)) == [my_invitation]
    assert list(Couple.objects.visible_to(me)) == [mine]
    assert list(Partner.objects.visible_to(me)) == [mine.partners.get()]
    assert not Invitation.objects.visible_to(AnonymousUser()).exists()
    assert not Invitation.objects.visible_to(UserFactory()).exists()


def test_another_couple_s_object_is_a_404_like_a_missing_one() -> None:
    mine = make_waiting_couple()
    theirs = make_waiting_couple()
    their_invitation, _ = make_invitation(theirs)
    me = mine.partners.get().user
    with pytest.raises(Http404):
        get_visible_or_404(Invitation, me, pk=their_invitation.pk)
    with pytest.raises(Http404):
        get_visible_or_404(Invitation, me, pk=999_999)
    with pytest.raises(Http404):
        get_visible_or_404(Invitation, me, pk="not-a-number")


def test_an_ended_couple_is_no_longer_visible_to_its_former_partners() -> None:
    couple = make_couple()
    hurt = couple.partners.get(seat=1).user
    Partner.objects.filter(couple=couple).update(left_at=couple.created_at)
    couple.status = Couple.Status.ENDED
    couple.save()
    hurt = type(hurt).objects.get(pk=hurt.pk)  # a fresh request: nothing cached
    assert membership_of(hurt) is None
    assert not Couple.objects.visible_to(hurt).exists()


def test_membership_is_looked_up_once_per_request(django_assert_num_queries) -> None:
    couple = make_couple()
    user = type(couple.partners.first().user).objects.get(pk=couple.partners.first().user.pk)
    with django_assert_num_queries(1):
        couple_of(user)
        couple_of(user)
        can_view_couple(user, couple)


def test_the_partner_is_read_with_the_membership_and_only_a_current_one(django_assert_num_queries) -> None:
    hurt, involved = UserFactory(), UserFactory()
    couple = make_couple(hurt=hurt, involved=involved)
    hurt = fresh(hurt)
    with django_assert_num_queries(1):
        assert membership_of(hurt).user is hurt and membership_of(hurt).couple == couple
        partner = other_partner(hurt)
        assert partner.user == involved and partner.couple is membership_of(hurt).couple
    # The partner leaves (their membership closed): the one left is alone in the space, and the one who left
    # belongs to nothing — neither sees the other.
    Partner.objects.filter(user=involved).update(left_at=timezone.now())
    assert other_partner(fresh(hurt)) is None and membership_of(fresh(hurt)) is not None
    assert membership_of(fresh(involved)) is None and other_partner(fresh(involved)) is None
    # Someone's earlier couple doesn't bring its people along into a new one.
    newcomer = UserFactory()
    make_couple(hurt=involved, involved=newcomer)
    assert other_partner(fresh(involved)).user == newcomer
    assert other_partner(fresh(newcomer)).user == involved


def test_a_couple_closed_outside_the_app_releases_its_partners() -> None:
    couple = make_couple()
    Couple.objects.filter(pk=couple.pk).update(status=Couple.Status.ENDED)  # e.g. by an operator
    for partner in couple.partners.all():
        assert membership_of(partner.user) is None
