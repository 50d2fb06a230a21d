"""Issue 14: the page layout's header, menu and footer are drawn once per process for each menu and kept in
memory (templates/base.html, CACHES["fragments"]). What is kept must be the same for everyone who sees that
menu: no name, no address, no word anyone wrote, and never a form's CSRF token."""

from __future__ import annotations

import pickle
import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.factories import TherapistFactory, UserFactory, make_couple
from tests.helpers import client_as, page

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _kept() -> dict[str, str]:
    """Every fragment the layout keeps, by key (LocMemCache stores values pickled)."""
    store = caches["fragments"]
    return {key: pickle.loads(value) for key, value in store._cache.items()}  # type: ignore[attr-defined]


def test_what_the_layout_keeps_is_the_same_for_everyone_with_that_menu() -> None:
    caches["fragments"].clear()
    alex = UserFactory(display_name="Zebedee", email="zebedee@example.org")
    sam = UserFactory(display_name="Quentin", email="quentin@example.org")
    make_couple(hurt=alex, involved=sam)
    alex_page = page(client_as(alex).get(reverse("home")))
    kept_after_alex = _kept()
    sam_page = page(client_as(sam).get(reverse("home")))
    assert _kept() == kept_after_alex  # Sam's page drew nothing new: the same menu, read from memory
    assert "Check in" in sam_page and "Log out" in sam_page

    # Each page has its own CSRF tokens (two forms: quick exit and log out), never one kept for everyone.
    alex_tokens, sam_tokens = TOKEN.findall(alex_page), TOKEN.findall(sam_page)
    assert len(alex_tokens) >= 2 and len(sam_tokens) >= 2 and not set(alex_tokens) & set(sam_tokens)

    doc = TherapistFactory(display_name="Dr Yarrow", email="yarrow@example.org")
    therapist_page = page(client_as(doc).get(reverse("therapist_home")))
    assert "Caseload" in therapist_page and "Check in" not in therapist_page
    client_as(alex).get(reverse("checkins:trigger_new"))
    client_as(alex).get(reverse("plans:overview"))
    page(client_as(UserFactory()).get(reverse("home")))  # someone not yet in a couple
    kept = "".join(_kept().values())
    assert "csrfmiddlewaretoken" not in kept
    for private in ("Zebedee", "Quentin", "Yarrow", "example.org"):
        assert private not in kept


def test_the_kept_menu_marks_the_page_s_own_section_and_the_trigger_page() -> None:
    alex, sam = UserFactory(), UserFactory()
    make_couple(hurt=alex, involved=sam)
    client = client_as(alex)
    for _ in range(2):  # drawn, then read from memory: the same either way
        home = page(client.get(reverse("home")))
        plan = page(client.get(reverse("plans:overview")))
        trigger = page(client.get(reverse("checkins:trigger_new")))
        assert f'href="{reverse("home")}" aria-current="page"' in home
        assert f'href="{reverse("plans:overview")}" aria-current="true"' in plan
        assert 'aria-current="page">A trigger hit' in trigger and 'aria-current="page">A trigger hit' not in plan


def test_a_signed_out_visitor_gets_the_guest_menu_after_a_partner_s_page() -> None:
    alex, sam = UserFactory(), UserFactory()
    make_couple(hurt=alex, involved=sam)
    client_as(alex).get(reverse("home"))
    guest = page(Client().get(reverse("account_login")))
    assert "Sign up" in guest and "Log out" not in guest and "A trigger hit" not in guest
