r"""The tables on disk: read back as strings and checked, written atomically as UTF-8 with BOM.

:func:`read_tracker` reads whatever a spreadsheet saved (see :mod:`rectrack.extractors.tracker.csv_files`),
checks the contract columns and ``rec_id`` values, and says which row is wrong;
:func:`write_csv_atomic` is how every table is written (``
`` line ends, formula escapes, one
atomic replace through :func:`rectrack.extractors.files.atomic_write`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from rectrack.extractors.errors import InvalidTracker, OutputError, RectrackError
from rectrack.extractors.files import atomic_write
from rectrack.extractors.records import Problem
from rectrack.extractors.tracker.columns import (
    ANALYST_COLUMNS,
    COLUMNS,
    CONTRACT_COLUMNS,
    EXTRA_COLUMNS,
    GROUP_REVIEW_COLUMN,
    REVIEW_COLUMNS,
    order_columns,
)
from rectrack.extractors.tracker.csv_files import CsvForm, escape_frame, read_csv_cells
from rectrack.extractors.tracker.identity import has_legacy_ids


def read_csv_strings(path: Path, error: type[RectrackError], action: str) -> pd.DataFrame:
    """A CSV with every cell as written: strings, no NA guessing ("NA" is Namibia), formula escapes removed.

    Reads any form a spreadsheet saves (UTF-8 with or without BOM, UTF-16,
    Windows-1252; ``,`` ``;`` or tab: :func:`rectrack.extractors.tracker.csv_files.read_csv_cells`).
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
    Windows-1252, no BOM...: :mod:`rectrack.extractors.tracker.csv_files`), every
    column kept. Returns the frame with every :data:`COLUMNS` column present
    (the non-contract ones added empty if absent). Raises
    :class:`InvalidTracker` naming the file and spreadsheet row when the file
    cannot be read safely, a contract column is missing, or a ``rec_id`` is
    empty or repeated; the message says how to keep the edits.
    """
    try:
        stat = Path(path).stat()
        stamp = (str(Path(path).resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    except OSError:
        stamp = None
    if stamp is not None and _last_read[0] == stamp:       # read again unchanged (a run asks 2-3 times)
        frame, form = _last_read[1]
        return frame.copy(), form
    frame, form = _read_tracker_form(path)
    if stamp is not None:
        _last_read[:] = [stamp, (frame.copy(), form)]
    return frame, form


# The last tracker read: (path, inode, size, modification time) and what it gave.
_last_read: list = [None, None]


def _read_tracker_form(path: Path) -> tuple[pd.DataFrame, CsvForm]:
    frame, form = read_csv_cells(path, InvalidTracker, KEEP_EDITS, first_column="rec_id")
    missing = [c for c in CONTRACT_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidTracker(path, f"column(s) {', '.join(missing)} are missing",
                             "restore the column header(s) exactly as written by rectrack")
    _check_rec_ids(path, frame["rec_id"])
    for column in (*REVIEW_COLUMNS, GROUP_REVIEW_COLUMN, *EXTRA_COLUMNS):
        if column not in frame.columns:
            frame[column] = ""
    return order_columns(frame), form


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


def read_table(path: Path, columns: Sequence[str]) -> pd.DataFrame | None:
    """A previous output table as strings (absent columns added empty), or None if no file."""
    if not path.exists():
        return None
    frame = read_csv_strings(path, OutputError, "restore it from a backup, or move it away: rectrack then "
                                                "writes a new one (this table holds no analyst edits)")
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    return frame


def _any_return(values: pd.Series) -> bool:
    """Whether a text column has a carriage return anywhere (one C-level scan when every cell is text)."""
    try:
        return "\r" in "".join(values.tolist())
    except TypeError:           # some cell is not text (NaN, a number): look cell by cell
        return bool(values.str.contains("\r", regex=False, na=False).any())


def _without_carriage_returns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``\r\n`` and ``\r`` in text cells made ``\n`` (copied only if some cell has one)."""
    clean = frame
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)) or not _any_return(values):
            continue
        has_return = values.str.contains("\r", regex=False, na=False).astype(bool)
        if clean is frame:
            clean = frame.copy()
        clean.loc[has_return, column] = (values[has_return].str.replace("\r\n", "\n", regex=False)
                                         .str.replace("\r", "\n", regex=False))
    return clean


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as UTF-8-with-BOM CSV, replacing the file atomically.

    Carriage returns inside cells become ``\\n`` (the line terminator is
    ``\\n``, so a bare ``\\r`` would not be quoted and would split the row).
    Cells and column names a spreadsheet would run as formulas get a leading
    ``'`` (:func:`rectrack.extractors.tracker.csv_files.escape_frame`); rectrack's
    readers remove it again.
    On any failure the temporary file is removed and ``path`` is unchanged.
    """
    clean = escape_frame(_without_carriage_returns(frame))
    try:
        with atomic_write(path, encoding="utf-8-sig") as handle:
            clean.to_csv(handle, index=False, lineterminator="\n")
    except PermissionError as error:
        raise OutputError(path, f"cannot be replaced ({error.strerror})",
                          "close it if it is open in a spreadsheet, then re-run; "
                          "the previous file is unchanged") from error
