"""`manage.py demo`: a verified demo couple and a demo therapist, created once and reused after."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from checkins.demo import seed_demo_check_ins, seed_demo_measures, seed_demo_triggers
from checkins.reminders import reminders_for
from plans.demo import seed_demo_plan
from plans.questions_demo import seed_demo_questions
from recovery.access import forget_membership, membership_of
from recovery.care.demo import DEMO_TOTP_SECRET, seed_demo_care
from recovery.couples import SITUATION_HURT, create_couple
from recovery.models import Partner, TherapistProfile, User

DEMO_PASSWORD = "mend-demo-password"
DEMO_PEOPLE = [
    # email, display name, time zone, who they are
    ("alex@demo.mend.test", "Alex", "Europe/London", "partner who was hurt"),
    ("sam@demo.mend.test", "Sam", "Europe/London", "partner who had the affair"),
    ("dr.rivera@demo.mend.test", "Dr Rivera", "Europe/London", "therapist"),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo couple and demo therapist, and print their logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--allow-production", action="store_true", help="Run even with DEBUG off (never on a real site)."
        )

    def handle(self, *args: Any, allow_production: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo accounts are for development: run with DEBUG=1, or pass --allow-production.")
        with transaction.atomic():
            alex, sam, therapist = (self._person(email, name, zone) for email, name, zone, _who in DEMO_PEOPLE)
            TherapistProfile.objects.get_or_create(
                user=therapist,
                defaults={"practice": "Rivera Couples Therapy", "registration": "Demo registration 0000"},
            )
            forget_membership(alex)
            membership = membership_of(alex)
            if membership is None:
                couple = create_couple(user=alex, situation=SITUATION_HURT)
                if membership_of(sam) is None:
                    Partner.objects.create(couple=couple, user=sam, role=Partner.Role.INVOLVED, seat=2)
            else:
                couple = membership.couple
            if seed_demo_plan(couple):
                self.stdout.write("Alex and Sam are six weeks into the plan, at stage 3.")
            for person in (alex, sam):
                reminders_for(person)
            if seed_demo_check_ins(couple):
                self.stdout.write("…with six weeks of check-ins and weekly reviews.")
                amended = seed_demo_questions(couple)
                seed_demo_measures(couple, question_to_bring=amended)
                self.stdout.write("…questions answered in writing (one amended), PHQ-9s, and items to bring.")
            if seed_demo_triggers(couple):
                self.stdout.write("…triggers logged over eight weeks (fading, one answered “I'm here”), and a date.")
            seed_demo_care(therapist=therapist, couple=couple, password=DEMO_PASSWORD)

        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for each: {DEMO_PASSWORD})"))
        for email, name, _zone, who in DEMO_PEOPLE:
            self.stdout.write(f"  {email:<28} {name}, {who}")
        self.stdout.write(
            f"  Dr Rivera signs in with two-step sign-in: add the key {DEMO_TOTP_SECRET} to an authenticator app"
            " (or get the current code with: DEBUG=1 .venv/bin/python manage.py demo_code)."
        )
        self.stdout.write(
            "  Dr Rivera's caseload also has Jordan & Casey, Priya & Dev, Noor & Eli (pending), Kim & Lee (ended)."
        )

    def _person(self, email: str, name: str, zone: str) -> User:
        user, created = User.objects.get_or_create(email=email, defaults={"display_name": name, "time_zone": zone})
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user
