from __future__ import annotations

import html

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from recovery.models import Couple, Partner, User


def page(response: HttpResponse) -> str:
    """The response body with HTML entities decoded, for assertions on what a person reads."""
    return html.unescape(response.content.decode())


def client_as(user: User) -> Client:
    """A test client signed in as `user` (straight in: no password, no second step)."""
    client = Client()
    client.force_login(user)
    return client


def signed_in_again(user: User) -> Client:
    """A client signed in as `user` who has just confirmed their password, as the account's own pages ask."""
    from tests.factories import PASSWORD

    client = client_as(user)
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    return client


def fresh(user: User) -> User:
    """The user read again, as a new request would: nothing cached on the object."""
    return type(user).objects.get(pk=user.pk)


def people_of(couple: Couple) -> tuple[User, User]:
    """The couple's two people: seat 1 (who created the space), then seat 2."""
    return couple.partners.get(seat=1).user, couple.partners.get(seat=2).user


def memberships_of(couple: Couple) -> tuple[Partner, Partner]:
    """The couple's two memberships: seat 1, then seat 2."""
    return couple.partners.get(seat=1), couple.partners.get(seat=2)
