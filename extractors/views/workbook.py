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
import json
from pathlib import Path

import pandas as pd

from rectrack.extractors.files import DATA_DIR, file_sha256, write_bytes_atomic, write_text_atomic
from rectrack.extractors.records import Problem
from rectrack.extractors.views.summaries import GROUP_COLUMNS, count_by
from rectrack.extractors.tracker.columns import ANALYST_COLUMNS, COLUMNS
from rectrack.extractors.views import xlsx
from rectrack.extractors.views.xlsx import MAX_ROWS, Sheet
from rectrack.extractors.views.workbook_record import RECORD_FILE, WORKBOOK_FILE, read_record, workbook_current  # noqa: F401

SHEET = "Recommendations"
STATUS_FILE = DATA_DIR / "views" / "status_values.txt"
# Pipeline columns of issue 12 that may not be in COLUMNS yet: never read back from the workbook.
PIPELINE_EXTRAS = frozenset({"follow_up_group"})
_WIDE = {"text": 80, "context": 60, "notes": 40, "heading": 40, "responsible": 25, "representative_text": 80}


def status_values(path: Path = STATUS_FILE) -> list[str]:
    """The statuses of the drop-down: the file's non-empty lines that are not ``#`` comments."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def editable_columns(columns: list[str]) -> list[str]:
    """The columns an analyst owns: :data:`ANALYST_COLUMNS`, then the columns rectrack does not write."""
    own = [c for c in columns if c not in COLUMNS and c not in PIPELINE_EXTRAS]
    return list(ANALYST_COLUMNS) + own


def _width(column: str, values: pd.Series) -> float:
    if column in _WIDE:
        return _WIDE[column]
    longest = int(values.astype(str).str.len().quantile(0.9)) if len(values) else 0
    return float(min(max(len(column) + 2, longest + 2, 8), 30))


def _sheet(title: str, frame: pd.DataFrame, note: str = "", status: list[str] | None = None) -> Sheet:
    """``frame`` as a text sheet: bold frozen header, filters, widths, wrapped long columns, the status list."""
    columns = [str(c) for c in frame.columns]
    choices = None
    if status is not None and "status" in columns:
        choices = (columns.index("status"), tuple(status))
    return Sheet(title=title, header=columns, rows=frame.astype(str).to_numpy().tolist(),
                 widths=[_width(c, frame[c]) for c in columns],
                 wrapped=frozenset(i for i, c in enumerate(columns) if c in _WIDE), choices=choices, note=note)


def workbook_bytes(tracker: pd.DataFrame, groups: pd.DataFrame | None, evidence: pd.DataFrame | None = None) -> bytes:
    """The workbook of ``tracker`` (all columns, as given) and its summaries, as deterministic xlsx bytes.

    ``evidence`` (``evidence.csv``'s rows) adds the sheet "Evidence" after the summaries.

    Raises ``ValueError`` when the tracker has more rows than an Excel sheet holds.
    """
    if groups is None:
        by_group = _sheet("By group", pd.DataFrame(columns=list(GROUP_COLUMNS)),
                          note="No follow-up groups in this tracker yet (grouping has not run): nothing to show.")
    else:
        by_group = _sheet("By group", groups)
    return xlsx.workbook_bytes([
        _sheet(SHEET, tracker, status=status_values()),
        _sheet("By theme", count_by(tracker, "themes", "theme", multi=True)),
        _sheet("By position", count_by(tracker, "position")),
        _sheet("By State", count_by(tracker, "recommending_states", "recommending State", multi=True)),
        by_group,
        *([_sheet("Evidence", evidence, note=EVIDENCE_NOTE)] if evidence is not None else []),
    ])


EVIDENCE_NOTE = ("What later documents say became of each recommendation, one row per link (evidence.csv). "
                 "'cited': the document cites it by number; 'similar': a candidate found by meaning. "
                 "Mark links right or wrong in evidence.csv's reviewed_link column.")


def write_workbook(out_dir: Path, tracker: pd.DataFrame, groups: pd.DataFrame | None,
                   evidence: pd.DataFrame | None = None) -> Problem | None:
    """Write ``tracker.xlsx`` (atomically) and its record; ``tracker.csv`` must already hold ``tracker``.

    Returns a :class:`Problem` instead of raising when the workbook cannot be
    replaced because it is open in a spreadsheet (``PermissionError``): the
    previous workbook and record stay, and the run goes on. A tracker with more
    rows than an Excel sheet holds gets no workbook (an old one is removed, so
    none is out of date) and a Problem saying to use ``tracker.csv``. Other
    ``OSError`` propagate (the caller names the file).
    """
    path = out_dir / WORKBOOK_FILE
    if len(tracker) > MAX_ROWS - 1:
        path.unlink(missing_ok=True)
        _write_record(out_dir, None, tracker)
        return Problem(document=WORKBOOK_FILE, kind="output",
                       reason=f"the tracker has {len(tracker):,} rows, more than an Excel sheet holds "
                              f"({MAX_ROWS - 1:,} under its header): tracker.xlsx was not written",
                       action="use tracker.csv (every row; pandas or a database reads it), or run rectrack "
                              "on fewer documents per output folder, e.g. one folder per region")
    data = workbook_bytes(tracker, groups, evidence)
    try:
        write_bytes_atomic(path, data)
    except PermissionError as error:
        return Problem(document=WORKBOOK_FILE, kind="output",
                       reason=f"{path} could not be replaced ({error.strerror}): it is probably open in Excel; "
                              "it was not updated this run (tracker.csv was)",
                       action="close tracker.xlsx and re-run; edits you saved in it are read back on the next run")
    _write_record(out_dir, hashlib.sha256(data).hexdigest(), tracker)
    return None


def _write_record(out_dir: Path, workbook_sha: str | None, tracker: pd.DataFrame) -> None:
    """Record what the workbook holds: its sha256 (None: too many rows for a workbook), the tracker's, and the
    analyst cells as written (non-empty rows)."""
    columns = editable_columns(list(tracker.columns))
    cells = {}
    for rec, values in zip(tracker["rec_id"], tracker[columns].astype(str).to_numpy().tolist()):
        if any(values):
            cells[rec] = values
    record = {"workbook": workbook_sha, "tracker": file_sha256(out_dir / "tracker.csv"),
              "columns": columns, "cells": cells}
    write_text_atomic(out_dir / RECORD_FILE, json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")

