"""Counts of the tracker for people: by theme, position, State, document, status, and the follow-up groups.

Shared by the workbook (:mod:`rectrack.extractors.views.workbook`) and the HTML
report (:mod:`rectrack.extractors.views.report`). Every count is of recommendations
that count: rows whose ``same_as`` is empty (a matrix row repeating a report
row is not counted twice). Multi-valued cells (``|``-joined) count once per
value. Pure pandas; nothing is written here.

Follow-up groups (issue 12's contract): ``groups.csv`` in the output folder
when present, else derived from the tracker's ``follow_up_group`` column when
it has one, else None (the views then say that grouping has not run).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rectrack.extractors.tracker import grouping
from rectrack.extractors.errors import OutputError
from rectrack.extractors.tracker.io import read_csv_strings
from rectrack.extractors.tracker.columns import MULTI_SEPARATOR

GROUP_COLUMNS = grouping.GROUP_COLUMNS
GROUP_COLUMN = "follow_up_group"
NOT_GIVEN = "(none)"


def counting_rows(tracker: pd.DataFrame) -> pd.DataFrame:
    """The rows that count: each recommendation once (``same_as`` empty, or no such column)."""
    if "same_as" not in tracker.columns:
        return tracker
    return tracker[tracker["same_as"] == ""]


def count_by(tracker: pd.DataFrame, column: str, label: str | None = None, multi: bool = False) -> pd.DataFrame:
    """Recommendations per value of ``column``: a frame (``label`` or ``column``, ``recommendations``).

    A single-valued column counts the rows that count. A ``multi`` column
    (``|``-joined labels, States) counts each recommendation once per value
    found on any of its rows (a report row and the matrix row repeating it
    share ``recommendation_key``; the matrix often holds the labels). Empty
    cells count under :data:`NOT_GIVEN`. Sorted by count (most first), then
    value. An absent column gives an empty frame.
    """
    name = label or column
    empty = pd.DataFrame({name: pd.Series(dtype=str), "recommendations": pd.Series(dtype=int)})
    rows = tracker if multi else counting_rows(tracker)
    if column not in rows.columns or not len(rows):
        return empty
    values = rows[column].astype(str).str.strip()
    if multi:
        keys = _recommendation_keys(rows)
        pairs = pd.DataFrame({"key": keys, "value": values.str.split(MULTI_SEPARATOR, regex=False)}).explode("value")
        pairs["value"] = pairs["value"].str.strip()
        labelled = set(pairs.loc[pairs["value"] != "", "key"])
        pairs = pairs[(pairs["value"] != "") | ~pairs["key"].isin(labelled)].drop_duplicates()
        values = pairs["value"]
    counts = values.replace("", NOT_GIVEN).value_counts()
    frame = pd.DataFrame({name: counts.index.astype(str), "recommendations": counts.to_numpy()})
    return frame.sort_values(["recommendations", name], ascending=[False, True], kind="stable").reset_index(drop=True)


def _recommendation_keys(rows: pd.DataFrame) -> pd.Series:
    """One key per recommendation: ``recommendation_key`` where filled, else ``rec_id``."""
    if "recommendation_key" not in rows.columns:
        return rows["rec_id"]
    return rows["recommendation_key"].where(rows["recommendation_key"] != "", rows["rec_id"])


def read_groups(out_dir: Path, tracker: pd.DataFrame) -> pd.DataFrame | None:
    """The follow-up groups: ``groups.csv`` if written, else made from the tracker's ``follow_up_group``
    (:func:`rectrack.extractors.tracker.grouping.groups_table`), else None.

    Raises :class:`OutputError` naming ``groups.csv`` when it cannot be read.
    """
    path = out_dir / "groups.csv"
    if path.exists():
        frame = read_csv_strings(path, OutputError, "move it away (rectrack writes a new one) or restore it")
        for column in GROUP_COLUMNS:
            if column not in frame.columns:
                frame[column] = ""
        return frame
    if GROUP_COLUMN not in tracker.columns:
        return None
    return grouping.groups_table(tracker)


def recurring_groups(groups: pd.DataFrame | None, limit: int = 20) -> pd.DataFrame:
    """The groups made more than once, most repeated first (then the longest span of years), at most ``limit``."""
    if groups is None or not len(groups):
        return pd.DataFrame(columns=list(GROUP_COLUMNS))
    frame = groups.copy()
    counts = pd.to_numeric(frame["recommendations"], errors="coerce").fillna(0).astype(int)
    span = (pd.to_numeric(frame["latest_year"], errors="coerce").fillna(0)
            - pd.to_numeric(frame["first_year"], errors="coerce").fillna(0))
    frame = frame.assign(_count=counts, _span=span)[counts > 1]
    frame = frame.sort_values(["_count", "_span", "follow_up_group"], ascending=[False, False, True], kind="stable")
    return frame.drop(columns=["_count", "_span"]).head(limit).reset_index(drop=True)
