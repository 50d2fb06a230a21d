"""Erasing for good, on a schedule (`mend.privacy_upkeep`, every ten minutes):

- accounts closed more than ACCOUNT_RESTORE_DAYS ago: every row of theirs — entries, what they added to
  a shared space, authenticators, sessions, e-mail addresses, invitations, deliveries, reminders —
  then the account itself. The audit of therapists' looks stays (it is the couple's record, and the
  database refuses to delete it); it holds ids only, and pages name a person who is gone as
  "A former therapist".
- shared spaces closed, with both partners gone from them, more than CLOSED_SPACE_KEPT_DAYS ago: the
  space and every row in it.
- downloads past their DATA_EXPORT_VALID_HOURS (and export jobs whose broker message was lost are
  started again), and sessions that have ended.

Each account and each space is erased in a transaction of its own, a bounded number per run: one that
fails is logged and tried again next time, and never holds up the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from recovery.models import CareTeamAccess, Couple, DataExport, Delivery, Invitation, Partner, User

logger = logging.getLogger(__name__)

BATCH = 100  # accounts or spaces per run: the rest wait ten minutes


def erase_account(user_id: int) -> bool:
    """Erase one closed account and everything of theirs. False if it was restored (or erased) meanwhile."""
    from plans.models import AgreementItem, Ritual

    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, closed_at__isnull=False).first()
        if user is None:
            return False
        addresses = {user.email.lower()} | {
            email.lower() for email in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        }
        # Their words in a shared space, which would otherwise outlive them with no author (SET_NULL).
        Ritual.objects.filter(created_by=user).delete()
        AgreementItem.objects.filter(proposed_by=user).delete()
        # Invitations they sent, that brought them in, or that are addressed to them (someone wishing to
        # share a space with them is about them too), and every e-mail to them, by account or by address.
        Invitation.objects.filter(Q(invited_by=user) | Q(accepted_by=user) | Q(email__in=addresses)).delete()
        CareTeamAccess.objects.filter(therapist__isnull=True, email__in=addresses).delete()
        Delivery.objects.filter(Q(user=user) | Q(address__in=addresses)).delete()
        delete_sessions_of({user.pk})
        # The rest goes with the account: memberships, entries, reminders, notification settings, e-mail
        # addresses, authenticators, tracked sessions, exports, consents, a therapist's profile and
        # accesses (every ForeignKey to the user cascades or is set to NULL, except the audit's).
        user.delete()
    logger.info("Erased closed account %s.", user_id)
    return True


def erase_due_accounts(now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(
        User.objects.filter(closed_at__lte=now - timedelta(days=settings.ACCOUNT_RESTORE_DAYS))
        .order_by("closed_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(_safely(erase_account, user_id, "account") for user_id in due)


def erase_space(couple_id: int, now: datetime | None = None) -> bool:
    """Erase one closed space that nobody belongs to any more, and every row in it."""
    now = now or timezone.now()
    with transaction.atomic():
        couple = Couple.objects.select_for_update().filter(pk=couple_id, status=Couple.Status.ENDED).first()
        if couple is None or couple.pk not in set(_spaces_due(now, only=[couple.pk])):
            return False
        couple.delete()  # cascades to partners, entries, plan, invitations, care accesses; the audit stays
    logger.info("Erased closed space %s.", couple_id)
    return True


def erase_due_spaces(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(_safely(erase_space, couple_id, "space", now) for couple_id in _spaces_due(now)[:BATCH])


def _spaces_due(now: datetime, only: list[int] | None = None) -> list[int]:
    """Closed spaces whose partners have all left, the last of them more than CLOSED_SPACE_KEPT_DAYS ago.
    (A space whose every partner was erased has no partner row left: it counts from its closing.)"""
    cutoff = now - timedelta(days=settings.CLOSED_SPACE_KEPT_DAYS)
    spaces = Couple.objects.filter(status=Couple.Status.ENDED).exclude(
        pk__in=Partner.objects.filter(left_at__isnull=True).values("couple_id")
    )
    if only is not None:
        spaces = spaces.filter(pk__in=only)
    spaces = spaces.annotate(last_left=Max("partners__left_at")).filter(
        Q(last_left__lte=cutoff) | Q(last_left__isnull=True, status_changed_at__lte=cutoff)
    )
    return list(spaces.order_by("status_changed_at", "pk").values_list("pk", flat=True))


def expire_exports(now: datetime | None = None) -> int:
    """Delete downloads past their time and failed jobs, and start again jobs whose message was lost."""
    from recovery.composition import data_export

    now = now or timezone.now()
    deleted, _by_model = DataExport.objects.filter(
        Q(expires_at__lte=now) | Q(status=DataExport.Status.FAILED, requested_at__lte=now - timedelta(days=1))
    ).delete()
    data_export.ring_stuck(now)
    return deleted


def delete_sessions_of(user_ids: set[int]) -> int:
    """Sessions signed in as these people, tracked or not (the session table holds the id encoded)."""
    wanted = {str(pk) for pk in user_ids}
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) in wanted
    ]
    deleted, _by_model = Session.objects.filter(pk__in=doomed).delete()
    return deleted


def clear_ended_sessions(now: datetime | None = None) -> int:
    """What `manage.py clearsessions` does: an ended session still holds who was signed in."""
    deleted, _by_model = Session.objects.filter(expire_date__lte=now or timezone.now()).delete()
    return deleted


def upkeep(now: datetime | None = None) -> dict[str, int]:
    """The periodic task's work; each part runs even if another fails."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for name, step in (
        ("exports", expire_exports),
        ("sessions", clear_ended_sessions),
        ("accounts", erase_due_accounts),
        ("spaces", erase_due_spaces),
    ):
        try:
            done[name] = step(now)
        except Exception:
            logger.exception("Privacy upkeep: %s failed; it runs again in ten minutes.", name)
    return done


def _safely(erase: Callable[..., object], pk: int, what: str, *args: object) -> bool:
    try:
        return bool(erase(pk, *args))
    except Exception:
        logger.exception("The %s %s could not be erased; it is tried again next time.", what, pk)
        return False
