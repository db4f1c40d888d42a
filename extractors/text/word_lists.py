"""The word lists of ``data/patterns/``, readable without importing spaCy.

The UPR segmenters run in every reader process and need only these lists;
importing :mod:`rectrack.extractors.segment.prose.nlp` for them would load spaCy
(about half a second) in each reader.
"""

from __future__ import annotations

from pathlib import Path

from rectrack.extractors.files import DATA_DIR

PATTERNS = DATA_DIR / "patterns"


def read_word_list(path: Path) -> tuple[str, ...]:
    """The non-empty, non-comment lines of a word list, lowercased, in file order."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(line.casefold() for line in lines if line and not line.startswith("#"))
