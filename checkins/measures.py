"""The CSI-4: the four-item Couples Satisfaction Index (Funk & Rogge, 2007).

Items are scored 0-6, 0-5, 0-5 and 0-5; the total runs 0-21, and a total below 13.5 marks notable
relationship distress. Wording and answer scales are the published ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
