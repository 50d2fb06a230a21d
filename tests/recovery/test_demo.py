from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from recovery.access import couple_of
from recovery.management.commands.demo import DEMO_PASSWORD
from recovery.models import Couple, Partner, User

pytestmark = pytest.mark.django_db


def test_demo_creates_a_verified_couple_and_a_therapist_and_can_run_twice(settings, capsys) -> None:
    settings.DEBUG = True
    call_command("demo")
    call_command("demo")
    out = capsys.readouterr().out
    assert "alex@demo.mend.test" in out and DEMO_PASSWORD in out
    alex, sam, doc = (User.objects.get(email=f"{n}@demo.mend.test") for n in ("alex", "sam", "dr.rivera"))
    assert Couple.objects.count() == 5  # Alex and Sam, and four more on Dr Rivera's caseload
    assert couple_of(alex) == couple_of(sam)
    assert {p.user: p.role for p in Partner.objects.filter(couple=couple_of(alex))} == {alex: "hurt", sam: "involved"}
    from recovery.care.caseload import caseload

    doc.__dict__.pop("is_therapist", None)
    summaries = caseload(doc)
    assert len(summaries) == 3  # Alex & Sam, Jordan & Casey, Priya & Dev; Noor & Eli pending; Kim & Lee ended
    assert summaries[0].partners[0].name == "Jordan" and summaries[0].flags
    assert doc.is_therapist and couple_of(doc) is None
    assert all(alex.check_password(DEMO_PASSWORD) for alex in (alex, sam, doc))
    assert EmailAddress.objects.filter(verified=True).count() == 3 + 8
    from checkins.models import DailyCheckIn, WeeklyReview
    from plans.stages import current_stage

    assert current_stage(couple_of(alex)) == 3
    for person in (alex, sam):
        assert DailyCheckIn.objects.filter(author=person).count() > 30
        assert WeeklyReview.objects.filter(author=person).count() == 6

    # Triggers: Alex's fade over the weeks (unevenly), some are shared, one answered "I'm here"; Sam's next page
    # asks him about this morning's; Jordan's are rising for the caseload's flag; Alex has a date coming up.
    from checkins import dates, triggers
    from checkins.models import Trigger
    from recovery.localtime import local_today

    weeks = triggers.per_week(Trigger.objects.filter(author=alex), since=local_today(alex) - timedelta(weeks=20))
    weeks = weeks[alex.pk]
    assert len(weeks) >= 6 and weeks[0].count > weeks[-1].count
    assert Trigger.objects.filter(author=alex, here_at__isnull=False).exists()
    assert Trigger.objects.filter(author=alex, visibility="only_me").exists()
    assert [t.author for t in triggers.open_prompts(sam)] == [alex]
    assert "Jordan: triggers rising for three weeks" in summaries[0].flags
    assert [c.days for c in dates.coming_up(alex)] == [5]


def test_the_demo_logins_work(client, settings) -> None:
    settings.DEBUG = True
    call_command("demo")
    response = client.post("/accounts/login/", {"login": "sam@demo.mend.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "You and Alex share this space" in client.get("/").content.decode()


def test_demo_refuses_to_run_on_a_production_site(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo")


def test_demo_code_prints_the_code_allauth_accepts_for_the_demo_therapist(settings, capsys) -> None:
    from allauth.mfa.models import Authenticator

    settings.DEBUG = True
    call_command("demo")
    capsys.readouterr()
    call_command("demo_code")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    totp = Authenticator.objects.get(user__email="dr.rivera@demo.mend.test", type=Authenticator.Type.TOTP)
    assert totp.wrap().validate_code(code)
    assert not totp.wrap().validate_code(f"{(int(code) + 1) % 10**6:06d}")


def test_demo_code_refuses_to_run_on_a_production_site(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_code")
