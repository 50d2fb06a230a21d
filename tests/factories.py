"""Factories for the people and couples the tests need."""

from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from recovery import invitations
from recovery.models import Couple, Invitation, Partner, TherapistProfile, User

PASSWORD = "a-long-test-password"


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
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
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
    from plans.completions import local_today, period_for
    from plans.models import Completion, Step

    step = Step.objects.filter(stage__number=1, who="both", private=False, retired=False).first()
    today = local_today(hurt)
    completion = Completion.objects.create(
        step=step, couple=couple, author=hurt, period=period_for(step, today), done_on=today,
        note="We talked for twenty minutes.", visibility="partner",
    )  # fmt: skip
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
