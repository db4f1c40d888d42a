"""No process outlives a ``rectrack`` command, however it ends (issue 14.5).

The real command is started in a subprocess, killed (SIGTERM, SIGINT or
SIGKILL) while its readers and Prefect's temporary server are running, and
every process its tree ever had must be gone.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import psutil
import pytest

from rectrack.flows.leftovers import OWNER, owned_by, sweep
from tests.conftest import SAMPLES
from tests.process_tree import WatchedCommand, command_environment, is_reader

REPORTS = ("algeria2008.pdf", "tajikistan2011.pdf", "afghanistan2014.pdf")


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(pids: list[int], timeout: float = 15) -> list[int]:
    deadline = time.monotonic() + timeout
    while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def test_sweep_stops_every_process_carrying_the_token_and_kills_those_that_ignore_sigterm() -> None:
    env = {**os.environ, OWNER: "t0ken-under-test"}
    polite = subprocess.Popen(["sleep", "60"], env=env)
    stubborn = subprocess.Popen(["sh", "-c", "trap '' TERM; sleep 60 & wait"], env=env)
    bystander = subprocess.Popen(["sleep", "60"], env={**os.environ, OWNER: "another"})
    try:
        time.sleep(0.3)
        found = set(owned_by("t0ken-under-test"))
        assert {polite.pid, stubborn.pid} <= found and bystander.pid not in found
        sweep("t0ken-under-test", grace=1)
        polite.wait(timeout=5)
        stubborn.wait(timeout=5)
        deadline = time.monotonic() + 5   # SIGKILL is delivered, not waited for
        while owned_by("t0ken-under-test") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert owned_by("t0ken-under-test") == []
        assert bystander.poll() is None
    finally:
        for process in (polite, stubborn, bystander):
            process.kill()
            process.wait()


_KILLED_PARENT = textwrap.dedent("""
    import os, signal, subprocess, sys
    from rectrack.flows.leftovers import sweep_when_done
    sweep_when_done()
    child = subprocess.Popen(["sh", "-c", "sleep 300 & sleep 300"])
    print(child.pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_what_a_killed_command_started_is_stopped_by_its_watcher() -> None:
    done = subprocess.run([sys.executable, "-c", _KILLED_PARENT], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    child = int(done.stdout.split()[0])
    assert _wait_gone([child]) == []


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefect-home")


def _command_line(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.NoSuchProcess:
        return ""


def _inbox(folder: Path, copies: int) -> Path:
    """``copies`` copies of three real UPR reports, each with bytes no earlier run has seen (so nothing is cached)."""
    folder.mkdir()
    for copy in range(copies):
        for name in REPORTS:
            tail = f"\n% copy {copy} {uuid.uuid4().hex}\n".encode()
            (folder / f"{copy}-{name}").write_bytes((SAMPLES / name).read_bytes() + tail)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name)
def test_a_run_stopped_mid_reading_leaves_no_process(tmp_path: Path, prefect_home: Path, number) -> None:
    inbox, out = _inbox(tmp_path / "inbox", copies=8), tmp_path / "out"
    run = WatchedCommand(["run", str(inbox), "--out", str(out)], command_environment(prefect_home), tmp_path,
                         tmp_path / "run.log")
    reading = run.wait_for(lambda tree: any(is_reader(p) for p in tree))
    assert reading, run.output()
    kinds = {("reader" if is_reader(p) else _command_line(p)) for p in run.descendants()}
    assert "reader" in kinds and any("uvicorn" in kind for kind in kinds), kinds   # the temporary server
    run.signal(number)
    code = run.finish(timeout=120)
    assert run.leftovers() == []
    if number == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == 130, run.output()
        assert "stopped before the end" in run.output()


@pytest.mark.slow
def test_serve_killed_leaves_no_prefect_server(tmp_path: Path, prefect_home: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / REPORTS[0], inbox / REPORTS[0])
    serve = WatchedCommand(["serve", "--inbox", str(inbox), "--out", str(tmp_path / "out"), "--interval", "3600"],
                           command_environment(prefect_home), tmp_path, tmp_path / "serve.log")
    deadline = time.monotonic() + 180
    while "serving" not in serve.output() and time.monotonic() < deadline and serve.process.poll() is None:
        time.sleep(0.5)
    assert "serving" in serve.output(), serve.output()
    assert any("prefect" in " ".join(p.cmdline()) and "server" in " ".join(p.cmdline())
               for p in serve.descendants() if p.is_running())
    serve.signal(signal.SIGKILL)
    assert serve.finish(timeout=60) == -signal.SIGKILL
    assert serve.leftovers() == []
