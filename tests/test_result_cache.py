"""The result cache holds JSON data, never code; an edited entry is reported and recomputed (issue 14.4)."""

from __future__ import annotations

import base64
import json
import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rectrack.extractors.classify.classifier import LabelScore
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import DocumentResult
from rectrack.flows.result_cache import ResultCache
from rectrack.flows.readers import Readers
from tests.conftest import SAMPLES

REPORT = "tajikistan2011.pdf"
KEY = "abc123-fingerprint-limits"


class _Marker:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def _pickle_record(marker: Path) -> bytes:
    """What Prefect's result store reads: a record naming the pickle serializer, with a payload that runs code."""
    payload = base64.b64encode(pickle.dumps(_Marker(str(marker)))).decode()
    return json.dumps({"metadata": {"serializer": {"type": "pickle", "picklelib": "pickle"},
                                    "storage_key": KEY, "prefect_version": "3.9.1"},
                       "result": payload}).encode()


@pytest.fixture(scope="module")
def report_result() -> DocumentResult:
    return process_document(SAMPLES / REPORT, SAMPLES)


def test_document_result_round_trip(tmp_path, report_result):
    cache = ResultCache(tmp_path)
    cache.write(KEY, report_result)
    assert len(report_result.recommendations) > 50
    assert cache.read(KEY, DocumentResult) == report_result
    assert cache.rejected == []
    assert json.loads((tmp_path / f"{KEY}.json").read_text())["schema"] == 1


def test_labels_round_trip(tmp_path):
    labels = {"Ratify the Convention.": (LabelScore("themes", "A12", 0.8, "model"),
                                         LabelScore("sdgs", "16", 1.0, "matrix", False))}
    cache = ResultCache(tmp_path)
    cache.write(KEY, labels)
    assert cache.read(KEY, dict[str, tuple[LabelScore, ...]]) == labels


def test_edited_entry_is_rejected_with_a_reason(tmp_path, report_result):
    cache = ResultCache(tmp_path)
    cache.write(KEY, report_result)
    path = tmp_path / f"{KEY}.json"
    envelope = json.loads(path.read_text())
    envelope["payload"]["recommendations"][0]["text"] = "Something the report never said."
    path.write_text(json.dumps(envelope))
    assert cache.read(KEY, DocumentResult) is None
    assert [(r.path, r.reason) for r in cache.rejected] == [
        (path, "was edited or damaged (its checksum does not match)")]


@pytest.mark.parametrize(("content", "reason"), [
    (b"\x80\x04garbage", "is not valid JSON"),
    (b'{"format": "rectrack-result", "schema": 1, "key": "other", "sha256": "", "payload": {}}',
     "is stored under another key"),
    (b"[1, 2]", "is not a rectrack result"),
])
def test_damaged_entries_are_rejected(tmp_path, content, reason):
    (tmp_path / f"{KEY}.json").write_bytes(content)
    cache = ResultCache(tmp_path)
    assert cache.read(KEY, DocumentResult) is None
    assert cache.rejected[0].reason.startswith(reason)


def test_forged_entry_with_a_valid_checksum_must_still_fit_the_record(tmp_path, report_result):
    cache = ResultCache(tmp_path)
    cache.write(KEY, report_result)
    path = tmp_path / f"{KEY}.json"
    envelope = json.loads(path.read_text())
    envelope["payload"]["status"] = {"__class__": "os.system", "data": "touch pwned"}
    from rectrack.flows.result_cache import _digest
    envelope["sha256"] = _digest(envelope["payload"])
    path.write_text(json.dumps(envelope))
    assert cache.read(KEY, DocumentResult) is None
    assert "$.status" in cache.rejected[0].reason


def test_entry_of_another_schema_version_is_a_silent_miss(tmp_path, report_result):
    cache = ResultCache(tmp_path)
    cache.write(KEY, report_result)
    path = tmp_path / f"{KEY}.json"
    path.write_text(path.read_text().replace('"schema": 1', '"schema": 0'))
    assert cache.read(KEY, DocumentResult) is None and cache.rejected == []


def test_a_pickle_record_is_never_unpickled(tmp_path):
    marker = tmp_path / "code-ran"
    (tmp_path / f"{KEY}.json").write_bytes(_pickle_record(marker))
    cache = ResultCache(tmp_path)
    assert cache.read(KEY, DocumentResult) is None
    assert cache.rejected[0].reason == "is not a rectrack result"
    assert not marker.exists()


@pytest.mark.usefixtures("prefect_harness")
def test_batch_reports_and_recomputes_a_tampered_entry_without_running_it(tmp_path, result_storage, monkeypatch):
    import rectrack.flows.batch as batch

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SAMPLES / REPORT, inbox / REPORT)
    run = dict(paths=[str(inbox)], out_dir=str(out), root=str(inbox))
    batch.process_batch(**run)
    first = (out / "tracker.csv").read_bytes()
    [entry] = (result_storage / "rectrack" / "documents").glob("*.json")
    prefect_files = [p for p in result_storage.rglob("*") if p.is_file() and p.relative_to(result_storage).parts[0] != "rectrack"]
    assert prefect_files == []   # Prefect persisted nothing it would unpickle later
    marker = tmp_path / "code-ran"
    entry.write_bytes(_pickle_record(marker))
    reads = []
    real = Readers.read_many
    monkeypatch.setattr(Readers, "read_many",
                        lambda self, paths, root, sha256s: reads.extend(paths) or real(self, paths, root, sha256s))
    batch.process_batch(**run)
    assert not marker.exists()
    assert [path.name for path in reads] == [REPORT]
    problems = pd.read_csv(out / "problems.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    [row] = problems[problems["kind"] == "cache"].to_dict("records")
    assert row["document"] == str(entry)
    assert row["reason"] == "a cached result is not a rectrack result; it was not used and was recomputed"
    assert (out / "tracker.csv").read_bytes() == first
    assert json.loads(entry.read_text())["format"] == "rectrack-result"   # rewritten as JSON
