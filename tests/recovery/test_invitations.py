"""Inviting the second partner: signed, single-use, expiring links, resend and cancel."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from recovery import invitations, outbox
from recovery.models import Delivery, Invitation, Partner
from tests.factories import (
    PASSWORD,
    EmailAddressFactory,
    TherapistFactory,
    UserFactory,
    make_couple,
    make_invitation,
    make_waiting_couple,
)
from tests.helpers import page

pytestmark = pytest.mark.django_db

FORBIDDEN_IN_EMAILS = ["affair", "infidel", "cheat", "betray", "trust", "partner", "therap", "stage", "couple"]


def _accept_path(token: str) -> str:
    return reverse("invitation_accept", args=[token])


def _link_from_outbox() -> str:
    match = re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_it_sends_a_discreet_invitation_e_mail(client, deliver) -> None:
    couple = make_waiting_couple()
    client.force_login(couple.partners.get().user)
    with deliver():
        response = client.post(reverse("invite_partner"), {"email": "Partner@Example.com"}, follow=True)
    assert "We're sending an invitation to partner@example.com" in page(response)
    invitation = Invitation.objects.get(couple=couple)
    assert invitation.email == "partner@example.com"
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    (message,) = mail.outbox
    assert message.to == ["partner@example.com"]
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        lowered = text.lower()
        assert not [word for word in FORBIDDEN_IN_EMAILS if word in lowered], text
    assert _link_from_outbox() in html


def test_only_a_hash_of_the_secret_is_stored() -> None:
    invitation, token = make_invitation(make_waiting_couple())
    secret = token.split(".")[0]
    assert secret not in invitation.token_hash
    assert invitations.find_by_token(token) == invitation


@pytest.mark.parametrize("tampered", ["", "x", "abc.def", "garbage-without-signature"])
def test_a_forged_or_mangled_link_is_a_clear_404(client, tampered: str) -> None:
    _invitation, token = make_invitation(make_waiting_couple())
    for bad in (tampered or token[:-3] + "aaa", token.split(".")[0] + ".forgedsig"):
        response = client.get(_accept_path(bad))
        assert response.status_code == 404
        assert "We couldn't find this invitation" in page(response)


def test_the_invitee_signs_up_and_joins_with_the_link(client) -> None:
    couple = make_waiting_couple(creator=UserFactory(display_name="Alex"))
    invitation, token = make_invitation(couple, email="sam@example.com")
    welcome = client.get(_accept_path(token))
    assert welcome.status_code == 200
    assert "You've been invited to share a private space" in page(welcome)
    assert "Alex" not in page(welcome)  # the name waits until the invitee has signed in
    # Sign-up form arrives with the invited address filled in.
    signup = client.get(reverse("account_signup") + "?email=sam@example.com")
    assert 'value="sam@example.com"' in page(signup)
    response = client.post(
        reverse("account_signup"),
        {
            "email": "sam@example.com",
            "display_name": "Sam",
            "time_zone": "America/New_York",
            "password1": "a-good-long-passphrase",
            "password2": "a-good-long-passphrase",
        },
    )
    # The link proved the address, so no second verification e-mail: straight back to accept.
    assert response.status_code == 302
    assert response["Location"] == _accept_path(token)
    assert EmailAddress.objects.get(email="sam@example.com").verified
    text = page(client.get(_accept_path(token)))
    assert "Alex set this space up as the partner who was hurt" in text
    response = client.post(_accept_path(token), follow=True)
    assert "You and Alex share this space" in page(response)
    sam = Partner.objects.get(couple=couple, seat=2)
    assert (sam.user.email, sam.role) == ("sam@example.com", Partner.Role.INVOLVED)
    invitation.refresh_from_db()
    assert invitation.accepted_by == sam.user


def test_an_existing_account_logs_in_and_joins(client) -> None:
    couple = make_waiting_couple(role=Partner.Role.INVOLVED)
    sam = UserFactory(email="sam@example.com")
    _invitation, token = make_invitation(couple, email="sam@example.com")
    text = page(client.get(_accept_path(token)))
    assert "I already have an account" in text
    response = client.post(reverse("account_login"), {"login": "sam@example.com", "password": PASSWORD})
    assert response["Location"] == _accept_path(token)
    text = page(client.get(_accept_path(token)))
    assert "You will set the pace" in text
    client.post(_accept_path(token))
    assert Partner.objects.get(couple=couple, user=sam).role == Partner.Role.HURT


def test_mutual_hurt_makes_both_partners_pace_setters(client) -> None:
    creator = UserFactory()
    couple = make_waiting_couple(creator=creator)
    couple.hurt_is_mutual = True
    couple.save()
    invitee = UserFactory(email="sam@example.com")
    _invitation, token = make_invitation(couple, email="sam@example.com")
    client.force_login(invitee)
    assert "you were both hurt" in page(client.get(_accept_path(token)))
    client.post(_accept_path(token))
    assert set(Partner.objects.filter(couple=couple).values_list("role", flat=True)) == {"hurt"}


def test_a_used_link_gets_a_clear_page(client) -> None:
    couple = make_waiting_couple()
    invitee = UserFactory(email="sam@example.com")
    _invitation, token = make_invitation(couple, email="sam@example.com")
    client.force_login(invitee)
    client.post(_accept_path(token))
    client.logout()
    response = client.get(_accept_path(token))
    assert response.status_code == 410
    assert "already been used" in page(response)
    # Accepting twice (double click) adds no second row.
    client.force_login(invitee)
    assert client.post(_accept_path(token)).status_code == 410
    assert Partner.objects.filter(couple=couple).count() == 2


def test_an_expired_link_gets_a_clear_page_and_can_be_resent(client, deliver) -> None:
    couple = make_waiting_couple()
    creator = couple.partners.get().user
    invitation, token = make_invitation(couple)
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        response = client.get(_accept_path(token))
        assert response.status_code == 410
        assert "This invitation has expired" in page(response)
        client.force_login(creator)
        assert "expired on" in page(client.get(reverse("home")))
        mail.outbox.clear()
        with deliver():
            client.post(reverse("invitation_resend", args=[invitation.pk]))
        new_path = _link_from_outbox()
        assert new_path != _accept_path(token)
        client.logout()
        assert client.get(new_path).status_code == 200
        # The old link now explains that a newer invitation was sent.
        response = client.get(_accept_path(token))
        assert response.status_code == 410
        assert "A newer invitation was sent" in page(response)


def test_a_link_is_still_good_just_before_it_expires(client) -> None:
    _invitation, token = make_invitation(make_waiting_couple())
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(_accept_path(token)).status_code == 200


def test_a_cancelled_link_gets_a_clear_page(client) -> None:
    couple = make_waiting_couple()
    invitation, token = make_invitation(couple)
    client.force_login(couple.partners.get().user)
    response = client.post(reverse("invitation_cancel", args=[invitation.pk]), follow=True)
    assert "Its link no longer works" in page(response)
    client.logout()
    response = client.get(_accept_path(token))
    assert response.status_code == 410
    assert "was cancelled" in page(response)


def test_a_new_address_replaces_the_open_invitation(client) -> None:
    couple = make_waiting_couple()
    first, first_token = make_invitation(couple, email="first@example.com")
    client.force_login(couple.partners.get().user)
    client.post(reverse("invite_partner"), {"email": "second@example.com"})
    first.refresh_from_db()
    assert first.cancelled_at is not None
    assert Invitation.objects.get(couple=couple, cancelled_at__isnull=True).email == "second@example.com"
    client.logout()
    assert client.get(_accept_path(first_token)).status_code == 410


def test_a_mismatched_account_is_told_clearly_without_joining(client) -> None:
    couple = make_waiting_couple()
    _invitation, token = make_invitation(couple, email="sam@example.com")
    client.force_login(UserFactory(email="someone.else@example.com"))
    for method in ("get", "post"):
        response = getattr(client, method)(_accept_path(token))
        assert response.status_code == 409
        text = page(response)
        assert "for a different e-mail address" in text
        assert "sam@example.com" not in text  # shown masked only
        assert "s••@example.com" in text
    assert Partner.objects.filter(couple=couple).count() == 1


def test_someone_already_in_a_couple_cannot_join_a_second(client) -> None:
    current = make_couple()
    member = current.partners.get(seat=2).user
    _invitation, token = make_invitation(make_waiting_couple(), email=member.email)
    client.force_login(member)
    response = client.post(_accept_path(token))
    assert response.status_code == 409
    assert "You already belong to a shared space" in page(response)


def test_a_therapist_account_cannot_join_as_a_partner(client) -> None:
    therapist = TherapistFactory(email="doc@example.com")
    _invitation, token = make_invitation(make_waiting_couple(), email="doc@example.com")
    client.force_login(therapist)
    assert client.post(_accept_path(token)).status_code == 409


def test_a_closed_space_s_link_no_longer_works(client) -> None:
    couple = make_waiting_couple()
    _invitation, token = make_invitation(couple)
    client.force_login(couple.partners.get().user)
    client.post(reverse("couple_end"))
    client.logout()
    response = client.get(_accept_path(token))
    assert response.status_code == 410


def test_inviting_yourself_rerenders_the_form_with_what_was_typed(client) -> None:
    couple = make_waiting_couple(creator=UserFactory(email="me@example.com"))
    client.force_login(couple.partners.get().user)
    response = client.post(reverse("invite_partner"), {"email": "ME@example.com"})
    assert response.status_code == 400
    text = page(response)
    assert "That's your own address" in text
    assert 'value="ME@example.com"' in text
    assert not Invitation.objects.exists()


def test_a_bad_address_rerenders_the_form_with_what_was_typed(client) -> None:
    couple = make_waiting_couple()
    client.force_login(couple.partners.get().user)
    response = client.post(reverse("invite_partner"), {"email": "not an address"})
    assert response.status_code == 400
    assert 'value="not an address"' in page(response)


def test_a_mail_server_outage_keeps_the_invitation_and_sends_it_once_the_server_is_back(
    client, deliver, monkeypatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    couple = make_waiting_couple()
    client.force_login(couple.partners.get().user)
    with deliver():
        response = client.post(reverse("invite_partner"), {"email": "sam@example.com"}, follow=True)
    assert response.status_code == 200
    assert "We're sending an invitation to sam@example.com" in page(response)
    assert Invitation.objects.filter(couple=couple).count() == 1
    delivery = Delivery.objects.get(kind="invitation")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "mail server down" in delivery.error
    monkeypatch.undo()
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert outbox.send(delivery.pk) == "sent"
    (message,) = mail.outbox
    assert message.to == ["sam@example.com"] and "/invitation/" in message.body


def test_inviting_once_the_partner_has_joined_is_refused_kindly(client) -> None:
    couple = make_couple()
    client.force_login(couple.partners.get(seat=1).user)
    response = client.post(reverse("invite_partner"), {"email": "third@example.com"}, follow=True)
    assert "already joined" in page(response)
    assert not Invitation.objects.exists()
    with pytest.raises(invitations.InvitationProblem):
        invitations.invite_partner(couple=couple, invited_by=couple.partners.get(seat=1).user, email="x@example.com")


def test_a_double_click_on_send_sends_one_e_mail(client, deliver) -> None:
    couple = make_waiting_couple()
    client.force_login(couple.partners.get().user)
    with deliver():
        client.post(reverse("invite_partner"), {"email": "sam@example.com"})
        response = client.post(reverse("invite_partner"), {"email": "sam@example.com"}, follow=True)
    assert "We sent that invitation a moment ago" in page(response)
    assert len(mail.outbox) == 1
    assert Invitation.objects.filter(couple=couple).count() == 1
    invitation = Invitation.objects.get(couple=couple)
    with deliver():
        client.post(reverse("invitation_resend", args=[invitation.pk]))  # "Send again" straight away
    assert len(mail.outbox) == 1


def test_a_resend_after_acceptance_or_cancel_sends_nothing(client) -> None:
    couple = make_waiting_couple()
    invitation, _token = make_invitation(couple)
    stale = Invitation.objects.get(pk=invitation.pk)
    invitations.cancel_invitation(invitation=invitation)
    with pytest.raises(invitations.InvitationProblem):
        invitations.resend_invitation(invitation=Invitation.objects.get(pk=stale.pk))
    client.force_login(couple.partners.get().user)
    response = client.post(reverse("invitation_resend", args=[invitation.pk]), follow=True)
    assert "already been used or replaced" in page(response)
    assert not mail.outbox


def test_invitation_e_mails_are_rate_limited(client, deliver) -> None:
    couple = make_waiting_couple()
    client.force_login(couple.partners.get().user)
    sent = []
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _attempt in range(4):
            traveller.shift(timedelta(minutes=3))  # past the double-click grace each time
            with deliver():
                response = client.post(reverse("invite_partner"), {"email": "target@example.com"})
            sent.append(response.status_code)
    assert sent == [302, 302, 302, 429]
    assert "please wait an hour" in page(response)
    assert 'value="target@example.com"' in page(response)
    assert len(mail.outbox) == 3


def test_an_overlong_address_is_a_clear_400_not_a_500(client) -> None:
    couple = make_waiting_couple()
    client.force_login(couple.partners.get().user)
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"
    response = client.post(reverse("invite_partner"), {"email": address})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_an_unverified_secondary_address_does_not_claim_an_invitation(client) -> None:
    couple = make_waiting_couple()
    _invitation, token = make_invitation(couple, email="claimed@example.com")
    grabber = UserFactory()
    EmailAddressFactory(user=grabber, email="claimed@example.com", verified=False, primary=False)
    client.force_login(grabber)
    assert client.post(_accept_path(token)).status_code == 409
    assert Partner.objects.filter(couple=couple).count() == 1


def test_the_partner_who_joined_does_not_see_the_earlier_invitations(client) -> None:
    couple = make_waiting_couple()
    make_invitation(couple, email="first@example.com")
    invitation, _token = make_invitation(couple, email="sam@example.com")
    sam = UserFactory(email="sam@example.com")
    invitations.accept_invitation(invitation=invitation, user=sam)
    assert not Invitation.objects.visible_to(sam).exists()
    assert Invitation.objects.visible_to(couple.partners.get(seat=1).user).count() == 2


def test_accepting_after_starting_your_own_space_in_another_tab_says_so(client) -> None:
    _invitation, token = make_invitation(make_waiting_couple(), email="sam@example.com")
    sam = UserFactory(email="sam@example.com")
    client.force_login(sam)
    assert client.get(_accept_path(token)).status_code == 200
    client.post(reverse("start"), {"situation": "involved"})  # the other tab
    response = client.post(_accept_path(token))
    assert response.status_code == 409
    assert "If you each started a space" in page(response)
