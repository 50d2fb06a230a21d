"""Does a question look as if it asks about sexual detail? A short, tested word list: before such a question is
sent, the person who asks sees a gentle note on what tends to help and what tends to hurt, and can still send
it. Erring on the side of showing the note costs a moment; missing it costs nothing worse than today."""

from __future__ import annotations

import re
import unicodedata

# Whole words and phrases (a trailing "s" allowed where it reads naturally). Not "bed" alone ("came to bed
# late" is not about sex), not "body", "kiss" or "touch" alone (everyday words in these conversations).
_PHRASES = (
    r"sex",
    r"sexual(?:ly)?",
    r"sexy",
    r"slept with",
    r"sleep(?:ing)? with",
    r"have sex",
    r"had sex",
    r"make love",
    r"made love",
    r"making love",
    r"in bed",
    r"to bed with",
    r"bedroom",
    r"oral",
    r"blow ?jobs?",
    r"naked",
    r"nude",
    r"orgasms?",
    r"(?:what|which|sex|sexual) positions?",
    r"condoms?",
    r"intercourse",
    r"aroused",
    r"turn(?:ed|s)? (?:you|them|him|her) on",
    r"genitals?",
    r"breasts?",
    r"penis",
    r"vagina",
    r"foreplay",
    r"porn",
    r"better (?:in bed|at it|lover)",
    r"how many times did you",
)
# "come" only where it can't mean arriving: "did he make you come?", "did you both come?" (not "come home").
_CAME = re.compile(
    r"\b(?:make|made|making) (?:you|them|him|her|me) come\b|\bdid (?:you|they|he|she)(?: both)? come\s*(?:[?.!]|$)"
)
_PATTERN = re.compile(r"\b(?:" + "|".join(_PHRASES) + r")\b")


def asks_for_sexual_detail(text: str) -> bool:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"\s+", " ", plain)
    return bool(_PATTERN.search(plain) or _CAME.search(plain))


# The articles that ask for a full, honest accounting (their keys in plans/content/plan.toml's sources). The
# advice on graphic detail is not theirs: it is what couples therapists commonly give, in our own words.
FULL_ACCOUNTING_SOURCES = ("five-ways", "betrayal-qa", "ten-steps")
