"""The private safety check. The answer is never stored; only that the question was offered.

Where to turn afterwards (the support page) lives in support.py.
"""

from __future__ import annotations

from django.utils import timezone

from recovery.models import User


def mark_offered(user: User) -> None:
    if user.is_authenticated and user.safety_check_offered_at is None:
        User.objects.filter(pk=user.pk, safety_check_offered_at__isnull=True).update(
            safety_check_offered_at=timezone.now()
        )
