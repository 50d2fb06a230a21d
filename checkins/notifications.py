"""Partner events, e-mailed through the outbox like reminders (each can be switched off):

- "your partner is ready to talk about the next step": when one partner says they're ready for a
  stage both open together. Never for the stages the hurt partner opens (5 and 6): the pace-setter
  is never told of the other's willingness, by e-mail or otherwise.
- "your weekly reviews are ready to read together": when the reviews of a week are revealed together.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from checkins.emails import UPDATE_VALID_FOR
from checkins.models import NotificationSettings
from plans import signals as plan_signals
from recovery import outbox
from recovery.models import User


def _queue(user: User, kind: str, period: str) -> int | None:
    prefs = NotificationSettings.objects.filter(user=user).first()
    if prefs is not None and not getattr(prefs, kind):
        return None
    delivery = outbox.queue(
        kind=kind, period=period, user=user, expires_at=timezone.now() + UPDATE_VALID_FOR
    )  # None: already told about this one
    return delivery.pk if delivery is not None else None


def partner_ready(*, other: User, next_stage: int, opened_by: str) -> int | None:
    if opened_by != "both":
        return None
    return _queue(other, "partner_ready", f"stage-{next_stage}")


@receiver(plan_signals.partner_ready, dispatch_uid="checkins.notifications.partner_ready")
def _when_partner_ready(sender: Any, *, other: User, next_stage: int, opened_by: str, **kwargs: Any) -> None:
    partner_ready(other=other, next_stage=next_stage, opened_by=opened_by)


def reviews_ready(*, people: list[User], week: str) -> list[int]:
    return [pk for user in people if (pk := _queue(user, "reviews_ready", week))]
