"""The one footnote-mark stripper of the code base.

PDF text glues footnote reference numbers to the words they follow
("detention.12", "Slovenia 5", "JS384", "recommended4"). Every family takes
them out with :func:`strip_marks`; the families differ only in what they
know about which numbers are marks, which a :class:`Policy` says:

- :class:`InOrder` (compilations, stakeholders' summaries): footnotes are
  numbered 1, 2, 3 ... through the document, so only the number expected
  next (or one a little further, when a mark was lost) is a mark; it may
  also stand after one space or end a number ("2017-2021114"). This keeps
  "Convention No. 189", "2016-2021" and "the age of 15" intact. When
  several marks were lost (they stood in a table the reader did not keep),
  a number glued to the full stop of a sentence ("opinions.16") that is
  ahead of the expected one is taken as a mark and the count goes on from
  it, rather than leaving every later mark in the text.
- :class:`Printed` (treaty-body observations, UPR reports): the numbers of
  the footnotes printed on the page; only a number glued to a word or its
  punctuation.
- :class:`Glued` (civil-society prose, where nothing is known): a number
  glued to a lower-case word, a closing bracket or quote, or the punctuation
  after a word or a year; or standing alone between a full stop and the
  next sentence (". 39 The ...").

Numbers after "No.", "para.", "art.", "p." ... are never marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Every candidate: digits after a character that is not a space, digit or "/", glued or after one space.
_CANDIDATE = re.compile(r"(?<=[^\s\d/])(\s?)(\d+)(?!\d)(?![.,]\d)")
_NOT_BEFORE_MARK = re.compile(r"(?:\bNo|\bnos?|\bpara|\bparas|\bart|\barts|\bp|\bpp|\bvol)\.?\s?$", re.IGNORECASE)
_NUMBERED_NAME = re.compile(r"\bJS$")    # "JS1" is joint submission 1, not JS + note 1
_END_OF_MARK = re.compile(r"[\s.,;:)]|$")
_SENTENCE_MARK = re.compile(r"[a-z)”’\"][.;:]$")   # "opinions.16": glued to a sentence end
_NEXT_SENTENCE = re.compile(r"\s+[A-Z“\"(]|\s*$")
_FOLLOWING = re.compile(r",\s?(\d{1,3})(?![\d.,]\d)")    # "bodies1, 2": a second mark right after
_WORD_END = re.compile(r"[^\W\d_)\]”’\"][.,;:]?$")
_LOWER_WORD_SENTENCE_END = re.compile(r"[a-z]\.$")
_GLUED_TO = re.compile(r"[a-z)”\"’]$|[A-Za-z)”\"’][.,;:]$|\b[12]\d{3}\.$")
# Longer than any match of the patterns above that end at "$" (and a final
# newline "$" may skip): :func:`_ends_with` searches only this much of the text.
_TAIL = 16


def _ends_with(pattern: re.Pattern[str], before: str) -> bool:
    """``pattern.search(before)`` for a pattern anchored at the end whose matches are shorter than :data:`_TAIL`.

    Only the tail is searched, so a candidate costs the same late in a long
    paragraph as early; ``\\b`` and lookbehinds still see the character before the tail.
    """
    return pattern.search(before, max(0, len(before) - _TAIL)) is not None


class Policy:
    """Which candidate is a footnote mark; see the module docstring."""

    def number(self, before: str, space: str, digits: str, after: str) -> int | None:
        """The footnote number of ``digits`` (after ``before``, ``space``; ``after`` follows), or None."""
        raise NotImplementedError

    def taken(self, number: int) -> None:
        """Told each number taken out, in order."""

    def follows(self, number: int) -> bool:
        """Whether ``number`` in ", 2" right after a mark is a second mark ("bodies1, 2")."""
        return False


@dataclass
class InOrder(Policy):
    """Marks in document order: ``expected`` is the next number (1 for a new document)."""

    expected: int = 1
    window: int = 3               # a glued mark may skip this far ahead of ``expected`` (lost marks)
    resync: int = 100             # a mark at a sentence end may skip this far ahead (many lost marks)

    def number(self, before: str, space: str, digits: str, after: str) -> int | None:
        if _ends_with(_NOT_BEFORE_MARK, before):
            return None
        if space and not re.search(r"[.,;:)”’\"]$|[A-Z][\w-]*$", before):
            return None   # "the age of 15": a number after a lower-case word
        # A mark after a space must be the very next number ("CEDAW 6 July" in a table is not).
        for number in range(self.expected, self.expected + (1 if space else self.window)):
            tail = str(number)
            if digits == tail and not _ends_with(_NUMBERED_NAME, before):
                return number
            # "JS384" (JS3 + 84), "2017-2021114": the mark glued to an ending number.
            if not space and len(digits) > len(tail) and digits.endswith(tail):
                return number
        if not space and len(digits) <= 3 and self.expected <= int(digits) < self.expected + self.resync \
                and _ends_with(_SENTENCE_MARK, before) and _NEXT_SENTENCE.match(after):
            return int(digits)
        return None

    def taken(self, number: int) -> None:
        self.expected = number + 1

    def follows(self, number: int) -> bool:
        return number == self.expected


@dataclass(frozen=True)
class Printed(Policy):
    """Marks are the numbers in ``marks`` (the footnotes printed where the text stands), glued only."""

    marks: frozenset[str] = field(default_factory=frozenset)

    def number(self, before: str, space: str, digits: str, after: str) -> int | None:
        if space or digits not in self.marks or not _END_OF_MARK.match(after):
            return None
        if not _ends_with(_WORD_END, before):
            return None
        return int(digits)


@dataclass(frozen=True)
class Glued(Policy):
    """Nothing known about the footnotes: how the number stands decides."""

    def number(self, before: str, space: str, digits: str, after: str) -> int | None:
        if len(digits) > 3 or not _END_OF_MARK.match(after):
            return None
        if space:   # ". 39 The": alone between two sentences
            return int(digits) if _ends_with(_LOWER_WORD_SENTENCE_END, before) and re.match(r"\s[A-Z]", after) else None
        if _ends_with(_GLUED_TO, before):
            return int(digits)
        return None


def strip_marks(text: str, policy: Policy) -> tuple[str, list[tuple[int, int]]]:
    """``text`` without its footnote marks, and ``(offset, number)`` of each mark taken out.

    ``offset`` is where the mark stood in the returned text (just after the
    word it was glued to). Runs of whitespace are collapsed to one space.
    """
    out: list[str] = []
    found: list[tuple[int, int]] = []
    position = length = 0   # length: of the text in ``out``
    for match in _CANDIDATE.finditer(text):
        if match.start() < position:
            continue
        space, digits = match.group(1), match.group(2)
        number = policy.number(text[:match.start()], space, digits, text[match.end():])
        if number is None:
            continue
        digits_start = match.end() - len(str(number))
        cut = digits_start if digits_start > match.start(2) else match.start()
        out.append(text[position:cut])
        length += len(out[-1])
        found.append((length, number))
        position = match.end()
        policy.taken(number)
        follow = _FOLLOWING.match(text, position)
        if follow and policy.follows(int(follow.group(1))):
            found.append((length, int(follow.group(1))))
            position = follow.end()
            policy.taken(int(follow.group(1)))
    out.append(text[position:])
    return " ".join("".join(out).split()), found
