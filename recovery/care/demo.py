"""Demo data for the therapist's view: Dr Rivera with Alex and Sam and four more couples in different
states, so the caseload shows its ordering and flags."""

from __future__ import annotations

import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.utils import timezone

from checkins.demo import csi_items
from checkins.models import DailyCheckIn, Phq9Response, Trigger, WeeklyReview
from checkins.phq9 import ITEMS
from plans.models import StageChange
from recovery.access import OwnVisibility
from recovery.localtime import local_date_of, local_today, monday_of
from recovery.models import CareConsent, CareTeamAccess, Couple, Partner, SessionDate, User

# Base32, so it can be typed into an authenticator app; printed by `manage.py demo`.
DEMO_TOTP_SECRET = "MENDDEMOTHERAPIST234567ABCDEFGHI"

OTHER_COUPLES = [
    # (hurt, involved, stage, state, trust level, days since last check-in, four weekly CSI-4 totals, oldest first)
    # Jordan falls well below their first score and across the 13.5 line since the review before.
    ("Jordan", "Casey", 2, "struggling", 3, 4, [16, 15, 14, 7]),
    ("Priya", "Dev", 5, "steady", 7, 0, [16, 16, 17, 16]),
    ("Noor", "Eli", 1, "pending", 5, 0, [12, 12, 13, 12]),
    ("Kim", "Lee", 3, "ended", 5, 0, [12, 11, 12, 12]),
]
# Jordan shared a PHQ-9 with the therapist, with "several days" for item 9: the caseload and brief flag it.
JORDAN_PHQ9 = [2, 2, 2, 2, 1, 2, 1, 1, 1]
# The date Dr Rivera set as their last session with Alex and Sam.
LAST_SESSION_DAYS_AGO = 7


def seed_demo_care(*, therapist: User, couple: Couple, password: str) -> None:
    if not Authenticator.objects.filter(user=therapist, type=Authenticator.Type.TOTP).exists():
        # What allauth stores when someone scans the key: the secret, encrypted by the MFA adapter.
        Authenticator.objects.create(
            user=therapist,
            type=Authenticator.Type.TOTP,
            data={"secret": get_mfa_adapter().encrypt(DEMO_TOTP_SECRET)},
        )
    if CareTeamAccess.objects.filter(therapist=therapist).exists():
        return
    _grant(couple, therapist, consent="both")
    SessionDate.objects.create(
        therapist=therapist,
        couple=couple,
        last_session_on=local_today(therapist) - timedelta(days=LAST_SESSION_DAYS_AGO),
    )
    rng = random.Random(7)
    for hurt_name, involved_name, stage, state, trust, quiet_days, csi in OTHER_COUPLES:
        other = _couple(hurt_name, involved_name, password)
        for number in range(2, stage + 1):
            StageChange.objects.create(
                couple=other, by=other.partners.get(seat=1).user, from_stage=number - 1, to_stage=number,
                reason="opened", at=timezone.now() - timedelta(days=40 - 6 * number),
            )  # fmt: skip
        if state == "struggling":
            StageChange.objects.create(
                couple=other, by=other.partners.get(seat=2).user, from_stage=stage, to_stage=stage - 1,
                reason="stepped_back", at=timezone.now() - timedelta(days=3),
            )  # fmt: skip
        _history(other, rng, trust=trust, quiet_days=quiet_days, csi=csi, falling=state == "struggling")
        if state == "struggling":
            jordan = other.partners.get(seat=1).user
            Phq9Response.objects.create(
                couple=other, author=jordan, answered_on=local_today(jordan) - timedelta(days=5),
                visibility=OwnVisibility.ME_AND_THERAPIST,
                **{item.key: value for item, value in zip(ITEMS, JORDAN_PHQ9, strict=True)},
            )  # fmt: skip
            _rising_triggers(jordan, other, rng)
        _grant(other, therapist, consent="one" if state == "pending" else "both", ended=state == "ended")


# Jordan's triggers shared with the therapist, per 7-day window, oldest first: rising three weeks running.
JORDAN_TRIGGERS = [1, 2, 4, 6]


def _rising_triggers(jordan: User, couple: Couple, rng: random.Random) -> None:
    now = timezone.now()
    for index, count in enumerate(JORDAN_TRIGGERS):
        for _n in range(count):
            when = now - timedelta(days=7 * (len(JORDAN_TRIGGERS) - 1 - index) + rng.randint(1, 5))
            Trigger.objects.create(
                couple=couple, author=jordan, occurred_at=when, local_date=local_date_of(when, jordan),
                strength=rng.randint(3, 5), visibility="therapist", created_at=when, here_at=when + timedelta(hours=1),
            )  # fmt: skip


def _couple(hurt_name: str, involved_name: str, password: str) -> Couple:
    couple = Couple.objects.create(created_at=timezone.now() - timedelta(days=45))
    for seat, name, role in ((1, hurt_name, Partner.Role.HURT), (2, involved_name, Partner.Role.INVOLVED)):
        email = f"{name.lower()}@demo.mend.test"
        user, _created = User.objects.get_or_create(
            email=email, defaults={"display_name": name, "time_zone": "Europe/London"}
        )
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        Partner.objects.create(couple=couple, user=user, role=role, seat=seat,
                               joined_at=timezone.now() - timedelta(days=44))  # fmt: skip
    return couple


def _history(couple: Couple, rng: random.Random, *, trust: int, quiet_days: int, csi: list[int], falling: bool) -> None:
    for member in couple.partners.select_related("user"):
        user = member.user
        today = local_today(user)
        for day in range(quiet_days, 28):
            drop = 3 if falling and day < 7 + quiet_days else 0
            level = max(
                0,
                min(
                    10,
                    trust
                    + (0 if falling else 1)
                    - drop
                    + rng.randint(-1, 1)
                    + (4 if falling and day >= 7 + quiet_days else 0),
                ),
            )
            DailyCheckIn.objects.create(
                couple=couple, author=user, local_date=today - timedelta(days=day), mood=rng.randint(2, 4), trust=level,
                closeness=max(0, min(10, level + rng.randint(-1, 1))), trigger=falling and rng.random() < 0.3,
                visibility=rng.choice(["partner", "therapist", "therapist"]),
                high="A calmer evening." if rng.random() < 0.4 else "",
            )  # fmt: skip
        for weeks_ago in range(4, 0, -1):
            # The partner who was hurt follows the couple's line; the other stays near its middle.
            total = csi[4 - weeks_ago] if member.seat == 1 else max(0, min(21, csi[1] + rng.randint(-1, 1)))
            WeeklyReview.objects.create(
                couple=couple, author=user, week_start=monday_of(today) - timedelta(weeks=weeks_ago),
                what_worked="Keeping the check-ins short.", **csi_items(total), visibility="therapist",
            )  # fmt: skip


def _grant(couple: Couple, therapist: User, *, consent: str, ended: bool = False) -> None:
    hurt = couple.partners.get(seat=1).user
    now = timezone.now()
    access = CareTeamAccess.objects.create(
        couple=couple, email=therapist.email, therapist=therapist, invited_by=hurt,
        token_hash=f"demo-{couple.pk}-{therapist.pk}", expires_at=now, accepted_at=now - timedelta(days=20),
        ended_at=now - timedelta(days=2) if ended else None, ended_by=hurt if ended else None,
    )  # fmt: skip
    CareConsent.objects.create(access=access, partner=hurt)
    if consent == "both":
        CareConsent.objects.create(access=access, partner=couple.partners.get(seat=2).user)
