"""The PHQ-9's wording, scoring, bands and item 9 (Kroenke, Spitzer & Williams, 2001; LOINC 44249-1)."""

from __future__ import annotations

import pytest

from checkins import phq9


def test_it_has_the_nine_loinc_items_in_order_with_the_published_answers() -> None:
    assert [item.loinc for item in phq9.ITEMS] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8",
    ]  # fmt: skip
    assert phq9.ITEMS[0].text == "Little interest or pleasure in doing things"
    assert phq9.ITEMS[1].text == "Feeling down, depressed, or hopeless"
    # The LOINC wording of item 9, with "in some way" (shortened copies drift from it).
    assert phq9.ITEMS[8].text == "Thoughts that you would be better off dead, or of hurting yourself in some way"
    assert phq9.ANSWERS == ((0, "Not at all"), (1, "Several days"), (2, "More than half the days"),
                            (3, "Nearly every day"))  # fmt: skip
    assert phq9.STEM.startswith("Over the last 2 weeks, how often have you been bothered")


def test_the_terms_of_use_notice_is_the_published_one() -> None:
    assert phq9.NOTICE.endswith(
        "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or "
        "distribute."
    )
    assert "Spitzer" in phq9.NOTICE and "Kroenke" in phq9.NOTICE


# Derived from the published cut-points (5, 10, 15, 20): each band's edges.
BAND_CASES = [
    ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, phq9.Band.MINIMAL),
    ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, phq9.Band.MINIMAL),
    ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, phq9.Band.MILD),
    ([1, 1, 1, 1, 1, 1, 1, 1, 1], 9, phq9.Band.MILD),
    ([2, 2, 2, 2, 2, 0, 0, 0, 0], 10, phq9.Band.MODERATE),
    ([2, 2, 2, 2, 2, 2, 2, 0, 0], 14, phq9.Band.MODERATE),
    ([3, 3, 3, 3, 3, 0, 0, 0, 0], 15, phq9.Band.MODERATELY_SEVERE),
    ([3, 3, 3, 3, 3, 3, 1, 0, 0], 19, phq9.Band.MODERATELY_SEVERE),
    ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, phq9.Band.SEVERE),
    ([3, 3, 3, 3, 3, 3, 3, 3, 3], 27, phq9.Band.SEVERE),
]


@pytest.mark.parametrize(("answers", "total", "band"), BAND_CASES)
def test_totals_and_bands_at_every_edge(answers: list[int], total: int, band: phq9.Band) -> None:
    assert phq9.total(answers) == total
    assert phq9.band_for(total) is band


def test_the_band_labels() -> None:
    assert [b.label for b in phq9.Band] == ["minimal", "mild", "moderate", "moderately severe", "severe"]


@pytest.mark.parametrize(
    ("answers", "needs"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 1], True),  # a total of 1, "minimal": still crisis lines at once
        ([0, 0, 0, 0, 0, 0, 0, 0, 3], True),
        ([3, 3, 3, 3, 3, 3, 3, 3, 0], False),  # a severe total without item 9: the score says enough
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], False),
    ],
)
def test_any_answer_above_0_to_item_9_calls_for_crisis_support_whatever_the_total(answers, needs) -> None:
    assert phq9.needs_crisis_support(answers) is needs


@pytest.mark.parametrize(
    "answers", [[0] * 8, [0] * 10, [0, 0, 0, 0, 0, 0, 0, 0, 4], [0, 0, 0, 0, 0, 0, 0, 0, -1], [0] * 8 + [True]]
)
def test_anything_but_nine_answers_of_0_to_3_is_refused(answers) -> None:
    with pytest.raises(ValueError):
        phq9.total(answers)


@pytest.mark.parametrize("score", [-1, 28])
def test_a_total_outside_0_to_27_has_no_band(score: int) -> None:
    with pytest.raises(ValueError):
        phq9.band_for(score)
