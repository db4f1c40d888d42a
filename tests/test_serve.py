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
