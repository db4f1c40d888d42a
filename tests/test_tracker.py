"""The tracker core: IDs, merge with analyst edits, the CSV round trip, atomic writes."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rectrack.extractors import outputs
from rectrack.extractors.records import (
    DocumentInfo, DocumentResult, DocumentType, Position, Problem, Recommendation, Status,
)
from rectrack.extractors.tracker.tables import drop_duplicate_documents, with_document_name
from rectrack.extractors.errors import OutputError
from rectrack.extractors.tracker.columns import LABEL_COLUMNS
from rectrack.extractors.outputs import update_outputs
from rectrack.extractors.tracker.io import write_csv_atomic
from rectrack.extractors.tracker.columns import DOCUMENT_COLUMNS, PROBLEM_COLUMNS
from rectrack.extractors.tracker.merge import MISSING_DOCUMENT, build_tracker, merge_tracker
from rectrack.extractors.errors import InvalidTracker
from rectrack.extractors.tracker.io import read_tracker
from rectrack.extractors.tracker.identity import document_key, normalise_text, rec_id
from rectrack.extractors.tracker.columns import COLUMNS

SHA_A = "a" * 64
SHA_B = "b" * 64
INFO = DocumentInfo(DocumentType.UPR_REPORT, symbol="A/HRC/43/15", body="UPR",
                    country="Slovenia", year="2019")


def rec(paragraph: str, text: str, page: int = 1, **kwargs) -> Recommendation:
    return Recommendation(paragraph=paragraph, text=text, page=page, **kwargs)


def result(document: str, sha: str, *recs: Recommendation,
           status: Status = Status.OK, info: DocumentInfo = INFO) -> DocumentResult:
    return DocumentResult(document=document, sha256=sha, status=status, info=info, pages=3,
                          recommendations=recs)


def failed(document: str, sha: str) -> DocumentResult:
    problem = Problem(document=document, reason="corrupt PDF", action="get a new copy",
                      kind="unreadable")
    return DocumentResult(document=document, sha256=sha, status=Status.FAILED, problems=(problem,))


DOC_A = result("a.pdf", SHA_A,
               rec("118.10", "Ratify the Convention", page=2, recommending_states=("Chile", "Peru"),
                   position=Position.SUPPORTED),
               rec("118.9", "Adopt a law, on equality", page=2),
               rec("118.2", "Strengthen the NHRI", page=1))
# Another document, without a symbol (its rec_ids are keyed by content): one symbol is one document.
DOC_B = result("sub/b.pdf", SHA_B, rec("42 (b)", "Combat trafficking", page=5),
               info=dataclasses.replace(INFO, symbol=""))


# --- IDs -------------------------------------------------------------------

@given(st.text(), st.text(alphabet=" \t\n\u00a0", min_size=1))
def test_normalise_text_ignores_case_and_spacing(text: str, space: str) -> None:
    assert normalise_text(text.upper() + space) == normalise_text(text.upper())
    assert normalise_text(normalise_text(text)) == normalise_text(text)
    spaced = space.join(text.split())
    assert normalise_text(spaced) == normalise_text(text)


@given(st.text(min_size=1), st.text(min_size=1))
def test_rec_id_is_r_and_16_hex_and_stable_under_normalisation(paragraph: str, text: str) -> None:
    ident = rec_id(SHA_A, paragraph, text)
    assert len(ident) == 17 and ident[0] == "r" and int(ident[1:], 16) >= 0
    assert rec_id(SHA_A, paragraph, f"  {text}\n") == ident
    assert rec_id(SHA_A, paragraph, normalise_text(text).upper()) == ident \
        or normalise_text(text.upper()) != normalise_text(text)  # e.g. Turkish dotless i
    assert rec_id(SHA_B, paragraph, text) != ident


def test_rec_id_does_not_depend_on_file_name() -> None:
    moved = with_document_name(DOC_A, "elsewhere/renamed.pdf")
    assert list(build_tracker([moved])["rec_id"]) == list(build_tracker([DOC_A])["rec_id"])


def test_identical_recommendations_in_one_document_get_distinct_ids() -> None:
    doc = result("a.pdf", SHA_A, rec("5", "Same text"), rec("5", "same  TEXT"))
    ids = list(build_tracker([doc])["rec_id"])
    assert ids[0] == rec_id(document_key(SHA_A, "A/HRC/43/15"), "5", "Same text") and len(set(ids)) == 2


# --- building and merging ------------------------------------------------------

def test_build_tracker_columns_and_natural_order() -> None:
    frame = build_tracker([DOC_B, DOC_A])
    assert tuple(frame.columns) == COLUMNS
    assert list(frame["paragraph"]) == ["118.2", "118.9", "118.10", "42 (b)"]
    first = frame.iloc[2]
    assert first["recommending_states"] == "Chile|Peru" and first["position"] == "supported"
    assert first["document_symbol"] == "A/HRC/43/15" and first["page"] == "2"


def edited(frame: pd.DataFrame, paragraph: str, **cells: str) -> pd.DataFrame:
    frame = frame.copy()
    for column, value in cells.items():
        frame.loc[frame["paragraph"] == paragraph, column] = value
    return frame


def test_merge_keeps_analyst_edits_and_extra_columns() -> None:
    previous = edited(build_tracker([DOC_A, DOC_B]), "118.9", status="done", notes="NA, 118.10")
    previous["my_column"] = ""
    previous = edited(previous, "42 (b)", my_column="follow up")
    merged = merge_tracker(previous, build_tracker([DOC_A, DOC_B]), {"a.pdf", "sub/b.pdf"})
    assert list(merged.columns) == list(COLUMNS) + ["my_column"]
    row = merged[merged["paragraph"] == "118.9"].iloc[0]
    assert (row["status"], row["notes"]) == ("done", "NA, 118.10")
    assert merged[merged["paragraph"] == "42 (b)"].iloc[0]["my_column"] == "follow up"
    assert (merged["missing"] == "").all()


def test_merge_marks_rows_of_absent_documents_and_unmarks_them_when_back() -> None:
    previous = build_tracker([DOC_A, DOC_B])
    merged = merge_tracker(previous, build_tracker([DOC_A]), {"a.pdf"})
    assert len(merged) == 4
    assert list(merged.loc[merged["document"] == "sub/b.pdf", "missing"]) == [MISSING_DOCUMENT]
    back = merge_tracker(merged, build_tracker([DOC_A, DOC_B]), {"a.pdf", "sub/b.pdf"})
    assert (back["missing"] == "").all() and len(back) == 4


def test_merge_of_changed_document_keeps_only_edited_vanished_rows() -> None:
    previous = edited(build_tracker([DOC_A]), "118.2", responsible="Ministry of Justice")
    changed = result("a.pdf", "c" * 64, rec("118.10", "Ratify the Convention", page=2))
    merged = merge_tracker(previous, build_tracker([changed]), {"a.pdf"})
    assert sorted(merged["paragraph"]) == ["118.10", "118.2"]
    kept = merged[merged["paragraph"] == "118.2"].iloc[0]
    assert kept["missing"] == "no longer found in a.pdf"
    assert kept["responsible"] == "Ministry of Justice"


def test_merge_is_idempotent() -> None:
    current = build_tracker([DOC_A, DOC_B])
    once = merge_tracker(None, current, {"a.pdf", "sub/b.pdf"})
    twice = merge_tracker(once, current, {"a.pdf", "sub/b.pdf"})
    pd.testing.assert_frame_equal(once, twice)


def test_copies_of_one_file_are_reported_not_duplicated() -> None:
    copy = with_document_name(DOC_A, "copy-of-a.pdf")
    results = drop_duplicate_documents([DOC_A, copy])
    assert [r.status for r in results] == [Status.OK, Status.SKIPPED]
    assert "same content as a.pdf" in results[1].problems[0].reason
    assert build_tracker(results)["rec_id"].is_unique


# --- reading and writing ------------------------------------------------------

NASTY = st.sampled_from(["NA", "118.10", "a, b", 'say "yes"', "x|y", "line\nbreak",
                         "n/a", "", " lead", "0012", "=1+1", "null", "é ﬁ",
                         "- Ratify", "'=x", "''+y", "@a", "\tx", "'plain"])
CELL = st.one_of(NASTY, st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"),
                                                        whitelist_characters="\n\t")))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CELL, CELL, CELL), min_size=0, max_size=5))
def test_write_read_round_trip(tmp_path_factory: pytest.TempPathFactory,
                               cells: list[tuple[str, str, str]]) -> None:
    doc = result("a.pdf", SHA_A, *[rec(f"1.{i}", f"text {i} {t}") for i, (t, _, _) in enumerate(cells)])
    frame = build_tracker([doc])
    frame["notes"] = [n for _, n, _ in cells]
    frame["country"] = [c for _, _, c in cells]
    path = tmp_path_factory.mktemp("rt") / "tracker.csv"
    write_csv_atomic(frame, path)
    pd.testing.assert_frame_equal(read_tracker(path), frame, check_dtype=False)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r" not in path.read_bytes()


def test_read_tracker_names_file_and_row_of_a_duplicate(tmp_path: Path) -> None:
    frame = build_tracker([DOC_A])
    frame.loc[2, "rec_id"] = frame.loc[0, "rec_id"]
    write_csv_atomic(frame, tmp_path / "tracker.csv")
    with pytest.raises(InvalidTracker, match=r"tracker.csv: row 4 repeats rec_id .* of row 2"):
        read_tracker(tmp_path / "tracker.csv")


def test_read_tracker_names_missing_columns(tmp_path: Path) -> None:
    write_csv_atomic(build_tracker([DOC_A]).drop(columns=["status", "text"]), tmp_path / "t.csv")
    with pytest.raises(InvalidTracker, match="column\\(s\\) text, status are missing"):
        read_tracker(tmp_path / "t.csv")


def test_failed_write_leaves_previous_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tracker.csv"
    write_csv_atomic(build_tracker([DOC_A]), path)
    before = path.read_bytes()

    real_to_csv = pd.DataFrame.to_csv

    def to_csv_failing_on_tracker(self: pd.DataFrame, handle, **kwargs) -> None:
        if "rec_id" not in self.columns or "document_symbol" not in self.columns:
            return real_to_csv(self, handle, **kwargs)
        handle.write("rec_id,document\npartial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv_failing_on_tracker)
    with pytest.raises(OutputError, match="tracker.csv: cannot be written"):
        outputs.write_tables(tmp_path, build_tracker([DOC_B]), *empty_tables())
    assert path.read_bytes() == before
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def empty_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return tuple(pd.DataFrame(columns=list(c), dtype=str)
                 for c in (DOCUMENT_COLUMNS, PROBLEM_COLUMNS, LABEL_COLUMNS))


def test_update_outputs_is_byte_identical_on_rerun(tmp_path: Path) -> None:
    update_outputs(tmp_path, [DOC_A, DOC_B, failed("bad.pdf", "d" * 64)])
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    update_outputs(tmp_path, [failed("bad.pdf", "d" * 64), DOC_B, DOC_A])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first
    assert set(first) == {"tracker.csv", "groups.csv", "documents.csv", "problems.csv", "labels.csv",
                          ".rectrack-manifest.json", "tracker.xlsx", ".rectrack-workbook.json", "report.html",
                          ".rectrack-groups.json"}


def test_update_outputs_keeps_documents_and_rows_of_an_unreadable_file(tmp_path: Path) -> None:
    update_outputs(tmp_path, [DOC_A, DOC_B])
    summary = update_outputs(tmp_path, [DOC_A, failed("sub/b.pdf", "e" * 64)])
    tracker = read_tracker(tmp_path / "tracker.csv")
    assert len(tracker) == 4 and summary.missing_rows == 1
    documents = pd.read_csv(tmp_path / "documents.csv", dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
    assert list(documents["status"]) == ["ok", "failed"]
    problems = pd.read_csv(tmp_path / "problems.csv", dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")
    assert list(problems["reason"]) == ["corrupt PDF"]
    update_outputs(tmp_path, [DOC_A])
    documents = pd.read_csv(tmp_path / "documents.csv", dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
    assert list(documents["missing"]) == ["", "source document not in the last run"]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_tables_get_the_usual_file_mode_not_owner_only(tmp_path):
    import os
    import stat

    from rectrack.extractors.tracker.io import write_csv_atomic

    path = tmp_path / "t.csv"
    write_csv_atomic(pd.DataFrame({"a": ["1"]}), path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_carriage_returns_become_newlines_and_other_cells_stay(tmp_path) -> None:
    frame = pd.DataFrame({"text": ["a\r\nb", "c\rd", None, "plain"], "count": [1, 2, 3, 4],
                          "mixed": ["x\r", 7, None, "y"], "all_text": ["e", "f\r\ng", "h", "i"],
                          "no_return": ["j", "k", "l", "m"]})
    path = tmp_path / "t.csv"
    write_csv_atomic(frame, path)
    assert path.read_bytes().count(b"\r") == 0
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back["text"]) == ["a\nb", "c\nd", "", "plain"]
    assert list(back["mixed"]) == ["x\n", "7", "", "y"]
    assert list(back["all_text"]) == ["e", "f\ng", "h", "i"]
    assert list(back["no_return"]) == ["j", "k", "l", "m"]
    assert frame.loc[0, "text"] == "a\r\nb"          # the caller's frame is not changed
