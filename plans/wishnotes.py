"""Wish notes: short written wishes to your partner, for a week, once physical reconnection is open."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from plans.models import WishNote
from recovery.models import Couple, User

WISH_NOTES_STAGE = 6


class WishNoteError(Exception):
    pass


def wish_notes_open(current_stage: int) -> bool:
    return current_stage >= WISH_NOTES_STAGE


def write_wish_note(*, couple: Couple, author: User, text: str, current_stage: int) -> WishNote:
    if not wish_notes_open(current_stage):
        raise WishNoteError(_("Wish notes open with stage 6, when the partner who sets the pace opens it."))
    text = text.strip()
    if not text:
        raise WishNoteError(_("Write your wish."))
    return WishNote.objects.create(couple=couple, author=author, text=text)
