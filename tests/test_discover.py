"""Discovery that cannot hang or crash (issue 14.3): every hostile item is built by the test."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pandas as pd
import pytest

from rectrack.extractors.files import relative_name, safe_name
from rectrack.flows import discover as discovery
from rectrack.flows.discover import discover, discover_files
from tests.conftest import SAMPLES
from tests.hostile_inputs import LATIN1_NAME, hostile_folder



def _names(items, root: Path) -> list[str]:
    return [relative_name(getattr(item, "path", item), root) for item in items]


def test_fifo_device_link_loops_and_broken_links_are_skipped_with_a_reason(tmp_path):
    root = hostile_folder(tmp_path / "in")
    found = discover([root])
    assert _names(found.files, root) == ["good.txt", "r\\xe9sum\\xe9.txt", "sub/inner.txt"]
    reasons = {relative_name(item.path, root): (item.kind, item.reason) for item in found.skipped}
    assert reasons["pipe.txt"] == ("skipped", "a named pipe (FIFO), not a document file: not read")
    assert reasons["zero.pdf"] == ("skipped", "a character device, not a document file: not read")
    assert reasons["loop-a"][1].startswith("a symbolic link that leads nowhere usable (Too many levels")
    assert reasons["broken.pdf"][1].startswith("a symbolic link that leads nowhere usable (No such file")
    assert reasons["sub/up"][1].startswith("a link to a folder already searched (a loop")
    assert set(reasons) == {"pipe.txt", "zero.pdf", "loop-a", "loop-b", "broken.pdf", "sub/up"}


def test_socket_and_fifo_given_directly_are_skipped(tmp_path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock"))
    os.mkfifo(tmp_path / "fifo")
    try:
        found = discover([tmp_path / "sock", tmp_path / "fifo"])
    finally:
        server.close()
    assert found.files == []
    assert [item.reason.split(",")[0] for item in found.skipped] == ["a socket", "a named pipe (FIFO)"]


def test_unreadable_folder_is_a_row_not_a_silent_gap(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    real = os.scandir

    def scandir(path):   # tests run as root, which chmod 000 does not stop
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    found = discover([tmp_path])
    assert _names(found.files, tmp_path) == ["b.txt"]
    [locked] = found.skipped
    assert (relative_name(locked.path, tmp_path), locked.kind) == ("locked", "unreadable")
    assert locked.reason == "the folder cannot be listed (Permission denied); its documents were not read"


def test_link_to_a_file_or_folder_outside_is_followed(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "report.txt").write_text("x")
    (tmp_path / "in").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "in" / "linked")
    os.symlink(tmp_path / "elsewhere" / "report.txt", tmp_path / "in" / "one.txt")
    found = discover([tmp_path / "in"])
    assert _names(found.files, tmp_path / "in") == ["linked/report.txt", "one.txt"]
    assert found.skipped == []


@pytest.mark.parametrize("how", ["absolute", "relative", "through a link"])
def test_output_folder_inside_the_input_is_never_read(tmp_path, monkeypatch, how):
    (tmp_path / "in" / "out").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text("x")
    (tmp_path / "in" / "out" / "tracker.csv").write_text("x")
    os.symlink(tmp_path / "in" / "out", tmp_path / "out-link")
    monkeypatch.chdir(tmp_path)
    exclude = {"absolute": tmp_path / "in" / "out", "relative": Path("in/out"),
               "through a link": Path("out-link")}[how]
    assert _names(discover_files([Path("in")], exclude=exclude), tmp_path / "in") == ["a.txt"]


def test_names_that_are_not_utf8_are_escaped():
    assert safe_name(LATIN1_NAME) == "r\\xe9sum\\xe9.txt"
    assert safe_name("Résumé.txt") == "Résumé.txt"
    assert safe_name(LATIN1_NAME).encode("utf-8")


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_batch_over_a_hostile_folder_finishes_with_a_row_for_each_item(tmp_path):
    from rectrack.flows.batch import process_batch

    root = hostile_folder(tmp_path / "in")
    shutil.copy(SAMPLES / "tajikistan2011.pdf", root / os.fsencode(LATIN1_NAME).replace(b".txt", b".pdf")
                .decode("utf-8", "surrogateescape"))
    out = tmp_path / "out"
    process_batch(paths=[str(root)], out_dir=str(out), root=str(root))
    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    status = dict(zip(documents["document"], documents["status"]))
    assert status["r\\xe9sum\\xe9.pdf"] == "ok"
    for name in ["pipe.txt", "zero.pdf", "loop-a", "loop-b", "broken.pdf", "sub/up"]:
        assert status[name] == "skipped", name
    problems = pd.read_csv(out / "problems.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert "a named pipe (FIFO), not a document file: not read" in set(problems["reason"])
    tracker = pd.read_csv(out / "tracker.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert (tracker["document"] == "r\\xe9sum\\xe9.pdf").sum() > 50
