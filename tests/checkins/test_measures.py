"""The CSI-4 scoring."""

from __future__ import annotations

import pytest

from checkins.measures import CSI4_ITEMS, DISTRESS_CUTOFF, MAX_TOTAL, csi4_total, is_distressed


def test_it_has_the_four_published_items_and_scales() -> None:
    assert [item.max_score for item in CSI4_ITEMS] == [6, 5, 5, 5]
    assert sum(item.max_score for item in CSI4_ITEMS) == MAX_TOTAL == 21
    assert CSI4_ITEMS[0].text.startswith("Please indicate the degree of happiness, all things considered")
    assert CSI4_ITEMS[0].choices[0] == (0, "Extremely unhappy") and CSI4_ITEMS[0].choices[-1] == (6, "Perfect")
    assert CSI4_ITEMS[1].text == "I have a warm and comfortable relationship with my partner."
    assert CSI4_ITEMS[1].choices[-1] == (5, "Completely true")
    assert CSI4_ITEMS[2].text == "How rewarding is your relationship with your partner?"
    assert CSI4_ITEMS[3].text == "In general, how satisfied are you with your relationship?"


@pytest.mark.parametrize(
    ("answers", "total"),
    [((0, 0, 0, 0), 0), ((6, 5, 5, 5), 21), ((3, 3, 3, 3), 12), ((4, 3, 3, 3), 13), ((4, 4, 3, 3), 14)],
)
def test_it_sums_the_items(answers: tuple[int, ...], total: int) -> None:
    assert csi4_total(dict(zip([i.key for i in CSI4_ITEMS], answers, strict=True))) == total


@pytest.mark.parametrize(("total", "distressed"), [(0, True), (13, True), (13.4, True), (13.5, False), (14, False)])
def test_below_thirteen_and_a_half_marks_distress(total: float, distressed: bool) -> None:
    assert DISTRESS_CUTOFF == 13.5
    assert is_distressed(total) is distressed


@pytest.mark.parametrize("bad", [{"csi_happiness": 7}, {"csi_warm": 6}, {"csi_warm": -1}, {"csi_satisfied": None}])
def test_out_of_range_or_missing_answers_are_refused(bad: dict) -> None:
    answers = {item.key: 1 for item in CSI4_ITEMS} | bad
    with pytest.raises(ValueError):
        csi4_total(answers)
