"""Demo data: six weeks of daily check-ins and weekly reviews for both partners, slowly and unevenly
improving, as recovery does."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from checkins.measures import CSI4_KEYS, MAX_TOTAL
from checkins.models import (
    DailyCheckIn,
    DateThatMatters,
    Holiday,
    HolidayNote,
    Phq9Response,
    ToBring,
    Trigger,
    WeeklyReview,
)
from checkins.phq9 import ITEMS
from plans.models import Question
from recovery.access import OwnVisibility, Visibility
from recovery.localtime import local_today, monday_of
from recovery.models import Couple, Partner, User

DAYS = 42
HIGHS = ["We walked after dinner.", "Sam texted when plans changed.", "A quiet, easy evening.", "We laughed at dinner.",
         "Our check-in felt calmer.", ""]  # fmt: skip
LOWS = ["A song in the car brought it all back.", "Tired and short with each other.", "Work ran late; I worried.", "",
        ""]  # fmt: skip
SHARED = ["A colleague asked me to lunch; I said no and told you.", "I deleted an old contact.",
          "My phone is on the table, unlocked.", ""]  # fmt: skip
WORKED = ["Keeping the evening teleconference short.", "Texting when leaving work.", "Walking on Sunday."]
HARD = ["The anniversary of when it started.", "A trigger on Wednesday that lasted all evening.", "Not much sleep."]


# Six weekly CSI-4 totals per seat, oldest first: both climb well clear of their first score (reliably better
# for any plausible published SD and reliability), Alex from deep distress, Sam past the 13.5 line.
CSI_TRAJECTORY = {1: [5, 7, 8, 11, 13, 15], 2: [8, 9, 11, 12, 14, 16]}


def csi_items(total: int) -> dict[str, int]:
    """CSI-4 answers that add up to `total` (0-21): the happiness item (0-6) first, the rest spread evenly."""
    if not 0 <= total <= MAX_TOTAL:
        raise ValueError("a CSI-4 total runs from 0 to 21")
    happiness = min(6, round(total * 6 / MAX_TOTAL))
    rest = total - happiness
    shares = [rest // 3 + (1 if i < rest % 3 else 0) for i in range(3)]
    while max(shares) > 5:  # only at the very top: move the excess to happiness
        shares[shares.index(max(shares))] -= 1
        happiness += 1
    return dict(zip(CSI4_KEYS, [happiness, *shares], strict=True))


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
        trajectory = CSI_TRAJECTORY[member.seat]
        for week_index in range(6, 0, -1):
            week = monday_of(today) - timedelta(weeks=week_index)
            WeeklyReview.objects.create(
                couple=couple, author=user, week_start=week,
                what_worked=rng.choice(WORKED), what_was_hard=rng.choice(HARD),
                small_victory="We got through a hard evening without shouting." if week_index % 2 else "",
                appreciation="Thank you for staying in the conversation.",
                accountability="I told you about the message the same day." if member.role == "involved" else "",
                **csi_items(trajectory[6 - week_index]),
                visibility=Visibility.PARTNER_AND_THERAPIST if week_index % 3 else Visibility.PARTNER,
            )  # fmt: skip
    return True


# Alex's PHQ-9s, shared with the therapist (oldest first), and one of Sam's kept to himself. Item 9 is 0 in all.
ALEX_PHQ9 = [(30, [2, 3, 2, 2, 1, 3, 1, 1, 0]), (16, [2, 2, 2, 1, 1, 2, 1, 0, 0]), (2, [1, 2, 1, 1, 1, 2, 0, 0, 0])]
SAM_PHQ9 = [(10, [1, 1, 1, 1, 0, 2, 1, 0, 0])]


def seed_demo_measures(couple: Couple, *, question_to_bring: Question | None = None) -> bool:
    """PHQ-9s (Alex's shared with the therapist, Sam's only his), and what Alex marked to bring: the amended
    question and a check-in shared with the therapist."""
    if Phq9Response.objects.filter(couple=couple).exists():
        return False
    alex = Partner.objects.get(couple=couple, seat=1).user
    sam = Partner.objects.get(couple=couple, seat=2).user
    for person, history, visibility in (
        (alex, ALEX_PHQ9, OwnVisibility.ME_AND_THERAPIST),
        (sam, SAM_PHQ9, OwnVisibility.ONLY_ME),
    ):
        today = local_today(person)
        for days_ago, answers in history:
            Phq9Response.objects.create(
                couple=couple, author=person, answered_on=today - timedelta(days=days_ago), visibility=visibility,
                difficulty=1, **{item.key: value for item, value in zip(ITEMS, answers, strict=True)},
            )  # fmt: skip
    check_in = (
        DailyCheckIn.objects.filter(couple=couple, author=alex, visibility=Visibility.PARTNER_AND_THERAPIST)
        .order_by("-local_date")
        .first()
    )
    if check_in is not None:
        DailyCheckIn.objects.filter(pk=check_in.pk).update(
            to_talk_through="I keep going back to the dates. I want to talk about why it took a month to correct."
        )
        ToBring.objects.create(couple=couple, marked_by=alex, check_in=check_in)
    if question_to_bring is not None:
        ToBring.objects.create(couple=couple, marked_by=alex, question=question_to_bring)
    return True


WHAT_HAPPENED = ["A song from that summer in a shop.", "The street near the hotel.", "A late reply to a message.",
                 "Her name came up at a dinner.", "A film with an affair in it.", ""]  # fmt: skip
WHAT_HELPED = ["Sam sat with me and didn't argue.", "A walk and cold water.", "Saying “wave” and being held.", ""]


def seed_demo_triggers(couple: Couple) -> bool:
    """Eight weeks of Alex's triggers, fading unevenly (a harder week in the middle), most shared: yesterday's
    answered "I'm here" by Sam, this morning's still waiting for a word; a few of Sam's own, one kept to himself.
    A date that matters to Alex (the discovery, in five days) and Valentine's Day chosen for a note."""
    if Trigger.objects.filter(couple=couple).exists():
        return False
    rng = random.Random(13)
    alex = Partner.objects.get(couple=couple, seat=1).user
    sam = Partner.objects.get(couple=couple, seat=2).user
    now = timezone.now()
    weekly = [9, 8, 8, 5, 7, 4, 3, 1]  # oldest first: fading, with a setback in week five
    for weeks_ago, count in zip(range(len(weekly) - 1, -1, -1), weekly, strict=True):
        for n in range(count):
            # A day of that calendar week (this week: up to yesterday), so each week holds its own count.
            today = local_today(alex)
            monday = monday_of(today) - timedelta(weeks=weeks_ago)
            day = monday + timedelta(days=rng.randint(0, 6 if weeks_ago else max(0, today.weekday() - 1)))
            when = now - timedelta(days=(today - day).days, hours=rng.randint(1, 10))
            _demo_trigger(
                couple, alex, when, strength=max(1, min(5, round(4.5 - 0.35 * (7 - weeks_ago) + rng.uniform(-1, 1)))),
                visibility=rng.choice([Visibility.PARTNER] * 3 + [Visibility.PARTNER_AND_THERAPIST] * 3
                                      + [Visibility.ONLY_ME]),
                what_happened=rng.choice(WHAT_HAPPENED), what_helped=rng.choice(WHAT_HELPED),
                here=rng.random() < 0.6, closed=n % 5 == 4,
            )  # fmt: skip
    _demo_trigger(couple, alex, now - timedelta(days=1, hours=2), strength=4, visibility=Visibility.PARTNER,
                  what_happened="The hotel's advert on the bus.", what_helped="", here=True)  # fmt: skip
    _demo_trigger(couple, alex, now - timedelta(hours=3), strength=3, visibility=Visibility.PARTNER_AND_THERAPIST,
                  what_happened="", what_helped="")  # fmt: skip
    for days_ago, visibility in ((20, Visibility.PARTNER), (9, Visibility.ONLY_ME), (4, Visibility.PARTNER)):
        _demo_trigger(
            couple, sam, now - timedelta(days=days_ago), strength=2, visibility=visibility,
            what_happened="Alex's face when the phone buzzed.", what_helped="Breathing, then asking.",
        )  # fmt: skip
    discovery = local_today(alex) + timedelta(days=5)
    DateThatMatters.objects.create(
        couple=couple, author=alex, label="The day I found out", yearly=True,
        on=date(discovery.year - 1, discovery.month, min(discovery.day, 28) if discovery.month == 2 else discovery.day),
        visibility=DateThatMatters.Visibility.ONLY_ME,
    )  # fmt: skip
    HolidayNote.objects.get_or_create(user=alex, holiday=Holiday.VALENTINES)
    return True


def _demo_trigger(couple: Couple, author: User, when: datetime, *, strength: int, visibility: str, what_happened: str,
                  what_helped: str, here: bool = False, closed: bool = False) -> None:  # fmt: skip
    from recovery.localtime import local_date_of

    shared = visibility != Visibility.ONLY_ME
    Trigger.objects.create(
        couple=couple, author=author, occurred_at=when, local_date=local_date_of(when, author), strength=strength,
        what_happened=what_happened, what_helped=what_helped, visibility=visibility, created_at=when,
        here_at=when + timedelta(minutes=20) if shared and here else None,
        prompt_closed_at=when + timedelta(hours=5) if shared and closed and not here else None,
    )  # fmt: skip
