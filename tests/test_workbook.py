"""tracker.xlsx: layout, no formula ever, summaries, and analysts' edits read back (issue 12 part 2).

Real rows: the Slovenia UPR reports of 2010 (A/HRC/14/15) and 2019 (A/HRC/43/15) in data/samples/upr.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import DocumentResult
from rectrack.extractors.outputs import unchanged_summary, update_outputs
from rectrack.extractors.tracker.io import read_table, write_csv_atomic
from rectrack.extractors.tracker.io import read_tracker
from rectrack.extractors.views.workbook import RECORD_FILE, WORKBOOK_FILE, status_values, workbook_bytes
from rectrack.extractors.views.workbook_edits import read_workbook_sheet
from tests.conftest import SAMPLES

REPORTS = ("slovenia2010-A_HRC_14_15.pdf", "slovenia2019-A_HRC_43_15.pdf")
# Slovenia 2010, 111.83 (Serbia): read off page 20 of A/HRC/14/15.
SERBIA_2010 = "To continue its efforts regarding the issue of “erased persons” in order to help facilitate"


@pytest.fixture(scope="module")
def results() -> list[DocumentResult]:
    return [process_document(SAMPLES / name, SAMPLES) for name in REPORTS]


@pytest.fixture
def out(tmp_path: Path, results: list[DocumentResult]) -> Path:
    update_outputs(tmp_path, results)
    return tmp_path


def _row(tracker: pd.DataFrame, document: str, paragraph: str) -> int:
    rows = tracker.index[(tracker["document"] == document) & (tracker["paragraph"] == paragraph)]
    assert len(rows) == 1, (document, paragraph)
    return int(rows[0])


def _edit_workbook(path: Path, edits: dict[tuple[str, str], dict[str, str]]) -> None:
    """Type values in the workbook as an analyst would, keyed by (document, paragraph); save it."""
    book = load_workbook(path)
    sheet = book["Recommendations"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        key = (row[header.index("document")].value, row[header.index("paragraph")].value)
        for column, value in edits.get(key, {}).items():
            if column not in header:
                header.append(column)
                sheet.cell(row=1, column=len(header), value=column)
            sheet.cell(row=row[0].row, column=header.index(column) + 1, value=value)
    book.save(path)


def test_workbook_has_frozen_header_filters_widths_wrap_and_status_dropdown(out: Path) -> None:
    book = load_workbook(out / WORKBOOK_FILE)
    assert book.sheetnames == ["Recommendations", "By theme", "By position", "By State", "By group"]
    sheet = book["Recommendations"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["rec_id", "document", "document_symbol"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}{99 + 219 + 1}"
    text_letter = sheet.cell(row=1, column=header.index("text") + 1).column_letter
    assert sheet.column_dimensions[text_letter].width == 80
    assert sheet[f"{text_letter}2"].alignment.wrap_text
    (choice,) = sheet.data_validations.dataValidation
    status_letter = sheet.cell(row=1, column=header.index("status") + 1).column_letter
    assert str(choice.sqref) == f"{status_letter}2:{status_letter}319"
    assert choice.formula1 == '"open,in progress,implemented,partially implemented,not implemented"'
    assert status_values() == ["open", "in progress", "implemented", "partially implemented", "not implemented"]


def test_summary_sheets_count_real_rows(out: Path) -> None:
    book = load_workbook(out / WORKBOOK_FILE)
    positions = {r[0]: r[1] for r in book["By position"].iter_rows(min_row=2, values_only=True)}
    tracker = read_tracker(out / "tracker.csv")
    assert positions == {k: str(v) for k, v in tracker["position"].value_counts().items()}
    states = {r[0]: r[1] for r in book["By State"].iter_rows(min_row=2, values_only=True)}
    # Serbia recommends in 2010 (111.83 and others) and 2019: the count is its rows in both reports.
    serbia = tracker["recommending_states"].str.split("|").apply(lambda s: "Serbia" in s).sum()
    assert states["Serbia"] == str(serbia) and serbia >= 2
    groups = pd.read_csv(out / "groups.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    listed = [r[0] for r in book["By group"].iter_rows(min_row=2, values_only=True) if r and r[0]]
    assert sorted(listed) == sorted(groups["follow_up_group"])      # one row per group of groups.csv


def test_text_that_looks_like_a_formula_stays_text(out: Path) -> None:
    tracker = read_tracker(out / "tracker.csv")
    tricks = ['=HYPERLINK("http://evil.example/","click")', "+1", "-2+3", "@SUM(A1:A2)", "=1+1", "#N/A"]
    for index, trick in enumerate(tricks):
        tracker.loc[index, ["notes", "status"]] = trick       # a wrapped column and a plain one
    tracker.loc[0, "text"] = "=cmd|' /C calc'!A0"
    data = workbook_bytes(tracker, None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(archive.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml and 't="e"' not in xml
    assert "=HYPERLINK(&quot;http://evil.example/&quot;,&quot;click&quot;)" in xml or \
        '=HYPERLINK("http://evil.example/","click")' in xml
    (out / "t.xlsx").write_bytes(data)
    sheet = read_workbook_sheet(out / "t.xlsx")
    assert sheet["notes"].head(len(tricks)).tolist() == sheet["status"].head(len(tricks)).tolist() == tricks


def test_same_tracker_same_workbook_bytes(out: Path, results: list[DocumentResult]) -> None:
    first = (out / WORKBOOK_FILE).read_bytes()
    os.utime(out / "tracker.csv")
    update_outputs(out, list(reversed(results)))
    assert (out / WORKBOOK_FILE).read_bytes() == first


def test_edits_saved_in_the_workbook_reach_tracker_csv(out: Path, results: list[DocumentResult]) -> None:
    tracker = read_tracker(out / "tracker.csv")
    doc10, doc19 = REPORTS
    assert tracker.at[_row(tracker, doc10, "111.83"), "text"].startswith(SERBIA_2010)
    files = {r.document: r.sha256 for r in results}
    assert unchanged_summary(out, files) is not None       # nothing edited: a run may leave the tables as they are
    _edit_workbook(out / WORKBOOK_FILE, {
        (doc10, "111.83"): {"status": "in progress", "responsible": "Ministry of the Interior",
                            "follow-up contact": "desk officer"},
        (doc19, "122.156"): {"notes": 2024, "status": "implemented"},      # Excel keeps a typed 2024 as a number
    })
    assert unchanged_summary(out, files) is None          # an edited workbook is never skipped
    update_outputs(out, results)
    tracker = read_tracker(out / "tracker.csv")
    serbia, slovakia = _row(tracker, doc10, "111.83"), _row(tracker, doc19, "122.156")
    assert tracker.loc[serbia, ["status", "responsible", "follow-up contact"]].tolist() == [
        "in progress", "Ministry of the Interior", "desk officer"]
    assert tracker.loc[slovakia, ["notes", "status"]].tolist() == ["2024", "implemented"]
    assert (tracker["status"] != "").sum() == 2
    # the new workbook holds the merged edits, and the next run changes nothing
    sheet = read_workbook_sheet(out / WORKBOOK_FILE)
    assert sheet.loc[sheet["rec_id"] == tracker.at[serbia, "rec_id"], "status"].tolist() == ["in progress"]
    before = (out / "tracker.csv").read_bytes()
    update_outputs(out, results)
    assert (out / "tracker.csv").read_bytes() == before


def test_edits_in_tracker_csv_survive_an_unedited_workbook(out: Path, results: list[DocumentResult]) -> None:
    """The other direction: the CSV edited, the workbook only opened and saved (bytes differ, cells do not)."""
    tracker = read_tracker(out / "tracker.csv")
    index = _row(tracker, REPORTS[1], "122.156")
    tracker.loc[index, "status"] = "implemented"
    write_csv_atomic(tracker, out / "tracker.csv")
    _edit_workbook(out / WORKBOOK_FILE, {})               # opened and saved: new bytes, same cells
    update_outputs(out, results)
    tracker = read_tracker(out / "tracker.csv")
    assert tracker.at[_row(tracker, REPORTS[1], "122.156"), "status"] == "implemented"
    problems = read_table(out / "problems.csv", ())
    assert not (problems["document"] == WORKBOOK_FILE).any()


def test_a_cell_edited_differently_in_both_files_keeps_the_csv_value_and_reports_the_other(
        out: Path, results: list[DocumentResult]) -> None:
    doc10 = REPORTS[0]
    tracker = read_tracker(out / "tracker.csv")
    tracker.loc[_row(tracker, doc10, "111.83"), "status"] = "implemented"
    tracker.loc[_row(tracker, doc10, "111.82"), "notes"] = "from the CSV"
    write_csv_atomic(tracker, out / "tracker.csv")
    _edit_workbook(out / WORKBOOK_FILE, {(doc10, "111.83"): {"status": "not implemented"},
                                         (doc10, "111.82"): {"responsible": "Ombudsman"}})
    update_outputs(out, results)
    tracker = read_tracker(out / "tracker.csv")
    assert tracker.at[_row(tracker, doc10, "111.83"), "status"] == "implemented"          # the CSV wins
    assert tracker.loc[_row(tracker, doc10, "111.82"), ["notes", "responsible"]].tolist() == [
        "from the CSV", "Ombudsman"]                     # different cells of one row: both kept
    problems = read_table(out / "problems.csv", ())
    (reason,) = problems.loc[problems["kind"] == "conflicting_edits", "reason"]
    assert "tracker.csv wins: kept 'implemented', set aside the workbook's 'not implemented'" in reason


def test_a_workbook_open_in_excel_does_not_stop_the_run(out: Path, results: list[DocumentResult],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    before = (out / WORKBOOK_FILE).read_bytes()
    tracker = read_tracker(out / "tracker.csv")
    tracker.loc[0, "notes"] = "new note"
    write_csv_atomic(tracker, out / "tracker.csv")
    real = os.replace

    def locked(source, target, *args, **kwargs):     # what Windows does while Excel holds the file
        if Path(target).name == WORKBOOK_FILE:
            raise PermissionError(13, "Permission denied")
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", locked)
    update_outputs(out, results)
    assert (out / WORKBOOK_FILE).read_bytes() == before
    assert read_tracker(out / "tracker.csv").at[0, "notes"] == "new note"
    problems = read_table(out / "problems.csv", ())
    (action,) = problems.loc[problems["document"] == WORKBOOK_FILE, "action"]
    assert action.startswith("close tracker.xlsx and re-run")
    assert "probably open in Excel" in (out / "report.html").read_text(encoding="utf-8")
    assert not list(out.glob(".*.tmp"))
    monkeypatch.undo()
    assert unchanged_summary(out, {r.document: r.sha256 for r in results}) is None    # stale: rewritten next run
    update_outputs(out, results)
    assert read_workbook_sheet(out / WORKBOOK_FILE).at[0, "notes"] == "new note"


def test_an_unreadable_edited_workbook_is_moved_aside_not_lost(out: Path, results: list[DocumentResult]) -> None:
    (out / WORKBOOK_FILE).write_bytes(b"not a zip: saved by something else")
    update_outputs(out, results)
    kept = list(out.glob("tracker-unread-*.xlsx"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"not a zip: saved by something else"
    problems = read_table(out / "problems.csv", ())
    assert problems.loc[problems["document"] == WORKBOOK_FILE, "kind"].tolist() == ["workbook_unreadable"]
    assert read_workbook_sheet(out / WORKBOOK_FILE)["rec_id"].tolist() == read_tracker(out / "tracker.csv")[
        "rec_id"].tolist()


def test_a_workbook_without_its_record_is_moved_aside_not_overwritten(out: Path, results: list[DocumentResult]) -> None:
    _edit_workbook(out / WORKBOOK_FILE, {(REPORTS[0], "111.83"): {"status": "in progress"}})
    edited = (out / WORKBOOK_FILE).read_bytes()
    (out / RECORD_FILE).unlink()
    update_outputs(out, results)
    (kept,) = out.glob("tracker-unread-*.xlsx")
    assert kept.read_bytes() == edited
    assert (read_tracker(out / "tracker.csv")["status"] == "").all()       # not guessed
    problems = read_table(out / "problems.csv", ())
    assert "is missing or unreadable" in problems.loc[problems["document"] == WORKBOOK_FILE, "reason"].item()


def test_record_lists_only_rows_with_analyst_cells(out: Path) -> None:
    record = json.loads((out / RECORD_FILE).read_text(encoding="utf-8"))
    assert record["cells"] == {}
    assert record["columns"][:3] == ["status", "responsible", "notes"]
    assert re.fullmatch(r"[0-9a-f]{64}", record["workbook"])
