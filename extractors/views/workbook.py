"""``tracker.xlsx``: the tracker as an Excel workbook, with summary sheets, written beside ``tracker.csv``.

Sheets: ``Recommendations`` (every tracker column, header frozen, filters on,
widths set, long texts wrapped, a drop-down of the statuses in
``data/views/status_values.txt`` on ``status``), then ``By theme``,
``By position``, ``By State`` (recommending State), ``By group`` (the
follow-up groups, :mod:`rectrack.extractors.views.summaries`).

Formula injection is impossible: every cell is written as an inline string
(``t="inlineStr"``), never as a formula or an error value, whatever its text
starts with (``=``, ``+``, ``-``, ``@``, ``#N/A``); an empty cell is left
out. The bytes are the same for the same tracker (no
timestamps). Beside it, :data:`RECORD_FILE` records the workbook's sha256,
the tracker's and the analyst cells as written, so that the next run can tell
whether and where an analyst edited the workbook
(:mod:`rectrack.extractors.views.workbook_edits`).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from copy import copy
from functools import partial
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from rectrack.extractors.files import DATA_DIR, file_sha256, write_bytes_atomic, write_text_atomic
from rectrack.extractors.records import Problem
from rectrack.extractors.views.summaries import GROUP_COLUMNS, count_by
from rectrack.extractors.tracker.columns import ANALYST_COLUMNS, COLUMNS

WORKBOOK_FILE = "tracker.xlsx"
RECORD_FILE = ".rectrack-workbook.json"
SHEET = "Recommendations"
STATUS_FILE = DATA_DIR / "views" / "status_values.txt"
# Pipeline columns of issue 12 that may not be in COLUMNS yet: never read back from the workbook.
PIPELINE_EXTRAS = frozenset({"follow_up_group"})
_WIDE = {"text": 80, "context": 60, "notes": 40, "heading": 40, "responsible": 25, "representative_text": 80}
_MAX_CELL = 32767            # Excel's limit on the characters of one cell
_FIXED_TIME = "2000-01-01T00:00:00Z"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def status_values(path: Path = STATUS_FILE) -> list[str]:
    """The statuses of the drop-down: the file's non-empty lines that are not ``#`` comments."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def editable_columns(columns: list[str]) -> list[str]:
    """The columns an analyst owns: :data:`ANALYST_COLUMNS`, then the columns rectrack does not write."""
    own = [c for c in columns if c not in COLUMNS and c not in PIPELINE_EXTRAS]
    return list(ANALYST_COLUMNS) + own


def cell_text(value: str) -> str:
    """A cell's text as the workbook holds it: no control characters Excel refuses, at most 32,767 chars."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:_MAX_CELL]


def _text_cell(sheet, value: str, style: tuple[Font | None, Alignment | None] = (None, None)) -> WriteOnlyCell:
    """A cell that is text whatever it starts with (openpyxl would make ``=...`` a formula)."""
    cell = WriteOnlyCell(sheet, value=cell_text(value))
    cell.data_type = "s"
    font, alignment = style
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _body_cell(sheet, wrapped: WriteOnlyCell, value: str, wrap: bool) -> WriteOnlyCell | str | None:
    """What to append for one body cell: None (empty), the text, or a text cell.

    Plain text is cheaper for openpyxl than a cell of ours; only text it would take for a
    formula or an error value (``=...``, ``#N/A``) and wrapped cells (style copied from
    ``wrapped``) need one. An empty cell is left out: a wrapped column has the style too,
    which Excel gives to what an analyst types in it.
    """
    value = cell_text(value)
    if not value:
        return None
    if wrap:
        cell = _text_cell(sheet, value)
        cell._style = copy(wrapped._style)       # copying the style ids: far cheaper than assigning an Alignment
        return cell
    return _text_cell(sheet, value) if value.startswith("=") or value in ERROR_CODES else value


def _width(column: str, values: pd.Series) -> float:
    if column in _WIDE:
        return _WIDE[column]
    longest = int(values.astype(str).str.len().quantile(0.9)) if len(values) else 0
    return float(min(max(len(column) + 2, longest + 2, 8), 30))


def _add_table(book: Workbook, title: str, frame: pd.DataFrame, note: str = "",
               status: list[str] | None = None) -> None:
    """A sheet with ``frame`` as text cells: bold frozen header, filters, widths, wrapped long columns."""
    sheet = book.create_sheet(title)
    columns = [str(c) for c in frame.columns]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = _width(column, frame[column])
        if column in _WIDE:
            dimension.alignment = wrap
    sheet.freeze_panes = "A2"
    if len(columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(frame), 1) + 1}"
    if status is not None and "status" in columns:
        letter = get_column_letter(columns.index("status") + 1)
        choice = DataValidation(type="list", formula1='"' + ",".join(status) + '"', allow_blank=True,
                                showErrorMessage=False)      # suggest, do not forbid: other statuses stay possible
        choice.add(f"{letter}2:{letter}{max(len(frame), 1) + 1}")
        sheet.data_validations.append(choice)
    sheet.append([_text_cell(sheet, c, (bold, None)) for c in columns])
    wrapped = _text_cell(sheet, "", (None, wrap))
    cell = partial(_body_cell, sheet, wrapped)
    wide = [c in _WIDE for c in columns]
    for values in frame.astype(str).itertuples(index=False, name=None):
        sheet.append([cell(v, w) for v, w in zip(values, wide)])
    if note:
        sheet.append([])
        sheet.append([_text_cell(sheet, note)])


def workbook_bytes(tracker: pd.DataFrame, groups: pd.DataFrame | None) -> bytes:
    """The workbook of ``tracker`` (all columns, as given) and its summaries, as deterministic xlsx bytes."""
    book = Workbook(write_only=True)
    _add_table(book, SHEET, tracker, status=status_values())
    _add_table(book, "By theme", count_by(tracker, "themes", "theme", multi=True))
    _add_table(book, "By position", count_by(tracker, "position"))
    _add_table(book, "By State", count_by(tracker, "recommending_states", "recommending State", multi=True))
    if groups is None:
        _add_table(book, "By group", pd.DataFrame(columns=list(GROUP_COLUMNS)),
                   note="No follow-up groups in this tracker yet (grouping has not run): nothing to show.")
    else:
        _add_table(book, "By group", groups)
    buffer = io.BytesIO()
    book.save(buffer)
    return _without_timestamps(buffer.getvalue())


def _without_timestamps(data: bytes) -> bytes:
    """The xlsx ``data`` with fixed document dates and zip entry times: same tracker, same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + _FIXED_TIME.encode(),
                                 content)
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def write_workbook(out_dir: Path, tracker: pd.DataFrame, groups: pd.DataFrame | None) -> Problem | None:
    """Write ``tracker.xlsx`` (atomically) and its record; ``tracker.csv`` must already hold ``tracker``.

    Returns a :class:`Problem` instead of raising when the workbook cannot be
    replaced because it is open in a spreadsheet (``PermissionError``): the
    previous workbook and record stay, and the run goes on. Other ``OSError``
    propagate (the caller names the file).
    """
    path = out_dir / WORKBOOK_FILE
    data = workbook_bytes(tracker, groups)
    try:
        write_bytes_atomic(path, data)
    except PermissionError as error:
        return Problem(document=WORKBOOK_FILE, kind="output",
                       reason=f"{path} could not be replaced ({error.strerror}): it is probably open in Excel; "
                              "it was not updated this run (tracker.csv was)",
                       action="close tracker.xlsx and re-run; edits you saved in it are read back on the next run")
    _write_record(out_dir, hashlib.sha256(data).hexdigest(), tracker)
    return None


def _write_record(out_dir: Path, workbook_sha: str, tracker: pd.DataFrame) -> None:
    """Record what the workbook holds: its sha256, the tracker's, and the analyst cells as written (non-empty rows)."""
    columns = editable_columns(list(tracker.columns))
    cells = {}
    for rec, values in zip(tracker["rec_id"], tracker[columns].astype(str).to_numpy().tolist()):
        if any(values):
            cells[rec] = values
    record = {"workbook": workbook_sha, "tracker": file_sha256(out_dir / "tracker.csv"),
              "columns": columns, "cells": cells}
    write_text_atomic(out_dir / RECORD_FILE, json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")


def read_record(out_dir: Path) -> dict | None:
    """The record of the workbook rectrack last wrote, or None (never written, or unreadable)."""
    try:
        record = json.loads((out_dir / RECORD_FILE).read_text(encoding="utf-8"))
        return record if {"workbook", "tracker", "columns", "cells"} <= set(record) else None
    except (OSError, ValueError):
        return None


def workbook_current(out_dir: Path) -> bool:
    """Whether ``tracker.xlsx`` is exactly what rectrack wrote from the ``tracker.csv`` now in ``out_dir``."""
    record = read_record(out_dir)
    try:
        return (record is not None and file_sha256(out_dir / WORKBOOK_FILE) == record["workbook"]
                and file_sha256(out_dir / "tracker.csv") == record["tracker"])
    except OSError:
        return False
