"""Word shingles, for checking that the plan never copies a run of words from the source articles.

The articles themselves are not part of this repository, so the check compares against
`source_shingles.txt`: one short hash per run of SHINGLE_WORDS words found in the articles (hashes,
not text). Regenerate it whenever the articles change:

    /work/main/.venv/bin/python -m tests.plans.shingles /work/shared/sources > tests/plans/source_shingles.txt
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

SHINGLE_WORDS = 6
FINGERPRINTS = Path(__file__).resolve().parent / "source_shingles.txt"


def words(text: str) -> list[str]:
    """Lowercase words, with curly quotes, apostrophes and accents folded so curly and straight apostrophes match."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def shingles(text: str, size: int = SHINGLE_WORDS) -> Iterator[tuple[str, ...]]:
    found = words(text)
    for start in range(len(found) - size + 1):
        yield tuple(found[start : start + size])


def fingerprint(shingle: tuple[str, ...]) -> str:
    return hashlib.blake2b(" ".join(shingle).encode(), digest_size=6).hexdigest()


def load_fingerprints(path: Path = FINGERPRINTS) -> set[str]:
    return {line.strip() for line in path.read_text(encoding="ascii").splitlines() if line.strip()}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    found = set()
    for article in sorted(Path(argv[0]).glob("*.txt")):
        found.update(fingerprint(s) for s in shingles(article.read_text(encoding="utf-8")))
    print("\n".join(sorted(found)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
