"""The operator admin: two-step sign-in to enter, no page failing on junk, deletion that lists nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from checkins.models import DailyCheckIn
from plans.models import Completion
from recovery.admin import SafeFilters
from recovery.models import User
from tests.factories import (
    PASSWORD,
    DailyCheckInFactory,
    TherapistFactory,
    UserFactory,
    enable_mfa,
    make_couple,
    make_invitation,
    make_plan_records,
    make_waiting_couple,
)
from tests.helpers import page

pytestmark = pytest.mark.django_db

NEEDS_TWO_STEP = "Turn on two-step sign-in first"


def _staff(*, two_step: bool, email: str = "operator@example.com") -> User:
    staff = UserFactory(email=email, is_staff=True, is_superuser=True)
    if two_step:
        enable_mfa(staff)
    return staff


def _admin_urls(model: type[Model], pk: object) -> dict[str, str]:
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return {
        "changelist": reverse(f"{info}_changelist"),
        "add": reverse(f"{info}_add"),
        "change": reverse(f"{info}_change", args=[pk]),
        "delete": reverse(f"{info}_delete", args=[pk]),
        "history": reverse(f"{info}_history", args=[pk]),
    }


# --- Entering --------------------------------------------------------------------------------------


def test_staff_without_two_step_sign_in_are_told_to_turn_it_on_on_every_admin_page(client) -> None:
    staff = _staff(two_step=False)
    client.force_login(staff)
    group = Group.objects.create(name="Support")
    urls = [
        reverse("admin:index"),
        reverse("admin:recovery_user_changelist"),
        reverse("admin:recovery_user_change", args=[staff.pk]),
        reverse("admin:auth_group_change", args=[group.pk]),
        reverse("admin:usersessions_usersession_changelist"),
        reverse("admin:login"),
    ]
    for url in urls:
        response = client.get(url, follow=True)
        # At most one step (to the admin's sign-in page), then a refusal that says what to do: no loop.
        assert len(response.redirect_chain) <= 1, url
        assert response.status_code == 403, url
        text = page(response)
        assert NEEDS_TWO_STEP in text, url
        assert f'href="{reverse("mfa_activate_totp")}"' in text
        assert "Site administration" not in text and staff.email not in text
    # A form posted to the admin's sign-in page (another account's password, say) gets the same answer.
    response = client.post(reverse("admin:login"), {"username": "someone@example.com", "password": PASSWORD})
    assert response.status_code == 403
    assert NEEDS_TWO_STEP in page(response)


def test_staff_with_two_step_sign_in_enter_the_admin(client) -> None:
    client.force_login(_staff(two_step=True))
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:recovery_user_changelist")).status_code == 200
    assert client.get(reverse("admin:login"))["Location"] == reverse("admin:index")


def test_signing_in_with_the_password_alone_doesn_t_open_the_admin(client) -> None:
    staff = _staff(two_step=True)
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")  # the second step is still to come
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert client.get(response["Location"])["Location"].startswith(reverse("account_login"))


def test_people_who_are_not_staff_get_a_plain_refusal_and_visitors_the_sign_in_page(client) -> None:
    assert client.get(reverse("admin:login"))["Location"].startswith(reverse("account_login"))
    partner = UserFactory()
    enable_mfa(partner)
    client.force_login(partner)
    response = client.get(reverse("admin:login"))
    assert response.status_code == 403
    assert NEEDS_TWO_STEP not in page(response)


# --- No page fails on junk -------------------------------------------------------------------------

# Filters, searches, orderings and page numbers no form would send. Each is tried on every list.
CHANGELIST_JUNK = [
    "q=%00",
    "q=a%00b",
    "%00=1",
    "x=%00",
    "q=person",
    "q=1",
    "q=1.2.3",
    "q=%27%22%3C%3E%5C",
    "q=" + "a" * 2000,
    "q=%ED%A0%80",  # a lone surrogate, percent-encoded
    "o=999",
    "o=abc",
    "o=1.999.-3",
    "p=-1",
    "p=abc",
    "p=0",
    "p=99999999999999999999999",
    "id__exact=abc",
    "id__exact=99999999999999999999",
    "id__gt=-99999999999999999999",
    "id__in=1,abc",
    "id__in=",
    "id__range=1,2",
    "id__isnull=maybe",
    "id__regex=(",
    "pk=%00",
    "nosuchfield=1",
    "nosuchfield__nosuchlookup=1",
    "date_joined__gte=notadate",
    "date_joined__lt=0001-01-01",
    "date_joined__year=0",
    "date_joined__day=99999999999999",
    "date_joined__gte=2024-01-01T00:00:00%2B99:00",
    "created_at__gte=99999-01-01",
    "created_at__year=99999999",
    "created_at__iso_year=99999999",
    "created_at__hour=99",
    "last_seen_at__date=2024-02-30",
    "last_login__isnull=2",
    "is_staff__exact=maybe",
    "is_active__exact=%F0%9F%98%80",
    "groups__id__exact=abc",
    "groups__name__regex=(",
    "user__email__regex=(",
    "user__id__exact=abc",
    "user__id__exact=99999999999999999999",
    "user=abc",
    "email__regex=[",
    "email__iregex=(",
    "status__exact=%00",
    "status__exact=nosuch",
    "type__exact=%00",
    "verified__exact=2",
    "ip=300.1.1.1",
    "ip__contains=%00",
    "ip__startswith=%5C",
    "data__has_key=x",
    "data__contains={",
    "data__a__b=1",
    "_changelist_filters=%00",
    "_changelist_filters=o%3D%00",
    "_changelist_filters=%ZZ",
    "all=%00",
    "e=1",
    "e=%00",
    "_to_field=password",
    "_to_field=%00",
    "_popup=%00",
]
# The form and history pages read only a few parameters themselves.
PAGE_JUNK = [
    "",
    "%00=1",
    "x=%00",
    "_changelist_filters=%00",
    "_changelist_filters=o%3D%00%26p%3D-1",
    "_changelist_filters=%ZZ",
    "_changelist_filters=q%3D" + "a" * 2000,
    "_to_field=password",
    "_to_field=%00",
    "_popup=1",
    "_popup=%00",
]
# Row selections for the list's actions no page would send.
ACTION_JUNK = [
    {"action": "delete_selected", "_selected_action": "abc"},
    {"action": "delete_selected", "_selected_action": ""},
    {"action": "delete_selected", "_selected_action": "99999999999999999999"},
    {"action": "delete_selected", "_selected_action": "1", "index": "abc"},
    {"action": "delete_selected", "_selected_action": "1", "select_across": "abc"},
    {"action": "nosuch", "_selected_action": "1"},
    {"action": "delete_selected", "_selected_action": "a%00"},
]

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def operator_client() -> Client:
    """A superuser with two-step sign-in, and a row of every kind the admin lists."""
    operator = _staff(two_step=True)
    make_couple()
    make_invitation(make_waiting_couple())  # and with it an outbox delivery
    TherapistFactory()
    Group.objects.create(name="Support")
    UserSession.objects.create(user=operator, ip="203.0.113.9", session_key="s" * 32, user_agent="Firefox")
    # Exceptions become 500 responses, as in production, so every failure is counted rather than the first.
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    return client


def _status(client: Client, method: str, url: str, data: dict | None = None) -> int:
    # Each request in a savepoint: on PostgreSQL one failed query must not spoil the next requests.
    with transaction.atomic():
        response = client.get(url) if method == "get" else client.post(url, data)
        transaction.set_rollback(True)
    return response.status_code


def test_every_admin_guards_its_filters() -> None:
    unguarded = [model._meta.label for model, model_admin in admin.site._registry.items()
                 if not isinstance(model_admin, SafeFilters)]  # fmt: skip
    assert not unguarded, f"Register these with recovery.admin.SafeFilters: {unguarded}"


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_no_admin_page_fails_on_junk(model: type[Model], operator_client: Client) -> None:
    sample = model._default_manager.order_by("pk").first()
    assert sample is not None, f"Give the admin walk a sample {model._meta.label} in `operator_client`."
    urls = _admin_urls(model, sample.pk)
    failures = []
    for junk in ["", *CHANGELIST_JUNK]:
        url = f"{urls['changelist']}?{junk}"
        if (status := _status(operator_client, "get", url)) >= 500:
            failures.append(f"GET {url[:120]} → {status}")
    for name in ("add", "change", "delete", "history"):
        for junk in PAGE_JUNK:
            url = f"{urls[name]}?{junk}"
            if (status := _status(operator_client, "get", url)) >= 500:
                failures.append(f"GET {url[:120]} → {status}")
    for data in ACTION_JUNK:
        data = {key: value.replace("%00", "\x00") for key, value in data.items()}
        if (status := _status(operator_client, "post", urls["changelist"], data)) >= 500:
            failures.append(f"POST {urls['changelist']} {data} → {status}")
    assert not failures, "\n".join(failures)


def test_a_filter_the_database_refuses_gets_a_page_that_says_so(operator_client: Client) -> None:
    url = reverse("admin:usersessions_usersession_changelist")
    for junk in ("created_at__year=99999999", "id__exact=abc", "nosuchfield=1", "user__id__exact=abc"):
        response = operator_client.get(f"{url}?{junk}")
        assert response.status_code == 400, junk
        text = page(response)
        assert "can't be applied to this list" in text
        assert f'href="{url}"' in text
    # SQLite compares the text and finds nothing; PostgreSQL refuses it as an address.
    response = operator_client.get(f"{url}?ip=300.1.1.1")
    assert response.status_code == (400 if connection.vendor == "postgresql" else 200)
    response = operator_client.get(f"{url}?id__regex=(")
    assert response.status_code == 400  # regular expressions aren't offered at all


def test_the_session_list_can_be_searched_by_e_mail_address_and_user_id(operator_client: Client) -> None:
    session = UserSession.objects.get()
    url = reverse("admin:usersessions_usersession_changelist")
    for term in ("operator@example", str(session.user_id), "203.0.113"):
        response = operator_client.get(url, {"q": term})
        assert response.status_code == 200, term
        assert "203.0.113.9" in page(response), term
    assert "203.0.113.9" not in page(operator_client.get(url, {"q": "nobody@example.com"}))


def test_a_nul_byte_in_a_form_posted_to_the_admin_is_refused(operator_client: Client) -> None:
    group = Group.objects.get()
    response = operator_client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "Sup\x00port"})
    assert response.status_code == 400
    group.refresh_from_db()
    assert group.name == "Support"


# --- Deleting an account ---------------------------------------------------------------------------


@pytest.fixture
def partner_with_entries() -> User:
    """Alex, with a private ("only me") check-in and plan completions."""
    alex = UserFactory(display_name="Alex", email="alex@example.com")
    sam = UserFactory(display_name="Sam", email="sam@example.com")
    couple = make_couple(hurt=alex, involved=sam)
    make_plan_records(couple, hurt=alex, involved=sam)
    for days_ago in (1, 2):
        DailyCheckInFactory(
            author=alex,
            local_date=dt.date(2026, 3, 10) - dt.timedelta(days=days_ago),
            low="I still picture the hotel.",
            visibility="only_me",
        )
    return alex


def _words_of_what_they_wrote(user: User) -> list[str]:
    """Names, counts' labels and descriptions of everything deleted with the account, bar the account."""
    collector = NestedObjects(using="default")
    collector.collect([user])
    words = []
    for model, objects in collector.model_objs.items():
        if model is User or admin.site.is_registered(model):  # registered kinds are named in the admin's menu
            continue
        words += [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
        words += [str(obj) for obj in objects]
    return words


def _assert_lists_the_account_only(text: str, user: User) -> None:
    assert user.email in text
    assert "Everything this person wrote in Mend is deleted" in text or "Everything these people wrote" in text
    assert "Summary" not in text
    lowered = text.lower()
    for word in _words_of_what_they_wrote(user):
        assert word.lower() not in lowered, word
    for word in ("check-in", "check in", "checkin", "completion", "hotel"):
        assert word not in lowered, word


def test_the_delete_page_of_an_account_lists_nothing_the_person_wrote(
    operator_client: Client, partner_with_entries: User
) -> None:
    alex = partner_with_entries
    assert DailyCheckIn.objects.filter(author=alex, visibility="only_me").count() == 2
    assert Completion.objects.filter(author=alex).exists()
    response = operator_client.get(reverse("admin:recovery_user_delete", args=[alex.pk]))
    assert response.status_code == 200
    _assert_lists_the_account_only(page(response), alex)
    # Confirming deletes the account and what it holds.
    response = operator_client.post(reverse("admin:recovery_user_delete", args=[alex.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=alex.pk).exists()
    assert not DailyCheckIn.objects.filter(author_id=alex.pk).exists()


def test_the_delete_selected_action_lists_nothing_the_people_wrote(
    operator_client: Client, partner_with_entries: User
) -> None:
    alex = partner_with_entries
    response = operator_client.post(
        reverse("admin:recovery_user_changelist"), {"action": "delete_selected", "_selected_action": [alex.pk]}
    )
    assert response.status_code == 200
    text = page(response)
    _assert_lists_the_account_only(text, alex)
    assert f'name="_selected_action" value="{alex.pk}"' in text


def test_deliveries_are_listed_read_only_and_never_show_content(operator_client: Client) -> None:
    from recovery.models import Delivery

    delivery = Delivery.objects.get(kind="invitation")
    assert delivery.payload  # the sealed link waiting to be sent…
    listing = operator_client.get(reverse("admin:recovery_delivery_changelist"))
    detail = operator_client.get(reverse("admin:recovery_delivery_change", args=[delivery.pk]))
    assert listing.status_code == detail.status_code == 200
    for response in (listing, detail):
        text = response.content.decode()
        assert delivery.payload not in text and "/invitation/" not in text  # …is never shown
    assert "invitation" in listing.content.decode() and "pending" in listing.content.decode()
    assert operator_client.post(reverse("admin:recovery_delivery_delete", args=[delivery.pk])).status_code == 403
