"""Issue 14: pages whose data grows cost the same number of queries after a week and after a year."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins.demo import csi_items
from checkins.models import DailyCheckIn, Phq9Response, WeeklyReview
from checkins.phq9 import ITEMS
from plans.completions import period_for
from plans.models import AnswerVersion, Completion, Question, Step
from recovery.access import OwnVisibility
from recovery.localtime import local_today, monday_of
from tests.factories import UserFactory, make_couple

pytestmark = pytest.mark.django_db

# Each page's queries as a signed-in partner, session and person included (as the bench counts them): a
# ceiling, so a query added by accident shows up here and not first in `make bench`. The plan's pages count
# one more than the bench on the embedded defaults, whose cache (the plan's content version) is the database.
PAGES = [
    ("checkins:check_in", {}, 5),
    ("checkins:weekly_review", {}, 8),
    ("checkins:history", {}, 5),
    ("checkins:reviews", {}, 8),
    ("checkins:wellbeing", {}, 5),
    ("plans:questions", {}, 8),
    ("plans:step", {"slug": None}, 8),
    ("care_seen", {}, 5),
]


def _history(couple, people, days: range) -> None:
    """Check-ins, reviews, completions, questions and PHQ-9s over `days` ago, as the app would write them."""
    steps = list(Step.objects.filter(retired=False, stage__number=1).exclude(cadence="daily"))
    for person in people:
        today = local_today(person)
        DailyCheckIn.objects.bulk_create(
            [DailyCheckIn(couple=couple, author=person, local_date=today - timedelta(days=d), mood=3, trust=5,
                          closeness=5, visibility="partner", high="A walk.") for d in days]
        )  # fmt: skip
        WeeklyReview.objects.bulk_create(
            [WeeklyReview(couple=couple, author=person, week_start=monday_of(today) - timedelta(weeks=w),
                          visibility="partner", **csi_items(12))
             for w in range(days.start // 7 + 1, days.stop // 7 + 1)]
        )  # fmt: skip
        Completion.objects.bulk_create(
            [Completion(step=steps[d % len(steps)], couple=couple, author=person,
                        period=period_for(steps[d % len(steps)], today - timedelta(days=d)),
                        done_on=today - timedelta(days=d)) for d in days[::5]],
            ignore_conflicts=True,
        )  # fmt: skip
        Phq9Response.objects.bulk_create(
            [Phq9Response(couple=couple, author=person, answered_on=today - timedelta(days=d),
                          visibility=OwnVisibility.ONLY_ME, **{item.key: 1 for item in ITEMS}) for d in days[::30]]
        )  # fmt: skip
    for d in days[::30]:
        question = Question.objects.create(couple=couple, author=people[0], text=f"Question {d}", visibility="partner")
        AnswerVersion.objects.create(question=question, author=people[1], number=1, text="An answer.")


@pytest.mark.parametrize(("name", "kwargs", "ceiling"), PAGES, ids=[name for name, _kwargs, _ceiling in PAGES])
def test_a_page_costs_the_same_queries_after_a_week_and_after_a_year(name: str, kwargs: dict, ceiling: int) -> None:
    alex, sam = UserFactory(display_name="Alex"), UserFactory(display_name="Sam")
    couple = make_couple(hurt=alex, involved=sam)
    if "slug" in kwargs:
        kwargs = {"slug": Step.objects.filter(stage__number=1, retired=False).order_by("position")[0].slug}
    url = reverse(name, kwargs=kwargs)
    client = Client()
    client.force_login(alex)
    with time_machine.travel(timezone.now(), tick=False):  # no once-a-minute session write in between
        client.get(url)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            return len(queries)

        _history(couple, [alex, sam], range(1, 8))
        a_week = count()
        _history(couple, [alex, sam], range(8, 366))
        assert count() == a_week
        assert a_week <= ceiling
