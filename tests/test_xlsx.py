"""The workbook writer (``rectrack.extractors.views.xlsx``): what openpyxl reads back, bytes, limits."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from rectrack.extractors.tracker.columns import COLUMNS
from rectrack.extractors.views import xlsx
from rectrack.extractors.views.workbook import write_workbook
from rectrack.extractors.views.xlsx import Sheet, column_letter, workbook_bytes


def _read(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_cells_are_text_whatever_they_start_with() -> None:
    rows = [["=1+1", "#N/A", "  padded  ", "a & b <c>"], ["@SUM(A1)", "", "-2", "'quoted"]]
    book = _read(workbook_bytes([Sheet("S", ["a", "b", "c", "d"], rows)]))
    sheet = book["S"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["=1+1", "#N/A", "  padded  ", "a & b <c>"], ["@SUM(A1)", None, "-2", "'quoted"]]
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)


def test_header_widths_wrap_filter_freeze_and_drop_down() -> None:
    sheet = Sheet("Recommendations", ["rec_id", "text", "status"], [["r1", "long text", ""]], widths=[12, 80, 10],
                  wrapped=frozenset({1}), choices=(2, ("open", "done")))
    book = _read(workbook_bytes([sheet, Sheet("By 'theme'", ["theme", "n"], [["x", "1"]], note="a note")]))
    first = book["Recommendations"]
    assert first.freeze_panes == "A2" and first.auto_filter.ref == "A1:C2"
    assert first["A1"].font.bold and first["B2"].alignment.wrap_text and not first["A2"].alignment.wrap_text
    assert first.column_dimensions["B"].width == 80
    (choice,) = first.data_validations.dataValidation
    assert choice.formula1 == '"open,done"' and str(choice.sqref) == "C2"
    assert book["By 'theme'"]["A4"].value == "a note"


def test_the_same_sheets_give_the_same_bytes() -> None:
    sheets = [Sheet("S", ["a"], [["x"], ["y"]])]
    assert workbook_bytes(sheets) == workbook_bytes(sheets)


def test_control_characters_are_dropped_and_long_cells_cut() -> None:
    book = _read(workbook_bytes([Sheet("S", ["a"], [["bell\x07 here"], ["x" * 40_000]])]))
    assert book["S"]["A2"].value == "bell here" and len(book["S"]["A3"].value) == xlsx.MAX_CELL


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), min_size=3, max_size=3), max_size=8))
def test_any_text_round_trips(rows: list[list[str]]) -> None:
    book = _read(workbook_bytes([Sheet("S", ["a", "b", "c"], rows)]))
    back = [[cell.value or "" for cell in row] for row in book["S"].iter_rows(min_row=2, max_col=3)]
    expected = [[xlsx.cell_text(value) for value in row] for row in rows]
    # openpyxl gives no row for a row with no cells
    assert [row for row in back if any(row)] == [row for row in expected if any(row)]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_a_tracker_over_excels_row_limit_gets_a_problem_not_a_workbook(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("rectrack.extractors.views.workbook.MAX_ROWS", 3)
    (tmp_path / "tracker.xlsx").write_bytes(b"old")
    tracker = pd.DataFrame({column: [f"r{i}" if column == "rec_id" else "" for i in range(3)] for column in COLUMNS})
    tracker.to_csv(tmp_path / "tracker.csv", index=False)
    problem = write_workbook(tmp_path, tracker, None)
    assert problem is not None and "3 rows, more than an Excel sheet holds" in problem.reason
    assert "tracker.csv" in problem.action and not (tmp_path / "tracker.xlsx").exists()
    with pytest.raises(ValueError, match="Excel opens at most"):
        workbook_bytes([Sheet("S", ["a"], [["x"]] * xlsx.MAX_ROWS)])
