"""The one sentence splitter of the code base.

Every family splits prose into sentences with :func:`split_sentences`: the
compilation segmenter (reported recommendations, sentence by sentence), the
treaty-body lead-ins (:func:`rectrack.extractors.segment.un.numbered.own_recommendation`),
the civil-society segmenter (through the ``rule_sentences`` component of
:mod:`rectrack.extractors.segment.prose.nlp`, and to cut over-long paragraphs).

The rule: a sentence ends at ``.``, ``!`` or ``?`` (a closing quote or
bracket may follow) followed by whitespace and a capital letter (an opening
quote or bracket may come first); not when the full stop ends an
abbreviation of ``data/patterns/abbreviations.txt`` ("No. 118", "para. 24",
"e.g. Roma") or a single capital letter ("J. Smith", "U.N.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rectrack.extractors.files import DATA_DIR

ABBREVIATIONS = DATA_DIR / "patterns" / "abbreviations.txt"
_SENTENCE_END = re.compile(r"[.!?][”’\")\]]?\s+(?=[“\"‘(\[]?[A-Z])")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text`` (stripped) stands at ``start:end`` of the text it was split from."""

    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _abbreviation() -> re.Pattern[str]:
    lines = (line.strip() for line in ABBREVIATIONS.read_text(encoding="utf-8").splitlines())
    words = [line for line in lines if line and not line.startswith("#")]
    alternation = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:\b(?:{alternation})|\b[A-Z])\.$")


def sentence_starts(text: str) -> list[int]:
    """The offsets in ``text`` where a sentence after the first one starts, in order."""
    abbreviation = _abbreviation()
    starts = []
    for match in _SENTENCE_END.finditer(text):
        if text[match.start()] == "." and abbreviation.search(text[max(0, match.start() - 8):match.start() + 1]):
            continue
        starts.append(match.end())
    return starts


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` with their offsets; whitespace-only pieces are left out.

    Joining the ``text[start:end]`` of all sentences gives ``text`` back
    (less leading and trailing whitespace-only pieces).
    """
    sentences, start = [], 0
    for boundary in [*sentence_starts(text), len(text)]:
        piece = text[start:boundary]
        if piece.strip():
            sentences.append(Sentence(start, boundary, piece.strip()))
        start = boundary
    return sentences
