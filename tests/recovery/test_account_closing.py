"""Delete my account: closed at once, restorable for 14 days from a discreet e-mail, then erased so that
no row anywhere refers to the person — except the audit of therapists' looks, which keeps ids only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkins import reminders
from checkins.models import DailyCheckIn, NotificationSettings, Reminder, WeeklyReview
from plans.models import Completion, Ritual, WishNote
from recovery.access import therapist_couple_ids
from recovery.care import consent as care
from recovery.composition import closing, erasure
from recovery.models import AuditEvent, CareTeamAccess, Couple, Delivery, Invitation, Partner
from tests.factories import (
    PASSWORD,
    AuditEventFactory,
    DataExportFactory,
    EmailAddressFactory,
    TherapistFactory,
    UserFactory,
    enable_mfa,
    make_care_access,
    make_couple,
    make_invitation,
    make_waiting_couple,
)
from tests.helpers import page, people_of, signed_in_again
from tests.recovery.writing import write_through_the_app

FORBIDDEN = ["affair", "infidel", "cheat", "betray", "trust", "stage", "partner", "therap", "couple", "relationship",
             "sex", "intima", "unfaithful", "hurt"]  # fmt: skip
# The one reference allowed to outlive a person: the audit row of a therapist's look (ids only).
AUDIT_KEEPS = {(AuditEvent, "therapist")}


def references_to(user_id: int, addresses: set[str]) -> list[str]:
    """Every row anywhere that still points at the person: each model's foreign keys and one-to-ones to the
    user model (any model, any app, found by walking them), plus addresses and signed-in sessions."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (isinstance(field, models.ForeignKey) and field.related_model is user_model):
                continue  # OneToOneField is a ForeignKey too
            if (model, field.name) in AUDIT_KEEPS:
                continue
            count = model._base_manager.filter(**{field.attname: user_id}).count()
            if count:
                found.append(f"{model._meta.label}.{field.name}: {count}")
    if user_model._base_manager.filter(pk=user_id).exists():
        found.append("the user row itself")
    for model, lookup in ((EmailAddress, "email__in"), (Delivery, "address__in"), (Invitation, "email__in"),
                          (CareTeamAccess, "email__in")):  # fmt: skip
        if count := model._base_manager.filter(**{lookup: addresses}).count():
            found.append(f"{model._meta.label} by address: {count}")
    sessions = [s for s in Session.objects.all() if str(s.get_decoded().get("_auth_user_id")) == str(user_id)]
    if sessions:
        found.append(f"sessions: {len(sessions)}")
    return found


@pytest.fixture
def couple(db: None):
    return make_couple(
        hurt=UserFactory(display_name="Alex", email="alex@example.com"),
        involved=UserFactory(display_name="Sam", email="sam@example.com"),
    )


def _close(user, deliver) -> str:  # type: ignore[no-untyped-def]
    """Close the account through its pages; returns the restore link from the e-mail."""
    client = signed_in_again(user)
    confirm = client.get(reverse("account_close"))
    assert confirm.status_code == 200
    with deliver():
        closed = client.post(reverse("account_close"), {"understood": "on"})
    assert closed.status_code == 200 and "Your account is closed" in page(closed)
    (message,) = [m for m in mail.outbox if m.to == [user.email] and "closed" in m.subject]
    return re.search(r"http://127\.0\.0\.1:8000(/restore/[^/\s]+/)", message.body).group(1)


def test_closing_asks_for_the_password_and_a_plain_confirmation(couple) -> None:
    alex, _sam = people_of(couple)
    client = Client()
    client.force_login(alex)
    assert client.get(reverse("account_close"))["Location"].startswith(reverse("account_reauthenticate"))
    client = signed_in_again(alex)
    text = page(client.get(reverse("account_close")))
    assert "Sam is told only that you have left the space" in text
    assert "If you have ever felt afraid of your partner" in text  # leaving can be the most dangerous time
    unticked = client.post(reverse("account_close"), {})
    assert unticked.status_code == 400 and "Tick the box" in page(unticked)
    alex.refresh_from_db()
    assert alex.is_active and alex.closed_at is None


def test_closing_takes_effect_at_once(couple, deliver) -> None:
    alex, sam = people_of(couple)
    therapist = TherapistFactory(email="rivera@example.com")
    enable_mfa(therapist)
    access = make_care_access(couple, therapist)
    assert couple.pk in therapist_couple_ids(therapist)
    reminders.reminders_for(alex)
    elsewhere = Client()  # Alex on another device
    elsewhere.force_login(alex)
    assert elsewhere.get(reverse("home")).status_code == 200
    assert UserSession.objects.filter(user=alex).count() == 1

    _close(alex, deliver)

    alex.refresh_from_db()
    assert not alex.is_active and alex.closed_at is not None
    # Signed out everywhere; sign-in refused with a page that says what can be done.
    assert not elsewhere.get(reverse("home")).wsgi_request.user.is_authenticated
    assert not UserSession.objects.filter(user=alex).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(alex.pk)]
    login = Client().post(reverse("account_login"), {"login": alex.email, "password": PASSWORD}, follow=True)
    assert "This account is closed" in page(login) and not login.wsgi_request.user.is_authenticated
    # Reminders stop; the therapist's access ends; the space closes for both.
    assert not Reminder.objects.filter(user=alex, next_due_at__isnull=False).exists()
    access.refresh_from_db()
    assert access.ended_at is not None
    assert couple.pk not in therapist_couple_ids(get_user_model().objects.get(pk=therapist.pk))
    couple.refresh_from_db()
    assert couple.status == Couple.Status.ENDED and couple.ended_by_leaving
    # Sam is told only that his partner has left the space.
    sam_client = Client()
    sam_client.force_login(sam)
    assert sam_client.get(reverse("home"))["Location"] == reverse("start")
    start = page(sam_client.get(reverse("start")))
    notice = start.split('role="status">')[1].split("</div>")[0]
    said = notice.split("</p>")[0]  # what is said about the partner: that, and nothing more
    assert re.sub(r"<[^>]+>|\s", "", said) == "Yourpartnerhasleftthespace."
    assert "Alex" not in start


def test_the_restore_e_mail_is_discreet_and_its_link_works_once(couple, deliver) -> None:
    alex, _sam = people_of(couple)
    link = _close(alex, deliver)
    (message,) = [m for m in mail.outbox if m.to == [alex.email] and "closed" in m.subject]
    assert message.subject == "Your Mend account is closed"
    for text in (message.subject, message.body, message.alternatives[0][0]):
        assert not [word for word in FORBIDDEN if word in text.lower()], text
    visitor = Client()
    asked = visitor.get(link)  # a mail scanner opening the link changes nothing
    assert asked.status_code == 200 and "Restore your account?" in page(asked)
    alex.refresh_from_db()
    assert not alex.is_active
    restored = visitor.post(link, follow=True)
    assert "Your account is open again" in page(restored)
    assert visitor.post(link).status_code == 410  # once only
    assert visitor.get("/restore/not-a-token/").status_code == 410


def _counts_of(user) -> dict[str, int]:
    owned = [(DailyCheckIn, "author"), (WeeklyReview, "author"), (Completion, "author"), (WishNote, "author"),
             (Ritual, "created_by"), (Reminder, "user"), (EmailAddress, "user"), (Partner, "user")]  # fmt: skip
    return {model.__name__: model.objects.filter(**{field: user}).count() for model, field in owned}


def test_restoring_within_14_days_brings_everything_back(couple, deliver) -> None:
    alex, sam = people_of(couple)
    written = write_through_the_app(couple, alex, sam)
    reminders.reminders_for(alex)
    counts = _counts_of(alex)
    link = _close(alex, deliver)
    with time_machine.travel(timezone.now() + timedelta(days=13, hours=23)):
        assert erasure.upkeep()["accounts"] == 0
        assert Client().post(link).status_code == 302
        alex.refresh_from_db()
        assert alex.is_active and alex.closed_at is None and alex.restore_token_hash == ""
        client = Client()
        assert client.login(username=alex.email, password=PASSWORD)  # sign-in works again
        assert _counts_of(alex) == counts
        assert all(r.next_due_at is not None for r in Reminder.objects.filter(user=alex))  # reminders are back
        assert DailyCheckIn.objects.get(author=alex, visibility="partner").high == written.alex_shared[0]
    # Erasure, later, finds nothing to do: the account is open.
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        assert erasure.upkeep()["accounts"] == 0
    assert get_user_model().objects.filter(pk=alex.pk).exists()


def test_after_14_days_no_row_anywhere_refers_to_the_person(couple, deliver) -> None:
    alex, sam = people_of(couple)
    write_through_the_app(couple, alex, sam)
    # Everything else an account gathers: a second address, two-step sign-in, settings and reminders, a
    # download, an invitation sent, deliveries, tracked sessions, a therapist's looks, a consent given.
    EmailAddressFactory(user=alex, email="alex.other@example.com", verified=True)
    enable_mfa(alex)
    reminders.reminders_for(alex)
    NotificationSettings.objects.get_or_create(user=alex)
    DataExportFactory(user=alex, status="ready")
    old_space = make_waiting_couple(creator=UserFactory())
    make_invitation(old_space, email=alex.email)
    therapist = TherapistFactory(display_name="Dr Rivera", email="rivera@example.com")
    enable_mfa(therapist)
    make_care_access(couple, therapist)
    for _ in range(3):
        AuditEventFactory(couple=couple, therapist=therapist, what=care.VIEWED_SUMMARY)
    audit_before = AuditEvent.objects.filter(couple=couple).count()
    Client().force_login(alex)  # a session that is never used again

    link = _close(alex, deliver)
    addresses = {"alex@example.com", "alex.other@example.com"}
    assert references_to(alex.pk, addresses)  # the walk finds them while the account waits
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        assert Client().post(link).status_code == 410  # too late to restore
        done = erasure.upkeep()
    assert done["accounts"] == 1
    assert references_to(alex.pk, addresses) == []
    # What Alex wrote in the shared space went with her; the couple's audit stays, ids only.
    assert not Ritual.objects.filter(couple=couple).exists()
    assert AuditEvent.objects.filter(couple=couple).count() == audit_before
    # Sam's own entries are untouched (until the closed space itself is erased).
    assert DailyCheckIn.objects.filter(author=sam).count() == 2
    assert not Authenticator.objects.filter(user_id=alex.pk).exists()


def test_queued_work_for_a_closed_account_does_nothing(couple, deliver) -> None:
    from recovery import outbox

    alex, _sam = people_of(couple)
    reminders.reminders_for(alex)
    closing.close_account(user=alex)
    # A reminder queued before closing (the sweep had already run) is cancelled when its turn comes.
    queued = Delivery.objects.create(user=alex, kind="daily", period="2026-11-21",
                                     expires_at=timezone.now() + timedelta(hours=3))  # fmt: skip
    assert outbox.send(queued.pk) == "cancelled"
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert reminders.sweep() == []  # nothing is due for Alex: her reminders have no next time
    export = DataExportFactory(user=alex)
    from recovery.composition import data_export

    assert data_export.build(export.pk) == "account closed"


def test_a_therapist_who_leaves_becomes_a_former_therapist_in_the_couples_record(couple, deliver) -> None:
    alex, _sam = people_of(couple)
    therapist = TherapistFactory(display_name="Dr Rivera", email="rivera@example.com")
    enable_mfa(therapist)
    make_care_access(couple, therapist)
    AuditEventFactory(couple=couple, therapist=therapist, what=care.VIEWED_SUMMARY)
    client = Client()
    client.force_login(alex)
    assert "Rivera" in page(client.get(reverse("care_seen")))

    _close(therapist, deliver)
    couple.refresh_from_db()
    assert couple.status == Couple.Status.ACTIVE  # a therapist leaving closes nobody's space
    assert CareTeamAccess.objects.get(therapist=therapist).ended_at is not None
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        erasure.upkeep()
        client.force_login(alex)
        seen = page(client.get(reverse("care_seen")))
    assert "Rivera" not in seen and "A former therapist" in seen
    assert AuditEvent.objects.filter(couple=couple, therapist_id=therapist.pk).count() == 1  # ids only
    assert references_to(therapist.pk, {"rivera@example.com"}) == []


def test_a_partner_waiting_for_their_partner_can_leave_too(db: None, deliver) -> None:
    wren = UserFactory(display_name="Wren", email="wren@example.com")
    waiting = make_waiting_couple(creator=wren)
    invitation, _token = make_invitation(waiting, email="invitee@example.com")
    _close(wren, deliver)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    waiting.refresh_from_db()
    assert waiting.status == Couple.Status.ENDED
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        done = erasure.upkeep()
    assert (done["accounts"], done["spaces"]) == (1, 1)
    assert not Couple.objects.filter(pk=waiting.pk).exists()
    assert references_to(wren.pk, {"wren@example.com"}) == []
