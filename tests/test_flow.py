"""Smoke tests of the batch flow on real sample PDFs, under the session's Prefect harness."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import BAD_INPUTS, SAMPLES
from rectrack.extractors.tracker.io import read_tracker

pytestmark = pytest.mark.usefixtures("prefect_harness", "result_storage")

FIRST, SECOND, THIRD = "tajikistan2011.pdf", "slovenia2010-A_HRC_14_15.pdf", "unitedkingdom2012.pdf"
BAD = "scanned-no-text-layer.pdf"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files handed to the reader processes (a cached document is not)."""
    from rectrack.flows.readers import Readers

    seen: list[str] = []
    real = Readers.read_many

    def counting(self: Readers, paths: list[Path], root: Path, sha256s: list[str]):
        seen.extend(path.name for path in paths)
        return real(self, paths, root, sha256s)

    monkeypatch.setattr(Readers, "read_many", counting)
    return seen


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SAMPLES / FIRST, folder / FIRST)
    shutil.copy(SAMPLES / SECOND, folder / "sub" / SECOND)
    shutil.copy(BAD_INPUTS / BAD, folder / BAD)
    (folder / ".hidden.pdf").write_bytes(b"not looked at")
    return folder


def run(inbox: Path, out: Path):
    from rectrack.flows.batch import process_batch

    return process_batch(paths=[str(inbox)], out_dir=str(out), root=str(inbox))


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_batch_writes_tables_then_hits_the_cache(inbox: Path, tmp_path: Path, calls: list[str]) -> None:
    from rectrack.flows.batch import progress_listener

    out = tmp_path / "out"
    progress: list[tuple[int, int]] = []
    with progress_listener(lambda done, total, _recs, _doc: progress.append((done, total))):
        summary = run(inbox, out)
    assert sorted(calls) == sorted([FIRST, SECOND, BAD])
    assert progress[-1] == (3, 3) and summary.recommendations > 0
    documents = read(out / "documents.csv")
    assert list(documents["document"]) == [BAD, f"sub/{SECOND}", FIRST]
    assert list(documents["status"])[0] == "failed"
    assert "OCR" in read(out / "problems.csv").set_index("document").loc[BAD, "action"]
    tracker = read_tracker(out / "tracker.csv")
    assert set(tracker["document"]) == {FIRST, f"sub/{SECOND}"}
    assert tracker["rec_id"].is_unique and summary.tracker_rows == len(tracker)
    before = (out / "tracker.csv").read_bytes()
    assert_summary_artifact("3 documents")

    run(inbox, out)
    assert len(calls) == 3, "unchanged files must come from the cache"
    assert (out / "tracker.csv").read_bytes() == before


def assert_summary_artifact(expected: str) -> None:
    from prefect.artifacts import Artifact

    artifact = Artifact.get("rectrack-run-summary")
    assert artifact is not None and expected in artifact.data


def test_changed_file_is_reread_moved_file_is_not_and_edits_survive(
        inbox: Path, tmp_path: Path, calls: list[str]) -> None:
    out = tmp_path / "out"
    run(inbox, out)
    tracker = read_tracker(out / "tracker.csv")
    kept_id = tracker.loc[tracker["document"] == FIRST, "rec_id"].iloc[0]
    gone_id = tracker.loc[tracker["document"] == f"sub/{SECOND}", "rec_id"].iloc[0]
    tracker.loc[tracker["rec_id"] == kept_id, ["status", "notes"]] = ["in progress", "NA, 118.10"]
    tracker.loc[tracker["rec_id"] == gone_id, "responsible"] = "Ombudsman"
    tracker.to_csv(out / "tracker.csv", index=False, encoding="utf-8-sig")
    calls.clear()

    shutil.copy(SAMPLES / THIRD, inbox / "sub" / SECOND)      # same name, new content
    shutil.move(inbox / FIRST, inbox / "renamed.pdf")          # same content, new name
    run(inbox, out)

    assert calls == [SECOND]
    merged = read_tracker(out / "tracker.csv").set_index("rec_id")
    assert merged.loc[kept_id, ["status", "notes", "document"]].tolist() == [
        "in progress", "NA, 118.10", "renamed.pdf"]
    assert merged.loc[gone_id, "missing"] == f"no longer found in sub/{SECOND}"
    assert merged.loc[gone_id, "responsible"] == "Ombudsman"
    assert (merged["country"] == "United Kingdom of Great Britain and Northern Ireland").any()
    missing = read(out / "documents.csv").set_index("document").loc[FIRST, "missing"]
    assert missing == "source document not in the last run"


def test_unchanged_folder_leaves_the_tables_untouched(inbox: Path, tmp_path: Path, calls: list[str]) -> None:
    out = tmp_path / "out"
    first = run(inbox, out)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")}
    again = run(inbox, out)
    assert len(calls) == 3
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")} == stamps
    assert again == first

    (out / "problems.csv").unlink()        # a table gone: written again from the cache
    run(inbox, out)
    assert len(calls) == 3 and (out / "problems.csv").exists()


def test_fingerprint_sees_every_data_file_the_extractors_read(tmp_path: Path) -> None:
    from rectrack.flows.inputs import fingerprint, fingerprinted_files

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "extractors", tmp_path / "extractors")
    shutil.copytree(root / "data", tmp_path / "data", ignore=shutil.ignore_patterns("samples", "training", "models"))
    (tmp_path / "data" / "samples").mkdir()
    names = {p.relative_to(tmp_path).as_posix() for p in fingerprinted_files(tmp_path)}
    assert {"data/gazetteers/states.tsv", "data/patterns/imperative_verbs.txt", "data/matrix_layout.toml",
            "data/taxonomies/priority_areas.toml", "data/wording/addendum_positions.tsv"} <= names
    before = fingerprint(tmp_path)
    (tmp_path / "data" / "samples" / "new.pdf").write_bytes(b"%PDF-1.4")     # a document, not a rule
    assert fingerprint(tmp_path) == before
    gazetteer = tmp_path / "data" / "gazetteers" / "states.tsv"
    gazetteer.write_text(gazetteer.read_text(encoding="utf-8") + "Narnia\t\n", encoding="utf-8")
    assert fingerprint(tmp_path) != before


def test_an_edited_rule_file_rereads_every_document(
        inbox: Path, tmp_path: Path, calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import rectrack.flows.inputs

    run(inbox, tmp_path / "out")
    assert len(calls) == 3
    run(inbox, tmp_path / "out")
    assert len(calls) == 3                     # cached
    monkeypatch.setattr(rectrack.flows.inputs, "extractors_fingerprint", lambda: "edited-gazetteer")
    run(inbox, tmp_path / "out")
    assert len(calls) == 6                     # no --refresh needed


def test_a_tracker_re_saved_by_excel_is_written_back_even_when_no_file_changed(
        inbox: Path, tmp_path: Path, calls: list[str]) -> None:
    import csv
    import io

    from rectrack.extractors.tracker.csv_files import escape_cell

    out = tmp_path / "out"
    run(inbox, out)
    tracker = read_tracker(out / "tracker.csv")
    tracker.loc[0, "notes"] = "Ministère – voir l’avis"
    buffer = io.StringIO()      # Excel's "CSV (Comma delimited)" on a French Windows
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(tracker.columns)
    writer.writerows([escape_cell(c) for c in row] for row in tracker.itertuples(index=False))
    (out / "tracker.csv").write_bytes(buffer.getvalue().encode("cp1252"))
    run(inbox, out)
    assert len(calls) == 3          # no document read again: only the tables are rewritten
    assert (out / "tracker.csv").read_bytes().startswith("\ufeffrec_id,document,".encode())
    pd.testing.assert_frame_equal(read_tracker(out / "tracker.csv"), tracker)
    assert "semicolon-separated" in " ".join(read(out / "problems.csv")["reason"])


def test_files_per_task_gives_each_thread_about_eight_tasks() -> None:
    from rectrack.flows.documents import MAX_FILES_PER_TASK, files_per_task

    assert files_per_task(3, 2) == 1
    assert files_per_task(143, 2) == 9                       # 16 tasks
    assert files_per_task(1000, 10) == 13
    assert files_per_task(1000, 2) == 50 == MAX_FILES_PER_TASK
    assert files_per_task(30_000, 100) == 38                 # 790 tasks
    assert files_per_task(5, 0) == 1


def test_a_chunk_whose_task_fails_is_read_again_one_file_a_task(
        inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that breaks its task (here: its read raises) fails alone; the others of its chunk are read."""
    import rectrack.flows.documents as documents
    from rectrack.flows.readers import Readers

    monkeypatch.setattr(documents, "files_per_task", lambda files, threads: files)   # one chunk of all
    real, chunks = Readers.read_many, []

    def breaking(self: Readers, paths: list[Path], root: Path, sha256s: list[str]):
        if any(path.name == FIRST for path in paths):
            raise RuntimeError("the reader broke")
        return real(self, paths, root, sha256s)

    monkeypatch.setattr(Readers, "read_many", breaking)
    real_submit = documents._submit
    monkeypatch.setattr(documents, "_submit", lambda chunk, root, labelling: chunks.append(len(chunk))
                        or real_submit(chunk, root, labelling))
    run(inbox, tmp_path / "out")
    assert chunks == [3, 1, 1, 1]
    documents_csv = read(tmp_path / "out" / "documents.csv")
    status = dict(zip(documents_csv["document"], documents_csv["status"]))
    assert status[FIRST] == "failed" and status[f"sub/{SECOND}"] == "ok"
    problems = read(tmp_path / "out" / "problems.csv").set_index("document")
    assert "the reader broke" in problems.loc[FIRST, "reason"]
