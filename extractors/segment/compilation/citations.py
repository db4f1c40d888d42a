"""The previous review's recommendations a compilation's headings cite in their footnotes.

An OHCHR compilation (…/2), and a stakeholders' summary (…/3) alike, cites the recommendations of the
last review that bear on a section in a note to its heading: "1. Equality and non-discrimination¹⁴"
with note 14 "For relevant recommendations, see A/HRC/28/15, paras. 115.44–115.47, 115.49–115.58,
115.62–115.70, 115.74, ... and 115.103." :func:`heading_citations` gives every paragraph the
:class:`Citation` of the innermost heading above it whose notes cite (a heading's citation holds until
the next heading of the same or a higher level; a citing sub-heading replaces its parent's, one that
cites nothing keeps it), read by :func:`read_citation`:

- A citing note says "recommendation(s)" (also "recommandations"), then "see", the report's symbol and
  "para."/"paras." ("For the relevant recommendation, see A/HRC/28/15, para. 115.128.", "For relevant
  recommendations see A/HRC/28/15, paras 115.66, ..."). ``report`` is the symbol as printed, its
  spaces squashed ("A/HRC/ 28/15" -> "A/HRC/28/15"). A note that cites something else ("Tables
  containing information ...", a list of abbreviations) is no citation.
- ``numbers``: the paragraph numbers as printed in that report, in order of first appearance, each
  once. Items are separated by commas, semicolons or "and"; a list wrapped over two lines reads as
  one ("115.62–" / "115.70": the reader joins the lines with a space), and a space inside a number
  is dropped ("115. 23" -> "115.23"). Ranges use an en or em dash or a hyphen, with or without
  spaces ("115.44 -115.47"), and are expanded: "115.44–115.47" -> 115.44, 115.45, 115.46, 115.47;
  "115.44–47" takes the first end's prefix.
- A range whose ends have different prefixes is read with the prefix of the end that agrees with
  most of the numbers the document's citing notes give (those of the note alone for a note read by
  itself): "151.119–115.127" among 115.x -> 115.119 ... 115.127, and
  "115.135–113.137" (the 2019 Slovenia summary) -> 115.135 ... 115.137; when neither end agrees, the
  second end's. A number still wrong is found when it is looked up in the cited report.
- A range that runs backwards ("115.47–115.44") is not expanded: neither end is cited, and the note
  is a :class:`~rectrack.extractors.records.Problem` (``kind`` "citation"), as is a list that stops at
  a number it cannot read, and a heading whose notes cite two different reports (the first is kept).

Problems name the heading and its page and quote the note; each note is reported once.
"""

from __future__ import annotations

from collections import Counter

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rectrack.extractors.records import Problem
from rectrack.extractors.segment.compilation.paragraphs import Heading, Paragraph

_CITING = re.compile(
    r"\b(?i:recomm[ae]ndations?)\b[,;:]?\s+(?i:see)\s+"
    r"(?P<report>[A-Z]{1,5}(?:\s?/\s?[A-Za-z0-9][\w.-]*?)+)\s*,?\s*(?i:paragraphs?|paras?)\b\.?\s*")
_NUMBER = r"\d{1,4}(?:\s?\.\s?\d{1,4})?(?![\d/])"
_ITEM = re.compile(rf"(?P<first>{_NUMBER})(?:\s*[-–—]\s*(?P<last>{_NUMBER}))?")
_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+)?|;\s*|\band\s+)")
_MORE = re.compile(rf"\s*(?:[,;]|\band\b)?\s*[-–—]?\s*{_NUMBER}")    # what is left still starts with a number


@dataclass(frozen=True, slots=True)
class Citation:
    """The paragraphs of a report a heading's note cites (module docstring); empty when none."""

    report: str = ""
    numbers: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()       # the parts of the list that could not be read, as printed


NO_CITATION = Citation()


def _split(number: str) -> tuple[str, str]:
    """``"115. 23"`` -> ``("115", "23")``; ``"47"`` -> ``("", "47")``."""
    head, _, tail = "".join(number.split()).rpartition(".")
    return head, tail


def _expand(first: str, last: str | None, usual: str = "") -> list[str] | None:
    """The numbers of one item: a number, or a range read as the module docstring says; None if backwards.

    ``usual``: the prefix most of the note's numbers have, which decides a range whose ends disagree.
    """
    head, low = _split(first)
    if last is None:
        return [f"{head}.{low}" if head else low]
    last_head, high = _split(last)
    prefix = last_head or head          # "115.44–47": the first's
    if head and last_head and head != last_head:
        prefix = head if head == usual else last_head    # the end that agrees with the note's other numbers
    if int(low) > int(high):
        return None
    return [f"{prefix}.{n}" if prefix else str(n) for n in range(int(low), int(high) + 1)]


def _prefixes(note: str, position: int) -> Counter[str]:
    """How often each prefix stands in the list from ``position`` (single numbers and both ends of ranges)."""
    heads: Counter[str] = Counter()
    while item := _ITEM.match(note, position):
        for end in (item.group("first"), item.group("last")):
            if end and (head := _split(end)[0]):
                heads[head] += 1
        position = item.end()
        separator = _SEPARATOR.match(note, position)
        if not separator or not _ITEM.match(note, separator.end()):
            break
        position = separator.end()
    return heads


def _usual(heads: Counter[str]) -> str:
    return heads.most_common(1)[0][0] if heads else ""


def document_prefixes(footnotes: dict[int, str]) -> Counter[str]:
    """The prefixes of every citing note of a document together: what a note's mistyped range is read by."""
    heads: Counter[str] = Counter()
    for note in footnotes.values():
        if citing := _CITING.search(note):
            heads += _prefixes(note, citing.end())
    return heads


def read_citation(note: str, usual: str = "") -> Citation:
    """The citation of one footnote, or :data:`NO_CITATION` if it cites no report's paragraphs."""
    citing = _CITING.search(note)
    if citing is None:
        return NO_CITATION
    numbers: dict[str, None] = {}
    unread: list[str] = []
    usual = usual or _usual(_prefixes(note, citing.end()))
    position = citing.end()
    while item := _ITEM.match(note, position):
        expanded = _expand(item.group("first"), item.group("last"), usual)
        if expanded is None:
            unread.append(item.group(0))
        numbers.update(dict.fromkeys(expanded or ()))
        position = item.end()
        separator = _SEPARATOR.match(note, position)
        if not separator or not _ITEM.match(note, separator.end()):
            break
        position = separator.end()
    if _MORE.match(note, position) or not numbers and not unread:
        unread.append(note[position:].strip() or "(no paragraph numbers)")
    return Citation("".join(citing.group("report").split()), tuple(numbers), tuple(unread))


def _problem(heading: Heading, note: int, text: str, reason: str) -> Problem:
    return Problem(
        document="", page=heading.page, kind="citation",
        reason=f"footnote {note} to the heading \"{heading.title}\" {reason}: \"{text}\"",
        action="check the footnote in the document and add the recommendations it cites to the "
               "paragraphs under that heading by hand",
    )


def _heading_citation(heading: Heading, footnotes: dict[int, str], reported: set[int],
                      problems: list[Problem], usual: str = "") -> Citation:
    """What ``heading``'s notes cite, together; problems of notes not yet in ``reported`` added to ``problems``."""
    found = NO_CITATION
    for note in heading.notes:
        citation = read_citation(footnotes.get(note, ""), usual)
        fresh = note not in reported
        reported.add(note)
        if citation.unread and fresh:
            problems.append(_problem(heading, note, footnotes[note],
                                     f"cites paragraphs that could not be read ({'; '.join(citation.unread)})"))
        if not citation.report:
            continue
        if found.report and citation.report != found.report:
            if fresh:
                problems.append(_problem(heading, note, footnotes[note],
                                         f"cites {citation.report} as well as {found.report}; only "
                                         f"{found.report} is kept"))
            continue
        numbers = tuple(dict.fromkeys((*found.numbers, *citation.numbers)))
        found = Citation(citation.report, numbers, (*found.unread, *citation.unread))
    return found


def heading_citations(paragraphs: Sequence[Paragraph], footnotes: dict[int, str]
                      ) -> tuple[tuple[Citation, ...], tuple[Problem, ...]]:
    """One :class:`Citation` per paragraph of ``paragraphs``, in order: that of the innermost heading above
    it whose notes cite (:data:`NO_CITATION` under none), and the problems of the citing notes read.

    ``footnotes`` is the document's notes by number
    (:func:`~rectrack.extractors.segment.compilation.paragraphs.collect_footnotes`). Problems carry an
    empty ``document``.
    """
    problems: list[Problem] = []
    reported: set[int] = set()
    citations = []
    usual = _usual(document_prefixes(footnotes))
    for paragraph in paragraphs:
        citation = NO_CITATION
        for heading in reversed(paragraph.outline):
            citation = _heading_citation(heading, footnotes, reported, problems, usual)
            if citation.report:
                break
        citations.append(citation)
    return tuple(citations), tuple(problems)
