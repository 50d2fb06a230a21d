"""Known sentences, written through Mend's own pages by both partners of a couple, with every visibility:
for the tests of what an export holds, what a database dump shows, and what erasure leaves behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from plans.completions import local_today
from plans.models import Step
from recovery.models import Couple, User
from tests.factories import StageChangeFactory


@dataclass
class Written:
    alex_shared: list[str] = field(default_factory=list)
    alex_only_me: list[str] = field(default_factory=list)
    sam_shared: list[str] = field(default_factory=list)
    sam_only_me: list[str] = field(default_factory=list)

    @property
    def everything(self) -> list[str]:
        return [*self.alex_shared, *self.alex_only_me, *self.sam_shared, *self.sam_only_me]


def _ok(response: object) -> None:
    assert response.status_code == 302, (response.status_code, response.content.decode()[:2000])  # type: ignore[attr-defined]


def write_through_the_app(couple: Couple, alex: User, sam: User) -> Written:
    """Alex (hurt) and Sam (involved) each write check-ins, a review, step notes, a ritual or an agreement
    item and a wish note, some shared and some "only me". Returns the sentences by who may read them."""
    w = Written()
    a, s = Client(), Client()
    a.force_login(alex)
    s.force_login(sam)
    check_in = reverse("checkins:check_in")
    base = {
        "mood": "3",
        "trust": "5",
        "closeness": "5",
        "high": "",
        "low": "",
        "to_talk_through": "",
        "trigger_note": "",
    }

    # Daily check-ins: today shared, yesterday only me (Alex); today only me, yesterday shared (Sam).
    w.alex_shared += [
        "Heron walk by the canal steadied me.",
        "The silence at dinner stung.",
        "Can we talk about the Lisbon trip?",
        "A song from that summer came on the radio.",
    ]
    _ok(
        a.post(
            check_in,
            {
                **base,
                "high": w.alex_shared[0],
                "low": w.alex_shared[1],
                "to_talk_through": w.alex_shared[2],
                "trigger": "on",
                "trigger_note": w.alex_shared[3],
                "visibility": "partner",
            },
        )
    )
    w.alex_only_me.append("I reread the old messages at midnight again.")
    _ok(a.post(check_in + "?day=yesterday", {**base, "high": w.alex_only_me[0], "visibility": "only_me"}))
    w.sam_only_me += ["Shame sits in my chest like a stone.", "I told nobody about the lunch invitation."]
    _ok(
        s.post(
            check_in, {**base, "high": w.sam_only_me[0], "shared_unprompted": w.sam_only_me[1], "visibility": "only_me"}
        )
    )
    w.sam_shared += ["Marigold coffee together felt like us.", "I showed you the new phone settings unasked."]
    _ok(
        s.post(
            check_in + "?day=yesterday",
            {**base, "high": w.sam_shared[0], "shared_unprompted": w.sam_shared[1], "visibility": "therapist"},
        )
    )

    # Weekly reviews: Alex shares hers; Sam keeps his to himself.
    review = {
        "what_worked": "",
        "what_was_hard": "",
        "small_victory": "",
        "appreciation": "",
        "accountability": "",
        "csi_happiness": "3",
        "csi_warm": "2",
        "csi_rewarding": "3",
        "csi_satisfied": "2",
    }
    w.alex_shared += ["Thursday's teleconference worked.", "I appreciated the note on the fridge."]
    _ok(
        a.post(
            reverse("checkins:weekly_review"),
            {**review, "what_worked": w.alex_shared[-2], "appreciation": w.alex_shared[-1], "visibility": "partner"},
        )
    )
    w.sam_only_me.append("Sunday evening I nearly gave up on all of it.")
    _ok(
        s.post(
            reverse("checkins:weekly_review"), {**review, "what_was_hard": w.sam_only_me[-1], "visibility": "only_me"}
        )
    )

    # Notes on plan steps: one shared and one private each.
    steps = list(
        Step.objects.filter(stage__number=1, who="both", private=False, retired=False).order_by("position")[:2]
    )
    for client, user, shared, private in (
        (a, alex, "We used the pause signal twice, kindly.", "I wasn't ready to say all of it."),
        (s, sam, "I answered every question without trickling.", "Writing the timeline made me shake."),
    ):
        today = local_today(user).isoformat()
        _ok(
            client.post(
                reverse("plans:step", args=[steps[0].slug]), {"done_on": today, "note": shared, "visibility": "partner"}
            )
        )
        _ok(
            client.post(
                reverse("plans:step", args=[steps[1].slug]),
                {"done_on": today, "note": private, "visibility": "only_me"},
            )
        )
        (w.alex_shared if user == alex else w.sam_shared).append(shared)
        (w.alex_only_me if user == alex else w.sam_only_me).append(private)

    # Triggers: Alex shares one with Sam and keeps one to herself; Sam shares one with Sam's therapist too.
    for client, user, shared, private in (
        (a, alex, "The red car outside the office again.", "Checked the old phone bill at 3 a.m."),
        (s, sam, "Her name came up at work and I froze.", "I felt I could never make it right."),
    ):
        when = timezone.now().astimezone(ZoneInfo(user.time_zone)).strftime("%Y-%m-%dT%H:%M")
        trigger = {"occurred_at": when, "strength": "4", "what_helped": ""}
        visibility = "partner" if user == alex else "therapist"
        _ok(
            client.post(reverse("checkins:trigger_new"), {**trigger, "what_happened": shared, "visibility": visibility})
        )
        _ok(
            client.post(reverse("checkins:trigger_new"), {**trigger, "what_happened": private, "visibility": "only_me"})
        )
        (w.alex_shared if user == alex else w.sam_shared).append(shared)
        (w.alex_only_me if user == alex else w.sam_only_me).append(private)

    # Dates that matter: Alex keeps one private and shares another.
    w.alex_only_me.append("the day the hotel receipt fell out")
    _ok(a.post(reverse("checkins:dates"), {"action": "date", "date-label": w.alex_only_me[-1], "date-on": "2025-03-14",
                                          "date-yearly": "on", "date-visibility": "only_me"}))  # fmt: skip
    w.alex_shared.append("our wedding at the lighthouse")
    _ok(a.post(reverse("checkins:dates"), {"action": "date", "date-label": w.alex_shared[-1], "date-on": "2011-06-18",
                                          "date-yearly": "on", "date-visibility": "partner"}))  # fmt: skip

    # The Table of Trust and the agreement are shared by nature.
    w.alex_shared.append("our Saturday market breakfasts")
    _ok(a.post(reverse("plans:table_of_trust"), {"text": w.alex_shared[-1]}))
    w.sam_shared.append("I share my calendar every Sunday night.")
    _ok(
        s.post(
            reverse("plans:transparency"),
            {"area": "schedules", "asks_of": "proposer", "review_weeks": "4", "text": w.sam_shared[-1]},
        )
    )

    # Wish notes open with stage 6.
    StageChangeFactory(by=alex, from_stage=1, to_stage=6, reason="opened")
    w.alex_shared.append("I wish we'd dance in the kitchen again.")
    _ok(a.post(reverse("plans:wish_notes"), {"text": w.alex_shared[-1]}))
    w.sam_shared.append("I wish for a slow morning with no phones.")
    _ok(s.post(reverse("plans:wish_notes"), {"text": w.sam_shared[-1]}))
    return w
