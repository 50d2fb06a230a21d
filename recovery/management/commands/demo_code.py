"""`manage.py demo_code`: the demo therapist's current two-step sign-in code (development only)."""

from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recovery.care_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the demo therapist's current authenticator code."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo codes are for development: run with DEBUG=1.")
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, next(yield_hotp_counters_from_time()))))
