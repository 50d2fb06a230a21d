"""The PHQ-9 (Kroenke, Spitzer & Williams, 2001): nine questions about the last two weeks, scored 0-27.

Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern
Med 2001;16(9):606-613. Scores of 5, 10, 15 and 20 mark mild, moderate, moderately severe and severe.

Wording: the LOINC panel 44249-1 ("PHQ-9 quick depression assessment panel"), item by item with its LOINC
codes, and the stem of the printed form. The instrument's own wording is kept exactly, in English, and is
not passed through our translations: a validated translation has to come from the official set
(phqscreeners.com), not from our translators.

Terms of use: the notice printed with the instrument says no permission is required to reproduce,
translate, display or distribute it; LOINC's copy carries the same notice under "Copyright © Pfizer Inc.".
Mend shows the notice with the questions (`NOTICE`) and cites Kroenke 2001.

Item 9 asks about thoughts of being better off dead or of self-harm. Any answer above 0 is a reason to show
crisis lines at once, whatever the total: that rule is `needs_crisis_support`, and only there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"

ANSWERS: tuple[tuple[int, str], ...] = (
    (0, "Not at all"),  # LA6568-5
    (1, "Several days"),  # LA6569-3
    (2, "More than half the days"),  # LA6570-1
    (3, "Nearly every day"),  # LA6571-9
)


@dataclass(frozen=True)
class Item:
    number: int
    loinc: str
    text: str

    @property
    def key(self) -> str:
        return f"item_{self.number}"


ITEMS: tuple[Item, ...] = (
    Item(1, "44250-9", "Little interest or pleasure in doing things"),
    Item(2, "44255-8", "Feeling down, depressed, or hopeless"),
    Item(3, "44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    Item(4, "44254-1", "Feeling tired or having little energy"),
    Item(5, "44251-7", "Poor appetite or overeating"),
    Item(
        6,
        "44258-2",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    ),
    Item(7, "44252-5", "Trouble concentrating on things, such as reading the newspaper or watching television"),
    Item(
        8,
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed. Or the opposite — being so fidgety "
        "or restless that you have been moving around a lot more than usual",
    ),
    Item(9, "44260-8", "Thoughts that you would be better off dead, or of hurting yourself in some way"),
)
SELF_HARM_ITEM = ITEMS[8]

# Optional and not scored (LOINC 69722-7), as on the printed form.
DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you to do your work, take "
    "care of things at home, or get along with other people?"
)
DIFFICULTY_ANSWERS: tuple[tuple[int, str], ...] = (
    (0, "Not difficult at all"),
    (1, "Somewhat difficult"),
    (2, "Very difficult"),
    (3, "Extremely difficult"),
)

NOTICE = (
    "PHQ-9: Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an "
    "educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute."
)
CITATION = "Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16(9):606-613."

MAX_TOTAL = 27
OFFER_EVERY_DAYS = 14  # the questions ask about the last two weeks: more often would overlap


class Band(StrEnum):
    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately_severe"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return str(_BAND_LABELS[self])


_BAND_LABELS = {
    Band.MINIMAL: _("minimal"),
    Band.MILD: _("mild"),
    Band.MODERATE: _("moderate"),
    Band.MODERATELY_SEVERE: _("moderately severe"),
    Band.SEVERE: _("severe"),
}
# (lowest total of the band, band), highest first: 0-4, 5-9, 10-14, 15-19, 20-27.
_BANDS = ((20, Band.SEVERE), (15, Band.MODERATELY_SEVERE), (10, Band.MODERATE), (5, Band.MILD), (0, Band.MINIMAL))


def total(answers: Sequence[int]) -> int:
    """The sum of the nine answers; ValueError unless there are exactly nine, each a whole number 0-3."""
    if len(answers) != len(ITEMS):
        raise ValueError(f"the PHQ-9 has {len(ITEMS)} answers, not {len(answers)}")
    for value in answers:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3:
            raise ValueError("each PHQ-9 answer is a whole number from 0 to 3")
    return sum(answers)


def band_for(score: int) -> Band:
    if not 0 <= score <= MAX_TOTAL:
        raise ValueError(f"a PHQ-9 total runs from 0 to {MAX_TOTAL}")
    return next(band for lowest, band in _BANDS if score >= lowest)


def needs_crisis_support(answers: Sequence[int]) -> bool:
    """Any answer above 0 to item 9, whatever the total."""
    return answers[SELF_HARM_ITEM.number - 1] > 0
