"""The CSI-4: the four-item Couples Satisfaction Index (Funk & Rogge, 2007), and how its change is read.

Items are scored 0-6, 0-5, 0-5 and 0-5; the total runs 0-21, and a total below 13.5 marks notable
relationship distress. Wording and answer scales are the published ones.

One place per rule: the distress line (`is_distressed`, `crossed_below_cutoff`) and reliable change against a
person's own first score (`reliable_change`) are decided here and nowhere else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy

DISTRESS_CUTOFF = 13.5
MAX_TOTAL = 21


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    choices: tuple[tuple[int, str], ...]

    @property
    def max_score(self) -> int:
        return self.choices[-1][0]


_TRUE_SCALE = (
    (0, "Not at all true"),
    (1, "A little true"),
    (2, "Somewhat true"),
    (3, "Mostly true"),
    (4, "Almost completely true"),
    (5, "Completely true"),
)
_AMOUNT_SCALE = (
    (0, "Not at all"),
    (1, "A little"),
    (2, "Somewhat"),
    (3, "Mostly"),
    (4, "Almost completely"),
    (5, "Completely"),
)

CSI4_ITEMS: tuple[Item, ...] = (
    Item(
        "csi_happiness",
        "Please indicate the degree of happiness, all things considered, of your relationship.",
        (
            (0, "Extremely unhappy"),
            (1, "Fairly unhappy"),
            (2, "A little unhappy"),
            (3, "Happy"),
            (4, "Very happy"),
            (5, "Extremely happy"),
            (6, "Perfect"),
        ),
    ),
    Item("csi_warm", "I have a warm and comfortable relationship with my partner.", _TRUE_SCALE),
    Item("csi_rewarding", "How rewarding is your relationship with your partner?", _AMOUNT_SCALE),
    Item("csi_satisfied", "In general, how satisfied are you with your relationship?", _AMOUNT_SCALE),
)


CSI4_KEYS: tuple[str, ...] = tuple(item.key for item in CSI4_ITEMS)


def csi4_row_total(values: Sequence[int]) -> int:
    """csi4_total of the four answers in CSI4_KEYS' order, as `values_list(*CSI4_KEYS)` reads them: a page that
    shows only totals need not load whole reviews."""
    return csi4_total(dict(zip(CSI4_KEYS, values, strict=True)))


def csi4_total(answers: Mapping[str, int]) -> int:
    """The sum of the four item scores; ValueError for a missing or out-of-range answer."""
    total = 0
    for item in CSI4_ITEMS:
        value = answers.get(item.key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= item.max_score:
            raise ValueError(f"{item.key} must be a whole number from 0 to {item.max_score}")
        total += value
    return total


def is_distressed(total: float) -> bool:
    return total < DISTRESS_CUTOFF


def crossed_below_cutoff(previous: float | None, latest: float | None) -> bool:
    """The latest total is under the distress line and the one before it was not: the change that matters
    in a couple's first weeks, rather than the (usual, early) fact of being below the line."""
    return previous is not None and latest is not None and previous >= DISTRESS_CUTOFF and latest < DISTRESS_CUTOFF


# --- Reliable change (Jacobson & Truax, 1991) -----------------------------------------------------------
#
# Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining meaningful
# change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59(1), 12-19.
# doi:10.1037/0022-006X.59.1.12
#
#   S_E = SD * sqrt(1 - r)        the standard error of measurement
#   S_diff = sqrt(2) * S_E         the standard error of the difference between two scores
#   RC = (latest - first) / S_diff, and |RC| > 1.96 is a change unlikely (p < .05) to be measurement noise;
#   so the threshold in points is 1.96 * SD * sqrt(2 * (1 - r)).
#
# SD is the standard deviation of the CSI-4 total in a published sample of adults in relationships, and r its
# reliability (internal consistency or test-retest) in that sample.
RC_CRITICAL_VALUE = 1.96
_FROM_MODULE = object()  # "use CSI4_RELIABILITY as it is now" (read at call time, so tests can set it)


@dataclass(frozen=True)
class PublishedReliability:
    """The two published numbers the reliable-change threshold rests on, with where they were read."""

    sd: float
    reliability: float
    citation: str

    def __post_init__(self) -> None:
        if self.sd <= 0 or not 0 < self.reliability < 1:
            raise ValueError("SD must be positive and the reliability between 0 and 1")


# BLOCKED, deliberately empty: no published source reporting BOTH the CSI-4 total's standard deviation and
# its reliability could be read and checked (see the research notes, section 1, and the report on issue 13).
# Funk & Rogge (2007), J Fam Psychol 21(4):572-583, is widely quoted for the CSI-4's alpha (.94), but its
# tables could not be read, and no SD of the CSI-4 total was found in any sample. Until both numbers are
# read in a paper and entered here with the citation (author, year, journal, table, N), no reliable-change
# label is computed or shown to anyone: a label resting on guessed numbers would tell a person, or their
# therapist, something that isn't known. Fill in, for example:
#   PublishedReliability(sd=..., reliability=..., citation="Author (Year), Journal vol:pages, Table n, N = ...")
CSI4_RELIABILITY: PublishedReliability | None = None


class ReliableChange(StrEnum):
    BETTER = "reliably_better"
    NO_CHANGE = "no_reliable_change"
    WORSE = "reliably_worse"

    @property
    def label(self) -> str:
        return str(_RELIABLE_CHANGE_LABELS[self])


_RELIABLE_CHANGE_LABELS = {
    ReliableChange.BETTER: gettext_lazy("reliably better"),
    ReliableChange.NO_CHANGE: gettext_lazy("no reliable change yet"),
    ReliableChange.WORSE: gettext_lazy("reliably worse"),
}


def rci_threshold(published: PublishedReliability) -> float:
    """The smallest change in points, either way, that counts as reliable: 1.96 * SD * sqrt(2 * (1 - r))."""
    return RC_CRITICAL_VALUE * published.sd * math.sqrt(2 * (1 - published.reliability))


def reliable_change_index(first: float, latest: float, published: PublishedReliability) -> float:
    """Jacobson & Truax's RC: the change divided by the standard error of the difference."""
    s_diff = math.sqrt(2) * published.sd * math.sqrt(1 - published.reliability)
    return (latest - first) / s_diff


def reliable_change(
    first: float, latest: float, *, published: PublishedReliability | object | None = _FROM_MODULE
) -> ReliableChange | None:
    """Better, worse or no reliable change of `latest` against the person's own `first` CSI-4 total (higher
    is more satisfied), or None while the published inputs are missing (then nothing is to be shown)."""
    source = CSI4_RELIABILITY if published is _FROM_MODULE else published
    if not isinstance(source, PublishedReliability):  # None: the published inputs are missing
        return None
    index = reliable_change_index(first, latest, source)
    if index > RC_CRITICAL_VALUE:
        return ReliableChange.BETTER
    if index < -RC_CRITICAL_VALUE:
        return ReliableChange.WORSE
    return ReliableChange.NO_CHANGE
