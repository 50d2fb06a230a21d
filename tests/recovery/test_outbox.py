"""The outbox: every e-mail through a delivery row and one task; a lost doorbell, a killed worker, a mail
server or database error, a broken template, a pause after queueing — each ends as sent once, failed with
its error, or cancelled; never stuck, never twice."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from checkins import emails, reminders
from checkins.models import NotificationSettings, Reminder
from recovery import outbox, sealing
from recovery.localtime import local_today
from recovery.models import Delivery, User
from recovery.tasks import send_delivery
from tests.factories import DailyCheckInFactory, UserFactory, make_couple, make_invitation, make_waiting_couple

pytestmark = pytest.mark.django_db


def _person() -> User:
    couple = make_couple(hurt=UserFactory(display_name="Alex"), involved=UserFactory(display_name="Sam"))
    alex = couple.partners.get(seat=1).user
    reminders.reminders_for(alex)
    return alex


def _daily_delivery(user: User) -> Delivery:
    period = local_today(user).isoformat()
    return outbox.queue(
        kind="daily",
        period=period,
        user=user,
        expires_at=emails.reminder_expires_at(kind="daily", period=period, user=user),
    )


def _broker_refuses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    refused: list[int] = []

    def refuse(args, **kwargs):  # type: ignore[no-untyped-def]
        refused.append(args[0])
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_delivery, "apply_async", refuse)
    return refused


def test_it_is_once_per_person_kind_and_period_even_when_queued_twice() -> None:
    alex = _person()
    assert _daily_delivery(alex) is not None
    assert _daily_delivery(alex) is None
    assert Delivery.objects.count() == 1


def test_a_broker_down_at_commit_loses_nothing_the_message_goes_once_it_is_back(deliver, monkeypatch) -> None:
    alex = _person()
    refused = _broker_refuses(monkeypatch)
    with deliver():
        delivery = _daily_delivery(alex)
    assert refused == [delivery.pk]  # the doorbell was refused…
    delivery.refresh_from_db()
    assert delivery.status == "pending" and mail.outbox == []  # …the row is safe
    monkeypatch.undo()  # the broker is back
    assert outbox.heal() == 0  # not yet: a fresh doorbell may still be on its way
    later = timezone.now() + timedelta(seconds=125)
    with time_machine.travel(later):
        assert outbox.heal() == 1
        assert outbox.heal() == 0  # rung once; not again until another grace has passed
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alex.email]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_a_stuck_sending_row_whose_worker_died_is_sent_once(monkeypatch) -> None:
    alex = _person()
    refused = _broker_refuses(monkeypatch)
    delivery = _daily_delivery(alex)
    monkeypatch.undo()
    # A worker claimed it and was killed before sending: "sending", with a lease.
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", attempts=1, next_attempt_at=timezone.now() + timedelta(seconds=120)
    )
    assert outbox.send(delivery.pk) == "not claimed"  # the lease holds…
    assert outbox.heal() == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        assert outbox.heal() == 1  # …until it runs out
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert refused == []


def test_a_template_error_fails_the_row_with_the_error_and_sends_nothing(monkeypatch) -> None:
    alex = _person()
    delivery = _daily_delivery(alex)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise TemplateSyntaxError("Invalid block tag on line 3: 'endblocktranslate'")

    monkeypatch.setattr("recovery.outbox.render_to_string", broken)
    assert outbox.send(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "TemplateSyntaxError: Invalid block tag" in delivery.error
    assert mail.outbox == []


def test_paused_after_queueing_is_not_sent(client) -> None:
    alex = _person()
    delivery = _daily_delivery(alex)
    token = emails.settings_for(alex).pause_token
    client.post(reverse("checkins:pause_reminders", args=[token]))
    assert outbox.send(delivery.pk) == "cancelled"
    delivery.refresh_from_db()
    assert delivery.status == "cancelled" and "turned off" in delivery.error
    assert mail.outbox == []


@pytest.mark.parametrize(
    "change",
    ["paused_until", "space_paused", "checked_in"],
)
def test_a_reminder_no_longer_wanted_when_it_would_be_sent_is_cancelled(change: str) -> None:
    alex = _person()
    delivery = _daily_delivery(alex)
    if change == "paused_until":
        NotificationSettings.objects.update_or_create(user=alex, defaults={"paused_until": local_today(alex)})
    elif change == "space_paused":
        alex.memberships.get().couple.__class__.objects.update(status="paused")
    else:
        DailyCheckInFactory(author=alex, local_date=local_today(alex), visibility="only_me")
    assert outbox.send(delivery.pk) == "cancelled"
    assert mail.outbox == []


def test_mail_server_errors_wait_with_a_backoff_and_fail_only_when_no_longer_worth_sending(monkeypatch) -> None:
    alex = _person()
    delivery = _daily_delivery(alex)

    def refuse(self, *args, **kwargs) -> int:  # type: ignore[no-untyped-def]
        raise SMTPServerDisconnected("451 try again later")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    waits = []
    now = timezone.now()
    with time_machine.travel(now, tick=False) as traveller:
        while True:
            result = outbox.send(delivery.pk)
            delivery.refresh_from_db()
            if result == "failed":
                break
            assert (result, delivery.status) == ("retry", "pending")
            waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds()))
            traveller.move_to(delivery.next_attempt_at)
        gave_up_at = timezone.now()
    assert waits[:4] == [30, 60, 120, 180] and set(waits[3:]) == {180}  # then every 3 minutes, not every 10
    assert delivery.status == "failed" and "451 try again later" in delivery.error
    assert gave_up_at < delivery.expires_at <= gave_up_at + timedelta(minutes=3)  # it ran out of day
    assert mail.outbox == []


def test_a_database_error_while_sending_is_retried_not_left_sending(monkeypatch) -> None:
    alex = _person()
    delivery = _daily_delivery(alex)
    calls = []

    def flaky(delivery: Delivery, payload: dict) -> str:
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setitem(outbox._KINDS, "daily", dataclasses.replace(outbox.kind_named("daily"), still_wanted=flaky))
    assert outbox.send(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "server closed the connection" in delivery.error
    monkeypatch.undo()
    with time_machine.travel(delivery.next_attempt_at):
        assert outbox.send(delivery.pk) == "sent"
    assert len(mail.outbox) == 1


def test_an_expired_delivery_fails_with_its_last_error() -> None:
    alex = _person()
    delivery = _daily_delivery(alex)
    Delivery.objects.filter(pk=delivery.pk).update(error="SMTPServerDisconnected: 451")
    with time_machine.travel(delivery.expires_at + timedelta(seconds=1)):
        assert outbox.send(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "No longer worth sending" in delivery.error and "451" in delivery.error


def test_an_invitation_keeps_its_link_sealed_until_sent_then_forgets_it(deliver) -> None:
    couple = make_waiting_couple()
    invitation, token = make_invitation(couple, email="Sam@Example.com")
    delivery = Delivery.objects.get(kind="invitation")
    assert (delivery.address, delivery.user_id, delivery.expires_at) == ("sam@example.com", None, invitation.expires_at)
    assert token not in delivery.payload and token.split(".")[0] not in delivery.payload
    assert reverse("invitation_accept", args=[token]) in sealing.unseal(delivery.payload)["accept_url"]
    assert outbox.send(delivery.pk) == "sent"
    (message,) = mail.outbox
    assert reverse("invitation_accept", args=[token]) in message.body
    delivery.refresh_from_db()
    assert delivery.payload == ""


def test_a_cancelled_invitation_s_e_mail_is_not_sent() -> None:
    from recovery import invitations

    invitation, _token = make_invitation(make_waiting_couple())
    invitations.cancel_invitation(invitation=invitation)
    delivery = Delivery.objects.get(kind="invitation")
    assert outbox.send(delivery.pk) == "cancelled"
    assert mail.outbox == []


def test_account_e_mails_go_through_the_outbox_too(client, deliver) -> None:
    UserFactory(email="me@example.com")
    with deliver():
        response = client.post(reverse("account_reset_password"), {"email": "me@example.com"})
    assert response.status_code == 302
    delivery = Delivery.objects.get(kind="account")
    assert (delivery.status, delivery.address, delivery.payload) == ("sent", "me@example.com", "")
    (message,) = mail.outbox
    assert "/accounts/password/reset/key/" in message.body


def test_a_closed_account_gets_nothing() -> None:
    alex = _person()
    delivery = _daily_delivery(alex)
    User.objects.filter(pk=alex.pk).update(is_active=False)
    assert outbox.send(delivery.pk) == "cancelled"


def test_the_send_task_is_only_a_thin_wrapper_over_the_outbox() -> None:
    alex = _person()
    delivery = _daily_delivery(alex)
    assert send_delivery.apply(args=[delivery.pk]).get() == "sent"
    assert send_delivery.apply(args=[delivery.pk]).get() == "not claimed"


def test_reminders_are_queued_through_the_outbox_by_the_sweep(deliver) -> None:
    alex = _person()
    Reminder.objects.filter(user=alex, kind="weekly").update(enabled=False, next_due_at=None)
    reminder = Reminder.objects.get(user=alex, kind="daily")
    reminder.local_time = time(20, 0)
    reminder.save()
    reminders.reschedule(alex)
    reminder.refresh_from_db()
    with time_machine.travel(reminder.next_due_at), deliver():
        (delivery_id,) = reminders.sweep()
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.kind, delivery.status) == ("daily", "sent")


def test_after_a_refusal_the_outbox_leaves_the_broker_alone_for_a_while(monkeypatch) -> None:
    alex = _person()
    refused = _broker_refuses(monkeypatch)
    first, second = (
        _daily_delivery(alex),
        outbox.queue(kind="weekly", period="2026-W47", user=alex, expires_at=timezone.now() + timedelta(days=1)),
    )
    assert outbox.ring([first.pk, second.pk]) == 0
    assert refused == [first.pk]  # stopped at the first refusal…
    assert outbox.ring([second.pk]) == 0
    assert refused == [first.pk]  # …and doesn't knock again straight away (each refusal costs seconds)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):  # a little later
        assert outbox.ring([second.pk]) == 0
    assert refused == [first.pk, second.pk]


def test_a_database_outage_at_the_claim_is_retried_in_seconds(monkeypatch) -> None:
    alex = _person()
    delivery = _daily_delivery(alex)
    calls: list[int] = []

    def away(delivery_id: int) -> str:
        calls.append(delivery_id)
        if len(calls) == 1:
            raise OperationalError("the database system is shutting down")
        return "sent"

    monkeypatch.setattr(outbox, "send", away)
    retried: list[dict] = []
    real_retry = send_delivery.retry

    def recording_retry(*args, **kwargs):  # type: ignore[no-untyped-def]
        retried.append(kwargs)
        return real_retry(*args, **kwargs)

    monkeypatch.setattr(send_delivery, "retry", recording_retry)
    send_delivery.apply(args=[delivery.pk])
    assert calls == [delivery.pk, delivery.pk]
    assert retried and retried[0]["countdown"] == 5
