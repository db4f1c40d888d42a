"""The command line, called in-process through ``main(argv)``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rectrack.flows.cli import main
from tests.conftest import SAMPLES


@pytest.mark.parametrize("command", [[], ["run"], ["serve"]])
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Usage:" in text and "--help" in text
    if command:
        assert "--out" in text


def test_run_on_a_missing_path_fails_with_a_clear_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 1
    message = " ".join(capsys.readouterr().err.split())
    assert "no such file or folder" in message and "check the path" in message
    assert not (tmp_path / "out").exists()


def test_run_with_an_unwritable_output_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", str(SAMPLES / "tajikistan2011.pdf"), "--out", str(blocker / "out")]) == 1
    assert "output folder cannot be created" in " ".join(capsys.readouterr().err.split())


def test_run_refuses_a_broken_tracker_before_processing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "tracker.csv").write_text("rec_id,document\nabc,x.pdf\n", encoding="utf-8")
    assert main(["run", str(SAMPLES / "tajikistan2011.pdf"), "--out", str(out)]) == 1
    message = " ".join(capsys.readouterr().err.split())
    assert "tracker.csv: column(s)" in message and "are missing" in message


def test_serve_needs_an_existing_inbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--inbox", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error() -> None:
    assert main(["run", "--no-such-option"]) == 2


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_run_exits_zero_when_a_document_is_unreadable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "in" / "broken.pdf"
    bad.parent.mkdir()
    bad.write_bytes(b"%PDF-1.7\ntruncated")
    shutil.copy(SAMPLES / "algeria2008.pdf", bad.parent / "algeria2008.pdf")
    assert main(["run", str(bad.parent), "--out", str(tmp_path / "out")]) == 0
    assert "2 documents (failed 1, ok 1)" in capsys.readouterr().out
    assert (tmp_path / "out" / "tracker.csv").read_bytes().startswith(b"\xef\xbb\xbfrec_id,")


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_run_in_which_every_file_failed_exits_non_zero(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "in" / "broken.pdf"
    bad.parent.mkdir()
    bad.write_bytes(b"%PDF-1.7\ntruncated")
    assert main(["run", str(bad.parent), "--out", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "1 documents (failed 1)" in captured.out
    assert "none of the 1 files could be read" in " ".join(captured.err.split())
    assert (tmp_path / "out" / "problems.csv").exists()


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_a_second_run_on_the_same_output_folder_refuses(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rectrack.flows.outputs_lock import lock_outputs

    out = tmp_path / "out"
    with lock_outputs(out):          # as a first run holds it
        assert main(["run", str(SAMPLES / "algeria2008.pdf"), "--out", str(out)]) == 1
    message = " ".join(capsys.readouterr().err.split())
    assert f"pid {os.getpid()}" in message and "is writing to this folder" in message
    assert "--out" in message and not (out / "tracker.csv").exists()
    assert main(["run", str(SAMPLES / "algeria2008.pdf"), "--out", str(out)]) == 0   # released


def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    """A run killed while holding the lock does not block the next one."""
    import subprocess
    import sys

    from rectrack.flows.outputs_lock import lock_outputs

    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from rectrack.flows.outputs_lock import lock_outputs\n"
        f"with lock_outputs(Path({str(tmp_path)!r})):\n    print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    assert holder.stdout.readline().strip() == "held"
    from rectrack.flows.outputs_lock import OutputsLocked
    with pytest.raises(OutputsLocked):
        with lock_outputs(tmp_path):
            pass
    holder.kill()
    holder.wait()
    with lock_outputs(tmp_path):
        pass


def test_discovery_skips_hidden_lock_and_output_files(tmp_path: Path) -> None:
    from rectrack.flows.discover import common_root, discover_files

    for name in ["b.pdf", "a10.pdf", "a9.pdf", ".hidden.pdf", "~$lock.docx",
                 ".git/x.pdf", "sub/c.docx", "out/tracker.csv"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = discover_files([tmp_path], exclude=tmp_path / "out")
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a9.pdf", "a10.pdf", "b.pdf", "sub/c.docx"]
    assert common_root([tmp_path / "sub" / "c.docx", tmp_path / "b.pdf"]) == tmp_path.resolve()
