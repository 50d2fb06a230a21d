"""Issue 14: the person is loaded with their therapist profile (one query where every page had two), and no
one is signed out by the backends' new names."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recovery.auth_backends import RENAMED
from tests.factories import PASSWORD, TherapistFactory, UserFactory, make_couple
from tests.helpers import client_as, page

pytestmark = pytest.mark.django_db


def _therapist_profile_queries(client: Client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    alone = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT") and
             'FROM "recovery_therapistprofile"' in q["sql"]]  # fmt: skip
    return page(response), len(alone)


def test_a_page_knows_partner_from_therapist_without_a_query_of_its_own() -> None:
    alex, sam = UserFactory(), UserFactory()
    make_couple(hurt=alex, involved=sam)
    text, queries = _therapist_profile_queries(client_as(alex), reverse("home"))
    assert queries == 0 and "Check in" in text and "Caseload" not in text
    doc = TherapistFactory()
    text, queries = _therapist_profile_queries(client_as(doc), reverse("therapist_home"))
    assert queries == 0 and "Caseload" in text and "Check in" not in text


@pytest.mark.parametrize("old_backend", sorted(RENAMED))
def test_a_session_signed_in_under_the_old_backend_names_stays_signed_in(old_backend: str) -> None:
    alex, sam = UserFactory(), UserFactory()
    make_couple(hurt=alex, involved=sam)
    client = Client()
    client.force_login(alex, backend=old_backend)  # as a session from before this release
    response = client.get(reverse("home"))
    assert response.status_code == 200 and response.wsgi_request.user == alex


def test_signing_in_by_e_mail_and_password_still_works() -> None:
    UserFactory(email="alex@example.org")
    client = Client()
    response = client.post(reverse("account_login"), {"login": "alex@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] in RENAMED.values()
    refused = Client()
    assert refused.post(reverse("account_login"), {"login": "alex@example.org", "password": "wrong"}).status_code == 400
    assert "_auth_user_id" not in refused.session
