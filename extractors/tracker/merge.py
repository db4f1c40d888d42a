"""The tracker's rows: built from this run's results and merged with the last run's tracker.

:func:`build_tracker` makes one row per recommendation (columns in
:mod:`rectrack.extractors.tracker.columns`); :func:`merge_tracker` carries the analyst's columns
over by ``rec_id`` and keeps the rows of documents not read this run, marked in ``missing``, so no
edit is ever dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from rectrack.extractors.records import DocumentResult, Recommendation
from rectrack.extractors.text.normalize import natural_key
from rectrack.extractors.tracker.columns import ANALYST_COLUMNS, COLUMNS, MULTI_SEPARATOR, SYNC_COLUMN, order_columns
from rectrack.extractors.tracker.identity import recommendation_ids

MISSING_DOCUMENT = "source document not in the last run (absent or unreadable: see documents.csv)"
_NO_LONGER_FOUND = "no longer found in {document}"


def _document_rows(result: DocumentResult) -> list[dict[str, str]]:
    """One tracker row per recommendation of ``result``, IDs made unique within it."""
    info = result.info
    rows = []
    for ident, rec in zip(recommendation_ids(result), result.recommendations):
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            rec_id=ident,
            document=result.document,
            document_symbol=info.symbol if info else "",
            document_type=info.document_type.value if info else "",
            body=rec.body or (info.body if info else ""),
            country=(info.country if info else "") or rec.country,
            year=info.year if info else "",
        )
        row.update(_recommendation_cells(rec))
        rows.append(row)
    return rows


def _recommendation_cells(rec: Recommendation) -> dict[str, str]:
    """The cells that come from the recommendation itself."""
    return {
        "paragraph": rec.paragraph.strip(),
        "page": str(rec.page),
        "text": rec.text,
        "recommending_states": MULTI_SEPARATOR.join(rec.recommending_states),
        "position": rec.position.value,
        "source": rec.source,
        "heading": rec.heading,
        "context": rec.context,
        "addressee": rec.addressee,
        "follow_up": "yes" if rec.follow_up else "",
        "response": rec.response,
        "position_source": rec.position_source,
    }


def build_tracker(results: Sequence[DocumentResult]) -> pd.DataFrame:
    """The tracker rows of this run's results, in :func:`sort_tracker` order.

    Returns a frame with exactly :data:`COLUMNS`, all strings; analyst and
    label columns are empty (merging fills the analyst ones). Results with the
    same ``sha256`` (copies of one file) must have been reduced to one first
    (:func:`rectrack.extractors.tracker.tables.drop_duplicate_documents`), else IDs repeat.
    """
    rows = [row for result in results for row in _document_rows(result)]
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=str)
    return sort_tracker(frame)


def sort_tracker(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by document, page, paragraph (natural order), then their current order."""
    documents = frame["document"].tolist()
    pages = [(0, int(p)) if p.isdigit() else (1, 0) for p in frame["page"].tolist()]
    paragraphs = [natural_key(p) for p in frame["paragraph"].tolist()]
    order = sorted(range(len(frame)),
                   key=lambda i: (documents[i], pages[i], paragraphs[i], i))
    return frame.iloc[order].reset_index(drop=True)


def merge_tracker(previous: pd.DataFrame | None, current: pd.DataFrame,
                  processed_documents: set[str]) -> pd.DataFrame:
    """This run's rows with the analyst's work of earlier runs carried over.

    - Analyst columns (and columns the analyst added) of ``previous`` are copied
      onto current rows with the same ``rec_id``, with ``synced_edits``;
      ``missing`` is cleared.
    - Previous rows whose document is not in ``processed_documents`` (absent
      from this run, or unreadable in it) are kept, ``missing`` set to
      :data:`MISSING_DOCUMENT`.
    - Previous rows of a processed document that no longer yields their
      ``rec_id`` are kept only if an analyst filled something in, marked
      "no longer found in <document>"; the others are dropped.

    ``processed_documents`` must hold only documents whose recommendations are
    authoritative this run (read successfully). Returns a new frame in
    :func:`sort_tracker` order; the inputs are not modified.
    """
    if previous is None:
        return sort_tracker(order_columns(current.copy()))
    previous = previous.copy()
    for column in COLUMNS:
        if column not in previous.columns:
            previous[column] = ""
    carried = list(ANALYST_COLUMNS) + [c for c in previous.columns if c not in COLUMNS]
    merged = current.drop(columns=[*ANALYST_COLUMNS, SYNC_COLUMN]).merge(
        previous[["rec_id", *carried, SYNC_COLUMN]], on="rec_id", how="left", sort=False)
    merged[[*carried, SYNC_COLUMN]] = merged[[*carried, SYNC_COLUMN]].fillna("")
    merged["missing"] = ""
    kept = _kept_previous_rows(previous, set(current["rec_id"]), processed_documents, carried)
    combined = pd.concat([merged, kept], ignore_index=True) if len(kept) else merged
    return sort_tracker(order_columns(combined.astype(str)))


def _kept_previous_rows(previous: pd.DataFrame, current_ids: set[str],
                        processed_documents: set[str], carried: list[str]) -> pd.DataFrame:
    """The previous rows :func:`merge_tracker` keeps although this run did not yield them."""
    gone = previous[~previous["rec_id"].isin(current_ids)].copy()
    absent = ~gone["document"].isin(processed_documents)
    edited = (gone[carried].apply(lambda column: column.str.strip()) != "").any(axis=1)
    gone.loc[absent, "missing"] = MISSING_DOCUMENT
    vanished = ~absent & edited
    gone.loc[vanished, "missing"] = [
        _NO_LONGER_FOUND.format(document=d) for d in gone.loc[vanished, "document"]]
    return gone[absent | vanished]


