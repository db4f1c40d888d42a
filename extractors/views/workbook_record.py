"""Whether ``tracker.xlsx`` is the workbook rectrack last wrote: its record, without pandas or openpyxl.

The record (:data:`RECORD_FILE`, written beside the workbook by
:mod:`rectrack.extractors.views.workbook`) holds the workbook's sha256 and the sha256 of the
``tracker.csv`` it was made from; a run where nothing changed checks both before Prefect starts.
"""

from __future__ import annotations

import json
from pathlib import Path

from rectrack.extractors.files import file_sha256

WORKBOOK_FILE = "tracker.xlsx"
RECORD_FILE = ".rectrack-workbook.json"


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
        if record is None or file_sha256(out_dir / "tracker.csv") != record["tracker"]:
            return False
        if record["workbook"] is None:      # too many rows for a workbook: current when there is none
            return not (out_dir / WORKBOOK_FILE).exists()
        return file_sha256(out_dir / WORKBOOK_FILE) == record["workbook"]
    except OSError:
        return False
