"""When a couple parts: a clear notice first; from the closing on nothing of one partner is visible to the
other (shared entries included); each keeps and can export their own; 30 days after both have left, the
space and every row in it are erased."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from checkins.models import DailyCheckIn, DateThatMatters, Trigger, WeeklyReview
from plans.models import AgreementItem, Completion, Ritual, StageChange, WishNote
from recovery.care import consent as care
from recovery.composition import data_export, erasure
from recovery.models import AuditEvent, Couple, Partner, User
from tests.factories import (
    PASSWORD,
    AuditEventFactory,
    TherapistFactory,
    UserFactory,
    enable_mfa,
    make_care_access,
    make_couple,
)
from tests.helpers import client_as, page, people_of
from tests.recovery.writing import write_through_the_app


@pytest.fixture
def couple(db: None):
    return make_couple(hurt=UserFactory(display_name="Alex"), involved=UserFactory(display_name="Sam"))


def _export_text(user: User, deliver) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    client = client_as(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with deliver():
        client.post(reverse("my_data"), {"action": "prepare"})
    export = data_export.latest_for(user)
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("data_download", args=[export.pk])).content))
    files = {name: archive.read(name).decode() for name in archive.namelist()}
    import html

    return html.unescape("".join(files.values())), json.loads(files["mend-data/data.json"])


def test_the_notice_before_closing_says_what_happens_to_every_entry(couple) -> None:
    alex, _sam = people_of(couple)
    text = page(client_as(alex).get(reverse("couple_end")))
    assert "nothing of yours is visible to Sam, and nothing of theirs to you — including the entries you chose" in text
    assert "Each of you keeps your own entries for 30 days" in text
    assert "If you have ever felt afraid of your partner" in text  # the safety caveat stays
    assert reverse("my_data") in text


def test_after_parting_neither_sees_anything_of_the_other(couple, deliver) -> None:
    alex, sam = people_of(couple)
    written = write_through_the_app(couple, alex, sam)
    assert client_as(alex).post(reverse("couple_end")).status_code == 302

    for person in (alex, sam):
        client = client_as(person)
        assert client.get(reverse("home"))["Location"] == reverse("start")
        for name in ("checkins:history", "checkins:reviews", "plans:table_of_trust", "plans:wish_notes"):
            assert client.get(reverse(name))["Location"] == reverse("home"), name
        for model in (DailyCheckIn, WeeklyReview, Completion, Ritual, AgreementItem, WishNote, StageChange, Trigger,
                      DateThatMatters):  # fmt: skip
            assert not model.objects.visible_to(person).exists(), model
        assert "had a hard moment" not in page(client.get(reverse("start")))

    alex_text, alex_data = _export_text(alex, deliver)
    sam_text, sam_data = _export_text(sam, deliver)
    for sentence in [*written.alex_shared, *written.alex_only_me]:
        assert sentence in alex_text and sentence not in sam_text, sentence
    for sentence in [*written.sam_shared, *written.sam_only_me]:
        assert sentence in sam_text and sentence not in alex_text, sentence
    assert [s["status"] for s in alex_data["spaces"]] == ["ended"] and alex_data["partner_name"] == ""
    assert all(c["by"] == "you" for c in alex_data["check_ins"] + alex_data["stage_changes"])
    assert [i["proposed_by"] for i in sam_data["agreement"]] == ["you"] and alex_data["agreement"] == []


def test_the_start_page_says_until_when_your_own_entries_wait(couple) -> None:
    alex, _sam = people_of(couple)
    client = client_as(alex)
    client.post(reverse("couple_end"))
    text = page(client.get(reverse("start")))
    assert "Your previous shared space was closed on" in text
    kept_until = (timezone.now() + timedelta(days=30)).astimezone(ZoneInfo(alex.time_zone))
    assert f"Your own entries from it are kept until {kept_until:%-d %B %Y}" in text
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        client.force_login(alex)
        assert "kept until" not in page(client.get(reverse("start")))


def test_a_closed_space_is_erased_30_days_after_both_partners_left(couple) -> None:
    alex, sam = people_of(couple)
    write_through_the_app(couple, alex, sam)
    therapist = TherapistFactory(email="rivera@example.com")
    enable_mfa(therapist)
    make_care_access(couple, therapist)
    AuditEventFactory(couple=couple, therapist=therapist, what=care.VIEWED_SUMMARY)
    other = make_couple()  # a couple that goes on, untouched
    client_as(sam).post(reverse("couple_end"))

    with time_machine.travel(timezone.now() + timedelta(days=29, hours=23)):
        assert erasure.upkeep()["spaces"] == 0
    assert Couple.objects.filter(pk=couple.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        assert erasure.upkeep()["spaces"] == 1
    assert not Couple.objects.filter(pk=couple.pk).exists()
    for model in (DailyCheckIn, WeeklyReview, Completion, Ritual, AgreementItem, WishNote, StageChange, Partner,
                  Trigger, DateThatMatters):  # fmt: skip
        assert not model.objects.filter(couple_id=couple.pk).exists(), model
    assert User.objects.filter(pk__in=[alex.pk, sam.pk]).count() == 2  # the people stay, free to begin again
    assert AuditEvent.objects.filter(couple_id=couple.pk).count() == 1  # the audit is never erased
    assert Couple.objects.filter(pk=other.pk, status=Couple.Status.ACTIVE).exists()


def test_open_and_paused_spaces_are_never_erased(db: None) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        active, paused = make_couple(), make_couple()
        Couple.objects.filter(pk=paused.pk).update(status=Couple.Status.PAUSED, status_changed_at=timezone.now())
    assert erasure.upkeep()["spaces"] == 0
    assert Couple.objects.filter(pk__in=[active.pk, paused.pk]).count() == 2
