"""The private safety check. The answer is never stored; only that the question was offered."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from recovery.models import User

DEFAULT_COUNTRY = "international"


def mark_offered(user: User) -> None:
    if user.is_authenticated and user.safety_check_offered_at is None:
        User.objects.filter(pk=user.pk, safety_check_offered_at__isnull=True).update(
            safety_check_offered_at=timezone.now()
        )


def resources_for(country: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The chosen country's resources followed by the international ones."""
    country = country if country in settings.SAFETY_RESOURCES else DEFAULT_COUNTRY
    chosen = list(settings.SAFETY_RESOURCES[country])
    if country != DEFAULT_COUNTRY:
        chosen += settings.SAFETY_RESOURCES[DEFAULT_COUNTRY]
    return country, chosen
