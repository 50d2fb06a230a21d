"""Account changes that reach into check-ins: joining a couple's space turns on both partners' reminders, and
a new time zone moves them. The core (invitations.py, the profile form) knows nothing of reminders."""

from __future__ import annotations

from django.db import transaction

from checkins import reminders
from recovery import invitations
from recovery.forms import ProfileForm
from recovery.models import Couple, Invitation, User


def join_couple(*, invitation: Invitation, user: User) -> Couple:
    """Accept the invitation (invitations.InvitationProblem if it can't be); from now on both partners are
    reminded, at the defaults."""
    couple = invitations.accept_invitation(invitation=invitation, user=user)
    for partner in couple.partners.filter(left_at__isnull=True).select_related("user"):
        reminders.reminders_for(partner.user)
    return couple


def save_profile(form: ProfileForm) -> User:
    """Save a valid profile form; reminders follow the (possibly new) time zone."""
    with transaction.atomic():
        user = form.save()
        reminders.reschedule(user)
    return user
