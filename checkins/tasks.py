"""Celery tasks: load by id, call the modules that know what to do."""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from checkins import reminders, sending
from checkins.models import Delivery

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(name="checkins.sweep_reminders", ignore_result=True)
def sweep_reminders() -> int:
    return len(reminders.sweep())


@shared_task(
    bind=True,
    name="checkins.send_delivery",
    acks_late=True,  # a worker killed mid-send leaves the message on the broker for another worker
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    ignore_result=True,
)
def send_delivery(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    now = timezone.now()
    # Claim it: only one worker may send, and a sent one is never sent again.
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            # A worker killed mid-send left it "sending": after the claim timeout another may take it.
            Q(status=Delivery.Status.PENDING)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT))
        )
        .update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return "not claimed"
    delivery = Delivery.objects.select_related("user").get(pk=delivery_id)
    try:
        sending.build_message(user=delivery.user, kind=delivery.kind).send()
    except (SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if self.request.retries >= MAX_RETRIES:
            Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.FAILED, error=error)
            logger.warning("Delivery %s failed after %s attempts: %s", delivery_id, MAX_RETRIES + 1, error)
            return "failed"
        Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.PENDING, error=error)
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc
    Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.SENT, sent_at=timezone.now(), error="")
    return "sent"
