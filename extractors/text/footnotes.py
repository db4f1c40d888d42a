"""The one footnote-mark stripper of the code base.

PDF text glues footnote reference numbers to the words they follow
("detention.12", "Slovenia 5", "JS384", "recommended4"). Every family takes
them out with :func:`strip_marks`; the families differ only in what they
know about which numbers are marks, which a :class:`Policy` says:

- :class:`InOrder` (compilations, stakeholders' summaries, national reports):
  footnotes are numbered 1, 2, 3 ... through the document, so only the number
  expected next (or one a little further, when a mark was lost) is a mark; it
  may also stand after one space or end a number ("2017-2021114", "as of
  1 January 201036"). This keeps "Convention No. 189", "2016-2021" and "the
  age of 15" intact.
- :class:`Printed` (treaty-body observations, UPR reports): the numbers of
  the footnotes printed on the page; only a number glued to a word or its
  punctuation.
- :class:`Glued` (civil-society prose, where nothing is known): a number
  glued to a lower-case word, a closing bracket or quote, or the punctuation
  after a word or a year.

Whatever the policy, two rules hold for every family:

- Never a mark: a number after "No.", "para.", "art.", "p." ...; the digits
  of a year glued to what comes before ("2023-2026", "(2019)"); a three-digit
  group after a thousands separator ("6,631"); the digits after a decimal
  point ("81.4%", "paragraph 115.44"; but a year's full stop ends a sentence:
  "in force in 2018.29 The ..."); a whole number right after a dash
  ("COVID-19"; a mark glued to a range's end, "2013–202212", is one); a
  number inside a span the caller protects (a national report's
  "Recommendations 7–9, 11–12").
- A mark: a number of one to three digits right after the end of a sentence
  (a word's or a bracket's full stop, glued or after one space; a year's
  full stop, glued) and before the next sentence, a heading or the end of
  the text: "guaranteed.9", "Roma. 18", "Weapons. 25 B. National human
  rights framework". Fourth-cycle documents print their marks there, and
  the numbering cannot always be followed (marks lost in tables, printed out
  of order); :class:`InOrder` takes one behind its count without going back,
  and one ahead of it only within ``resync`` (the count goes on from it).

Taking a mark out also mends what it leaves: a space where it stood between
two words ("issues72as" -> "issues as"), none before punctuation it stood
apart from ("Code1 , which" -> "Code, which").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rectrack.extractors.text.sentences import ends_with_abbreviation

# Every candidate: digits after a character that is not a space, digit or "/", glued or after one space.
_CANDIDATE = re.compile(r"(?<=[^\s\d/])(\s?)(\d+)(?!\d)(?![.,]\d)")
_NOT_BEFORE_MARK = re.compile(r"(?:\bNo|\bnos?|\bpara|\bparas|\bart|\barts|\bp|\bpp|\bvol)\.?\s?$", re.IGNORECASE)
_NUMBERED_NAME = re.compile(r"\bJS$")    # "JS1" is joint submission 1, not JS + note 1
_END_OF_MARK = re.compile(r"[\s.,;:)]|$")
_SENTENCE_MARK = re.compile(r"[a-z)”’\"][.;:]$")   # "opinions.16": glued to a sentence end
_NEXT_SENTENCE = re.compile(r"\s+[A-Z“\"(]|\s*$")
_MONTH = re.compile(r"\s+(?:January|February|March|April|May|June|July|August|September|October|November|"
                    r"December)\b")   # "... session. 12 January 2019": a date, not a mark
_FOLLOWING = re.compile(r",\s?(\d{1,3})(?![\d.,]\d)")    # "bodies1, 2": a second mark right after
_WORD_END = re.compile(r"[^\W\d_)\]”’\"][.,;:]?$")
_GLUED_TO = re.compile(r"[a-z)”\"’]$|[A-Za-z)”\"’][.,;:]$|\b[12]\d{3}\.$")
_WORD_STOP = re.compile(r"[a-z)\]”’\"][.!?]$")     # a sentence ended by a word, a bracket or a quote
_YEAR_STOP = re.compile(r"\b(?:19|20)\d\d\.$")
_DECIMAL = re.compile(r"\d\.$")
_THOUSANDS = re.compile(r"\d,$")
_YEAR = re.compile(r"(?:19|20)\d\d")
_DASHES = ("-", "–", "—")
_APART = re.compile(r"\s+(?=[,.;:)])")         # the mark stood apart from the punctuation after it
# Longer than any match of the patterns above that end at "$" (and a final
# newline "$" may skip): :func:`_ends_with` searches only this much of the text.
_TAIL = 16


def _ends_with(pattern: re.Pattern[str], before: str) -> bool:
    """``pattern.search(before)`` for a pattern anchored at the end whose matches are shorter than :data:`_TAIL`.

    Only the tail is searched, so a candidate costs the same late in a long
    paragraph as early; ``\\b`` and lookbehinds still see the character before the tail.
    """
    return pattern.search(before, max(0, len(before) - _TAIL)) is not None


def never_a_mark(before: str, space: str, digits: str, after: str) -> bool:
    """Whether ``digits`` (after ``before`` and ``space``; ``after`` follows) is a number of the text
    under every policy: see "Never a mark" in the module docstring (protected spans aside)."""
    if _ends_with(_NOT_BEFORE_MARK, before):
        return True
    if space:
        return False
    if _YEAR.fullmatch(digits):
        return True                    # "2023-2026": not "2023-20" and note 26
    if len(digits) == 3 and _ends_with(_THOUSANDS, before):
        return True                    # "6,631": not "6,6" and note 31
    return (_ends_with(_DECIMAL, before) and not _ends_with(_YEAR_STOP, before)
            and not _NEXT_SENTENCE.match(after))     # "81.4%"; but "in 2018.29 The ..." is note 29


def after_sentence(before: str, space: str, digits: str, after: str) -> bool:
    """Whether ``digits`` stands right after a sentence's end and before the next sentence, a heading
    or the text's end: "guaranteed.9", "Roma. 18", "in 2018.29 The" (module docstring)."""
    if len(digits) > 3 or not _NEXT_SENTENCE.match(after) or _MONTH.match(after):
        return False
    if not (_ends_with(_WORD_STOP, before) or (not space and _ends_with(_YEAR_STOP, before))):
        return False
    return not ends_with_abbreviation(before)     # "i.e. 12 Member States"


class Policy:
    """Which candidate is a footnote mark; see the module docstring."""

    def number(self, before: str, space: str, digits: str, after: str) -> int | None:
        """The footnote number of ``digits`` (after ``before``, ``space``; ``after`` follows), or None."""
        raise NotImplementedError

    def at_sentence_end(self, number: int) -> bool:
        """Whether ``number``, standing right after a sentence's end (:func:`after_sentence`), is a mark."""
        return True

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
        if space and not re.search(r"[.,;:)”’\"]$|[A-Z][\w-]*$", before):
            return None   # "the age of 15": a number after a lower-case word
        if space and len(digits) in (5, 6) and _YEAR.fullmatch(digits[:4]) and digits[4] != "0" \
                and self.expected <= int(digits[4:]) < self.expected + self.window:
            return int(digits[4:])      # "as of 1 January 201036.": note 36 glued to a year
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

    def at_sentence_end(self, number: int) -> bool:
        return number < self.expected + self.resync

    def taken(self, number: int) -> None:
        self.expected = max(self.expected, number + 1)     # a mark behind the count does not turn it back

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
        if space or len(digits) > 3 or not _END_OF_MARK.match(after):
            return None     # alone between two sentences (". 39 The"): :func:`after_sentence`
        if _ends_with(_GLUED_TO, before):
            return int(digits)
        return None


def _mark(before: str, space: str, digits: str, after: str, policy: Policy) -> int | None:
    """The footnote number of one candidate under ``policy`` and the rules every policy shares."""
    if never_a_mark(before, space, digits, after):
        return None
    number = policy.number(before, space, digits, after)
    if number is None and after_sentence(before, space, digits, after) and policy.at_sentence_end(int(digits)):
        number = int(digits)
    if number is not None and before.endswith(_DASHES) and str(number) == digits:
        return None      # "COVID-19"; but a mark glued to a range's end ("2013–202212") stays one
    return number


def strip_marks(text: str, policy: Policy,
                keep: Sequence[tuple[int, int]] = ()) -> tuple[str, list[tuple[int, int]]]:
    """``text`` without its footnote marks, and ``(offset, number)`` of each mark taken out.

    ``offset`` is where the mark stood in the returned text (just after the
    word it was glued to). No number starting inside a ``(start, end)`` span
    of ``keep`` is a mark. Runs of whitespace are collapsed to one space.
    """
    out: list[str] = []
    found: list[tuple[int, int]] = []
    position = length = 0   # length: of the text in ``out``
    for match in _CANDIDATE.finditer(text):
        if match.start() < position or any(start <= match.start() < end for start, end in keep):
            continue
        space, digits = match.group(1), match.group(2)
        number = _mark(text[:match.start()], space, digits, text[match.end():], policy)
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
        if apart := _APART.match(text, position):
            position = apart.end()           # "Code1 , which"
        elif text[position:position + 1].islower() and (text[cut - 1:cut].isalpha() or text[cut - 1:cut] in "%)”’\""):
            out.append(" ")                  # "issues72as they"
            length += 1
    out.append(text[position:])
    return " ".join("".join(out).split()), found
