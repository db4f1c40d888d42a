"""`rectrack serve` for real: a prefect server, the served deployment, files dropped in the inbox."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from rectrack.flows.server import free_port, start_server, stop_process_group, wait_until_healthy
from tests.conftest import SAMPLES

pytestmark = pytest.mark.serve
DEADLINE_SECONDS = 120


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A `prefect server start` of our own: (API URL, its PREFECT_HOME)."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    port = free_port()
    process = start_server(home, port)
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        wait_until_healthy(api_url, process, home / "server.log")
        yield api_url, home
    finally:
        stop_process_group(process)


def wait_for(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(1)
    pytest.fail(f"{what} not within {DEADLINE_SECONDS} s; serve log:\n{log.read_text()[-3000:]}")


def tracker_rows(out: Path) -> int:
    try:
        return len(pd.read_csv(out / "tracker.csv", dtype=str, keep_default_na=False,
                               encoding="utf-8-sig"))
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return 0


def test_serve_processes_new_files_dropped_in_the_inbox(server: tuple[str, Path], tmp_path: Path) -> None:
    api_url, home = server
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "serve.log"
    inbox.mkdir()
    env = dict(os.environ, PREFECT_API_URL=api_url, PREFECT_HOME=str(home))
    command = [sys.executable, "-m", "rectrack.flows.cli", "serve", "--inbox", str(inbox),
               "--out", str(out), "--interval", "5"]
    with log.open("wb") as handle:
        serving = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        shutil.copy(SAMPLES / "tajikistan2011.pdf", inbox)
        wait_for(lambda: tracker_rows(out) > 0, "tracker.csv with rows", log)
        first = tracker_rows(out)
        shutil.copy(SAMPLES / "unitedkingdom2012.pdf", inbox)
        wait_for(lambda: tracker_rows(out) > first, "tracker.csv growing", log)
        assert serving.poll() is None, log.read_text()
    finally:
        stop_process_group(serving)
    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
    assert list(documents["document"]) == ["tajikistan2011.pdf", "unitedkingdom2012.pdf"]


def test_the_trigger_command_serve_prints_works_when_pasted(server: tuple[str, Path], tmp_path: Path) -> None:
    """The line `serve` prints, run as it is by a shell that knows nothing of the server, starts a run."""
    api_url, home = server
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "serve.log"
    inbox.mkdir()
    shutil.copy(SAMPLES / "tajikistan2011.pdf", inbox)
    env = dict(os.environ, PREFECT_API_URL=api_url, PREFECT_HOME=str(home))
    command = [sys.executable, "-m", "rectrack.flows.cli", "serve", "--inbox", str(inbox),
               "--out", str(out), "--cron", "0 2 1 1 *", "--name", "nightly inbox"]
    with log.open("wb") as handle:
        serving = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_for(lambda: "paste in another terminal:" in log.read_text(), "the trigger command", log)
        wait_for(lambda: "deployment run" in log.read_text().split("paste in another terminal:")[1],
                 "the trigger command", log)
        line = log.read_text().split("paste in another terminal:\n")[1].splitlines()[0]
        terminal = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        terminal["PREFECT_HOME"] = str(tmp_path / "another-home")     # not the server's
        pasted = subprocess.run(["bash", "-c", line], env=terminal, capture_output=True, text=True,
                                cwd=tmp_path, timeout=DEADLINE_SECONDS)
        assert pasted.returncode == 0, f"{line}\n{pasted.stdout}\n{pasted.stderr}"
        wait_for(lambda: tracker_rows(out) > 0, "tracker.csv with rows after the pasted command", log)
        assert serving.poll() is None, log.read_text()
    finally:
        stop_process_group(serving)
    assert "process-batch/nightly inbox" in line
