"""The therapist's view: consent by both, MFA first, read-only, revocable at once, and audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkins.models import DailyCheckIn, WeeklyReview
from recovery.access import can_view_couple, care_access_is_active, therapist_couple_ids
from recovery.care import consent as care
from recovery.care.caseload import caseload
from recovery.localtime import local_today, week_start_for
from recovery.models import AuditEvent, CareConsent, CareTeamAccess, TherapistProfile
from tests.factories import (
    PASSWORD,
    AuditEventFactory,
    DailyCheckInFactory,
    StageChangeFactory,
    TherapistFactory,
    UserFactory,
    WeeklyReviewFactory,
    daily_check_ins,
    enable_mfa,
    make_care_access,
    make_couple,
)
from tests.helpers import client_as, fresh, page

pytestmark = pytest.mark.django_db


def _couple():
    couple = make_couple(hurt=UserFactory(display_name="Alex"), involved=UserFactory(display_name="Sam"))
    return couple, couple.partners.get(seat=1).user, couple.partners.get(seat=2).user


def test_the_whole_consent_journey(client, deliver) -> None:
    couple, alex, sam = _couple()
    doc = TherapistFactory(email="doc@example.com")
    enable_mfa(doc)
    with deliver():
        response = client_as(alex).post(reverse("care_team"), {"email": "doc@example.com"}, follow=True)
    assert "Access starts only when you have both agreed" in page(response)
    (message,) = mail.outbox
    for word in ("affair", "partner", "couple", "trust", "stage"):
        assert word not in (message.subject + message.body).lower()
    link = re.search(r"https?://[^/\s]+(/care/invitation/[^/\s]+/)", message.body).group(1)
    doc_client = client_as(doc)
    assert "Alex invited you" in page(doc_client.get(link))
    doc_client.post(link)
    assert couple.pk not in therapist_couple_ids(fresh(doc))  # only Alex has agreed
    assert doc_client.get(reverse("therapist_couple", args=[couple.pk])).status_code == 404
    sam_page = page(client_as(sam).get(reverse("care_team")))
    assert "You haven't agreed yet" in sam_page
    access = CareTeamAccess.objects.get()
    client_as(sam).post(reverse("care_consent", args=[access.pk]))
    assert couple.pk in therapist_couple_ids(fresh(doc))
    assert doc_client.get(reverse("therapist_couple", args=[couple.pk])).status_code == 200
    assert "Active: you have both agreed" in page(client_as(alex).get(reverse("care_team")))
    # Either partner revokes: the therapist's very next request shows nothing, and says access ended.
    client_as(sam).post(reverse("care_end", args=[access.pk]))
    ended = doc_client.get(reverse("therapist_couple", args=[couple.pk]))
    assert ended.status_code == 410 and "Your access to this couple has ended" in page(ended)
    assert "Alex" not in page(ended) and "Sam" not in page(ended)
    assert "No couples have given you access yet" in page(doc_client.get(reverse("therapist_home")))


def test_a_therapist_without_two_step_sign_in_sees_no_couple() -> None:
    couple, _alex, _sam = _couple()
    doc = TherapistFactory()
    make_care_access(couple, doc)
    assert not can_view_couple(fresh(doc), couple)
    text = page(client_as(doc).get(reverse("therapist_home")))
    assert "Turn on two-step sign-in" in text
    assert client_as(doc).get(reverse("therapist_couple", args=[couple.pk])).status_code == 404
    enable_mfa(doc)
    assert client_as(doc).get(reverse("therapist_couple", args=[couple.pk])).status_code == 200


def test_the_therapist_can_end_access_too() -> None:
    couple, alex, _sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    doc_client = client_as(doc)
    doc_client.post(reverse("therapist_end", args=[couple.pk]))
    assert doc_client.get(reverse("therapist_couple", args=[couple.pk])).status_code == 410
    assert "Ended on" in page(client_as(alex).get(reverse("care_team")))


def test_the_therapist_sees_shared_scores_and_only_therapist_shared_words() -> None:
    couple, alex, _sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    today = local_today(alex)
    for i, (visibility, words) in enumerate(
        [("only_me", "WORDS-ONLY-ME"), ("partner", "WORDS-PARTNER"), ("therapist", "WORDS-THERAPIST")]
    ):
        DailyCheckInFactory(author=alex, local_date=today - timedelta(days=i), high=words, visibility=visibility)
    text = page(client_as(doc).get(reverse("therapist_couple", args=[couple.pk])))
    assert "WORDS-THERAPIST" in text
    assert "WORDS-PARTNER" not in text and "WORDS-ONLY-ME" not in text
    assert set(DailyCheckIn.objects.visible_to(fresh(doc)).values_list("visibility", flat=True)) == {
        "partner",
        "therapist",
    }
    # Another couple's therapist sees none of it.
    other = TherapistFactory()
    enable_mfa(other)
    make_care_access(make_couple(), other)
    assert not DailyCheckIn.objects.visible_to(fresh(other)).filter(couple=couple).exists()


def test_a_week_s_reviews_reach_the_therapist_only_once_revealed_to_the_partners() -> None:
    couple, alex, sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    week = week_start_for(alex)
    WeeklyReviewFactory(author=alex, week_start=week, visibility="therapist")
    assert not WeeklyReview.objects.visible_to(fresh(doc)).exists()
    WeeklyReviewFactory(author=sam, week_start=week, visibility="therapist")
    assert WeeklyReview.objects.visible_to(fresh(doc)).count() == 2


def test_an_only_me_review_doesn_t_reveal_the_partner_s_to_the_therapist() -> None:
    couple, alex, sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    week = week_start_for(alex)
    WeeklyReviewFactory(author=alex, week_start=week, visibility="therapist")
    WeeklyReviewFactory(author=sam, week_start=week, visibility="only_me")
    assert not WeeklyReview.objects.visible_to(fresh(doc)).exists()  # Alex's waits; Sam's is never shown
    WeeklyReview.objects.filter(author=sam).update(visibility="partner")  # both shared now: revealed together
    assert set(WeeklyReview.objects.visible_to(fresh(doc)).values_list("author_id", flat=True)) == {alex.pk, sam.pk}


def test_every_view_is_audited_without_content_and_the_couple_sees_it() -> None:
    couple, alex, _sam = _couple()
    doc = TherapistFactory(display_name="Dr Morgan")
    enable_mfa(doc)
    make_care_access(couple, doc)
    client_as(doc).get(reverse("therapist_couple", args=[couple.pk]), REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.get()
    assert (event.couple, event.therapist_id, event.what, event.ip_address) == (
        couple, doc.pk, "progress summary", "203.0.113.9"
    )  # fmt: skip
    assert "Dr Morgan opened your progress summary once" in page(client_as(alex).get(reverse("care_seen")))
    outsider = make_couple().partners.first().user
    assert "Nobody has viewed your data" in page(client_as(outsider).get(reverse("care_seen")))


def test_opening_the_caseload_is_audited_for_every_couple_it_shows_and_grouped_by_day() -> None:
    doc = TherapistFactory(display_name="Dr Morgan")
    enable_mfa(doc)
    first, alex, _sam = _couple()
    second = make_couple()
    waiting = make_couple()
    for couple in (first, second):
        make_care_access(couple, doc)
    make_care_access(waiting, doc, consented="one")  # not shown, so not a look
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC)):
        client_as(doc).get(reverse("therapist_home"), REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(datetime(2026, 11, 21, 9, 0, tzinfo=UTC)):
        for _ in range(3):
            client_as(doc).get(reverse("therapist_home"))
        client_as(doc).get(reverse("therapist_couple", args=[first.pk]))
    assert AuditEvent.objects.filter(couple=first, what="caseload").count() == 4
    assert AuditEvent.objects.filter(couple=second, what="caseload").count() == 4
    assert not AuditEvent.objects.filter(couple=waiting).exists()
    with time_machine.travel(datetime(2026, 11, 21, 12, 0, tzinfo=UTC)):
        text = page(client_as(alex).get(reverse("care_seen")))
    saturday, friday = text.index("Saturday 21 November 2026"), text.index("Friday 20 November 2026")
    assert saturday < friday  # newest day first
    assert "Dr Morgan saw your line in their caseload 3 times" in text[saturday:friday]
    assert "Dr Morgan opened your progress summary once" in text[saturday:friday]
    assert "Dr Morgan saw your line in their caseload once" in text[friday:]


def test_who_has_seen_our_data_costs_the_same_however_many_looks(django_assert_num_queries) -> None:
    from django.test.utils import CaptureQueriesContext

    doc = TherapistFactory()
    enable_mfa(doc)
    couple, alex, _sam = _couple()
    make_care_access(couple, doc)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_as(alex).get(reverse("care_seen")).status_code == 200
        return len(captured)

    AuditEventFactory(couple=couple, therapist=doc, what="caseload")
    one = queries()
    AuditEvent.objects.bulk_create([AuditEvent(couple=couple, therapist=doc, what="caseload") for _ in range(300)])
    assert queries() == one


def test_a_therapist_invitation_can_only_be_accepted_by_the_invited_address(deliver) -> None:
    _c, alex, sam = _couple()
    stranger = TherapistFactory(email="stranger@example.com", display_name="Dr Stranger")
    enable_mfa(stranger)
    with deliver():
        client_as(alex).post(reverse("care_team"), {"email": "doc@example.com"})
    link = re.search(r"https?://[^/\s]+(/care/invitation/[^/\s]+/)", mail.outbox[-1].body).group(1)
    refused = client_as(stranger).get(link)
    assert refused.status_code == 409
    assert "This invitation is for a different e-mail address" in page(refused) and "d••@example.com" in page(refused)
    assert client_as(stranger).post(link).status_code == 409
    access = CareTeamAccess.objects.get()
    assert access.therapist_id is None
    with pytest.raises(care.CareError):
        care.accept(access=access, therapist=stranger)  # the service refuses too
    # An unverified copy of the address doesn't count either.
    impostor = TherapistFactory(email="doc@example.com", verified=False)
    enable_mfa(impostor)
    assert client_as(impostor).get(link).status_code == 409
    # The real one is accepted; Sam sees who it is before agreeing.
    impostor.delete()
    doc = TherapistFactory(email="doc@example.com", display_name="Dr Morgan")
    TherapistProfile.objects.filter(user=doc).update(practice="Morgan Couples Therapy", registration="UKCP 12345")
    enable_mfa(doc)
    client_as(doc).post(link)
    assert CareTeamAccess.objects.get().therapist_id == doc.pk
    sam_page = page(client_as(sam).get(reverse("care_team")))
    for detail in ("doc@example.com", "Morgan Couples Therapy", "UKCP 12345", "Verified e-mail address"):
        assert detail in sam_page
    # The therapist sees who invited them while waiting — on the page, never by e-mail.
    assert "Alex invited you" in page(client_as(doc).get(reverse("therapist_home")))


def test_audit_rows_cannot_be_changed_deleted_or_truncated_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the immutability trigger is PostgreSQL's")
    couple, _alex, _sam = _couple()
    doc = TherapistFactory()
    event = AuditEvent.objects.create(couple=couple, therapist=doc, what="progress summary")
    with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(what="nothing")
    with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE recovery_auditevent")  # even by its owner
    assert AuditEvent.objects.get(pk=event.pk).what == "progress summary"


def test_the_caseload_orders_by_need_and_flags_what_matters() -> None:
    doc = TherapistFactory()
    enable_mfa(doc)
    steady, alex, sam = _couple()
    make_care_access(steady, doc)
    today = local_today(alex)
    for person in (alex, sam):
        daily_check_ins(person, range(14), mood=4, trust=7, closeness=7, visibility="partner")
    struggling = make_couple()
    make_care_access(struggling, doc)
    bea = struggling.partners.get(seat=1).user
    for i in range(14):
        DailyCheckInFactory(
            author=bea, local_date=today - timedelta(days=i + 3), mood=2, trust=2 if i < 4 else 8, closeness=3,
            visibility="therapist", trigger=i < 2,
        )  # fmt: skip
    WeeklyReviewFactory(
        author=bea, week_start=week_start_for(bea) - timedelta(weeks=3),
        csi_happiness=4, csi_warm=4, csi_rewarding=4, csi_satisfied=4, visibility="partner",
    )  # fmt: skip
    WeeklyReviewFactory(
        author=bea, week_start=week_start_for(bea) - timedelta(weeks=2),
        csi_happiness=2, csi_warm=2, csi_rewarding=2, csi_satisfied=2, visibility="partner",
    )  # fmt: skip
    StageChangeFactory(by=bea, from_stage=1, to_stage=2, reason="opened")
    StageChangeFactory(by=bea, from_stage=2, to_stage=1, reason="stepped_back")
    summaries = caseload(fresh(doc))
    assert [s.couple for s in summaries] == [struggling, steady]
    flags = " | ".join(summaries[0].flags)
    for expected in (
        "no shared check-in for 3+ days", "crossed below 13.5 since the previous review", "trust down 3+ points",
        "stepped back",
    ):  # fmt: skip
        assert expected in flags
    assert summaries[1].flags == []
    assert summaries[1].partners[0].adherence_7 == 7 and summaries[1].partners[0].adherence_28 == 14
    text = page(client_as(doc).get(reverse("therapist_home")))
    assert "stepped back a stage" in text


@pytest.mark.parametrize("only_me", [True])
def test_only_me_check_ins_do_not_count_for_the_therapist(only_me: bool) -> None:
    couple, alex, _sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    DailyCheckInFactory(author=alex, mood=1, trust=0, closeness=0, trigger=True, visibility="only_me")
    (summary,) = caseload(fresh(doc))
    alex_summary = summary.partners[0]
    assert (alex_summary.adherence_7, alex_summary.triggers_14, alex_summary.last_check_in) == (0, 0, None)


def test_the_caseload_reads_each_partner_s_first_and_latest_two_shared_reviews() -> None:
    """Two couples in the caseload; one partner with five shared reviews and a private one, the other's partner
    with one: the first score, the latest and its change since the one before, per person, never the private."""
    from checkins.demo import csi_items

    doc = TherapistFactory()
    enable_mfa(doc)
    couples = [make_couple(), make_couple()]
    for couple in couples:
        make_care_access(couple, doc)
    alex, other = couples[0].partners.get(seat=1).user, couples[1].partners.get(seat=2).user
    monday = week_start_for(alex)
    for weeks_ago, total, visibility in ((6, 5, "therapist"), (5, 7, "partner"), (4, 11, "therapist"),
                                         (3, 12, "therapist"), (2, 9, "partner"), (1, 20, "only_me")):  # fmt: skip
        WeeklyReviewFactory(author=alex, week_start=monday - timedelta(weeks=weeks_ago), visibility=visibility,
                            **csi_items(total))  # fmt: skip
    WeeklyReviewFactory(author=other, week_start=week_start_for(other) - timedelta(weeks=1), **csi_items(14))
    found = {summary.couple.pk: summary for summary in caseload(fresh(doc))}
    alex_row = next(p for p in found[couples[0].pk].partners if p.csi_latest is not None)
    assert (alex_row.csi_first, alex_row.csi_latest, alex_row.csi_change) == (5, 9, -3)  # "only me" 20: never
    other_row = next(p for p in found[couples[1].pk].partners if p.csi_latest is not None)
    assert (other_row.csi_first, other_row.csi_latest, other_row.csi_change) == (14, 14, None)


def test_the_caseload_query_count_does_not_grow_with_couples(django_assert_num_queries) -> None:
    from django.test.utils import CaptureQueriesContext

    doc = TherapistFactory()
    enable_mfa(doc)

    def add(count: int) -> None:
        for _ in range(count):
            couple = make_couple()
            make_care_access(couple, doc)
            DailyCheckInFactory(author=couple.partners.get(seat=1).user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert caseload(fresh(doc))
        return len(queries)

    add(2)
    with_two = count()
    add(38)
    assert count() == with_two


def test_therapist_sign_up_path_and_partner_accounts_cannot_be_therapists() -> None:
    lone = UserFactory()
    client = client_as(lone)
    assert client.post(reverse("therapist_join"), {"practice": ""}).status_code == 400
    client.post(reverse("therapist_join"), {"practice": "Morgan Couples Therapy", "registration": "UKCP 123"})
    assert fresh(lone).is_therapist
    _c, alex, _sam = _couple()
    response = client_as(alex).post(reverse("therapist_join"), {"practice": "x"}, follow=True)
    assert "belongs to a couple" in page(response)
    assert not fresh(alex).is_therapist


def test_a_therapist_must_log_in_with_their_second_step() -> None:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    doc = TherapistFactory(email="doc@example.com")
    secret = enable_mfa(doc)
    client = Client()
    response = client.post(reverse("account_login"), {"login": "doc@example.com", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("therapist_home")).status_code == 302  # not in yet
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.get(reverse("therapist_home")).status_code == 200


def test_consent_rows_come_from_the_partners_only() -> None:
    couple, _alex, _sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    access = make_care_access(couple, doc, consented="one")
    outsider = make_couple().partners.first().user
    assert client_as(outsider).post(reverse("care_consent", args=[access.pk])).status_code == 404
    assert not CareConsent.objects.filter(partner=outsider).exists()


def test_a_new_therapist_is_offered_the_therapist_path_and_then_lands_on_the_caseload() -> None:
    newcomer = UserFactory()
    client = client_as(newcomer)
    start = page(client.get(reverse("start")))
    assert "Are you a therapist?" in start and reverse("therapist_join") in start
    client.post(reverse("therapist_join"), {"practice": "Lane Counselling", "registration": ""})
    assert client.get(reverse("home"))["Location"] == reverse("therapist_home")


def test_the_summary_is_grouped_by_week_with_labels_and_shows_what_was_shared_unasked() -> None:
    couple, alex, sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    today = local_today(doc)
    this_monday = today - timedelta(days=today.weekday())
    DailyCheckInFactory(
        author=sam, local_date=this_monday, visibility="therapist", high="A walk",
        shared_unprompted="I told Alex about the text I got.",
    )  # fmt: skip
    DailyCheckInFactory(
        author=alex, local_date=this_monday - timedelta(days=7), mood=2, trust=3, closeness=3, visibility="therapist",
        low="A hard evening",
    )  # fmt: skip
    text = page(client_as(doc).get(reverse("therapist_couple", args=[couple.pk])))
    this_week = f"Week of {this_monday:%-d %B} to {this_monday + timedelta(days=6):%-d %B %Y}"
    last_week = f"Week of {this_monday - timedelta(days=7):%-d %B} to {this_monday - timedelta(days=1):%-d %B %Y}"
    assert this_week in text and last_week in text
    assert text.index(this_week) < text.index("I told Alex about the text I got.") < text.index(last_week)
    assert text.index(last_week) < text.index("A hard evening")
    assert "Shared without being asked" in text


def test_the_summary_s_charts_are_kept_and_redrawn_when_what_they_show_changes(monkeypatch) -> None:
    """Like the home page's: kept under a key made of exactly what they draw, so a partner taking an entry
    back (to "only me") takes it off the therapist's charts at the next look, and every look is audited."""
    from checkins import dashboard

    couple, alex, sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    today = local_today(alex)
    for day in range(4):
        for person, trust in ((alex, 4), (sam, 9 if day == 1 else 2)):
            DailyCheckInFactory(
                author=person, local_date=today - timedelta(days=day), trust=trust, visibility="therapist"
            )
    drawn = []
    real = dashboard.couple_charts
    monkeypatch.setattr(dashboard, "couple_charts", lambda **kw: drawn.append(1) or real(**kw))
    client = client_as(doc)
    url = reverse("therapist_couple", args=[couple.pk])
    looks = AuditEvent.objects.count()
    first = page(client.get(url))
    assert "<td>9.0</td>" in first and len(drawn) == 1
    again = page(client.get(url))
    assert "<td>9.0</td>" in again and len(drawn) == 1  # kept: not drawn again
    DailyCheckIn.objects.filter(author=sam, trust=9).update(visibility="only_me")  # Sam keeps that day to themself
    third = page(client.get(url))
    assert "<td>9.0</td>" not in third and len(drawn) == 2
    assert AuditEvent.objects.count() == looks + 3  # each look recorded, kept charts or not


def test_the_summary_costs_the_same_whatever_the_history(django_assert_num_queries) -> None:
    from django.test.utils import CaptureQueriesContext

    couple, alex, sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    client = client_as(doc)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("therapist_couple", args=[couple.pk])).status_code == 200
        # The cache's own statements aside (the kept charts, with the database cache of `make test`; none with
        # Redis): a chart drawn anew is written to the cache once.
        return sum("mend_cache" not in q["sql"] and not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
                   for q in captured.captured_queries)  # fmt: skip

    today = local_today(alex)
    DailyCheckInFactory(author=alex, local_date=today, visibility="therapist")
    queries()  # the first request of a session does its own one-off writes
    one = queries()
    for i in range(1, 40):
        for person in (alex, sam):
            DailyCheckInFactory(
                author=person, local_date=today - timedelta(days=i), visibility="therapist", high=f"day {i}"
            )
    for weeks_ago in range(1, 6):
        for person in (alex, sam):
            WeeklyReviewFactory(
                author=person, week_start=week_start_for(person) - timedelta(weeks=weeks_ago), visibility="therapist"
            )
    assert queries() == one


def test_the_caseload_is_cards_on_a_phone_and_a_table_with_trend_lines_on_a_desktop() -> None:
    couple, alex, _sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    today = local_today(alex)
    for i in range(21):
        DailyCheckInFactory(author=alex, local_date=today - timedelta(days=i), trust=4 + i % 3, visibility="partner")
    text = page(client_as(doc).get(reverse("therapist_home")))
    assert 'class="plain-list caseload-cards"' in text and 'class="table caseload"' in text
    assert 'class="sparkline"' in text and 'aria-label="Trust, week by week:' in text
    assert "<style" not in text and " style=" not in text


@pytest.mark.parametrize(
    ("consented", "ended", "partner_left", "active"),
    [
        ("both", False, False, True),
        ("one", False, False, False),
        ("both", True, False, False),
        ("both", False, True, False),  # both agreed, then one left: no longer "both current partners"
    ],
)
def test_one_rule_for_active_access_answers_the_therapist_and_the_couple_alike(
    consented: str, ended: bool, partner_left: bool, active: bool
) -> None:
    couple, _alex, sam = _couple()
    therapist = TherapistFactory()
    enable_mfa(therapist)
    access = make_care_access(couple, therapist, consented=consented, ended=ended)
    if partner_left:
        couple.partners.filter(user=sam).update(left_at=datetime.now(UTC))
    current = set(couple.partners.filter(left_at__isnull=True).values_list("user_id", flat=True))
    access = CareTeamAccess.objects.select_related("couple").prefetch_related("consents").get(pk=access.pk)
    assert care_access_is_active(access, current) is active
    assert (couple.pk in therapist_couple_ids(fresh(therapist))) is active
    assert (care.status_of(access, current) == "active") is active


def test_the_caseload_page_formats_each_couple_once_for_cards_and_table_and_localises_numbers() -> None:
    from django.utils import translation

    from checkins.measures import ReliableChange
    from recovery.care.caseload import CoupleSummary, PartnerSummary, for_page
    from recovery.models import Couple

    alex = PartnerSummary(name="Alex", role="hurt", adherence_7=3, adherence_28=1200, csi_latest=12, csi_change=3)
    alex.reliable, alex.triggers_14, alex.trigger_strength_14 = ReliableChange.WORSE, 2, 2.5
    sam = PartnerSummary(name="Sam <3", role="involved", csi_latest=9, csi_change=-2)
    new = PartnerSummary(name="Jo", role="hurt", csi_latest=None, csi_change=None)
    new.reliable = ReliableChange.BETTER  # never shown without a score
    couple = CoupleSummary(
        couple=Couple(pk=7), stage=2, stage_title="Trust & <b>", days_in_stage=1500, days_in_plan=3,
        partners=[alex, sam, new],
    )  # fmt: skip
    (shown,) = for_page([couple])
    assert (shown["names"], shown["url"], shown["brief_url"]) == (
        "Alex & Sam <3 & Jo",
        reverse("therapist_couple", args=[7]),
        reverse("therapist_brief", args=[7]),
    )
    # Sentences as {% blocktranslate %} fills them: the values escaped, the words as translated.
    assert shown["stage_line"] == "Stage 2, Trust &amp; &lt;b&gt; · 1500 days"
    assert (shown["days_in_stage"], shown["in_plan"]) == ("1500 days", "3 days in the plan")
    first, second, third = shown["partners"]
    assert (first["week"], first["month"], first["csi"]) == ("3", "1200", "12 (+3)")
    assert first["check_ins"] == "Check-ins: 3 this week, 1200 in 4 weeks"
    assert first["reliable"] == alex.reliable.label
    assert (first["triggers"], first["triggers_line"], first["trend"]) == (
        "2", "triggers shared in 14 days: 2", alex.trust_trend
    )  # fmt: skip
    assert (first["strength"], first["strength_short"]) == ("mean strength 2.5 of 5", "strength 2.5")
    assert (second["csi"], second["reliable"], second["strength"], second["strength_short"]) == ("9 (-2)", "", "", "")
    assert (third["csi"], third["reliable"]) == ("—", "")
    with translation.override("de"):  # numbers follow the reader's language, as the template's own would
        (german,) = for_page([couple])
    assert german["partners"][0]["strength_short"] == "strength 2,5"


def test_the_caseload_calls_people_what_every_other_page_does() -> None:
    from recovery.models import User

    named = UserFactory(display_name="Robin", email="r.smith@example.com")
    unnamed = UserFactory(display_name="", email="jo.b@example.com")
    assert [u.get_short_name() for u in (named, unnamed)] == ["Robin", "jo.b"]
    assert User.short_name("", "jo.b@example.com") == "jo.b" and User.short_name("Robin", "x@y.z") == "Robin"
    doc = TherapistFactory()
    enable_mfa(doc)
    couple = make_couple(hurt=unnamed)
    make_care_access(couple, doc)
    (summary,) = caseload(fresh(doc))
    assert summary.partners[0].name == "jo.b"


def test_the_summary_shows_every_week_s_csi_and_recent_words_in_queries_that_do_not_grow_with_history() -> None:
    from recovery.care.summary import summary_for

    couple, alex, sam = _couple()
    doc = TherapistFactory()
    enable_mfa(doc)
    make_care_access(couple, doc)
    this_week = week_start_for(alex)

    def reviews(weeks: range) -> None:
        for n in weeks:
            for person, visibility in ((alex, "therapist"), (sam, "partner")):
                WeeklyReviewFactory(
                    author=person, week_start=this_week - timedelta(weeks=n), visibility=visibility,
                    what_worked=f"WORKED-{person.display_name}-{n}",
                    csi_happiness=3, csi_warm=3, csi_rewarding=3, csi_satisfied=n % 6,
                )  # fmt: skip

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            summary_for(fresh(doc), couple)
        return len(queries)

    reviews(range(1, 3))
    few = count()
    reviews(range(3, 30))
    assert count() == few
    context = summary_for(fresh(doc), couple)
    totals = dict(context["csi_weeks"])
    assert totals[this_week - timedelta(weeks=29)] == [9 + 29 % 6, 9 + 29 % 6]  # the oldest week's, for both
    words = [r.what_worked for week in context["weeks"] for r in week.reviews]
    assert "WORKED-Alex-1" in words and "WORKED-Alex-29" not in words  # words of the weeks shown only
    assert not any(w.startswith("WORKED-Sam") for w in words)  # shared with the partner alone: a score, no words
