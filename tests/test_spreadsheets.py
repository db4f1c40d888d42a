"""Trackers re-saved by a spreadsheet, and formula injection (issue 11, part 4).

The spreadsheet files are made as Excel makes them: rectrack writes a tracker of four real
documents (Slovenia A/HRC/43/15, Tajikistan A/HRC/19/3, CERD/C/BRA/CO/18-20, the Dushanbe
dialogue), an analyst fills cells (accents, a typographic apostrophe, Cyrillic, text that starts
with "-", a formula), and the csv module saves the cells Excel would show in Excel's forms:
"CSV (Comma delimited)" on a French/German Windows (";", Windows-1252, CRLF, no BOM, characters
outside Windows-1252 saved as "?", numbers re-formatted: "118.10" -> "118.1"), "CSV UTF-8" (";" or
",", BOM), "Unicode Text" (tab, UTF-16).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st

from rectrack.extractors.tracker.csv_files import (
    FORMULA_START, UNESCAPE_PATTERN, detect_delimiter, escape_cell, read_csv_cells, unescape_cell,
)
from rectrack.extractors.errors import InvalidTracker, OutputError
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import DocumentResult, Problem
from rectrack.extractors.outputs import update_outputs
from rectrack.extractors.tracker.io import write_csv_atomic
from rectrack.extractors.tracker.io import read_tracker, read_tracker_form, tracker_needs_rewrite

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
DOCUMENTS = ("upr/slovenia2019-A_HRC_43_15.pdf", "upr/tajikistan2011.pdf",
             "treaty-bodies/brazil2022-CERD_C_BRA_CO_18-20.pdf", "dialogue/human-rights-dialogue-2025-dushanbe.txt")
FRENCH = "Ministère de la Justice – voir l’avis du médiateur"      # all in Windows-1252
CYRILLIC = "Министерство юстиции"                                   # none of it is
DASH = "- Ratify first, then report"
FORMULA = '=HYPERLINK("http://evil.example","click")'
# (document, paragraph, recommending states) -> the analyst's cells
EDITS = {
    ("upr/slovenia2019-A_HRC_43_15.pdf", "121.1", "France|Lithuania"):
        {"status": "implemented", "responsible": "MoJ", "notes": FRENCH},
    ("upr/tajikistan2011.pdf", "90.10", "Hungary"): {"status": "NA", "notes": CYRILLIC},
    ("upr/tajikistan2011.pdf", "90.10", "Belgium|France"): {"notes": DASH, "owner": "0012"},
    ("treaty-bodies/brazil2022-CERD_C_BRA_CO_18-20.pdf", "8 (a)", ""): {"notes": FORMULA, "owner": "118.10"},
}


@lru_cache(maxsize=None)
def _results() -> tuple[DocumentResult, ...]:
    return tuple(process_document(SAMPLES / name, SAMPLES) for name in DOCUMENTS)


def _row(tracker: pd.DataFrame, document: str, paragraph: str, states: str) -> int:
    rows = tracker.index[(tracker["document"] == document) & (tracker["paragraph"] == paragraph)
                         & (tracker["recommending_states"] == states)]
    assert len(rows) == 1, (document, paragraph, states)
    return rows[0]


def _edited_tracker(out: Path) -> pd.DataFrame:
    """A tracker written by rectrack with the analyst's :data:`EDITS` (and a column of their own)."""
    update_outputs(out, list(_results()))
    tracker = read_tracker(out / "tracker.csv")
    tracker["owner"] = ""
    for key, cells in EDITS.items():
        index = _row(tracker, *key)
        for column, value in cells.items():
            tracker.at[index, column] = value
    write_csv_atomic(tracker, out / "tracker.csv")
    return tracker


def _raw_cells(path: Path) -> list[list[str]]:
    """The cells of a rectrack CSV exactly as stored (escapes included): what Excel shows."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _excel_number(cell: str) -> str:
    """What Excel makes of a cell on opening a CSV: numbers re-formatted ("118.10" -> "118.1", "0012" -> "12")."""
    if re.fullmatch(r"\d+(\.\d+)?", cell):
        return f"{float(cell):.15g}"
    return cell


def _save_as_excel(path: Path, rows: list[list[str]], delimiter: str, encoding: str, numbers: bool) -> None:
    """``rows`` saved as Excel saves a sheet: minimal quoting, CRLF, unencodable characters as "?"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([_excel_number(c) if numbers else c for c in row])
    path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))


# name: (delimiter, encoding, numbers re-formatted, Cyrillic survives)
VARIANTS = {
    "csv-semicolon-cp1252": (";", "cp1252", True, False),      # Excel "CSV (Comma delimited)", fr/de Windows
    "csv-comma-cp1252": (",", "cp1252", True, False),          # the same, en-US/UK Windows
    "csv-utf8-semicolon-bom": (";", "utf-8-sig", True, True),  # Excel "CSV UTF-8", fr/de Windows
    "csv-utf8-comma-no-bom": (",", "utf-8", False, True),      # LibreOffice, Numbers, Google Sheets
    "unicode-text-tab": ("\t", "utf-16", False, True),         # Excel "Unicode Text"
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_tracker_re_saved_by_excel_keeps_every_edit(variant: str, tmp_path: Path) -> None:
    delimiter, encoding, numbers, cyrillic = VARIANTS[variant]
    written = _edited_tracker(tmp_path)
    _save_as_excel(tmp_path / "tracker.csv", _raw_cells(tmp_path / "tracker.csv"), delimiter, encoding, numbers)
    assert tracker_needs_rewrite(tmp_path / "tracker.csv")

    read, form = read_tracker_form(tmp_path / "tracker.csv")
    assert (form.delimiter, form.encoding) == (delimiter, "utf-16" if encoding == "utf-16" else encoding)
    assert list(read.columns) == list(written.columns) and len(read) == len(written) == 219 + 142 + 82 + 7

    update_outputs(tmp_path, list(_results()))
    raw = (tmp_path / "tracker.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and raw.split(b"\n", 1)[0].startswith(b"\xef\xbb\xbfrec_id,document,")
    after = read_tracker(tmp_path / "tracker.csv")
    assert list(after["rec_id"]) == list(written["rec_id"]) and (after["missing"] == "").all()
    for key, cells in EDITS.items():
        row = after.loc[_row(after, *key)]
        for column, value in cells.items():
            expected = _excel_number(value) if numbers and column == "owner" else value
            if value == CYRILLIC and not cyrillic:
                expected = "?" * len(value.split()[0]) + " " + "?" * len(value.split()[1])
            assert row[column] == expected, (variant, key, column)
    problems = pd.read_csv(tmp_path / "problems.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    reasons = " ".join(problems.loc[problems["document"] == "tracker.csv", "reason"])
    assert f"was saved by a spreadsheet as {form.describe()}" in reasons
    assert ("Excel saves them as '?'" in reasons) == (not cyrillic)
    assert not tracker_needs_rewrite(tmp_path / "tracker.csv")


def test_the_semicolon_cp1252_tracker_is_described_and_the_rows_with_question_marks_named(tmp_path: Path) -> None:
    written = _edited_tracker(tmp_path)
    _save_as_excel(tmp_path / "tracker.csv", _raw_cells(tmp_path / "tracker.csv"), ";", "cp1252", True)
    update_outputs(tmp_path, list(_results()))
    problems = pd.read_csv(tmp_path / "problems.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    mine = problems[problems["document"] == "tracker.csv"]
    cyrillic_row = _row(written, "upr/tajikistan2011.pdf", "90.10", "Hungary") + 2
    assert list(mine["reason"]) == [
        "was saved by a spreadsheet as Windows-1252, semicolon-separated; rectrack read every row and column "
        "and wrote it back as UTF-8 with BOM, comma-separated",
        "Windows-1252 cannot hold characters such as Cyrillic and Excel saves them as '?': your columns hold "
        f"'?' in 1 row(s) of the file read ({cyrillic_row})"]


def test_a_mixed_encoding_tracker_stops_with_advice_that_keeps_the_edits(tmp_path: Path) -> None:
    _edited_tracker(tmp_path)
    path = tmp_path / "tracker.csv"
    text = path.read_text(encoding="utf-8-sig")    # holds "è", "–", "’" as UTF-8 ...
    path.write_bytes(text.encode("utf-8") + "ajouté\n".encode("cp1252"))   # ... and one cp1252 "é"
    with pytest.raises(InvalidTracker) as caught:
        read_tracker(path)
    message = str(caught.value)
    assert message.startswith("tracker.csv: mixes two encodings: UTF-8 text, and at line ")
    assert "keep it" in message and "'CSV UTF-8 (Comma delimited) (*.csv)'" in message
    assert "move it away" not in message


def test_bytes_that_are_neither_utf8_nor_cp1252_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_bytes(b"rec_id;document\r\nr1;a\x81b.pdf\r\n")     # 0x81: undefined in Windows-1252
    with pytest.raises(InvalidTracker, match=r"is neither UTF-8 nor Windows-1252 \(byte 0x81 at line 2\)"):
        read_tracker(path)


def test_run_notes_the_conversion_and_refuses_with_advice_that_keeps_edits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rectrack.flows import cli

    _edited_tracker(tmp_path)
    _save_as_excel(tmp_path / "tracker.csv", _raw_cells(tmp_path / "tracker.csv"), ";", "cp1252", True)
    cli._check_out_dir(tmp_path)
    message = " ".join(capsys.readouterr().err.split())
    assert "was saved by a spreadsheet as Windows-1252, semicolon-separated" in message
    (tmp_path / "tracker.csv").write_bytes(b"rec_id;document\r\n\x81\r\n")
    with pytest.raises(typer.Exit):
        cli._check_out_dir(tmp_path)
    message = " ".join(capsys.readouterr().err.split())
    assert "your edits are in this file, keep it" in message and "move it away" not in message


@pytest.mark.parametrize(("header", "first", "delimiter"), [
    ("rec_id;document;notes", "rec_id", ";"), ('"rec_id"\tdocument', "rec_id", "\t"),
    ("rec_id,document", "rec_id", ","), ("text;a,b;c", None, ";"), ('"a;b",c', None, ","),
    ("text", None, ","), ("\ufefftext\tgold", None, "\t"),
])
def test_delimiter_from_the_header(header: str, first: str | None, delimiter: str) -> None:
    assert detect_delimiter(header, first) == delimiter


# --- formula injection ------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "written"), [
    ("=1+1", "'=1+1"), ("+33 1 23", "'+33 1 23"), (DASH, "'" + DASH), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("'=x", "''=x"), ("''-x", "'''-x"),
    ("Ratify - now", "Ratify - now"), ("'quoted'", "'quoted'"), ("", ""), ("NA", "NA"),
])
def test_escape_cell(cell: str, written: str) -> None:
    assert escape_cell(cell) == written and unescape_cell(written) == cell


FORMULA_TEXT = st.builds(lambda quotes, start, rest: "'" * quotes + start + rest,
                         st.integers(0, 3), st.sampled_from(FORMULA_START + ("", "x", " ")), st.text(max_size=8))


@settings(max_examples=200, deadline=None)
@given(FORMULA_TEXT)
def test_escape_round_trip_property(cell: str) -> None:
    escaped = escape_cell(cell)
    assert unescape_cell(escaped) == cell and not escaped.startswith(FORMULA_START)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(FORMULA_TEXT.filter(lambda c: "\r" not in c), FORMULA_TEXT.filter(lambda c: "\r" not in c)),
                min_size=1, max_size=6))
def test_write_read_round_trip_of_formula_like_cells(tmp_path_factory: pytest.TempPathFactory,
                                                     cells: list[tuple[str, str]]) -> None:
    frame = pd.DataFrame({"rec_id": [f"r{i}" for i in range(len(cells))],
                          "notes": [a for a, _ in cells], "-mine": [b for _, b in cells]})
    path = tmp_path_factory.mktemp("fx") / "t.csv"
    write_csv_atomic(frame, path)
    for row in _raw_cells(path):
        assert not any(cell.startswith(FORMULA_START) for cell in row)
    back, _ = read_csv_cells(path, OutputError, "")
    pd.testing.assert_frame_equal(back, frame)


def test_every_table_of_a_run_is_escaped_and_reads_back_unchanged(tmp_path: Path) -> None:
    tracker = _edited_tracker(tmp_path)
    odd = Problem(document="-draft.pdf", reason="=1+1", action="@ask someone", kind="+x")
    update_outputs(tmp_path, list(_results()), run_problems=[odd])
    update_outputs(tmp_path, list(_results()), run_problems=[odd])     # a re-run adds no second '
    escaped = 0
    for path in sorted(tmp_path.glob("*.csv")):
        for row in _raw_cells(path):
            assert not any(cell.startswith(FORMULA_START) for cell in row), path.name
            assert not any(cell.startswith("''") for cell in row), path.name
            escaped += sum(cell.startswith("'") for cell in row)
    after = read_tracker(tmp_path / "tracker.csv")
    assert after.at[_row(after, "upr/tajikistan2011.pdf", "90.10", "Belgium|France"), "notes"] == DASH
    assert after.at[_row(after, "treaty-bodies/brazil2022-CERD_C_BRA_CO_18-20.pdf", "8 (a)", ""), "notes"] == FORMULA
    problems, _ = read_csv_cells(tmp_path / "problems.csv", OutputError, "")
    assert problems.iloc[-1].tolist() == ["-draft.pdf", "", "+x", "=1+1", "@ask someone"]
    assert escaped == 2 + 4 and list(after["notes"]) == list(tracker["notes"])


def test_pandas_users_undo_the_escape_with_one_replace(tmp_path: Path) -> None:
    tracker = _edited_tracker(tmp_path)
    plain = pd.read_csv(tmp_path / "tracker.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert (plain["notes"] != tracker["notes"]).sum() == 2            # the "-" text and the formula
    undone = plain.replace(UNESCAPE_PATTERN, "", regex=True)
    pd.testing.assert_frame_equal(undone, tracker)


def test_rectrack_classify_reads_a_users_excel_csv(tmp_path: Path) -> None:
    from rectrack.extractors.tracker.labels import read_user_csv

    path = tmp_path / "mine.csv"
    _save_as_excel(path, [["id", "text", "country"], ["118.10", "Ratifier la Convention – l’État", "NA"],
                          ["2", '"Quoted"; with ;', ""]], ";", "cp1252", numbers=False)
    frame = read_user_csv(path, "text")
    assert frame.to_dict("list") == {"id": ["118.10", "2"], "text": ["Ratifier la Convention – l’État",
                                                                     '"Quoted"; with ;'], "country": ["NA", ""]}


def test_public_readers_give_pandas_users_the_cells_as_written(tmp_path: Path) -> None:
    import rectrack

    tracker = _edited_tracker(tmp_path)
    pd.testing.assert_frame_equal(rectrack.read_tracker(str(tmp_path / "tracker.csv")), tracker)
    problems = rectrack.read_csv(tmp_path / "problems.csv")
    assert list(problems.columns) == ["document", "page", "kind", "reason", "action"]
