"""Issue 14: the home page's charts are drawn once and kept, keyed by exactly what they are drawn from, so a
kept copy is never stale and never shows anything the viewer may no longer see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from checkins import dashboard
from checkins.models import DailyCheckIn
from recovery.localtime import local_today
from tests.factories import DailyCheckInFactory, UserFactory, make_couple
from tests.helpers import page

pytestmark = pytest.mark.django_db


def _charts(text: str) -> str:
    return text[text.index('id="progress-heading"') : text.index('id="places-heading"')]


def test_the_charts_are_drawn_once_and_redrawn_when_what_they_show_changes(monkeypatch) -> None:
    alex, sam = UserFactory(display_name="Alex"), UserFactory(display_name="Sam")
    make_couple(hurt=alex, involved=sam)
    today = local_today(alex)
    for day in range(5):
        for person, trust in ((alex, 4), (sam, 7 if day == 2 else 2)):
            DailyCheckInFactory(
                author=person, local_date=today - timedelta(days=day), trust=trust, visibility="partner"
            )
    drawn = []
    real = dashboard.couple_charts
    monkeypatch.setattr(dashboard, "couple_charts", lambda **kw: drawn.append(1) or real(**kw))
    client = Client()
    client.force_login(alex)
    first = page(client.get(reverse("home")))
    assert "<td>7.0</td>" in first and len(drawn) == 1
    again = page(client.get(reverse("home")))
    assert _charts(again) == _charts(first) and len(drawn) == 1  # kept: not drawn again
    DailyCheckIn.objects.filter(author=sam, trust=7).update(visibility="only_me")  # Sam keeps that day to themself
    hidden = page(client.get(reverse("home")))
    assert "<td>7.0</td>" not in hidden and len(drawn) == 2
    client.force_login(sam)
    assert "<td>7.0</td>" in page(client.get(reverse("home")))  # their own, in their own copy
