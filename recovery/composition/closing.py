"""Closing an account ("Delete my account"), and restoring it within ACCOUNT_RESTORE_DAYS.

Closing takes effect at once: sign-in is refused, every session ends, reminders stop, any therapist's
access ends, the shared space closes for both partners (the other is told only that their partner has
left), and a discreet e-mail carries a single-use link that restores the account until the deadline.
Nothing is erased yet: people close accounts in anger and come back the next day. After the deadline,
erasure.erase_due_accounts removes every row of theirs.

Why the shared space closes for both, rather than waiting for the one who left: a space with one silent
partner invites checking and waiting on them; closing it is what the partner would see if the couple
parted, and it is theirs to decide whether to share a space again — restoring an account never reopens
a space on its own.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from recovery import outbox
from recovery.access import forget_care, forget_membership, membership_of
from recovery.couples import CoupleError, end_couple
from recovery.link_tokens import LinkTokens
from recovery.models import CareTeamAccess, Couple, DataExport, Delivery, User

logger = logging.getLogger(__name__)

_tokens = LinkTokens(salt="mend.restore")


class ClosingError(Exception):
    """Shown to the person as it is."""


def restore_deadline(closed_at: datetime) -> datetime:
    return closed_at + timedelta(days=settings.ACCOUNT_RESTORE_DAYS)


def close_account(*, user: User) -> None:
    """Close the account now; it can be restored until restore_deadline(closed_at)."""
    from checkins.models import Reminder  # reminders are a feature app's; closing stops them

    now = timezone.now()
    token, token_hash = _tokens.new()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.closed_at is not None or not locked.is_active:
            raise ClosingError(_("This account is already closed."))
        membership = membership_of(user)
        if membership is not None:
            couple = membership.couple
            with contextlib.suppress(CoupleError):  # closed a moment ago by the partner: closed either way
                end_couple(couple=couple, by=user)
            Couple.objects.filter(pk=couple.pk, status_changed_by=user).update(ended_by_leaving=True)
            _end_care(CareTeamAccess.objects.filter(couple=couple), by=user, now=now)
        _end_care(CareTeamAccess.objects.filter(therapist=user), by=user, now=now)  # a therapist who leaves
        Reminder.objects.filter(user=user).update(next_due_at=None)  # the sweep never picks these up
        Delivery.objects.filter(user=user, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.CANCELLED, error="the account is closed", payload=""
        )
        DataExport.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(is_active=False, closed_at=now, restore_token_hash=token_hash)
        _queue_restore_email(user, token, now)
    user.is_active, user.closed_at, user.restore_token_hash = False, now, token_hash
    forget_membership(user)
    end_sessions(user)


def _end_care(accesses: Any, *, by: User, now: datetime) -> None:
    ended = list(accesses.filter(ended_at__isnull=True).select_related("therapist"))
    CareTeamAccess.objects.filter(pk__in=[a.pk for a in ended]).update(ended_at=now, ended_by=by)
    for access in ended:
        if access.therapist is not None:
            forget_care(access.therapist)


def end_sessions(user: User) -> int:
    """Every signed-in session of the person, on every device, ends now (the session rows go too)."""
    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    return len(sessions)


def find_restorable(token: str, now: datetime | None = None) -> User | None:
    """The closed account a restore link stands for, while it can still be restored; otherwise None."""
    token_hash = _tokens.hash_of(token)
    if token_hash is None:
        return None
    now = now or timezone.now()
    return User.objects.filter(
        restore_token_hash=token_hash,
        closed_at__isnull=False,
        closed_at__gt=now - timedelta(days=settings.ACCOUNT_RESTORE_DAYS),
    ).first()


def restore_account(*, user: User) -> None:
    """Open the account again, as it was: every entry, setting and reminder. The link works once.

    A shared space closed when the account was closed stays closed (see the module's note), and a
    therapist's access stays ended: both need the other people's fresh agreement.
    """
    from checkins import reminders

    now = timezone.now()
    with transaction.atomic():
        restored = User.objects.filter(
            pk=user.pk,
            restore_token_hash=user.restore_token_hash,
            closed_at__isnull=False,
            closed_at__gt=now - timedelta(days=settings.ACCOUNT_RESTORE_DAYS),
        ).update(is_active=True, closed_at=None, restore_token_hash="")
        if restored != 1:
            raise ClosingError(_("This link has already been used, or it has expired."))
        user.is_active, user.closed_at, user.restore_token_hash = True, None, ""
        reminders.reschedule(user)


# --- the e-mail with the restore link ------------------------------------------------------------


def _queue_restore_email(user: User, token: str, now: datetime) -> None:
    # To the address, not the account: the outbox sends nothing to an inactive account, and this one is.
    deadline = restore_deadline(now)
    outbox.queue(
        kind=RESTORE_EMAIL.name,
        period=f"{user.pk}:{now.isoformat()}",
        address=user.email,
        expires_at=deadline,
        payload={
            "restore_url": outbox.site_url(reverse("account_restore", args=[token])),
            "user_id": user.pk,
            "deadline": deadline.isoformat(),
        },
    )


def _restore_email_context(delivery: Delivery, payload: dict[str, Any]) -> dict[str, Any]:
    deadline = datetime.fromisoformat(payload["deadline"])
    user = User.objects.filter(pk=payload["user_id"]).first()
    zone = ZoneInfo(user.time_zone if user is not None else "UTC")  # the date as the person reads it
    return {
        "restore_url": payload["restore_url"],
        "deadline": date_format(deadline.astimezone(zone), "j F Y, H:i"),
        "days": settings.ACCOUNT_RESTORE_DAYS,
    }


def _restore_still_wanted(delivery: Delivery, payload: dict[str, Any]) -> str:
    user = User.objects.filter(pk=payload["user_id"]).first()
    if user is None or user.closed_at is None:
        return "the account was restored or erased"
    return ""


RESTORE_EMAIL = outbox.register(
    outbox.Kind(
        name="account_restore",
        template="account_closed",
        context=_restore_email_context,
        still_wanted=_restore_still_wanted,
    )
)
