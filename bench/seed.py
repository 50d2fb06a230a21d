"""Seeds the benchmark's database at scale with bulk inserts: couples with a year of check-ins, weekly
reviews, plan completions, questions and PHQ-9s; therapists with 20-50 couples each. Deterministic
(a fixed random seed), so two runs on the same schema measure the same data."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from checkins.demo import csi_items
from checkins.models import DailyCheckIn, Phq9Response, WeeklyReview
from checkins.phq9 import ITEMS
from plans.completions import period_for
from plans.models import AnswerVersion, Completion, Question, StageChange, Step
from recovery.access import OwnVisibility
from recovery.localtime import monday_of
from recovery.models import CareConsent, CareTeamAccess, Couple, Partner, TherapistProfile, User

ZONE = "Europe/London"
TOTP_SECRET = "MENDBENCHTHERAPIST234567ABCDEFGH"
BATCH = 5000


@dataclass
class Seeded:
    """Who the benchmark signs in as (ids, stable for a seeded database)."""

    year_partner: int = 0  # a partner with a year of history (the load runs as them)
    week_partner: int = 0  # a partner with one week of history
    therapist_5: int = 0  # a therapist with 5 couples
    therapist_50: int = 0  # a therapist with 50 couples (the load runs as them)
    year_couple: int = 0  # the year partner's couple, in therapist_50's caseload
    week_couple: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _users(prefix: str, count: int, names: list[str]) -> list[User]:
    users = [
        User(email=f"{prefix}{i}@bench.mend.test", display_name=names[i % len(names)], time_zone=ZONE, password="!")
        for i in range(count)
    ]
    return User.objects.bulk_create(users, batch_size=BATCH)


def _couples(count: int, days: int, rng: random.Random, today: date, label: str) -> list[tuple[Couple, User, User]]:
    now = timezone.now()
    people = _users(f"{label}-", 2 * count, ["Alex", "Sam", "Robin", "Jo", "Kai", "Noor"])
    couples = Couple.objects.bulk_create(
        [Couple(created_at=now - timedelta(days=days + 2)) for _ in range(count)], batch_size=BATCH
    )
    partners = []
    for i, couple in enumerate(couples):
        hurt, involved = people[2 * i], people[2 * i + 1]
        partners += [
            Partner(couple=couple, user=hurt, role=Partner.Role.HURT, seat=1, joined_at=now - timedelta(days=days + 2)),
            Partner(couple=couple, user=involved, role=Partner.Role.INVOLVED, seat=2,
                    joined_at=now - timedelta(days=days + 1)),
        ]  # fmt: skip
    Partner.objects.bulk_create(partners, batch_size=BATCH)
    changes = []
    for couple, _h, _i in (found := [(c, people[2 * i], people[2 * i + 1]) for i, c in enumerate(couples)]):
        stage = rng.randint(1, 4) if days > 30 else 1
        for number in range(2, stage + 1):
            at = now - timedelta(days=days * (5 - number) // 5)
            changes.append(
                StageChange(couple=couple, by=_h, from_stage=number - 1, to_stage=number, reason="opened", at=at)
            )
    StageChange.objects.bulk_create(changes, batch_size=BATCH)
    return found


def _history(found: list[tuple[Couple, User, User]], days: int, rng: random.Random, today: date) -> dict[str, int]:
    counts = {"check-ins": 0, "weekly reviews": 0, "completions": 0, "questions": 0, "PHQ-9s": 0}
    steps = list(Step.objects.filter(retired=False, stage__number__lte=4).exclude(cadence="daily"))
    check_ins: list[DailyCheckIn] = []
    reviews: list[WeeklyReview] = []
    completions: list[Completion] = []

    def flush(force: bool = False) -> None:
        for rows, model, key in ((check_ins, DailyCheckIn, "check-ins"), (reviews, WeeklyReview, "weekly reviews"),
                                 (completions, Completion, "completions")):  # fmt: skip
            if rows and (force or len(rows) >= BATCH):
                model.objects.bulk_create(cast(list[Any], rows), batch_size=BATCH, ignore_conflicts=model is Completion)
                counts[key] += len(rows)
                rows.clear()

    for couple, hurt, involved in found:
        base = rng.randint(3, 7)
        for person in (hurt, involved):
            for day in range(days):
                if rng.random() < 0.15:
                    continue  # a missed day
                level = max(0, min(10, base + day * 3 // max(days, 1) + rng.randint(-2, 2)))
                check_ins.append(
                    DailyCheckIn(
                        couple=couple, author=person, local_date=today - timedelta(days=day), mood=rng.randint(1, 5),
                        trust=level, closeness=max(0, min(10, level + rng.randint(-1, 1))),
                        trigger=rng.random() < 0.1, visibility=rng.choice(["partner", "therapist", "only_me"]),
                        high="A calmer evening." if rng.random() < 0.3 else "",
                    )
                )  # fmt: skip
            for weeks_ago in range(1, days // 7 + 1):
                reviews.append(
                    WeeklyReview(
                        couple=couple, author=person, week_start=monday_of(today) - timedelta(weeks=weeks_ago),
                        what_worked="Keeping the check-ins short." if rng.random() < 0.5 else "",
                        **csi_items(rng.randint(6, 19)), visibility=rng.choice(["partner", "therapist"]),
                    )
                )  # fmt: skip
            for day in range(0, days, 4):
                step = rng.choice(steps)
                on = today - timedelta(days=day)
                completions.append(
                    Completion(step=step, couple=couple, author=person, period=period_for(step, on), done_on=on,
                               visibility="partner")
                )  # fmt: skip
            flush()
    flush(force=True)
    questions, answers = [], []
    for couple, hurt, _involved in found:
        for n in range(min(10, max(1, days // 30))):
            questions.append(Question(couple=couple, author=hurt, text=f"Question {n} about that time.",
                                      visibility="partner"))  # fmt: skip
    questions = Question.objects.bulk_create(questions, batch_size=BATCH)
    by_couple = {c.pk: i for c, _h, i in found}
    for q in questions:
        answers.append(AnswerVersion(question=q, author=by_couple[q.couple_id], number=1, text="An honest answer."))
    AnswerVersion.objects.bulk_create(answers, batch_size=BATCH)
    counts["questions"] = len(questions)
    phq9 = []
    for couple, hurt, _i in found:
        for n in range(max(1, days // 30)):
            phq9.append(
                Phq9Response(
                    couple=couple,
                    author=hurt,
                    answered_on=today - timedelta(days=30 * n),
                    visibility=OwnVisibility.ME_AND_THERAPIST,
                    **{item.key: rng.randint(0, 2) for item in ITEMS},
                )
            )
    Phq9Response.objects.bulk_create(phq9, batch_size=BATCH)
    counts["PHQ-9s"] = len(phq9)
    return counts


def _therapists(count: int, couples: list[Couple], sizes: list[int], rng: random.Random) -> list[User]:
    now = timezone.now()
    therapists = _users("therapist-", count, ["Dr Rivera", "Dr Okafor", "Dr Lind"])
    TherapistProfile.objects.bulk_create([TherapistProfile(user=t, practice="Bench practice") for t in therapists])
    accesses = []
    for therapist, size in zip(therapists, sizes, strict=True):
        for couple in rng.sample(couples, size):
            accesses.append(
                CareTeamAccess(
                    couple=couple,
                    email=therapist.email,
                    therapist=therapist,
                    invited_by_id=0,
                    token_hash=f"bench-{couple.pk}-{therapist.pk}",
                    expires_at=now,
                    accepted_at=now - timedelta(days=20),
                )
            )
    seat1 = dict(Partner.objects.filter(seat=1, couple__in=couples).values_list("couple_id", "user_id"))
    seat2 = dict(Partner.objects.filter(seat=2, couple__in=couples).values_list("couple_id", "user_id"))
    for access in accesses:
        access.invited_by_id = seat1[access.couple_id]
    accesses = CareTeamAccess.objects.bulk_create(accesses, batch_size=BATCH)
    consents = []
    for access in accesses:
        consents += [CareConsent(access=access, partner_id=seat1[access.couple_id]),
                     CareConsent(access=access, partner_id=seat2[access.couple_id])]  # fmt: skip
    CareConsent.objects.bulk_create(consents, batch_size=BATCH)
    for therapist in therapists:
        TOTP.activate(therapist, TOTP_SECRET)  # the caseload asks for two-step sign-in
    return therapists


# Each table of entries and the date its rows arrive by. The seed writes a couple's whole year at once, so its
# rows lie side by side on disk and a couple's history reads as one run of pages: a database that has served a
# year lies in arrival order, every couple's rows of a day together and one couple's spread over the year. The
# planner reads that order (pg_stats' correlation) to choose its indexes, so the bench puts the rows in it.
ARRIVAL_ORDER = {
    "checkins_dailycheckin": "local_date",
    "checkins_weeklyreview": "week_start",
    "plans_completion": "done_on",
    "checkins_phq9response": "answered_on",
}


def _in_arrival_order() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table, column in ARRIVAL_ORDER.items():
            cursor.execute(f'CREATE INDEX bench_arrival ON "{table}" ("{column}", id)')
            cursor.execute(f'CLUSTER "{table}" USING bench_arrival')
            cursor.execute("DROP INDEX bench_arrival")


def seed(*, couples: int, therapists: int, rng_seed: int = 14) -> Seeded:
    seeded = _seed(couples=couples, therapists=therapists, rng_seed=rng_seed)
    _in_arrival_order()  # once the rows are committed (their deferred checks done)
    return seeded


@transaction.atomic
def _seed(*, couples: int, therapists: int, rng_seed: int) -> Seeded:
    rng = random.Random(rng_seed)
    today = timezone.localdate()
    year = _couples(couples, 365, rng, today, "year")
    week = _couples(5, 7, rng, today, "week")
    counts = _history(year, 365, rng, today)
    for key, value in _history(week, 7, rng, today).items():
        counts[key] += value
    # 50 therapists with 20-50 couples (fewer in a quick run); one with 4 + the week couple = 5, one with 50.
    year_couples = [c for c, _h, _i in year]
    top = min(50, len(year_couples))
    sizes = [4, top] + [rng.randint(min(20, top), top) for _ in range(therapists - 2)]
    staff = _therapists(therapists, year_couples, sizes, rng)
    # The year couple signed in as is in the 50-couple caseload; the week couple in the 5-couple one too.
    big = staff[1]
    first_access = CareTeamAccess.objects.filter(therapist=big).order_by("pk").first()
    assert first_access is not None
    year_couple = first_access.couple
    week_couple = week[0][0]
    small = staff[0]
    CareTeamAccess.objects.create(
        couple=week_couple, email=small.email, therapist=small, invited_by=week[0][1],
        token_hash=f"bench-{week_couple.pk}-{small.pk}", expires_at=timezone.now(), accepted_at=timezone.now(),
    )  # fmt: skip
    access = CareTeamAccess.objects.get(couple=week_couple, therapist=small)
    CareConsent.objects.bulk_create([CareConsent(access=access, partner=week[0][1]),
                                     CareConsent(access=access, partner=week[0][2])])  # fmt: skip
    counts["couples"], counts["therapists"] = len(year) + len(week), len(staff)
    return Seeded(
        year_partner=Partner.objects.get(couple=year_couple, seat=1).user_id,
        week_partner=week[0][1].pk,
        therapist_5=small.pk,
        therapist_50=big.pk,
        year_couple=year_couple.pk,
        week_couple=week_couple.pk,
        counts=counts,
    )
