"""The home page of a partner: today's check-ins and charts (checkins), the plan's stage (plans) and the one
next step (next_action), put together. The view only decides who sees a home page at all."""

from __future__ import annotations

from typing import Any

from checkins import dashboard, dates
from plans import content_cache
from plans.stages import current_stage
from recovery.composition import next_action
from recovery.models import Invitation, Partner, User


def home_context(
    user: User, membership: Partner, partner: Partner | None, open_invitation: Invitation | None
) -> dict[str, Any]:
    stage_number = current_stage(membership.couple)
    today = dashboard.home_context(membership, partner)
    state = next_action.LoadedState(
        membership,
        today=today["today"],
        stage_number=stage_number,
        has_partner=partner is not None,
        invitation_open=open_invitation is not None,
        checked_in_today=bool(today["checked_in_today"]),
        review_written=bool(today["reviewed_this_week"]),
    )
    return {
        "membership": membership,
        "couple": membership.couple,
        "partner": partner,
        "open_invitation": open_invitation,
        "plan_stage": content_cache.plan().by_number.get(stage_number),
        "next": next_action.choose(state),
        "offer_safety_check": user.safety_check_offered_at is None,
        # Dates that matter within a week (checkins/dates.py): a kind note and a step from the plan.
        "coming_up": dates.coming_up(user, today=today["today"]),
        **today,
    }
