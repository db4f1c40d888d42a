"""Positions from UPR addenda: kept in ``responses.csv``, applied to the tracker at every merge.

An addendum (A/HRC/43/15/Add.1) gives the State's positions on the
recommendations its report (A/HRC/43/15) left pending. Its
:class:`~rectrack.extractors.records.PositionUpdate` records are stored in
``responses.csv`` (:data:`RESPONSE_COLUMNS`), merged run after run like the
tracker: this run's addenda replace their earlier rows, addenda not in this
run keep theirs. :func:`apply_responses` then applies every stored update to
the tracker rows of its report.

The tracker comes out the same whatever the order the report and its
addendum arrived in: the applied state is recomputed from scratch on every
run. Rows whose position an addendum set (``position_source`` not empty) are
first put back to ``pending``, the report's own position, then every update
is applied again; an update whose report is not in the tracker yet waits in
``responses.csv`` and is listed as a problem until the report comes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from rectrack.extractors.errors import OutputError
from rectrack.extractors.records import VIA_MATRIX, DocumentResult, Position, Problem
from rectrack.extractors.tracker.columns import RESPONSE_COLUMNS
from rectrack.extractors.text.normalize import natural_key

_VALUES = {p.value for p in Position}
_PENDING = Position.PENDING.value
_SHOWN = 20  # numbers named in one problem before "(+N more)"


def _current_rows(results: Iterable[DocumentResult]) -> list[dict[str, str]]:
    return [{"report_symbol": u.report_symbol, "paragraph": u.paragraph.strip(), "position": u.position.value,
             "response": u.response, "source": u.source, "document": r.document}
            for r in results for u in r.position_updates]


def responses_table(results: Sequence[DocumentResult], previous: pd.DataFrame | None,
                    processed_documents: set[str]) -> pd.DataFrame:
    """This run's position updates plus the earlier ones of addenda not processed this run.

    ``processed_documents`` are the documents read successfully this run:
    their earlier rows are replaced by this run's. An earlier row that
    repeats a current one (the same addendum under another file name) is
    dropped. Rows are sorted by document, report and paragraph (natural order).
    """
    frame = pd.DataFrame(_current_rows(results), columns=list(RESPONSE_COLUMNS), dtype=str)
    if previous is not None and len(previous):
        kept = previous[~previous["document"].isin(processed_documents)][list(RESPONSE_COLUMNS)]
        content = list(RESPONSE_COLUMNS[:-1])
        seen = set(frame[content].itertuples(index=False, name=None))
        kept = kept[[row not in seen for row in kept[content].itertuples(index=False, name=None)]]
        frame = pd.concat([frame, kept], ignore_index=True)
    keys = [(natural_key(d), natural_key(s), natural_key(p)) for d, s, p in
            zip(frame["document"], frame["report_symbol"], frame["paragraph"])]
    order = sorted(range(len(frame)), key=lambda i: (keys[i], i))
    return frame.iloc[order].reset_index(drop=True).astype(str)


def check_responses(path: Path, frame: pd.DataFrame) -> None:
    """Raise :class:`OutputError` naming the first row of ``responses.csv`` that cannot be applied."""
    for index, (symbol, paragraph, position) in enumerate(
            zip(frame["report_symbol"], frame["paragraph"], frame["position"]), start=2):
        if not symbol.strip() or not paragraph.strip() or position not in _VALUES:
            raise OutputError(path, f"row {index} has no report symbol, no paragraph or an unknown "
                                    f"position {position!r}",
                              "fix or delete that row (positions: supported, noted, pending), "
                              "or delete the file: re-running the addenda writes it again")


def _reset(tracker: pd.DataFrame, symbols: set[str]) -> pd.DataFrame:
    """Rows of those reports whose position an addendum set, back to the report's ``pending``."""
    frame = tracker.copy()
    touched = frame["document_symbol"].isin(symbols) & (frame["position_source"] != "")
    frame.loc[touched, "position"] = _PENDING
    frame.loc[touched, ["response", "position_source"]] = ""
    return frame


def _lead_paragraph(paragraphs: list[str]) -> str | None:
    """The one paragraph whose items a 2008-2010 addendum numbers plainly ("111" for "111.7")."""
    leads = {p.split(".")[0] for p in paragraphs if "." in p}
    return leads.pop() if len(leads) == 1 else None


class _Report:
    """Index of one report's tracker rows: paragraph -> row positions, pending ones apart."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.found = len(rows) > 0
        self.pending: dict[str, list[int]] = defaultdict(list)
        for index, paragraph, position in zip(rows.index, rows["paragraph"], rows["position"]):
            if position == _PENDING:
                self.pending[paragraph].append(index)
        self.lead = _lead_paragraph(list(self.pending))

    def resolve(self, paragraph: str) -> str:
        """``paragraph`` as the report prints it: "17" -> "111.17" when the report has one lead-in."""
        if "." not in paragraph and self.lead is not None:
            return f"{self.lead}.{paragraph}"
        return paragraph


def _numbers(paragraphs: list[str]) -> str:
    shown = ", ".join(paragraphs[:_SHOWN])
    return shown + (f" (+{len(paragraphs) - _SHOWN} more)" if len(paragraphs) > _SHOWN else "")


def _addendum(source: str, report: str) -> str:
    """The addendum's symbol, from the first word of a source ("A/HRC/43/15/Add.1 para. 3")."""
    symbol = source.split(" ", 1)[0]
    via = f" {VIA_MATRIX}" if source.endswith(VIA_MATRIX) else ""
    return (symbol if re.search(r"/Add\.\d+$", symbol, re.IGNORECASE) else f"the addendum to {report}") + via


def _unmatched_problem(document: str, addendum: str, report: str, paragraphs: list[str],
                       report_found: bool) -> Problem:
    if not report_found:
        return Problem(document=document, kind="report_missing",
                       reason=f"addendum {addendum} gives positions for {_numbers(paragraphs)} but no report "
                              f"{report} with those paragraphs is in the tracker yet",
                       action=f"add the report {report}: its positions are kept in responses.csv and "
                              "applied when it arrives")
    return Problem(document=document, kind="paragraph_missing",
                   reason=f"addendum {addendum} gives positions for {_numbers(paragraphs)} but the report "
                          f"{report} in the tracker has no pending recommendation with those numbers",
                   action="check those numbers in the addendum (a typing error, or a position the report "
                          "already records) and set the positions in the tracker by hand if needed")


def _conflict_problem(document: str, report: str, paragraph: str, first: tuple[str, str],
                      position: str) -> Problem:
    return Problem(document=document, kind="conflicting_positions",
                   reason=f"{first[0]} gives {report} {paragraph} as {first[1]}, this addendum as {position}",
                   action=f"the position from {first[0]} is kept; if it is outdated, delete its rows from "
                          "responses.csv and re-run")


def apply_responses(tracker: pd.DataFrame, responses: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """The tracker with every stored addendum position applied, and what could not be applied.

    An update applies to the rows whose ``document_symbol`` is its
    ``report_symbol`` and whose ``paragraph`` is its paragraph ("17" of a
    2008-2010 addendum means "111.17" when the report's pending items stand
    under one paragraph, 111) and whose report position is ``pending``: it
    sets ``position``, ``response`` and ``position_source``. Two addenda
    disagreeing on a row: the first in ``responses`` order (by file name)
    wins; positions copied from a matrix come after every addendum. Returns a new frame, rows in the
    same order; one problem per addendum and report for the numbers that match no pending row, one per
    disagreement.
    """
    frame = _reset(tracker, set(responses["report_symbol"]))
    reports = {s: _Report(frame[frame["document_symbol"] == s]) for s in set(responses["report_symbol"])}
    applied: dict[int, tuple[str, str, str, str]] = {}
    unmatched: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    problems: list[Problem] = []
    conflicts: set[tuple[str, str, str]] = set()
    # The State's own addendum first: a matrix's copy of a position only fills gaps.
    via_matrix = responses["source"].str.endswith(VIA_MATRIX)
    ordered = pd.concat([responses[~via_matrix], responses[via_matrix]])
    for symbol, paragraph, position, response, source, document in ordered[list(RESPONSE_COLUMNS)].itertuples(
            index=False, name=None):
        report = reports[symbol]
        targets = report.pending.get(report.resolve(paragraph), [])
        if not targets:
            unmatched[(document, _addendum(source, symbol), symbol)].append(paragraph)
        for index in targets:
            if index not in applied:
                applied[index] = (document, position, response, source)
            elif applied[index][1] != position and (document, symbol, paragraph) not in conflicts:
                conflicts.add((document, symbol, paragraph))
                problems.append(_conflict_problem(document, symbol, paragraph, applied[index][:2], position))
    if applied:
        rows = list(applied)
        frame.loc[rows, ["position", "response", "position_source"]] = [list(v[1:]) for v in applied.values()]
    for (document, addendum, symbol), paragraphs in unmatched.items():
        if addendum.endswith(VIA_MATRIX):
            continue  # the matrix's own rows carry these positions; nothing is lost
        problems.append(_unmatched_problem(document, addendum, symbol, paragraphs, reports[symbol].found))
    return frame, problems
