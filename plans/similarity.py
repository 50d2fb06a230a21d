"""Is a new question much like one asked before? Plain word overlap and difflib, no model: easy to test and to
explain ("You asked something like this on …"), and wrong in understandable ways.

Both texts are normalised (lower case, letters and digits only, common filler words dropped, a plural "s"
trimmed), then two scores are taken and the higher one counts:
- word overlap: shared words over the words of the shorter question (a short question that is wholly inside a
  longer one counts as similar);
- difflib's ratio on the normalised texts (catches the same question reworded with small changes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import TypeVar

SIMILAR_AT = 0.6
# A question of fewer meaningful words than this is compared by ratio only: "why?" overlaps everything.
MIN_WORDS_FOR_OVERLAP = 3

# Words that carry no meaning of their own in a question; kept small on purpose, so "when", "who", "where",
# "how long" and "why" — the heart of these questions — still count.
_FILLER_WORDS = """
    a an the and or but so to of in on at for with by from as is are was were be been being am do does did
    done have has had i me my mine you your yours we us our it its that this these those there then than
    just really ever also very can could would should will shall may might must please tell ask asked
"""
FILLER = frozenset(_FILLER_WORDS.split())

_WORD = re.compile(r"[a-z0-9]+")

T = TypeVar("T")


def words(text: str) -> list[str]:
    """The meaningful words of a text, normalised."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    found = []
    for word in _WORD.findall(plain.replace("'", "")):
        if word in FILLER:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.append(word)
    return found


def similarity(first: str, second: str) -> float:
    """From 0 (nothing alike) to 1 (the same question)."""
    a, b = words(first), words(second)
    if not a or not b:
        return 0.0
    ratio = SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()
    shorter = min(len(set(a)), len(set(b)))
    if shorter < MIN_WORDS_FOR_OVERLAP:
        return ratio
    overlap = len(set(a) & set(b)) / shorter
    return max(ratio, overlap)


def most_similar(text: str, earlier: Iterable[tuple[T, str]], *, limit: int = 3) -> list[T]:
    """The earlier items (with their texts) at least SIMILAR_AT alike to `text`, most alike first."""
    scored = [(similarity(text, other), index, item) for index, (item, other) in enumerate(earlier)]
    return [item for score, _index, item in sorted(scored, key=lambda s: (-s[0], s[1])) if score >= SIMILAR_AT][:limit]
