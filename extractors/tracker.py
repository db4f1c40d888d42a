"""The recommendation tracker: build it from results, merge it with the last run, read it back.

Columns (:data:`COLUMNS`) follow the tracker contract in ``DESIGN.md``: the 18
pipeline columns ``rec_id`` ... ``priority_areas``, then the analyst columns
``status``, ``responsible``, ``notes`` and ``reviewed_issues`` ...
``reviewed_priority_areas`` (:data:`ANALYST_COLUMNS`; a filled review cell
replaces the labels of its taxonomy, see :mod:`rectrack.extractors.classify.apply`)
and ``reviewed_group`` (the analyst's follow-up group, see :mod:`rectrack.extractors.grouping`),
then columns the contract does not name: ``recommendation_key`` and ``same_as``
(one identity for the rows of one recommendation, see :mod:`rectrack.extractors.links`),
``follow_up_group`` (recommendations asking the same of one country, see
:mod:`rectrack.extractors.grouping`),
``source``, ``heading``, ``context`` ... (from
:class:`~rectrack.extractors.records.Recommendation`), ``missing`` (why a row kept
from an earlier run has no source in the last one; empty otherwise) and
``synced_edits`` (what :mod:`rectrack.extractors.links` last wrote in the analyst
columns of a linked row). Columns
an analyst adds to ``tracker.csv`` are kept after those, in their order.

The pipeline owns every column except the analyst columns and the analyst's
own columns: those are carried over by ``rec_id`` on every run and never
written by the pipeline. All cells are strings; multi-valued cells are
``|``-joined. Writing the tables is :mod:`rectrack.extractors.tables`' job.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from rectrack.extractors.csv_files import CsvForm, read_csv_cells
from rectrack.extractors.errors import InvalidTracker, RectrackError
from rectrack.extractors.records import DocumentResult, Problem, Recommendation
from rectrack.extractors.text import natural_key

PIPELINE_COLUMNS: tuple[str, ...] = (
    "rec_id", "document", "document_symbol", "document_type", "body", "country",
    "year", "paragraph", "page", "text", "recommending_states", "position",
    "issues", "themes", "groups", "sdgs", "action_category", "priority_areas",
)
LABEL_TAXONOMIES: tuple[str, ...] = PIPELINE_COLUMNS[-6:]    # issues ... priority_areas
# An analyst's own labels: a filled cell replaces the taxonomy's column (see rectrack.extractors.classify.apply).
REVIEW_COLUMNS: tuple[str, ...] = tuple(f"reviewed_{taxonomy}" for taxonomy in LABEL_TAXONOMIES)
# reviewed_group: the analyst's follow-up group for the row (a group id or "new"), see rectrack.extractors.grouping.
GROUP_REVIEW_COLUMN = "reviewed_group"
ANALYST_COLUMNS: tuple[str, ...] = ("status", "responsible", "notes") + REVIEW_COLUMNS + (GROUP_REVIEW_COLUMN,)
# What a tracker read back must have; the review columns came later and are added if absent.
CONTRACT_COLUMNS: tuple[str, ...] = PIPELINE_COLUMNS + ANALYST_COLUMNS[:3]
EXTRA_COLUMNS: tuple[str, ...] = (
    "recommendation_key", "same_as", "follow_up_group",
    "source", "heading", "context", "addressee", "follow_up", "response", "position_source", "missing",
    "synced_edits")
# Written by rectrack.extractors.links on the rows of one recommendation; carried from the last run like the analyst's.
SYNC_COLUMN = "synced_edits"
COLUMNS: tuple[str, ...] = PIPELINE_COLUMNS + ANALYST_COLUMNS + EXTRA_COLUMNS

MULTI_SEPARATOR = "|"
MISSING_DOCUMENT = "source document not in the last run (absent or unreadable: see documents.csv)"
_NO_LONGER_FOUND = "no longer found in {document}"
ID_PREFIX = "r"
_CURRENT_ID = re.compile(r"r[0-9a-f]{16}")


def normalise_text(text: str) -> str:
    """The text as it counts for identity: NFKC, casefolded, whitespace collapsed.

    NFKC folds ligatures and compatibility forms that different PDF text
    layers produce for the same printed text ("ﬁ" and "fi").
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(unicodedata.normalize("NFKC", folded).split())


def document_key(sha256: str, symbol: str) -> str:
    """What stands for a document in its rec_ids: its UN symbol if it has one, else its content hash.

    A UN document is the same document whatever the bytes of the copy (a
    re-download, a re-saved PDF): keyed by symbol, its rec_ids and the edits
    attached to them survive a new copy. Other documents are keyed by content.
    """
    symbol = "".join(symbol.split())
    return f"symbol\x1e{symbol}" if symbol else sha256


def rec_id(document: str, paragraph: str, text: str, occurrence: int = 0) -> str:
    """The stable ID of a recommendation: ``r`` then 16 hex chars of a sha256 over its natural key.

    The key is ``document`` (:func:`document_key`: the UN symbol, else the
    content hash), the paragraph as printed (stripped) and
    :func:`normalise_text` of the text, joined with ``\\x1f``. ``occurrence``
    (0 for the first) tells apart identical recommendations under the same
    paragraph of one document; it is only added from 1 up, so the first keeps
    the plain key. The ``r`` keeps spreadsheets from reading an ID as a number
    ("1234567890123456", "12e45").
    """
    return ID_PREFIX + _hashed_id(document, paragraph.strip(), normalise_text(text), occurrence)


def _hashed_id(document: str, paragraph: str, normalised: str, occurrence: int) -> str:
    parts = [document, paragraph, normalised]
    if occurrence:
        parts.append(str(occurrence))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _natural_keys(result: DocumentResult) -> list[tuple[str, str, int]]:
    """(paragraph, normalised text, occurrence) of each recommendation of ``result``, in order."""
    seen: Counter[tuple[str, str]] = Counter()
    keys = []
    for rec in result.recommendations:
        key = (rec.paragraph.strip(), normalise_text(rec.text))
        keys.append((*key, seen[key]))
        seen[key] += 1
    return keys


def recommendation_ids(result: DocumentResult) -> list[str]:
    """The ``rec_id`` of each recommendation of ``result``, in order, unique within it."""
    document = document_key(result.sha256, result.info.symbol if result.info else "")
    return [ID_PREFIX + _hashed_id(document, *key) for key in _natural_keys(result)]


def legacy_ids(result: DocumentResult) -> list[str]:
    """Old-scheme rec_ids (16 hex chars over the content hash), aligned with :func:`recommendation_ids`."""
    return [_hashed_id(result.sha256, *key) for key in _natural_keys(result)]


def migrate_rec_ids(previous: pd.DataFrame, results: Sequence[DocumentResult]) -> pd.DataFrame:
    """``previous`` with rec_ids of the old scheme replaced by this run's IDs of the same recommendations.

    A tracker written by rectrack 0.1 keys rows by 16 hex chars over the content
    hash; a row whose ID is exactly the old ID of a recommendation in
    ``results`` takes its new ID, so every edit stays attached. Rows of
    documents not in ``results`` keep their old ID until their document is
    read again (they are merged as missing meanwhile). An old ID whose new ID
    is already in ``previous`` is left alone (no duplicate). Returns a copy.
    """
    renames = {old: new for result in results
               for old, new in zip(legacy_ids(result), recommendation_ids(result))}
    present = set(previous["rec_id"])
    renames = {old: new for old, new in renames.items() if old in present and new not in present}
    out = previous.copy()
    if renames:
        out["rec_id"] = out["rec_id"].map(lambda ident: renames.get(ident, ident))
    return out


def has_legacy_ids(tracker: pd.DataFrame) -> bool:
    """Whether some row with a source still has a rec_id of the old scheme (see :func:`migrate_rec_ids`)."""
    current = tracker["rec_id"].str.fullmatch(_CURRENT_ID.pattern)
    return bool((~current & (tracker["missing"] == "")).any())


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
    (:func:`rectrack.extractors.tables.drop_duplicate_documents`), else IDs repeat.
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


def _order_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """:data:`COLUMNS` first, then any analyst-added columns in their order."""
    extra = [c for c in frame.columns if c not in COLUMNS]
    return frame[list(COLUMNS) + extra]


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
        return sort_tracker(_order_columns(current.copy()))
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
    return sort_tracker(_order_columns(combined.astype(str)))


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


def read_csv_strings(path: Path, error: type[RectrackError], action: str) -> pd.DataFrame:
    """A CSV with every cell as written: strings, no NA guessing ("NA" is Namibia), formula escapes removed.

    Reads any form a spreadsheet saves (UTF-8 with or without BOM, UTF-16,
    Windows-1252; ``,`` ``;`` or tab: :func:`rectrack.extractors.csv_files.read_csv_cells`).
    A file that cannot be read safely raises ``error`` naming it, with
    ``action`` as what to do.
    """
    return read_csv_cells(path, error, action)[0]


# A tracker is where the analyst's edits live: never advise moving it away.
KEEP_EDITS = ("your edits are in this file, keep it: open it in Excel and save it under the same name "
              "as 'CSV UTF-8 (Comma delimited) (*.csv)' (LibreOffice: Text CSV, character set "
              "Unicode (UTF-8), field delimiter ','), then re-run")


def read_tracker(path: Path | str) -> pd.DataFrame:
    """Read a ``tracker.csv`` back, all cells as strings, and check it (see :func:`read_tracker_form`).

    Public as ``rectrack.read_tracker``: what pandas users call to get every
    cell as written (formula escapes removed).
    """
    return read_tracker_form(Path(path))[0]


def read_tracker_form(path: Path) -> tuple[pd.DataFrame, CsvForm]:
    """A ``tracker.csv`` read back and checked, and the form it was saved in.

    Reads it as rectrack writes it or as a spreadsheet re-saved it (``;``,
    Windows-1252, no BOM...: :mod:`rectrack.extractors.csv_files`), every
    column kept. Returns the frame with every :data:`COLUMNS` column present
    (the non-contract ones added empty if absent). Raises
    :class:`InvalidTracker` naming the file and spreadsheet row when the file
    cannot be read safely, a contract column is missing, or a ``rec_id`` is
    empty or repeated; the message says how to keep the edits.
    """
    frame, form = read_csv_cells(path, InvalidTracker, KEEP_EDITS, first_column="rec_id")
    missing = [c for c in CONTRACT_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidTracker(path, f"column(s) {', '.join(missing)} are missing",
                             "restore the column header(s) exactly as written by rectrack")
    _check_rec_ids(path, frame["rec_id"])
    for column in (*REVIEW_COLUMNS, GROUP_REVIEW_COLUMN, *EXTRA_COLUMNS):
        if column not in frame.columns:
            frame[column] = ""
    return _order_columns(frame), form


def conversion_problems(path: Path, form: CsvForm, tracker: pd.DataFrame) -> list[Problem]:
    """What to tell the analyst when ``tracker`` was read from a file not in rectrack's own form.

    One row saying it was converted (rectrack writes UTF-8 with BOM and
    commas), and for a Windows-1252 file one more listing the rows whose
    analyst cells hold ``?``: that encoding cannot hold e.g. Cyrillic, and
    Excel saves such characters as ``?``. Empty when the file was rectrack's own form.
    """
    if form.is_rectrack_form:
        return []
    problems = [Problem(
        document=path.name, kind="tracker",
        reason=f"was saved by a spreadsheet as {form.describe()}; rectrack read every row and column "
               "and wrote it back as UTF-8 with BOM, comma-separated",
        action="nothing to do; to keep non-Latin text (e.g. Cyrillic) save it from Excel as "
               "'CSV UTF-8 (Comma delimited) (*.csv)'")]
    if form.encoding == "cp1252":
        own = [c for c in tracker.columns if c in ANALYST_COLUMNS or c not in COLUMNS]
        rows = [str(i + 2) for i, hit in enumerate(tracker[own].apply(
            lambda column: column.str.contains("?", regex=False)).any(axis=1)) if hit]
        if rows:
            problems.append(Problem(
                document=path.name, kind="tracker",
                reason=f"Windows-1252 cannot hold characters such as Cyrillic and Excel saves them as '?': "
                       f"your columns hold '?' in {len(rows)} row(s) of the file read ({', '.join(rows[:20])}"
                       + (", ..." if len(rows) > 20 else "") + ")",
                action="check those cells and retype any text that was lost"))
    return problems


def _check_rec_ids(path: Path, ids: pd.Series) -> None:
    """Raise :class:`InvalidTracker` on the first empty or repeated rec_id (row 1 is the header)."""
    first_row: dict[str, int] = {}
    for index, value in enumerate(ids):
        row = index + 2
        if not value.strip():
            raise InvalidTracker(path, f"row {row} has an empty rec_id",
                                 "restore the rec_id of that row or delete the row")
        if value in first_row:
            raise InvalidTracker(
                path, f"row {row} repeats rec_id {value} of row {first_row[value]}",
                "delete one of the two rows (keep the one with your edits)")
        first_row[value] = row


def tracker_needs_rewrite(path: Path) -> bool:
    """Whether the tracker at ``path`` must be written again even if no input changed.

    True when a spreadsheet re-saved it in another form (``;``, Windows-1252...)
    or rows with a source still have rec_ids of the old scheme. False when it
    is absent or cannot be read (the run itself then says why).
    """
    if not path.is_file():
        return False
    try:
        frame, form = read_tracker_form(path)
    except RectrackError:
        return False
    return not form.is_rectrack_form or has_legacy_ids(frame)
