"""The CSI-4 scoring, reliable change against the first score, and crossing the distress line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checkins import measures
from checkins.change import own_csi_change
from checkins.measures import (
    CSI4_ITEMS,
    DISTRESS_CUTOFF,
    MAX_TOTAL,
    PublishedReliability,
    ReliableChange,
    crossed_below_cutoff,
    csi4_total,
    is_distressed,
    rci_threshold,
    reliable_change,
    reliable_change_index,
)
from recovery import entry_crypto
from recovery.access import couple_of
from recovery.localtime import local_today, monday_of
from tests.factories import UserFactory, WeeklyReviewFactory, make_couple
from tests.helpers import fresh


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


# --- reliable change (Jacobson & Truax, 1991) and the distress line ---------------------------------------


def _source(sd: float, r: float) -> PublishedReliability:
    return PublishedReliability(sd=sd, reliability=r, citation="worked example")


@pytest.mark.parametrize(
    ("sd", "r", "threshold"),
    # Worked by hand: S_E = SD * sqrt(1 - r), S_diff = sqrt(2) * S_E, threshold = 1.96 * S_diff.
    [(3.0, 0.90, 2.63), (3.0, 0.94, 2.04), (4.0, 0.90, 3.51), (4.0, 0.94, 2.72), (5.0, 0.90, 4.38), (5.0, 0.94, 3.39)],
)
def test_the_reliable_change_threshold_is_jacobson_and_truax_s(sd: float, r: float, threshold: float) -> None:
    assert rci_threshold(_source(sd, r)) == pytest.approx(threshold, abs=0.005)


def test_the_reliable_change_index_is_the_change_over_the_standard_error_of_the_difference() -> None:
    # SD 4, r .94: S_diff = 1.4142 * 4 * 0.2449 = 1.3856; a rise of 3 is RC = 2.165, a fall of 2 is -1.443.
    source = _source(4.0, 0.94)
    assert reliable_change_index(10, 13, source) == pytest.approx(2.165, abs=0.001)
    assert reliable_change_index(10, 8, source) == pytest.approx(-1.443, abs=0.001)


@pytest.mark.parametrize(
    ("first", "latest", "expected"),
    [
        (10, 13, ReliableChange.BETTER),  # +3 > 2.72
        (10, 12, ReliableChange.NO_CHANGE),  # +2 < 2.72
        (10, 10, ReliableChange.NO_CHANGE),
        (10, 8, ReliableChange.NO_CHANGE),  # -2
        (10, 7, ReliableChange.WORSE),  # -3
        (5, 15, ReliableChange.BETTER),
        (16, 7, ReliableChange.WORSE),
    ],
)
def test_reliable_change_against_the_first_score(first: int, latest: int, expected: ReliableChange) -> None:
    assert reliable_change(first, latest, published=_source(4.0, 0.94)) is expected


def test_a_change_exactly_at_the_threshold_is_not_yet_reliable() -> None:
    # RC must be greater than 1.96: with S_diff = 1 (SD = 1/sqrt(2(1-r)) for r = .5), a change of 1.96 is not.
    source = PublishedReliability(sd=1.0, reliability=0.5, citation="edge")
    assert reliable_change(0, 1.96, published=source) is ReliableChange.NO_CHANGE
    assert reliable_change(0, 1.97, published=source) is ReliableChange.BETTER


def test_the_labels_are_the_three_words_people_see() -> None:
    assert [c.label for c in ReliableChange] == ["reliably better", "no reliable change yet", "reliably worse"]


def test_without_verified_published_inputs_no_label_is_computed(monkeypatch) -> None:
    monkeypatch.setattr(measures, "CSI4_RELIABILITY", None)
    assert reliable_change(2, 20) is None
    monkeypatch.setattr(measures, "CSI4_RELIABILITY", _source(4.0, 0.94))
    assert reliable_change(2, 20) is ReliableChange.BETTER


def test_published_inputs_must_be_plausible_and_cited() -> None:
    for sd, r in ((0, 0.9), (-1, 0.9), (4, 0), (4, 1), (4, 1.2)):
        with pytest.raises(ValueError):
            PublishedReliability(sd=sd, reliability=r, citation="x")
    if measures.CSI4_RELIABILITY is not None:  # once filled in, it names where the numbers were read
        assert len(measures.CSI4_RELIABILITY.citation) > 20


@pytest.mark.parametrize(
    ("previous", "latest", "crossed"),
    [(14, 13, True), (13.5, 13, True), (20, 5, True), (13, 12, False), (13, 14, False), (14, 14, False),
     (None, 10, False), (14, None, False)],
)  # fmt: skip
def test_crossing_below_the_line_is_a_fall_across_it_since_the_previous_review(previous, latest, crossed) -> None:
    assert crossed_below_cutoff(previous, latest) is crossed


@pytest.mark.parametrize(("total", "below"), [(None, False), (0, True), (13, True), (13.5, False), (21, False)])
def test_templates_ask_the_same_distress_line(total: float | None, below: bool) -> None:
    from django.template import Context, Template

    rendered = Template(
        "{% load measure_tags %}{% csi4_scale as csi4 %}"
        "{{ total|below_distress_line }} {{ csi4.cutoff }}/{{ csi4.max }}"
    )
    assert rendered.render(Context({"total": total})) == f"{below} {DISTRESS_CUTOFF}/{MAX_TOTAL}"
    assert below == (total is not None and is_distressed(total))


def test_a_csi4_row_from_the_database_totals_like_the_answers_it_holds() -> None:
    from checkins.measures import CSI4_KEYS, csi4_row_total

    assert tuple(item.key for item in CSI4_ITEMS) == CSI4_KEYS
    assert csi4_row_total([6, 5, 5, 5]) == csi4_total(dict(zip(CSI4_KEYS, [6, 5, 5, 5], strict=True))) == MAX_TOTAL
    with pytest.raises(ValueError, match="csi_happiness"):
        csi4_row_total([7, 0, 0, 0])  # the same checks as csi4_total
    with pytest.raises(ValueError):
        csi4_row_total([1, 2, 3])  # a row missing an answer is refused, not summed


@pytest.mark.django_db
def test_own_change_reads_all_of_the_person_s_own_reviews_and_none_of_the_partner_s(
    django_assert_num_queries, monkeypatch
) -> None:
    alex, sam = UserFactory(), UserFactory()
    make_couple(hurt=alex, involved=sam)
    this_week = monday_of(local_today(alex))
    weeks = [this_week - timedelta(weeks=n) for n in (3, 2, 1)]
    WeeklyReviewFactory(author=alex, week_start=weeks[0], visibility="partner", csi_happiness=1, csi_warm=1,
                        csi_rewarding=1, csi_satisfied=1, what_worked="Words the total never needs.")  # fmt: skip
    # Kept "only me": still theirs, so still in their own reading.
    WeeklyReviewFactory(author=alex, week_start=weeks[2], visibility="only_me", csi_happiness=6, csi_warm=5,
                        csi_rewarding=5, csi_satisfied=5)  # fmt: skip
    WeeklyReviewFactory(author=alex, week_start=weeks[1], visibility="therapist")  # 3 + 3 + 3 + 3
    # The partner's, shared: never in Alex's own reading.
    WeeklyReviewFactory(author=sam, week_start=this_week, visibility="partner", csi_happiness=0, csi_warm=0,
                        csi_rewarding=0, csi_satisfied=0)  # fmt: skip
    alex = fresh(alex)
    couple_of(alex), alex.is_therapist  # as a request has asked already (membership, menu)
    decrypted: list[str] = []
    monkeypatch.setattr(entry_crypto, "decrypt", lambda stored: decrypted.append(stored) or "")
    with django_assert_num_queries(1):
        change = own_csi_change(alex)
    assert decrypted == []  # scores only: a year of reviews' words are never decrypted for a total
    assert change is not None
    assert (change.first, change.first_week, change.latest, change.latest_week) == (4, weeks[0], 21, weeks[2])
    assert (change.previous, change.previous_week, change.count, change.since_previous) == (12, weeks[1], 3, 9)
    assert own_csi_change(fresh(UserFactory())) is None
