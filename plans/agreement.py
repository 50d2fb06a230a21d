"""The transparency agreement: either partner proposes an item, it is in force once the other agrees,
and a change is a new proposal that replaces the old item when agreed. Every step is recorded."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import AgreementChange, AgreementItem
from recovery.models import Couple, User

Status = AgreementItem.Status
Action = AgreementChange.Action


class AgreementError(Exception):
    pass


def propose(*, couple: Couple, by: User, area: str, text: str, replaces: AgreementItem | None = None) -> AgreementItem:
    text = text.strip()
    if not text:
        raise AgreementError(_("Write what you'd like to agree."))
    if area not in AgreementItem.Area.values:
        raise AgreementError(_("Choose an area."))
    if replaces is not None and replaces.status != Status.IN_FORCE:
        raise AgreementError(_("Only an item in force can be changed."))
    with transaction.atomic():
        item = AgreementItem.objects.create(couple=couple, area=area, text=text, proposed_by=by, replaces=replaces)
        AgreementChange.objects.create(item=item, by=by, action=Action.PROPOSED)
    return item


def decide(*, item: AgreementItem, by: User, agree: bool) -> None:
    """The partner who didn't propose it agrees (it comes into force) or doesn't."""
    if item.proposed_by_id == by.pk:
        raise AgreementError(_("Your partner decides on what you proposed."))
    now = timezone.now()
    with transaction.atomic():
        to = Status.IN_FORCE if agree else Status.DECLINED
        if AgreementItem.objects.filter(pk=item.pk, status=Status.PROPOSED).update(status=to, decided_at=now) != 1:
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
