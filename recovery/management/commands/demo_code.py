"""`manage.py demo_code`: the demo therapist's current two-step sign-in code (development only)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recovery.care.demo import DEMO_TOTP_SECRET
from recovery.totp import totp_code


class Command(BaseCommand):
    help = "Print the demo therapist's current authenticator code."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo codes are for development: run with DEBUG=1.")
        self.stdout.write(totp_code(DEMO_TOTP_SECRET))
