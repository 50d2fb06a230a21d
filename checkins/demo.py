"""Demo data: six weeks of daily check-ins and weekly reviews for both partners, slowly and unevenly
improving, as recovery does."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from checkins.models import DailyCheckIn, WeeklyReview
from checkins.weeks import local_today, monday_of
from recovery.access import Visibility
from recovery.models import Couple, Partner

DAYS = 42
HIGHS = ["We walked after dinner.", "Sam texted when plans changed.", "A quiet, easy evening.", "We laughed at dinner.",
         "Our check-in felt calmer.", ""]  # fmt: skip
LOWS = ["A song in the car brought it all back.", "Tired and short with each other.", "Work ran late; I worried.", "",
        ""]  # fmt: skip
SHARED = ["A colleague asked me to lunch; I said no and told you.", "I deleted an old contact.",
          "My phone is on the table, unlocked.", ""]  # fmt: skip
WORKED = ["Keeping the evening teleconference short.", "Texting when leaving work.", "Walking on Sunday."]
HARD = ["The anniversary of when it started.", "A trigger on Wednesday that lasted all evening.", "Not much sleep."]


def seed_demo_check_ins(couple: Couple) -> bool:
    if DailyCheckIn.objects.filter(couple=couple).exists():
        return False
    rng = random.Random(42)
    partners = list(Partner.objects.filter(couple=couple).select_related("user").order_by("seat"))
    for member in partners:
        user = member.user
        today = local_today(user)
        for day_index in range(DAYS, -1, -1):
            if rng.random() < 0.15:
                continue  # a missed day now and then
            progress = (DAYS - day_index) / DAYS
            base_trust = (2.5 if member.is_pace_setter else 4) + 3.5 * progress
            trigger = rng.random() < (0.35 - 0.25 * progress)
            trust = max(0, min(10, round(base_trust + rng.uniform(-1.5, 1.2) - (2 if trigger else 0))))
            on = today - timedelta(days=day_index)
            DailyCheckIn.objects.create(
                couple=couple, author=user, local_date=on,
                mood=max(1, min(5, round(2 + 2 * progress + rng.uniform(-1, 1) - (1 if trigger else 0)))),
                trust=trust,
                closeness=max(0, min(10, round(3 + 4 * progress + rng.uniform(-1.5, 1.5)))),
                high=rng.choice(HIGHS), low=rng.choice(LOWS), trigger=trigger,
                trigger_note="Something on TV." if trigger and rng.random() < 0.5 else "",
                shared_unprompted=rng.choice(SHARED) if member.role == Partner.Role.INVOLVED else "",
                visibility=rng.choice([Visibility.PARTNER] * 5 + [Visibility.PARTNER_AND_THERAPIST] * 2
                                      + [Visibility.ONLY_ME]),
                created_at=timezone.now() - timedelta(days=day_index),
            )  # fmt: skip
        for week_index in range(6, 0, -1):
            week = monday_of(today) - timedelta(weeks=week_index)
            progress = (6 - week_index) / 6
            happiness = round(1 + 2.5 * progress + rng.uniform(-0.5, 0.5))
            rest = round(1.5 + 2 * progress + rng.uniform(-0.6, 0.6))
            WeeklyReview.objects.create(
                couple=couple, author=user, week_start=week,
                what_worked=rng.choice(WORKED), what_was_hard=rng.choice(HARD),
                small_victory="We got through a hard evening without shouting." if week_index % 2 else "",
                appreciation="Thank you for staying in the conversation.",
                accountability="I told you about the message the same day." if member.role == "involved" else "",
                csi_happiness=max(0, min(6, happiness)), csi_warm=max(0, min(5, rest)),
                csi_rewarding=max(0, min(5, rest - (week_index % 2))), csi_satisfied=max(0, min(5, rest)),
                visibility=Visibility.PARTNER_AND_THERAPIST if week_index % 3 else Visibility.PARTNER,
            )  # fmt: skip
    return True
