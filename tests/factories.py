"""Factories for the people and couples the tests need, and for what they write.

An entry's factory needs its author (`author=`, `marked_by=` for a mark to bring); the couple is the author's
current couple unless given, and must be one they belong to. The other defaults are plain and mid-range (scores
in the middle, shared with the partner, dated today in the author's time zone): a test that relies on a value
passes it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, NoReturn

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from checkins import phq9
from checkins.models import DailyCheckIn, Phq9Response, ToBring, Trigger, WeeklyReview
from plans.completions import period_for
from plans.models import Completion, StageChange, Step
from recovery import invitations
from recovery.localtime import local_date_of, local_today, monday_of
from recovery.models import AuditEvent, Couple, DataExport, Invitation, Partner, TherapistProfile, User

PASSWORD = "a-long-test-password"


def _required(name: str) -> factory.LazyFunction:
    def missing() -> NoReturn:
        raise TypeError(f"pass {name}=...: it has no default")

    return factory.LazyFunction(missing)


class EmailAddressFactory(factory.django.DjangoModelFactory):
    """An e-mail address of an account (allauth's): unverified and not primary unless said."""

    class Meta:
        model = EmailAddress

    user = _required("user")
    email = factory.LazyAttribute(lambda o: o.user.email)
    verified = False
    primary = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("first_name")
    time_zone = "Europe/London"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddressFactory(user=self, verified=True, primary=True)
        if create:
            self.save()


class TherapistFactory(UserFactory):
    display_name = "Dr Morgan"

    @factory.post_generation
    def profile(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            TherapistProfile.objects.create(user=self, practice="Morgan Practice")


def make_couple(*, hurt: User | None = None, involved: User | None = None, mutual: bool = False) -> Couple:
    """A couple of two partners: seat 1 the hurt partner (who created the space), seat 2 the other."""
    hurt = hurt or UserFactory(display_name="Alex")
    involved = involved or UserFactory(display_name="Sam")
    couple = Couple.objects.create(hurt_is_mutual=mutual)
    Partner.objects.create(couple=couple, user=hurt, role=Partner.Role.HURT, seat=1)
    Partner.objects.create(
        couple=couple, user=involved, role=Partner.Role.HURT if mutual else Partner.Role.INVOLVED, seat=2
    )
    return couple


def make_waiting_couple(*, creator: User | None = None, role: str = Partner.Role.HURT) -> Couple:
    creator = creator or UserFactory()
    couple = Couple.objects.create()
    Partner.objects.create(couple=couple, user=creator, role=role, seat=1)
    return couple


def make_invitation(
    couple: Couple, *, email: str = "invitee@example.com", expired: bool = False
) -> tuple[Invitation, str]:
    inviter = Partner.objects.get(couple=couple, seat=1).user
    invitation, token = invitations.invite_partner(couple=couple, invited_by=inviter, email=email)
    if expired:
        invitation.expires_at = timezone.now() - timedelta(minutes=1)
        invitation.save(update_fields=["expires_at"])
    return invitation, token


def make_plan_records(couple: Couple, *, hurt: User, involved: User) -> dict[str, object]:
    """A shared completion by the hurt partner, a ritual, and an agreement item in force."""
    from plans import agreement, rituals

    step = Step.objects.filter(stage__number=1, who="both", private=False, retired=False).first()
    completion = CompletionFactory(
        step=step, couple=couple, author=hurt, note="We talked for twenty minutes.", visibility="partner"
    )
    ritual = rituals.add_ritual(couple=couple, by=hurt, text="our Sunday walks")
    item = agreement.propose(couple=couple, by=involved, area="whereabouts", text="I text when I leave work.")
    agreement.decide(item=item, by=hurt, agree=True)
    item.refresh_from_db()
    return {"completion": completion, "ritual": ritual, "agreement_item": item}


def enable_mfa(user: User) -> str:
    """Turn TOTP on for a user, as if they had scanned the code; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def make_care_access(couple: Couple, therapist: User, *, consented: str = "both", ended: bool = False):
    """A therapist's access to a couple: accepted, with consent from "both", "one" or "none" of the partners."""
    from recovery.care import consent as care
    from recovery.models import CareConsent, CareTeamAccess

    hurt = Partner.objects.get(couple=couple, seat=1).user
    access, _token = care.invite_therapist(couple=couple, by=hurt, email=therapist.email)
    CareTeamAccess.objects.filter(pk=access.pk).update(therapist=therapist, accepted_at=timezone.now())
    if consented == "both":
        CareConsent.objects.create(access=access, partner=Partner.objects.get(couple=couple, seat=2).user)
    elif consented == "none":
        CareConsent.objects.filter(access=access).delete()
    if ended:
        CareTeamAccess.objects.filter(pk=access.pk).update(ended_at=timezone.now(), ended_by=hurt)
    access.refresh_from_db()
    return access


# --- what the partners write ---------------------------------------------------------------------------------


def couple_of(user: User | None) -> Couple:
    """The couple a person writes in: the one they are a current partner of."""
    if user is None:
        raise TypeError("pass couple=...: there is no author to take it from")
    return Partner.objects.select_related("couple").get(user=user, left_at__isnull=True).couple


class _EntryFactory(factory.django.DjangoModelFactory):
    """One partner's entry: `couple` is the author's couple unless given, and must be a couple of theirs."""

    class Meta:
        abstract = True

    _author_field = "author"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        author, couple = kwargs[cls._author_field], kwargs["couple"]
        if not Partner.objects.filter(couple=couple, user=author).exists():
            raise ValueError(f"{author} is not a partner in {couple}: an entry is written in the author's couple")
        return super()._create(model_class, *args, **kwargs)


class DailyCheckInFactory(_EntryFactory):
    class Meta:
        model = DailyCheckIn

    author = _required("author")
    couple = factory.LazyAttribute(lambda o: couple_of(o.author))
    local_date = factory.LazyAttribute(lambda o: local_today(o.author))
    mood = 3
    trust = 5
    closeness = 5
    visibility = "partner"


class WeeklyReviewFactory(_EntryFactory):
    class Meta:
        model = WeeklyReview

    author = _required("author")
    couple = factory.LazyAttribute(lambda o: couple_of(o.author))
    week_start = factory.LazyAttribute(lambda o: monday_of(local_today(o.author)))
    csi_happiness = 3
    csi_warm = 3
    csi_rewarding = 3
    csi_satisfied = 3
    visibility = "partner"


class TriggerFactory(_EntryFactory):
    """A trigger logged now (created_at is the model's: now), dated in the author's zone."""

    class Meta:
        model = Trigger

    author = _required("author")
    couple = factory.LazyAttribute(lambda o: couple_of(o.author))
    occurred_at = factory.LazyFunction(timezone.now)
    local_date = factory.LazyAttribute(lambda o: local_date_of(o.occurred_at, o.author))
    strength = 3
    visibility = "partner"


def _phq9_answer(index: int) -> factory.LazyAttribute:
    return factory.LazyAttribute(lambda o: 1 if o.answers is None else o.answers[index])


class Phq9ResponseFactory(_EntryFactory):
    """A PHQ-9: `answers=[...]` gives the nine in order (else 1 each), or pass `item_1=`... one by one."""

    class Meta:
        model = Phq9Response

    class Params:
        answers = None  # the nine answers in order

    author = _required("author")
    couple = factory.LazyAttribute(lambda o: couple_of(o.author))
    answered_on = factory.LazyAttribute(lambda o: local_today(o.author))
    item_1 = _phq9_answer(0)
    item_2 = _phq9_answer(1)
    item_3 = _phq9_answer(2)
    item_4 = _phq9_answer(3)
    item_5 = _phq9_answer(4)
    item_6 = _phq9_answer(5)
    item_7 = _phq9_answer(6)
    item_8 = _phq9_answer(7)
    item_9 = _phq9_answer(8)
    visibility = "only_me"


assert [f"item_{i}" for i in range(1, 10)] == [item.key for item in phq9.ITEMS]  # the declarations above


class ToBringFactory(_EntryFactory):
    """A mark "to bring to our therapist": pass exactly one of check_in=, review= or question=."""

    class Meta:
        model = ToBring

    _author_field = "marked_by"

    marked_by = _required("marked_by")
    couple = factory.LazyAttribute(lambda o: couple_of(o.marked_by))


class CompletionFactory(_EntryFactory):
    """A step done: today in the author's zone unless `done_on=`, for the period of that date."""

    class Meta:
        model = Completion

    step = _required("step")
    author = _required("author")
    couple = factory.LazyAttribute(lambda o: couple_of(o.author))
    done_on = factory.LazyAttribute(lambda o: local_today(o.author))
    period = factory.LazyAttribute(lambda o: period_for(o.step, o.done_on))
    visibility = "partner"


class StageChangeFactory(factory.django.DjangoModelFactory):
    """A move of the couple's current stage (the latest one is the stage they are at)."""

    class Meta:
        model = StageChange

    by = None
    couple = factory.LazyAttribute(lambda o: couple_of(o.by))
    from_stage = 1
    to_stage = 2
    reason = StageChange.Reason.OPENED


def daily_check_ins(author: User, days_ago: Iterable[int], **fields: Any) -> list[DailyCheckIn]:
    """One check-in by `author` on each of the days `days_ago` before their today (0 is today)."""
    today = local_today(author)
    return [DailyCheckInFactory(author=author, local_date=today - timedelta(days=d), **fields) for d in days_ago]


# --- the rest of an account's and a couple's records -----------------------------------------------------------


class AuditEventFactory(factory.django.DjangoModelFactory):
    """A therapist's look at a couple, as the audit records it."""

    class Meta:
        model = AuditEvent

    couple = _required("couple")
    therapist = _required("therapist")
    what = "progress summary"


class DataExportFactory(factory.django.DjangoModelFactory):
    """A download of a person's data, as the model starts it (pending, empty) unless said."""

    class Meta:
        model = DataExport

    user = _required("user")
