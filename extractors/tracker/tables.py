"""The companion tables of one run: ``documents.csv`` and ``problems.csv`` rows from the results.

Also the rule that two files of one UN document count once (:func:`drop_duplicate_documents`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

from rectrack.extractors.records import DocumentResult, Problem, Status, with_document_name  # noqa: F401
from rectrack.extractors.tracker.columns import DOCUMENT_COLUMNS, PROBLEM_COLUMNS
from rectrack.extractors.tracker.identity import document_key
from rectrack.extractors.text.normalize import natural_key


def drop_duplicate_documents(results: Sequence[DocumentResult]) -> list[DocumentResult]:
    """Copies of one document reduced to the first by name.

    Copies are files with the same sha256, or documents with recommendations
    and the same UN symbol (two downloads of one report whose bytes differ:
    their rec_ids are the same, :func:`~rectrack.extractors.tracker.identity.document_key`;
    addenda, which hold positions only, are compared by
    :mod:`rectrack.extractors.tracker.responses` instead). The other
    copies become ``skipped`` results without recommendations and with a
    problem naming the copy that was kept, so IDs never repeat. Returns the
    results sorted by document name.
    """
    kept: dict[str, str] = {}
    out = []
    for result in sorted(results, key=lambda r: natural_key(r.document)):
        symbol = result.info.symbol if result.info and result.recommendations else ""
        first = kept.setdefault(result.sha256, result.document)
        if symbol and first == result.document:
            first = kept.setdefault(document_key(result.sha256, symbol), result.document)
        if first == result.document or not result.sha256:  # no content hash: a file never read
            out.append(result)
            continue
        same = "same content" if kept.get(result.sha256) != result.document else f"same UN document ({symbol})"
        problem = Problem(document=result.document, kind="duplicate",
                          reason=f"{same} as {first}",
                          action=f"nothing to do: its recommendations are listed under {first}; "
                                 "delete one of the copies to silence this")
        out.append(dataclasses.replace(result, status=Status.SKIPPED, recommendations=(),
                                       problems=(problem,)))
    return out


def _problem_cell(problems: Sequence[Problem]) -> str:
    if not problems:
        return ""
    first = f"{problems[0].reason}; {problems[0].action}"
    more = len(problems) - 1
    return first + (f" (+{more} more in problems.csv)" if more else "")


def _document_row(result: DocumentResult) -> dict[str, str]:
    info = result.info
    return {
        "document": result.document, "sha256": result.sha256, "status": result.status.value,
        "document_type": info.document_type.value if info else "",
        "body": info.body if info else "", "document_symbol": info.symbol if info else "",
        "country": info.country if info else "", "year": info.year if info else "",
        "pages": str(result.pages), "recommendations": str(len(result.recommendations)),
        "detected_as": info.reason if info else "",
        "problem": _problem_cell(result.problems), "missing": "",
    }


def documents_table(results: Sequence[DocumentResult], previous: pd.DataFrame | None) -> pd.DataFrame:
    """One row per input file of this run, plus earlier files not in it (``missing`` set).

    Sorted by document name in natural order.
    """
    frame = pd.DataFrame([_document_row(r) for r in results], columns=list(DOCUMENT_COLUMNS),
                         dtype=str)
    if previous is not None and len(previous):
        earlier = previous[~previous["document"].isin(set(frame["document"]))].copy()
        earlier["missing"] = MISSING_FILE
        frame = pd.concat([frame, earlier[list(DOCUMENT_COLUMNS)]], ignore_index=True)
    order = sorted(range(len(frame)), key=lambda i: natural_key(frame["document"].iat[i]))
    return frame.iloc[order].reset_index(drop=True)


def problems_table(results: Sequence[DocumentResult], merge_problems: Sequence[Problem] = ()) -> pd.DataFrame:
    """Every problem of this run, by document then in the order found, then those of the merge."""
    found = [p for r in results for p in r.problems] + list(merge_problems)
    rows = [
        {"document": p.document, "page": "" if p.page is None else str(p.page),
         "kind": p.kind, "reason": p.reason, "action": p.action}
        for p in found
    ]
    return pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS), dtype=str)


def problems_frame(problems: list[Problem], columns: list[str]) -> pd.DataFrame:
    """``problems`` as rows of ``problems.csv`` (``columns`` in its order)."""
    rows = [{"document": p.document, "page": "" if p.page is None else str(p.page), "kind": p.kind,
             "reason": p.reason, "action": p.action} for p in problems]
    return pd.DataFrame(rows, columns=columns, dtype=str)


MISSING_FILE = "source document not in the last run"
