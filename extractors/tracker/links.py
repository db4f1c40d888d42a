"""One recommendation, one identity: a matrix's rows linked to the rows of the report they copy.

An OHCHR matrix lists the recommendations of one UPR report (A/HRC/43/15)
again, sorted by theme, with positions and labels. When both are in the
tracker, each recommendation has two rows; :func:`link_tracker` gives them
one identity without merging them:

- ``recommendation_key``: the same value on every row of one recommendation.
  A report row's key is its symbol and paragraph ("A/HRC/43/15 122.1"; the
  n-th recommendation of a paragraph that holds several gets " (n)" from the
  second on). A matrix row linked to a report row takes that row's key; any
  other row's key is its own ``rec_id``.
- ``same_as``: on a linked matrix row, the ``rec_id`` of the report row it
  repeats; empty on every row that counts. Filtering ``same_as`` empty gives
  each recommendation once.

A matrix row is linked to a report row of the report it cites ("Source of
position: A/HRC/43/15/Add.1 - Para.3"; a matrix citing none: the one report
of its country and year in the tracker) with the same paragraph and nearly
the same text (:data:`SIMILARITY`, rapidfuzz ratio of the normalised texts;
the best pair first), each report row at most once. A matrix row left
without a partner is reported, never guessed. Links are recomputed from the
rows on every run, so the order in which documents arrived does not matter.

Analyst edits reach every row of a recommendation (:func:`sync_edits`).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz

from rectrack.extractors.records import DocumentType, Problem
from rectrack.extractors.tracker.columns import ANALYST_COLUMNS
from rectrack.extractors.tracker.identity import normalise_text

# Texts of one recommendation as a report and its matrix print them score 95-100 (all 810 rows of the three
# sample pairs); two different recommendations under one paragraph score far lower. 85 tolerates a repaired
# hyphen or a dropped word, not another recommendation.
SIMILARITY = 85
_REPORT = DocumentType.UPR_REPORT.value
_MATRIX = DocumentType.RECOMMENDATIONS_MATRIX.value
_HRC_SYMBOL = re.compile(r"A\s*/\s*HRC\s*/\s*\d+\s*/\s*\d+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Links:
    """The identity columns of a tracker (aligned with its rows) and the matrix rows left unlinked."""

    keys: list[str]
    same_as: list[str]
    problems: list[Problem]


def cited_report(position_source: str) -> str:
    """The report a matrix row's source of position names: "A/HRC/43/15/Add.1 - Para.3" -> "A/HRC/43/15"."""
    match = _HRC_SYMBOL.search(position_source)
    return re.sub(r"\s+", "", match.group(0)) if match else ""


def _report_keys(tracker: pd.DataFrame) -> dict[int, str]:
    """Row index -> key for every UPR report row: "<symbol> <paragraph>", " (n)" for the n-th of a paragraph."""
    keys: dict[int, str] = {}
    seen: dict[tuple[str, str], int] = defaultdict(int)
    reports = tracker[(tracker["document_type"] == _REPORT) & (tracker["document_symbol"] != "")]
    for index, document, symbol, paragraph in zip(reports.index, reports["document"],
                                                  reports["document_symbol"], reports["paragraph"]):
        if not paragraph:
            continue
        seen[(document, paragraph)] += 1
        count = seen[(document, paragraph)]
        keys[index] = f"{symbol} {paragraph}" + (f" ({count})" if count > 1 else "")
    return keys


def _matrix_reports(tracker: pd.DataFrame, reports: set[str]) -> dict[int, str]:
    """Row index -> the report symbol of every matrix row that has a paragraph.

    A row's own source of position first, else the report its matrix cites
    most, else the one report in the tracker of the matrix's country and year.
    """
    matrices = tracker[(tracker["document_type"] == _MATRIX) & (tracker["paragraph"] != "")]
    cited = [cited_report(source) for source in matrices["position_source"]]
    by_document: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for document, symbol in zip(matrices["document"], cited):
        if symbol:
            by_document[document][symbol] += 1
    report_rows = tracker[tracker["document_type"] == _REPORT]
    by_place = defaultdict(set)
    for symbol, country, year in zip(report_rows["document_symbol"], report_rows["country"], report_rows["year"]):
        by_place[(country, year)].add(symbol)
    found: dict[int, str] = {}
    for index, document, country, year, symbol in zip(matrices.index, matrices["document"], matrices["country"],
                                                      matrices["year"], cited):
        counts = by_document.get(document)
        place = by_place.get((country, year), set())
        symbol = symbol or (max(counts, key=counts.__getitem__) if counts else "") or (
            next(iter(place)) if len(place) == 1 else "")
        if symbol in reports:
            found[index] = symbol
    return found


def _pairs(tracker: pd.DataFrame, matrix_rows: list[int], report_rows: list[int]) -> list[tuple[int, int]]:
    """(matrix row, report row) pairs of one paragraph: most similar text first, then same States, then order."""
    scored = []
    for m_order, m in enumerate(matrix_rows):
        m_text, m_states = normalise_text(tracker.at[m, "text"]), tracker.at[m, "recommending_states"]
        for r_order, r in enumerate(report_rows):
            score = fuzz.ratio(m_text, normalise_text(tracker.at[r, "text"]))
            if score >= SIMILARITY:
                other_states = m_states != tracker.at[r, "recommending_states"]
                scored.append((-score, other_states, abs(m_order - r_order), m, r))
    taken_m: set[int] = set()
    taken_r: set[int] = set()
    pairs = []
    for *_, m, r in sorted(scored):
        if m not in taken_m and r not in taken_r:
            taken_m.add(m)
            taken_r.add(r)
            pairs.append((m, r))
    return pairs


def _unlinked_problem(document: str, report: str, paragraphs: list[str]) -> Problem:
    shown = ", ".join(paragraphs[:20]) + (f" (+{len(paragraphs) - 20} more)" if len(paragraphs) > 20 else "")
    return Problem(
        document=document, kind="matrix_row_unlinked",
        reason=f"{len(paragraphs)} recommendation(s) of the matrix (paragraph {shown}) match no recommendation "
               f"of the same paragraph of {report} in the tracker (another text, or a paragraph the report lacks); "
               "they are listed as recommendations of their own",
        action="compare those paragraphs with the report; if they are the same recommendations, edit only one "
               "of the rows and count it once")


def link_tracker(tracker: pd.DataFrame) -> Links:
    """The ``recommendation_key`` and ``same_as`` of every row of ``tracker`` (see the module doc).

    ``tracker`` needs the columns ``rec_id``, ``document``, ``document_type``,
    ``document_symbol``, ``country``, ``year``, ``paragraph``, ``text``,
    ``recommending_states`` and ``position_source``; it is not modified.
    Returns lists aligned with its rows and one problem per matrix and report
    whose rows could not all be linked.
    """
    tracker = tracker.reset_index(drop=True)
    ids = tracker["rec_id"].tolist()
    # Plain lists: tracker.at[] per row costs ~25 µs, and there is one lookup per report row.
    symbols, paragraphs, documents = (tracker[c].tolist() for c in ("document_symbol", "paragraph", "document"))
    keys, same_as = list(ids), [""] * len(tracker)
    first_of_key: dict[str, int] = {}
    report_rows: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, key in _report_keys(tracker).items():
        keys[index] = key
        if key in first_of_key:          # the same report in two files: the first file's row counts
            same_as[index] = ids[first_of_key[key]]
        else:
            first_of_key[key] = index
            report_rows[(symbols[index], paragraphs[index])].append(index)
    matrix_rows: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for index, report in _matrix_reports(tracker, {symbol for symbol, _ in report_rows}).items():
        matrix_rows[(documents[index], report, paragraphs[index])].append(index)
    unlinked: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (document, report, paragraph), rows in matrix_rows.items():
        pairs = _pairs(tracker, rows, report_rows.get((report, paragraph), []))
        for m, r in pairs:
            keys[m], same_as[m] = keys[r], ids[r]
        if len(pairs) < len(rows):
            unlinked[(document, report)].append(paragraph)
    problems = [_unlinked_problem(document, report, paragraphs)
                for (document, report), paragraphs in sorted(unlinked.items())]
    return Links(keys, same_as, problems)


def edits_fingerprint(cells: list[str]) -> str:
    """8 hex chars of a sha256 over a row's analyst cells (``\\x1f``-joined): what :func:`sync_edits` wrote."""
    return hashlib.sha256("\x1f".join(cells).encode("utf-8")).hexdigest()[:8]


def _resolved(values: list[str], edited: list[bool], counted: int) -> tuple[str, bool]:
    """One analyst cell of a recommendation from its rows' cells: (value, whether rows disagreed).

    Rows not edited since the last run hold the value the last run wrote
    (the base); a differing value on an edited row is the analyst's change.
    Rows never synced before are all "edited": a filled cell wins over an
    empty one. Two different changes: the counting row's (``counted``) wins.
    """
    base = next((v for v, e in zip(values, edited) if not e), None)
    changes = list(dict.fromkeys(v for v, e in zip(values, edited) if e and v != base and (base is not None or v)))
    if not changes:
        return (base if base is not None else ""), False
    if len(changes) == 1:
        return changes[0], False
    return (values[counted] if values[counted] in changes else changes[0]), True


def sync_edits(tracker: pd.DataFrame, links: Links) -> tuple[pd.DataFrame, list[Problem]]:
    """``tracker`` with the identity columns set and analyst edits shared by the rows of one recommendation.

    For each analyst column (:data:`~rectrack.extractors.tracker.merge.ANALYST_COLUMNS`) a
    cell edited on any row of a recommendation is written to all its rows;
    ``synced_edits`` records what was written so the next run can tell which
    row the analyst changed. When rows were changed differently, the row that
    counts (the report's, ``same_as`` empty) wins and a problem quotes the
    value set aside. Returns a new frame (same rows, same order) and those problems.
    """
    frame = tracker.reset_index(drop=True).copy()
    frame["recommendation_key"], frame["same_as"] = links.keys, links.same_as
    groups: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(links.keys):
        groups[key].append(index)
    columns = list(ANALYST_COLUMNS)
    cells = frame[columns].to_numpy().tolist()
    synced = tracker["synced_edits"].tolist() if "synced_edits" in tracker.columns else [""] * len(frame)
    written = [""] * len(frame)
    problems = []
    for rows in groups.values():
        if len(rows) < 2:
            continue
        edited = [not synced[r] or edits_fingerprint(cells[r]) != synced[r] for r in rows]
        counted = next((i for i, r in enumerate(rows) if not links.same_as[r]), 0)
        values = []
        for position, column in enumerate(columns):
            value, disagreed = _resolved([cells[r][position] for r in rows], edited, counted)
            values.append(value)
            if disagreed:
                problems.append(_conflict_problem(frame, rows, counted, column, value))
        fingerprint = edits_fingerprint(values)
        for r in rows:
            cells[r], written[r] = values, fingerprint
    frame[columns] = pd.DataFrame(cells, columns=columns, index=frame.index, dtype=str)
    frame["synced_edits"] = written
    return frame, problems


def _conflict_problem(frame: pd.DataFrame, rows: list[int], counted: int, column: str, kept: str) -> Problem:
    others = [f"{frame.at[r, 'document']} ({frame.at[r, 'rec_id']}): {frame.at[r, column]!r}"
              for r in rows if frame.at[r, column] != kept]
    return Problem(
        document=frame.at[rows[counted], "document"], kind="conflicting_edits",
        reason=f"{column} of recommendation {frame.at[rows[0], 'recommendation_key']} was edited differently on "
               f"its linked rows; {kept!r} (the counting row's) was kept, set aside: {'; '.join(others)}",
        action=f"if the value set aside is the right one, type it in the {column} cell of that recommendation "
               "and re-run")


def edits_pending(tracker: pd.DataFrame) -> bool:
    """Whether an analyst edited a linked row since the last run (its edits not yet on the other rows)."""
    if "synced_edits" not in tracker.columns:
        return False
    cells = tracker[list(ANALYST_COLUMNS)].to_numpy().tolist()
    return any(synced and edits_fingerprint(row) != synced for row, synced in zip(cells, tracker["synced_edits"]))
