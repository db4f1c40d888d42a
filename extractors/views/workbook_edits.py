"""Edits an analyst saved in ``tracker.xlsx``, read back into the tracker like edits to ``tracker.csv``.

:func:`apply_workbook_edits` runs before the merge. When the workbook is not
the one rectrack last wrote (its sha256 differs from the record, see
:mod:`rectrack.extractors.views.workbook`), the analyst's columns (``status``,
``responsible``, ``notes``, ``reviewed_*`` and columns the analyst added) of
its ``Recommendations`` sheet are compared, cell by cell and by ``rec_id``,
with the values rectrack wrote (the record) and with ``tracker.csv``:

- changed in the workbook only: the workbook's value is taken;
- changed in ``tracker.csv`` only (or in neither): the CSV's value stays;
- changed in both, to different values: **tracker.csv wins**, and a row of
  ``problems.csv`` quotes the workbook's value that was set aside.

Rows of the workbook whose ``rec_id`` is not in ``tracker.csv`` are reported,
not added (rectrack owns the rows). A workbook that cannot be read is moved
aside (``tracker-unread-<hash>.xlsx``, so nothing typed in it is lost) and
reported; so is a workbook with no record of what rectrack wrote in it.
"""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from rectrack.extractors.files import file_sha256
from rectrack.extractors.records import Problem
from rectrack.extractors.views.xlsx import cell_text
from rectrack.extractors.views.workbook import (
    RECORD_FILE, SHEET, WORKBOOK_FILE, editable_columns, read_record,
)


def _as_text(value: object) -> str:
    """A cell's value as the tracker's text: Excel turns typed numbers and dates into numbers and dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def read_workbook_sheet(path: Path) -> pd.DataFrame:
    """The ``Recommendations`` sheet of ``path`` as strings (header = first row).

    Raises ``KeyError`` (no such sheet), ``ValueError`` (no ``rec_id`` column)
    or openpyxl's / zipfile's errors for a file that is not a workbook.
    """
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book[SHEET].iter_rows(values_only=True)
        header = [_as_text(v) for v in next(rows, ())]
        if "rec_id" not in header:
            raise ValueError(f"no rec_id column in the first row of sheet {SHEET}")
        body = [[_as_text(v) for v in row] + [""] * (len(header) - len(row)) for row in rows]
    finally:
        book.close()
    frame = pd.DataFrame([row[:len(header)] for row in body], columns=header, dtype=str)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return frame[frame["rec_id"].str.strip() != ""]


def _moved_aside(path: Path, reason: str) -> Problem:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    target = path.with_name(f"tracker-unread-{digest}.xlsx")
    path.replace(target)
    return Problem(document=WORKBOOK_FILE, kind="workbook_unreadable",
                   reason=f"{path} was edited but cannot be read ({reason}); it was moved to {target.name} "
                          "and its edits were NOT applied",
                   action=f"open {target.name}, copy your edits into tracker.csv or the new tracker.xlsx, re-run")


def apply_workbook_edits(out_dir: Path, previous: pd.DataFrame | None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """``previous`` (the tracker read from ``tracker.csv``) with the edits saved in ``tracker.xlsx`` merged in.

    Returns ``previous`` unchanged when there is no workbook or it is byte
    for byte what rectrack wrote. An edited workbook that cannot be merged
    (unreadable, no record of what rectrack wrote, no ``tracker.csv``) is
    moved aside and reported, never overwritten. Otherwise returns a new frame (same rows and order; columns the
    analyst added in the workbook appended) and the problems found (cells
    edited in both files, unknown ``rec_id``, unreadable workbook).
    """
    path = out_dir / WORKBOOK_FILE
    if not path.exists():
        return previous, []
    record = read_record(out_dir)
    if record is not None and file_sha256(path) == record["workbook"]:
        return previous, []
    if record is None:
        return previous, [_moved_aside(path, f"there is no record of what rectrack wrote in it ({RECORD_FILE} "
                                             "is missing or unreadable), so its edits cannot be told apart")]
    if previous is None:
        return previous, [_moved_aside(path, "there is no tracker.csv to merge its edits into")]
    try:
        sheet = read_workbook_sheet(path)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, InvalidFileException) as error:
        return previous, [_moved_aside(path, str(error) or type(error).__name__)]
    return merge_workbook_edits(previous, sheet, record)


def merge_workbook_edits(previous: pd.DataFrame, sheet: pd.DataFrame,
                         record: dict) -> tuple[pd.DataFrame, list[Problem]]:
    """The cell-by-cell merge of :func:`apply_workbook_edits` (module docstring), on frames."""
    frame = previous.copy()
    columns = [c for c in editable_columns(list(sheet.columns)) if c in sheet.columns]
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    written_columns = list(record["columns"])
    written = record["cells"]
    row_of = {rec: index for index, rec in enumerate(frame["rec_id"])}
    problems: list[Problem] = []
    unknown = []
    for values in sheet[["rec_id", *columns]].itertuples(index=False, name=None):
        rec, cells = values[0], values[1:]
        if rec not in row_of:
            unknown.append(rec)
            continue
        base_row = dict(zip(written_columns, written.get(rec, [""] * len(written_columns))))
        index = row_of[rec]
        for column, from_book in zip(columns, cells):
            base = base_row.get(column, "")
            from_csv = frame.iat[index, frame.columns.get_loc(column)]
            if from_book == cell_text(base) or from_book == from_csv:
                continue
            if from_csv == base:
                frame.iat[index, frame.columns.get_loc(column)] = from_book
            else:
                problems.append(_both_edited(frame, index, column, from_csv, from_book))
    if unknown:
        problems.append(Problem(
            document=WORKBOOK_FILE, kind="workbook_rows",
            reason=f"{len(unknown)} row(s) of tracker.xlsx have a rec_id that is not in tracker.csv "
                   f"(first: {unknown[0]!r}); their edits were not applied",
            action="rectrack owns the rows: restore the rec_id cells, or type those edits in tracker.csv"))
    return frame, problems


def _both_edited(frame: pd.DataFrame, index: int, column: str, kept: str, set_aside: str) -> Problem:
    return Problem(
        document=WORKBOOK_FILE, kind="conflicting_edits",
        reason=f"{column} of {frame.at[frame.index[index], 'rec_id']} ({frame.at[frame.index[index], 'document']}) "
               f"was edited in both tracker.csv and tracker.xlsx; tracker.csv wins: kept {kept!r}, "
               f"set aside the workbook's {set_aside!r}",
        action=f"if the workbook's value is the right one, type it in the {column} cell of tracker.csv and re-run")
