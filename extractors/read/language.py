"""A cheap, conservative check that a document is in English.

English prose is largely function words ("the", "of", "and" ...): the
English samples (UPR reports, matrices, the Dushanbe report) measure 23-40%
of the words in this list, a French UPR paragraph 3%, Russian or Arabic 0%.
:func:`check_english` only objects below 12%, and only when there are enough
words to judge, so English with names, tables or a foreign-language annex
passes.
"""

from __future__ import annotations

import re
from pathlib import Path

from rectrack.extractors.errors import UnexpectedLanguage

_STOPWORDS = frozenset(
    "the of and to in a is that for on with as by be are was were it its this"
    " which from at or an has have had not their they all shall should would"
    " will been also other these such into than any those".split()
)
_WORD = re.compile(r"[^\W\d_]+")
_MIN_WORDS = 150
_MIN_RATIO = 0.12
_SAMPLE = 1500  # characters per sample (~250 words): three samples bound the cost


def english_ratio(text: str) -> tuple[float, int]:
    """(share of English function words, number of words) in samples of ``text``."""
    if len(text) > 3 * _SAMPLE:
        middle = len(text) // 2
        text = " ".join((text[:_SAMPLE], text[middle:middle + _SAMPLE], text[-_SAMPLE:]))
    words = _WORD.findall(text.lower())
    if not words:
        return 0.0, 0
    return sum(map(_STOPWORDS.__contains__, words)) / len(words), len(words)


def check_english(path: Path, text: str) -> None:
    """Raise :class:`UnexpectedLanguage` when ``text`` is clearly not English."""
    ratio, count = english_ratio(text)
    if count >= _MIN_WORDS and ratio < _MIN_RATIO:
        raise UnexpectedLanguage(
            path, f"the text does not look like English (only {ratio:.0%} of its words "
            "are common English words)",
            "add the English version of the document (UN documents are published in "
            "English at the same symbol)",
        )
