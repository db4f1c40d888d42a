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

A heading that a page or column break ran into the end of a paragraph
("... were guaranteed. B. National human rights framework Institutional
infrastructure and policy measures") is not a sentence of it:
:func:`cut_run_in_heading` cuts it off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rectrack.extractors.files import DATA_DIR

ABBREVIATIONS = DATA_DIR / "patterns" / "abbreviations.txt"
NOT_IN_HEADINGS = DATA_DIR / "patterns" / "not_in_headings.txt"
_SENTENCE_END = re.compile(r"[.!?][”’\")\]]?\s+(?=[“\"‘(\[]?[A-Z])")
# A sentence's end before a run-in heading; a footnote number left between them goes with the cut.
_HEADING_AFTER = re.compile(r"(?P<end>[.!?][”’\")\]]?)(?:\s?\d{1,3})?\s+(?=[“\"(]?[A-Z]|\d{1,2}\.\s+[A-Z])")
_ENUMERATED = re.compile(r"(?:[IVX]{1,6}|[A-Z]|\d{1,2})\.\s+[“\"(]?[A-Z]")     # "B. ", "IV. ", "1. "
_ENUMERATOR_END = re.compile(r"(?:^|\s)(?:[IVX]{1,6}|[A-Z]|\d{1,2})\.$")       # the full stop of "II." is no end
_NOTES = re.compile(r"(?:Notes|Endnotes)")
_FINISHED = re.compile(r"[.,;:!?][”’\")\]]?$")
_MAX_HEADING = 200            # characters: longer is prose
_MAX_TITLE_WORDS = 12         # an unnumbered heading ("Institutional infrastructure and policy measures")


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


@lru_cache(maxsize=1)
def _not_in_headings() -> frozenset[str]:
    lines = (line.strip() for line in NOT_IN_HEADINGS.read_text(encoding="utf-8").splitlines())
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def ends_with_abbreviation(text: str) -> bool:
    """Whether ``text`` ends with an abbreviation's full stop ("No.", "e.g.") or an initial ("J.")."""
    return _abbreviation().search(text[-9:]) is not None


def sentence_starts(text: str) -> list[int]:
    """The offsets in ``text`` where a sentence after the first one starts, in order."""
    starts = []
    for match in _SENTENCE_END.finditer(text):
        if text[match.start()] == "." and ends_with_abbreviation(text[:match.start() + 1]):
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


def _is_heading(tail: str, titles: bool) -> bool:
    """Whether ``tail``, the text after a paragraph's last sentence, is a heading (:func:`cut_run_in_heading`)."""
    if len(tail) > _MAX_HEADING or _FINISHED.search(tail):
        return False
    words = [word.strip("“”\"’'(),").casefold() for word in tail.split()]
    if any(word in _not_in_headings() for word in words):
        return False        # "The Committee recommended that": the rest of a sentence
    if _NOTES.fullmatch(tail) or _ENUMERATED.match(tail):
        return True
    return titles and len(words) <= _MAX_TITLE_WORDS and not any(c.isdigit() for c in tail)


def cut_run_in_heading(text: str, titles: bool = True) -> tuple[str, str]:
    """``text`` without a heading run into its end, and that heading (``""`` when there is none).

    The heading is what follows the last sentence end of ``text`` (and any
    footnote number left after it: "Weapons. 25 B. National ...") when it does
    not end like a sentence or a clause, holds no word of
    ``data/patterns/not_in_headings.txt`` ("that", "recommended", "was" ...),
    and is enumerated ("B. National human rights framework Institutional
    infrastructure and policy measures", "IV. ...", "1. ..."), the notes
    ("Notes", "Endnotes"), or, with ``titles``, a short line without figures
    ("Institutional infrastructure and policy measures"). Leave ``titles``
    off where a paragraph may end with a list item that lacks its full stop.
    A text that is one sentence is never cut.
    """
    last = None
    for match in _HEADING_AFTER.finditer(text):
        stop = match.start() + 1
        if match.group("end") == "." and (ends_with_abbreviation(text[:stop])
                                          or _ENUMERATOR_END.search(text, max(0, stop - 8), stop)):
            continue
        last = match
    if last is None:
        return text, ""
    tail = text[last.end():].strip()
    if not tail or not _is_heading(tail, titles):
        return text, ""
    return text[:last.end("end")], tail
