"""Partner events, e-mailed through the same deliveries as reminders (each can be switched off):

- "your partner is ready to talk about the next step": when one partner says they're ready for a
  stage both open together. Never for the stages the hurt partner opens (5 and 6): the pace-setter
  is never told of the other's willingness, by e-mail or otherwise.
- "your weekly reviews are ready to read together": when the second review of a week is shared.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from checkins.models import Delivery, NotificationSettings
from recovery.models import User


def _queue(user: User, kind: str, period: str, wanted: str) -> int | None:
    prefs = NotificationSettings.objects.filter(user=user).first()
    if prefs is not None and not getattr(prefs, wanted):
        return None
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(user=user, kind=kind, period=period)
    except IntegrityError:
        return None  # already told about this one
    from checkins.tasks import send_delivery

    transaction.on_commit(lambda: send_delivery.delay(delivery.pk))
    return delivery.pk


def partner_ready(*, other: User, next_stage: int, opened_by: str) -> int | None:
    if opened_by != "both":
        return None
    return _queue(other, "partner_ready", f"stage-{next_stage}", "partner_ready")


def reviews_ready(*, people: list[User], week: str) -> list[int]:
    return [pk for user in people if (pk := _queue(user, "reviews_ready", week, "reviews_ready"))]
