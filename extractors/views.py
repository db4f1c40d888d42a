"""The views beside the tables: ``tracker.xlsx`` and ``report.html``, written after ``tracker.csv``.

They show the tables and are rebuilt from them on every run that writes the
tables; :func:`views_current` tells a run that would otherwise skip writing
("nothing changed") that a view is missing, stale or (the workbook) edited.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rectrack.extractors.files import write_text_atomic
from rectrack.extractors.records import Problem
from rectrack.extractors.report import report_html
from rectrack.extractors.summaries import groups_table
from rectrack.extractors.workbook import workbook_current, write_workbook

REPORT_FILE = "report.html"


def write_views(out_dir: Path, tracker: pd.DataFrame, documents: pd.DataFrame,
                problems: pd.DataFrame) -> list[Problem]:
    """Write ``tracker.xlsx`` then ``report.html`` into ``out_dir``; ``tracker.csv`` must be written already.

    Returns the problems to add to ``problems.csv`` (the workbook is open in a
    spreadsheet and could not be replaced); the report lists them too.
    Raises ``OSError`` when a file cannot be written for another reason.
    """
    groups = groups_table(out_dir, tracker)
    late = [problem for problem in (write_workbook(out_dir, tracker, groups),) if problem is not None]
    shown = problems
    if late:
        shown = pd.concat([problems, problems_frame(late, list(problems.columns))], ignore_index=True)
    write_text_atomic(out_dir / REPORT_FILE, report_html(tracker, documents, shown, groups))
    return late


def problems_frame(problems: list[Problem], columns: list[str]) -> pd.DataFrame:
    """``problems`` as rows of ``problems.csv`` (``columns`` in its order)."""
    rows = [{"document": p.document, "page": "" if p.page is None else str(p.page), "kind": p.kind,
             "reason": p.reason, "action": p.action} for p in problems]
    return pd.DataFrame(rows, columns=columns, dtype=str)


def views_current(out_dir: Path) -> bool:
    """Whether both views are there and the workbook is what rectrack wrote from the current ``tracker.csv``."""
    return (out_dir / REPORT_FILE).is_file() and workbook_current(out_dir)
