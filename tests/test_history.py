"""Run history (`rectrack history`), the end-of-run summary and the terminal's log level (issue 12, parts 4-5)."""

from __future__ import annotations

import csv
import logging
import shlex
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from rectrack.extractors.errors import RunNotFound
from rectrack.flows.runlog import (
    find_record, log_path, new_record, read_records, runs_dir, write_record, COMPLETED, RUNNING,
)
from rectrack.flows import settings
from rectrack.flows.cli import main
from rectrack.flows.server import prefect_executable, trigger_command
from tests.conftest import ROOT, SAMPLES

EGYPT_MATRIX = ROOT / "data" / "samples" / "matrices" / "egypt2014-UPR20-matrix.docx"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Prefect home of this test's own, so the history starts empty."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    monkeypatch.setattr(settings, "PREFECT_HOME", home)
    return home


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_records_round_trip_newest_first_and_ids_never_collide(tmp_path: Path) -> None:
    folder = runs_dir(tmp_path)
    at = datetime(2026, 12, 4, 15, 50, 12, tzinfo=timezone.utc)
    first = new_record(folder, ["in"], "out", now=at)
    write_record(folder, first)
    second = new_record(folder, ["in"], "out", now=at)          # same second
    write_record(folder, second.finished(COMPLETED, 12.34, by_status=(("ok", 2), ("failed", 1)),
                                         recommendations=140, problems=1))
    assert (first.run_id, second.run_id) == ("20261204-155012", "20261204-155012-2")
    newest, oldest = read_records(folder)
    assert newest.run_id == second.run_id and newest.state == COMPLETED and newest.seconds == 12.3
    assert newest.documents == 3 and newest.by_status == (("ok", 2), ("failed", 1))
    assert oldest == first and oldest.state == RUNNING


def test_find_record_by_prefix_and_clear_errors(tmp_path: Path) -> None:
    folder = runs_dir(tmp_path)
    for minute in (1, 2):
        write_record(folder, new_record(folder, [], "out", now=datetime(2026, 12, 4, 15, minute,
                                                                         tzinfo=timezone.utc)))
    assert find_record(folder, "20261204-1502").run_id == "20261204-150200"
    with pytest.raises(RunNotFound, match="2 runs .* starting '2026'"):
        find_record(folder, "2026")
    with pytest.raises(RunNotFound, match="no run with an id starting 'nope'") as error:
        find_record(folder, "nope")
    assert "rectrack history" in error.value.action


def test_an_unreadable_record_is_listed_not_hidden(tmp_path: Path) -> None:
    folder = runs_dir(tmp_path)
    write_record(folder, new_record(folder, [], "out", now=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    (folder / "20261231-000000.json").write_text("{not json", encoding="utf-8")
    assert [(r.run_id, r.state) for r in read_records(folder)] == [
        ("20261231-000000", "unreadable"), ("20260101-000000", RUNNING)]


def test_history_with_no_runs_says_where_it_looks(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history"]) == 0
    assert f"no runs recorded in {home / 'runs'}" in " ".join(capsys.readouterr().out.split())


def test_history_of_an_unknown_run_is_an_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "1999"]) == 1
    assert "no run with an id starting '1999'" in " ".join(capsys.readouterr().err.split())


def test_trigger_command_is_one_shell_line_with_the_api_url() -> None:
    command = trigger_command("http://127.0.0.1:4321/api", "process-batch", "my inbox's run")
    assert shlex.split(command) == ["PREFECT_API_URL=http://127.0.0.1:4321/api", prefect_executable(),
                                    "deployment", "run", "process-batch/my inbox's run"]
    assert Path(prefect_executable()).is_absolute()


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_run_prints_a_summary_and_keeps_its_log_in_the_history(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SAMPLES / "tajikistan2011.pdf", inbox)
    shutil.copy(EGYPT_MATRIX, inbox)
    with caplog.at_level(logging.INFO):
        assert main(["run", str(inbox), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    documents, tracker = _csv_rows(out / "documents.csv"), _csv_rows(out / "tracker.csv")
    # The Word matrix saved page breaks for 8 of its 39 pages: partial, with what to do.
    assert {d["document"]: d["status"] for d in documents} == {
        "egypt2014-UPR20-matrix.docx": "partial", "tajikistan2011.pdf": "ok"}
    assert f"2 documents (ok 1, partial 1), {len(tracker)} recommendations" in printed
    assert "1 pages_incomplete: egypt2014-UPR20-matrix.docx" in printed
    assert "what to do: open the file in Word" in printed
    assert f"outputs in {out}: tracker.csv, tracker.xlsx, report.html, documents.csv, problems.csv, labels.csv" in printed
    # Without --verbose the terminal gets no INFO line of Prefect's (each task's state).
    assert not [r for r in caplog.records if r.name.startswith("prefect") and r.levelno < logging.WARNING]

    (record,) = read_records(runs_dir(home))
    assert record.state == COMPLETED and record.out_dir == str(out) and record.paths == (str(inbox),)
    assert (record.documents, record.recommendations, record.problems) == (2, len(tracker), 1)
    assert record.flow_run_id and f"rectrack history {record.run_id} --logs" in printed
    log = log_path(runs_dir(home), record.run_id).read_text(encoding="utf-8")
    assert "task process tajikistan2011.pdf - Finished in state Completed()" in log
    assert "2/2 documents" in log and "Finished in state Completed()" in log.splitlines()[-1]

    assert main(["history"]) == 0
    listed = capsys.readouterr().out
    assert record.run_id in listed and "completed" in listed and str(out) in listed
    assert main(["history", record.run_id[:11], "--logs"]) == 0
    shown = capsys.readouterr().out
    assert f"run {record.run_id}: completed" in shown and record.flow_run_id in shown
    assert "task process tajikistan2011.pdf - Finished in state Completed()" in shown


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_verbose_run_shows_prefect_task_lines(home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        assert main(["run", str(SAMPLES / "tajikistan2011.pdf"), "--out", str(tmp_path / "out"),
                     "--verbose"]) == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "prefect.task_runs"]
    assert "Finished in state Completed()" in lines


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_a_failed_run_is_recorded_with_its_reason(home: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from rectrack.flows.outputs_lock import lock_outputs

    out = tmp_path / "out"
    with lock_outputs(out):          # as another run holds it
        assert main(["run", str(SAMPLES / "tajikistan2011.pdf"), "--out", str(out)]) == 1
    (record,) = read_records(runs_dir(home))
    assert record.state == "failed" and "is writing to this folder" in record.error
    capsys.readouterr()
    assert main(["history"]) == 0
    assert "failed" in capsys.readouterr().out


@pytest.mark.parametrize(("command", "says"), [("history", "--logs"), ("ui", "--port"), ("run", "--verbose")])
def test_history_ui_and_verbose_have_help(command: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    assert says in capsys.readouterr().out


@pytest.mark.slow
def test_the_rectrack_program_prints_no_prefect_info_line_and_ui_shows_its_run(tmp_path: Path) -> None:
    """As a program (its own temporary server, stopped at exit): stderr holds no INFO line, stdout the
    summary; then `rectrack ui` on the same home lists that flow run."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "home"))
    env.pop("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", None)
    done = subprocess.run([sys.executable, "-m", "rectrack.flows.cli", "run", str(SAMPLES / "tajikistan2011.pdf"),
                           "--out", str(tmp_path / "out")], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| INFO" not in done.stderr, done.stderr
    tracker = _csv_rows(tmp_path / "out" / "tracker.csv")
    assert f"1 documents (ok 1), {len(tracker)} recommendations" in done.stdout
    (record,) = read_records(runs_dir(tmp_path / "home"))
    log = log_path(runs_dir(tmp_path / "home"), record.run_id).read_text(encoding="utf-8")
    assert "Temporary server on http://127.0.0.1:" in log and "task process tajikistan2011.pdf" in log
    assert _flow_runs_in_ui(env, tmp_path) == [(record.flow_run_id, "COMPLETED")]


def _flow_runs_in_ui(env: dict[str, str], cwd: Path) -> list[tuple[str, str]]:
    """Start `rectrack ui` on ``env``'s home; return the (id, state) of the flow runs its API lists."""
    import json
    import subprocess
    import sys
    import time
    import urllib.request

    from rectrack.flows.server import free_port, stop_process_group

    port = free_port()
    log = cwd / "ui.log"
    with log.open("wb") as handle:
        ui = subprocess.Popen([sys.executable, "-m", "rectrack.flows.cli", "ui", "--port", str(port)], env=env,
                              cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "Prefect UI at" not in log.read_text() and time.monotonic() < deadline:
            assert ui.poll() is None, log.read_text()
            time.sleep(1)
        assert f"Prefect UI at http://127.0.0.1:{port}" in log.read_text()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/flow_runs/filter", data=b"{}",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return [(run["id"], run["state_type"]) for run in json.load(response)]
    finally:
        stop_process_group(ui)


def test_a_problem_kind_whose_files_need_different_actions_points_to_the_rows(tmp_path: Path) -> None:
    from rectrack.flows.terminal import top_problems

    problems = tmp_path / "problems.csv"
    problems.write_text("document,page,kind,reason,action\n"
                        "pipe.txt,,skipped,a named pipe,remove it from the input folder\n"
                        "loop-a,,skipped,a link loop,fix or remove the link\n"
                        "bomb.pdf,,limit,a PDF bomb,set RECTRACK_MAX_UNZIPPED_MB higher\n", encoding="utf-8")
    kinds = {kind.kind: kind for kind in top_problems(problems)}
    assert kinds["skipped"].action == "it differs from file to file: see the action column"
    assert kinds["limit"].action == "set RECTRACK_MAX_UNZIPPED_MB higher"
