"""Segment a UPR addendum (A/HRC/../Add.1) into the State's positions on its report.

An addendum gives no recommendations of its own: it says, for the
recommendations its report left pending, which the State supports and which
it notes, often with its reasons. The result is one
:class:`~rectrack.extractors.records.PositionUpdate` per recommendation number, for
the report whose symbol is the addendum's without ``/Add.n``; matching them
to the report's rows is :mod:`rectrack.extractors.tracker.responses`' job, at merge time.

Three layouts are read (:mod:`rectrack.extractors.segment.upr.addendum_layouts`):

- *clustered* (2012+): numbered paragraphs listing numbers with a position
  ("3. The Government accepts the following recommendations 122.1,
  122.17-18, ..."), under headings ("Accepted recommendations", "Noted
  recommendations"), then per-recommendation paragraphs: a number heading
  ("122.14– 15", "140.82-85, 87") followed by the State's explanation, kept
  as ``response`` for every number the heading names (a heading the PDF
  reader ran into the paragraph before or after it is cut out first);
- *itemised* (2008-2010): one paragraph per plain item number of the report
  ("5., 6., 7. The Slovenian Government accepts these recommendations.");
- *tables*: a row per number (or list of numbers) with a position cell.

Where the position comes from, first found: the listing paragraph's words,
the heading it stands under, the explanation's own words, else *noted*
(UPR Info's rule: only an explicit acceptance counts). A response that
accepts one part and declines another is recorded as supported, its
response prefixed ``[partially supported]`` (UPR Info would note it; the
tracker keeps the accepted part visible for follow-up).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rectrack.extractors.records import Document, DocumentInfo, Position, PositionUpdate, Problem
from rectrack.extractors.segment import Segmented
from rectrack.extractors.segment.upr.addendum_layouts import Entry, document_entries
from rectrack.extractors.segment.upr.addendum_wording import Wording, stated_position

PARTIAL_MARK = "[partially supported]"
_ADDENDUM_SUFFIX = re.compile(r"/Add\.\s*\d+$", re.IGNORECASE)


def report_symbol(addendum_symbol: str) -> str:
    """``"A/HRC/43/15/Add.1"`` -> ``"A/HRC/43/15"``; unchanged when there is no ``/Add.n``."""
    return _ADDENDUM_SUFFIX.sub("", addendum_symbol.strip())


def _problem(kind: str, reason: str, action: str, page: int | None = None) -> Problem:
    return Problem(document="", page=page, kind=kind, reason=reason, action=action)


def _entry_wording(entry: Entry) -> Wording:
    """The position an entry states: its listing words, its heading, its own words, else noted."""
    for text in (entry.statement, entry.heading, " ".join(entry.words)):
        wording = stated_position(text) if text else Wording()
        if wording.position is not Position.UNKNOWN:
            return wording
    return Wording(Position.NOTED)


def _source(symbol: str, entry: Entry) -> str:
    """"A/HRC/43/15/Add.1 para. 3" for a numbered listing paragraph, else "... p. 4"."""
    return f"{symbol} para. {entry.paragraph}" if entry.paragraph else f"{symbol} p. {entry.page}"


def _conflict(number: str, first: tuple[Wording, str], second: tuple[Wording, str], page: int) -> Problem:
    return _problem(
        "conflicting_positions", page=page,
        reason=f"{number} is given as {first[0].position.value} ({first[1]}) "
               f"and as {second[0].position.value} ({second[1]})",
        action=f"the first is kept; check {number} in the addendum and correct its position "
               "in the tracker by hand if needed")


def _decide(entries: list[Entry], symbol: str) -> tuple[dict[str, tuple[Wording, str]], list[Problem]]:
    """Number -> (stated position, source), listings first, then the other entries.

    A number a listing paragraph gives a position for takes it from there
    (its explanation only adds words); the other numbers take it from their
    own entry. Two different positions from the same kind of entry are a
    problem; the first stays.
    """
    decided: dict[str, tuple[Wording, str]] = {}
    problems: list[Problem] = []
    for listings in (True, False):
        this_pass: set[str] = set()
        for entry in (e for e in entries if bool(e.statement) is listings):
            stated = (_entry_wording(entry), _source(symbol, entry))
            for number in entry.numbers:
                earlier = decided.get(number)
                if earlier is None:
                    decided[number] = stated
                    this_pass.add(number)
                elif number in this_pass and earlier[0].position is not stated[0].position:
                    problems.append(_conflict(number, earlier, stated, entry.page))
    return decided, problems


def _updates(entries: list[Entry], symbol: str, report: str) -> tuple[list[PositionUpdate], list[Problem]]:
    """One update per number, in the order the addendum first names them."""
    decided, problems = _decide(entries, symbol)
    words: dict[str, list[str]] = {}
    for entry in entries:
        for number in entry.numbers:
            words.setdefault(number, []).extend(entry.words)
    updates = []
    for number, response_words in words.items():
        wording, source = decided[number]
        response = " ".join(response_words)
        if wording.partial:
            response = f"{PARTIAL_MARK} {response}".strip()
        updates.append(PositionUpdate(report_symbol=report, paragraph=number, position=wording.position,
                                      response=response, source=source))
    return updates, problems


def _unreadable_problems(entries: Iterable[Entry]) -> list[Problem]:
    return [_problem("unreadable_numbers", page=entry.page,
                     reason=f"cannot read the recommendation numbers {', '.join(entry.unreadable)} "
                            "(a range that ends before it starts, spans two paragraphs or is too long)",
                     action="read the numbers in the addendum and set those positions in the tracker by hand")
            for entry in entries if entry.unreadable]


def segment_upr_addendum(document: Document, info: DocumentInfo) -> Segmented:
    """The positions a UPR addendum gives, as :class:`PositionUpdate` records; no recommendations.

    ``report_symbol`` of every update is ``info.symbol`` without ``/Add.n``;
    ``paragraph`` the number as the addendum prints it ("122.17", or "17" in
    the 2008-2010 layout: matched to "111.17" at merge time). Returns no
    updates and one problem when the addendum has no symbol or no positions
    could be found; unreadable ranges and contradicting positions are
    reported as problems beside the updates.
    """
    report = report_symbol(info.symbol)
    if not report:
        return Segmented(problems=(_problem(
            "no_symbol", reason="no document symbol (A/HRC/../Add.1) found on the cover of this UPR addendum",
            action="check that the file is the complete addendum; without its symbol its positions "
                   "cannot be matched to a report"),))
    entries = document_entries(document)
    updates, conflicts = _updates(entries, info.symbol, report)
    problems = _unreadable_problems(entries) + conflicts
    if not updates:
        problems.append(_problem(
            "no_positions", reason="no recommendation numbers with a position found in this UPR addendum",
            action="check that it is the State's response to the recommendations (not a summary) and "
                   "set the positions in the tracker by hand"))
    return Segmented(position_updates=tuple(updates), problems=tuple(problems))
