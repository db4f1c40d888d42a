"""One recommendation, one identity (issue 10, part 4): a report and its OHCHR matrix in one tracker.

Expectations are read off the documents: each matrix numbers the same items as its report
(Slovenia A/HRC/43/15: 121.1-121.58 and 122.1-122.157, 215 items; China A/HRC/25/5: 186.1-186.252;
Egypt A/HRC/28/16: 166.1-166.300) and cites the report in every row ("Source of position:
A/HRC/43/15 - Para 121", "A/HRC/25/5/Add.1 - Para. 186.28.", "A/HRC/28/16/Add.1"). Items that hold
several recommendations, each with its own States, give one row per recommendation in both documents
(Slovenia 121.2: Ukraine, Slovakia; 122.3: Indonesia, Niger, Philippines; 122.11: Lithuania, Slovakia:
215 + 4 = 219 rows; China 286 rows, Egypt 305, as test_matrix and test_upr_report count them).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from tests.sample_runs import run_samples as _run
from tests.sample_runs import sample_result as _result
from rectrack.extractors.outputs import unchanged_summary, update_outputs
from rectrack.extractors.tracker.io import read_tracker

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
PAIRS = {
    # name: (report, matrix, report symbol, numbered items, recommendations)
    "slovenia": ("upr/slovenia2019-A_HRC_43_15.pdf", "matrices/slovenia2019-UPR34-thematic-list.docx",
                 "A/HRC/43/15", 215, 219),
    "china": ("upr/china2013.pdf", "matrices/china2013-UPR17-matrix.docx", "A/HRC/25/5", 252, 286),
    "egypt": ("upr/egypt2014.pdf", "matrices/egypt2014-UPR20-matrix.docx", "A/HRC/28/16", 300, 305),
}


def _problems(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "problems.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _row(tracker: pd.DataFrame, folder: str, paragraph: str, states: str) -> pd.Series:
    rows = tracker[tracker["document"].str.startswith(folder) & (tracker["paragraph"] == paragraph)
                   & (tracker["recommending_states"] == states)]
    assert len(rows) == 1, (folder, paragraph, states)
    return rows.iloc[0]


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_every_matrix_row_links_to_the_report_row_it_repeats(pair, tmp_path):
    report, matrix, symbol, items, recommendations = PAIRS[pair]
    tracker = _run(tmp_path, report, matrix)
    report_rows = tracker[tracker["document"] == report]
    matrix_rows = tracker[tracker["document"] == matrix]
    assert len(report_rows) == len(matrix_rows) == recommendations
    assert report_rows["paragraph"].nunique() == matrix_rows["paragraph"].nunique() == items
    # Every matrix row linked (none left over), each to a different report row of its paragraph and States.
    assert (report_rows["same_as"] == "").all()
    by_id = report_rows.set_index("rec_id")
    assert matrix_rows["same_as"].isin(by_id.index).all() and matrix_rows["same_as"].is_unique
    partners = by_id.loc[matrix_rows["same_as"]]
    assert partners["paragraph"].tolist() == matrix_rows["paragraph"].tolist()
    assert partners["recommending_states"].tolist() == matrix_rows["recommending_states"].tolist()
    assert partners["recommendation_key"].tolist() == matrix_rows["recommendation_key"].tolist()
    # Counting each recommendation once: the rows whose same_as is empty, or the distinct keys.
    assert (tracker["same_as"] == "").sum() == tracker["recommendation_key"].nunique() == recommendations
    assert report_rows["recommendation_key"].str.startswith(symbol + " ").all()
    assert "matrix_row_unlinked" not in set(_problems(tmp_path)["kind"])


def test_a_paragraph_with_several_recommendations_links_each_by_its_states(tmp_path):
    tracker = _run(tmp_path, *PAIRS["slovenia"][:2])
    for states, key in (("Indonesia", "A/HRC/43/15 122.3"), ("Niger", "A/HRC/43/15 122.3 (2)"),
                        ("Philippines", "A/HRC/43/15 122.3 (3)")):
        report_row = _row(tracker, "upr/", "122.3", states)
        matrix_row = _row(tracker, "matrices/", "122.3", states)
        assert (report_row["recommendation_key"], matrix_row["recommendation_key"]) == (key, key)
        assert matrix_row["same_as"] == report_row["rec_id"]


def test_three_pairs_in_one_run_give_each_recommendation_once(tmp_path):
    names = [name for pair in PAIRS.values() for name in pair[:2]]
    tracker = _run(tmp_path, *names)
    assert len(tracker) == 2 * (219 + 286 + 305)
    assert len(tracker[tracker["same_as"] == ""]) == 219 + 286 + 305


def test_run_order_does_not_matter(tmp_path):
    report, matrix = PAIRS["slovenia"][:2]
    _run(tmp_path / "matrix-first", matrix)
    _run(tmp_path / "matrix-first", matrix, report)
    _run(tmp_path / "report-first", report)
    _run(tmp_path / "report-first", report, matrix)
    _run(tmp_path / "together", report, matrix)
    # Every cell is the same but follow_up_group: a group keeps the id it was first given (matrix-first: a
    # matrix row's), so that an analyst's reviewed_group keeps pointing at it; the groups themselves are the same.
    trackers = {folder: read_tracker(tmp_path / folder / "tracker.csv")
                for folder in ("matrix-first", "report-first", "together")}
    cells = {folder: frame.drop(columns="follow_up_group") for folder, frame in trackers.items()}
    assert cells["matrix-first"].equals(cells["report-first"]) and cells["report-first"].equals(cells["together"])
    partitions = {folder: sorted(sorted(rows) for rows in frame.groupby("follow_up_group")["rec_id"].apply(list))
                  for folder, frame in trackers.items()}
    assert partitions["matrix-first"] == partitions["report-first"] == partitions["together"]


def _edit(out: Path, edits: list[tuple[str, str, str, str, str]]) -> None:
    """Type values into tracker.csv as an analyst would: (folder, paragraph, states, column, value)."""
    tracker = read_tracker(out / "tracker.csv")
    for folder, paragraph, states, column, value in edits:
        index = _row(tracker, folder, paragraph, states).name
        tracker.loc[index, column] = value
    tracker.to_csv(out / "tracker.csv", index=False, encoding="utf-8-sig")


def test_an_edit_on_either_row_reaches_the_linked_row_and_survives(tmp_path):
    report, matrix = PAIRS["slovenia"][:2]
    _run(tmp_path, report, matrix)
    files = {name: _result(name).sha256 for name in (report, matrix)}
    assert unchanged_summary(tmp_path, files) is not None  # same inputs, nothing edited: the merge may be skipped
    _edit(tmp_path, [("matrices/", "122.3", "Niger", "status", "in progress"),
                     ("upr/", "121.1", "France|Lithuania", "responsible", "Ministry of Foreign Affairs")])
    assert unchanged_summary(tmp_path, files) is None      # an edit waits to be shared: the merge must run
    tracker = _run(tmp_path, report, matrix)
    for folder in ("upr/", "matrices/"):
        assert _row(tracker, folder, "122.3", "Niger")["status"] == "in progress"
        assert _row(tracker, folder, "121.1", "France|Lithuania")["responsible"] == "Ministry of Foreign Affairs"
    # A later edit on the other row wins over the value both rows hold.
    _edit(tmp_path, [("upr/", "122.3", "Niger", "status", "done")])
    tracker = _run(tmp_path, report, matrix)
    assert {_row(tracker, f, "122.3", "Niger")["status"] for f in ("upr/", "matrices/")} == {"done"}
    # The same cell changed differently on both rows: the report row's value wins, the other is quoted.
    _edit(tmp_path, [("upr/", "122.3", "Niger", "notes", "report note"),
                     ("matrices/", "122.3", "Niger", "notes", "matrix note")])
    tracker = _run(tmp_path, report, matrix)
    assert {_row(tracker, f, "122.3", "Niger")["notes"] for f in ("upr/", "matrices/")} == {"report note"}
    conflicts = _problems(tmp_path).query("kind == 'conflicting_edits'")
    assert len(conflicts) == 1 and "'matrix note'" in conflicts.iloc[0]["reason"]


@pytest.mark.parametrize("first", ["matrix", "report"])
def test_an_edit_made_before_the_other_document_arrived_reaches_it(first, tmp_path):
    report, matrix = PAIRS["china"][:2]
    alone, folder = (matrix, "matrices/") if first == "matrix" else (report, "upr/")
    _run(tmp_path, alone)
    # 186.20 Ratify the Rome Statute of the ICC ... (Estonia), noted.
    _edit(tmp_path, [(folder, "186.20", "Estonia", "notes", "follow up with the ICC focal point")])
    tracker = _run(tmp_path, report, matrix)
    for where in ("upr/", "matrices/"):
        assert _row(tracker, where, "186.20", "Estonia")["notes"] == "follow up with the ICC focal point"


def test_a_matrix_row_the_report_lacks_is_reported_not_guessed(tmp_path):
    report, matrix = PAIRS["egypt"][:2]
    full = _result(report)
    # The report without 166.6 ("Ratify the Rome Statute of the ICC (Chile); (Estonia); ...").
    cut = dataclasses.replace(full, recommendations=tuple(r for r in full.recommendations if r.paragraph != "166.6"))
    update_outputs(tmp_path, [cut, _result(matrix)])
    tracker = read_tracker(tmp_path / "tracker.csv")
    lone = tracker[(tracker["document"] == matrix) & (tracker["paragraph"] == "166.6")].iloc[0]
    assert (lone["same_as"], lone["recommendation_key"]) == ("", lone["rec_id"])
    assert (tracker["same_as"] == "").sum() == 305       # 304 report rows + the lone matrix row
    unlinked = _problems(tmp_path).query("kind == 'matrix_row_unlinked'")
    assert len(unlinked) == 1 and "(paragraph 166.6)" in unlinked.iloc[0]["reason"]
