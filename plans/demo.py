"""Demo data for the plan: a couple six weeks in, at stage 3, with completions, rituals and an agreement."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from plans import agreement, rituals
from plans.completions import period_for
from plans.models import AgreementItem, Completion, Ritual, RitualDone, StageChange, Step
from recovery.access import Visibility
from recovery.models import Couple, Partner

DAYS_IN = 42
OPENED_ON_DAY = {2: 9, 3: 23}  # stage -> day of the plan it opened
NOTES = [
    "Harder than I expected, but we stayed with it.",
    "We kept it short tonight and that was fine.",
    "I noticed I listened better when I didn't plan my answer.",
    "A calmer one. Thank you for staying.",
    "",
    "",
]


def seed_demo_plan(couple: Couple) -> bool:
    """Fill in six weeks of plan history once; returns False if the couple already has some."""
    if StageChange.objects.filter(couple=couple).exists():
        return False
    rng = random.Random(2026)
    hurt = Partner.objects.get(couple=couple, seat=1)
    involved = Partner.objects.get(couple=couple, seat=2)
    now = timezone.now()
    start = now - timedelta(days=DAYS_IN)
    Partner.objects.filter(pk=involved.pk).update(joined_at=start)
    Couple.objects.filter(pk=couple.pk).update(created_at=start - timedelta(days=1))

    for stage, day in OPENED_ON_DAY.items():
        StageChange.objects.create(
            couple=couple, by=hurt.user, at=start + timedelta(days=day, hours=20), from_stage=stage - 1,
            to_stage=stage, reason=StageChange.Reason.OPENED,
        )  # fmt: skip

    zone = ZoneInfo(hurt.user.time_zone)
    for step in Step.objects.filter(stage__number__lte=3, retired=False).select_related("stage"):
        opened_day = OPENED_ON_DAY.get(step.stage.number, 0)
        for member in (hurt, involved):
            if step.who not in (Step.Who.BOTH, member.role):
                continue
            if step.cadence == Step.Cadence.ONCE:
                days = [min(opened_day + rng.randint(0, 6), DAYS_IN - 1)]
            elif step.cadence == Step.Cadence.DAILY:
                days = [d for d in range(opened_day, DAYS_IN) if rng.random() < 0.75]
            else:
                days = list(range(opened_day + 3, DAYS_IN, 7))
            for day in days:
                when = start + timedelta(days=day, hours=21)
                done_on = when.astimezone(zone).date()
                visibility = Visibility.ONLY_ME if step.private else rng.choice(
                    [Visibility.PARTNER, Visibility.PARTNER, Visibility.PARTNER_AND_THERAPIST, Visibility.ONLY_ME]
                )  # fmt: skip
                Completion.objects.get_or_create(
                    author=member.user, step=step, period=period_for(step, done_on),
                    defaults={"couple": couple, "done_on": done_on, "note": rng.choice(NOTES),
                              "visibility": visibility, "created_at": when},
                )  # fmt: skip

    for text, by, dates in (
        ("our Sunday morning walks", hurt.user, [30, 37, 41]),
        ("cooking dinner together on Fridays", involved.user, [33, 40]),
        ("reading in bed before sleep", hurt.user, []),
    ):
        ritual = rituals.add_ritual(couple=couple, by=by, text=text)
        Ritual.objects.filter(pk=ritual.pk).update(created_at=start + timedelta(days=24))
        for day in dates:
            RitualDone.objects.create(ritual=ritual, by=by, done_on=(start + timedelta(days=day)).date())

    for area, text in (
        (AgreementItem.Area.WHEREABOUTS, "I'll text when I leave work and if my plans change."),
        (AgreementItem.Area.DEVICES, "Our phones stay unlocked for each other, no deleted messages."),
        (
            AgreementItem.Area.CONTACT,
            "No contact with the other person; if they get in touch, I tell you the same day.",
        ),
    ):
        item = agreement.propose(couple=couple, by=involved.user, area=area, text=text)
        agreement.decide(item=item, by=hurt.user, agree=True)
    agreement.propose(
        couple=couple, by=hurt.user, area=AgreementItem.Area.LOCATION,
        text="Location sharing on for the next three months, then we review it together.",
    )  # fmt: skip
    return True
