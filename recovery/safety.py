"""The private safety check. The answer is never stored; only when the question was offered.

It is offered when a couple's space is complete, again (privately, to each partner) before the touch
stages open, and on the transparency page, and it is linked from every page's footer. Universal,
repeated screening is what the field recommends before and during couple work, because fear and
control are often not named the first time someone is asked.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from recovery.models import User

# Stages of physical closeness (non-sexual touch, then physical reconnection): ask again before each.
TOUCH_STAGES = (5, 6)


def mark_offered(user: User) -> None:
    if not user.is_authenticated:
        return
    now = timezone.now()
    User.objects.filter(pk=user.pk, safety_check_offered_at__isnull=True).update(safety_check_offered_at=now)
    User.objects.filter(pk=user.pk).update(safety_check_last_offered_at=now)


def offer_before_next_stage(user: User, *, next_stage: int | None, current_stage_since: datetime | None) -> bool:
    """Whether to ask again before a touch stage: not yet asked since the current stage began."""
    if next_stage not in TOUCH_STAGES:
        return False
    last = user.safety_check_last_offered_at
    return last is None or current_stage_since is None or last < current_stage_since
