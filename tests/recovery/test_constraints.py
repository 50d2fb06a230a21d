"""Issue 14: models whose check constraints the fields validate in Python (`ChecksValidatedByFields`).

For each such model, every check constraint is broken one condition at a time: `full_clean` (what every form
runs) refuses the value without asking the database, and the database, asked directly, still refuses it.
A check constraint this file can't break (a new kind of condition) fails here until it is taught how.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import CaptureQueriesContext

from recovery.models import ChecksValidatedByFields
from tests.factories import DailyCheckInFactory, WeeklyReviewFactory, make_couple

pytestmark = pytest.mark.django_db

MODELS = sorted((m for m in apps.get_models() if issubclass(m, ChecksValidatedByFields)), key=lambda m: m._meta.label)
FACTORIES: dict[str, Any] = {"checkins.DailyCheckIn": DailyCheckInFactory, "checkins.WeeklyReview": WeeklyReviewFactory}


def _breaking_values(constraint: models.CheckConstraint) -> list[tuple[str, object]]:
    """One (field, value) per condition of `constraint`, each breaking that condition alone."""
    condition = constraint.condition
    assert isinstance(condition, models.Q) and condition.connector == models.Q.AND and not condition.negated, (
        f"{constraint.name}: teach this test to break a condition of this shape"
    )
    found = []
    for lookup, bound in condition.children:
        field, _, kind = lookup.rpartition("__")
        if kind == "lte":
            found.append((field, bound + 1))
        elif kind == "gte":
            found.append((field, bound - 1))
        elif kind == "in":
            found.append((field, "nobody"))  # short enough for the column: refused as a choice, not a length
        else:
            raise AssertionError(f"{constraint.name}: teach this test to break a {kind!r} condition")
    return found


CASES = [
    (model._meta.label, constraint.name, field, value)
    for model in MODELS
    for constraint in model._meta.constraints
    if isinstance(constraint, models.CheckConstraint)
    for field, value in _breaking_values(constraint)
]


def test_the_models_that_skip_the_database_s_check_are_the_ones_this_file_knows() -> None:
    assert [m._meta.label for m in MODELS] == sorted(FACTORIES)
    assert len(CASES) >= 10  # mood, trust, closeness, visibility; the CSI-4's four answers, visibility


@pytest.mark.parametrize(("label", "constraint", "field", "value"), CASES, ids=[f"{c[1]}-{c[2]}-{c[3]}" for c in CASES])
def test_a_value_breaking_a_check_constraint_is_refused_without_asking_the_database(
    label: str, constraint: str, field: str, value: object
) -> None:
    entry = FACTORIES[label](author=make_couple().partners.get(seat=1).user)
    setattr(entry, field, value)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
        entry.full_clean(exclude={"couple", "author"})
    codes = {error.code for error in refused.value.error_dict[field]}
    assert codes & {"invalid_choice", "max_value", "min_value"}, codes  # the rule itself, not some other check
    assert not [q for q in queries.captured_queries if "_check" in q["sql"]]
    with pytest.raises(IntegrityError), transaction.atomic():  # …and the database still has the last word
        entry.save()


@pytest.mark.parametrize("label", sorted(FACTORIES))
def test_a_valid_entry_passes_with_its_unique_constraint_still_checked(label: str) -> None:
    entry = FACTORIES[label](author=make_couple().partners.get(seat=1).user)
    entry.full_clean(exclude={"couple"})
    twin = FACTORIES[label].build(couple=entry.couple, author=entry.author)
    for name in ("local_date", "week_start"):
        if hasattr(entry, name):
            setattr(twin, name, getattr(entry, name))
    with pytest.raises(ValidationError, match="already exists"):
        twin.full_clean(exclude={"couple"})  # the same person and day (or week): still refused in Python
