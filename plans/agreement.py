"""The transparency agreement: either partner proposes an item, it is in force once the other agrees,
and a change is a new proposal that replaces the old item when agreed. Every step is recorded.

It exists to rebuild trust by choice, never to track or control, so consent is continuous: each item
says what it asks of whom and has a review date (four weeks unless chosen otherwise), and EITHER partner
may withdraw their agreement at any time without a reason. The item stops at once; the other partner
sees that it is no longer agreed, never why, and the history doesn't name who ended it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import AgreementChange, AgreementItem
from recovery.localtime import local_today
from recovery.models import Couple, User

Status = AgreementItem.Status
Action = AgreementChange.Action
REVIEW_WEEKS = (2, 4, 8, 12)
DEFAULT_REVIEW_WEEKS = 4


class AgreementError(Exception):
    pass


def propose(
    *,
    couple: Couple,
    by: User,
    area: str,
    text: str,
    asks_of: str = AgreementItem.AsksOf.BOTH,
    review_weeks: int = DEFAULT_REVIEW_WEEKS,
    replaces: AgreementItem | None = None,
) -> AgreementItem:
    text = text.strip()
    if not text:
        raise AgreementError(_("Write what you'd like to agree."))
    if area not in AgreementItem.Area.values:
        raise AgreementError(_("Choose an area."))
    if asks_of not in AgreementItem.AsksOf.values:
        raise AgreementError(_("Say who it asks something of."))
    if review_weeks not in REVIEW_WEEKS:
        raise AgreementError(_("Choose when to review it."))
    if replaces is not None and replaces.status != Status.IN_FORCE:
        raise AgreementError(_("Only an item in force can be changed."))
    with transaction.atomic():
        item = AgreementItem.objects.create(
            couple=couple, area=area, text=text, proposed_by=by, replaces=replaces, asks_of=asks_of,
            review_weeks=review_weeks,
        )  # fmt: skip
        AgreementChange.objects.create(item=item, by=by, action=Action.PROPOSED)
    return item


def decide(*, item: AgreementItem, by: User, agree: bool) -> None:
    """The partner who didn't propose it agrees (it comes into force) or doesn't."""
    if item.proposed_by_id == by.pk:
        raise AgreementError(_("Your partner decides on what you proposed."))
    now = timezone.now()
    with transaction.atomic():
        to = Status.IN_FORCE if agree else Status.DECLINED
        review_on = _review_date(by, item.review_weeks) if agree else None
        decided = AgreementItem.objects.filter(pk=item.pk, status=Status.PROPOSED).update(
            status=to, decided_at=now, review_on=review_on
        )
        if decided != 1:
            raise AgreementError(_("This proposal has already been decided."))
        AgreementChange.objects.create(item=item, by=by, action=Action.AGREED if agree else Action.DECLINED)
        if agree and item.replaces_id:
            replaced = AgreementItem.objects.filter(pk=item.replaces_id, status=Status.IN_FORCE)
            if replaced.update(status=Status.REPLACED, decided_at=now):
                AgreementChange.objects.create(item_id=item.replaces_id, by=by, action=Action.REPLACED)


def withdraw(*, item: AgreementItem, by: User) -> None:
    """The proposer takes back a proposal not yet decided."""
    if item.proposed_by_id != by.pk:
        raise AgreementError(_("Only the person who proposed it can withdraw it."))
    with transaction.atomic():
        if (
            AgreementItem.objects.filter(pk=item.pk, status=Status.PROPOSED).update(
                status=Status.WITHDRAWN, decided_at=timezone.now()
            )
            != 1
        ):
            raise AgreementError(_("This proposal has already been decided."))
        AgreementChange.objects.create(item=item, by=by, action=Action.WITHDRAWN)


def end_agreement(*, item: AgreementItem, by: User) -> None:
    """Either partner withdraws their agreement to an item in force: it stops at once. No reason is asked."""
    with transaction.atomic():
        if (
            AgreementItem.objects.filter(pk=item.pk, status=Status.IN_FORCE).update(
                status=Status.ENDED, decided_at=timezone.now()
            )
            != 1
        ):
            raise AgreementError(_("This item is no longer in force."))
        AgreementChange.objects.create(item=item, by=by, action=Action.ENDED)


def keep(*, item: AgreementItem, by: User) -> None:
    """At (or after) its review date, either partner keeps it for another period. The other can still end
    it at any moment, so keeping never holds anyone to it."""
    with transaction.atomic():
        review_on = _review_date(by, item.review_weeks)
        if AgreementItem.objects.filter(pk=item.pk, status=Status.IN_FORCE).update(review_on=review_on) != 1:
            raise AgreementError(_("This item is no longer in force."))
        AgreementChange.objects.create(item=item, by=by, action=Action.KEPT)


def due_for_review(item: AgreementItem, today: date) -> bool:
    return item.status == Status.IN_FORCE and item.review_on is not None and item.review_on <= today


def _review_date(by: User, weeks: int) -> date:
    return local_today(by) + timedelta(weeks=weeks)
