"""`rectrack run --dask-address` on a real Dask cluster: a `dask scheduler` and two `dask worker`
processes on 127.0.0.1, started here; the same tables as the embedded run, and a second run from the cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rectrack.flows.server import free_port, stop_process_group
from tests.conftest import SAMPLES, living

TABLES = ("tracker.csv", "documents.csv", "labels.csv", "problems.csv")
DASK = str(Path(sys.executable).with_name("dask"))


def _start(command: list[str], log: Path, cwd: Path) -> subprocess.Popen:
    with log.open("wb") as handle:
        return subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, cwd=cwd,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _wait_for_workers(address: str, count: int, log: Path) -> None:
    from distributed import Client

    with Client(address, timeout=60) as client:
        try:
            client.wait_for_workers(count, timeout=90)
        except TimeoutError:
            pytest.fail(f"{count} Dask workers not up within 90 s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A scheduler and two single-threaded worker processes: (address, workers' log)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    work = tmp_path / "dask"
    work.mkdir()
    scheduler = _start([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                       work / "scheduler.log", work)
    workers = _start([DASK, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                     work / "workers.log", work)
    try:
        _wait_for_workers(address, 2, work / "workers.log")
        yield address, work / "workers.log"
    finally:
        stop_process_group(workers)
        stop_process_group(scheduler)
    assert not living(groups=[workers.pid, scheduler.pid]), "the Dask cluster left processes behind"


def _rectrack(args: list[str], home: Path, log: Path) -> str:
    env = dict(os.environ, PREFECT_HOME=str(home))
    env.pop("PREFECT_API_URL", None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "rectrack.flows.cli", "run", *args], env=env,
                          capture_output=True, text=True, timeout=600)
    log.write_text(done.stdout + done.stderr)
    assert done.returncode == 0, f"rectrack {args} failed after {time.monotonic() - started:.0f} s:\n" \
                                 f"{(done.stdout + done.stderr)[-4000:]}"
    return done.stdout + done.stderr


@pytest.mark.slow
def test_run_on_a_dask_cluster_gives_the_embedded_tables_and_caches(dask_cluster: tuple[str, Path],
                                                                     tmp_path: Path) -> None:
    address, workers_log = dask_cluster
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("tajikistan2011.pdf", "algeria2008.pdf", "egypt2014.pdf"):
        shutil.copy(SAMPLES / name, inbox)
    storage = tmp_path / "shared-results"
    cluster = ["--dask-address", address, "--result-storage", str(storage), "--verbose"]   # Prefect's lines

    _rectrack([str(inbox), "--out", str(tmp_path / "embedded")], tmp_path / "home-embedded",
              tmp_path / "embedded.log")
    first = _rectrack([str(inbox), "--out", str(tmp_path / "dask"), *cluster], tmp_path / "home-dask",
                      tmp_path / "dask.log")

    assert f"Connecting to an existing Dask cluster at {address}" in first
    # The documents were read in the Dask workers (their task runs log there), not in the flow.
    assert workers_log.read_text().count("Task run 'process") == 3
    assert ", cached)" not in first
    for table in TABLES:
        assert (tmp_path / "dask" / table).read_bytes() == (tmp_path / "embedded" / table).read_bytes(), table
    # the results are cached (JSON, by the flow) in the shared result storage
    assert len([p for p in (storage / "rectrack" / "documents").rglob("*") if p.is_file()]) >= 3

    again = _rectrack([str(inbox), "--out", str(tmp_path / "dask-again"), *cluster], tmp_path / "home-dask",
                      tmp_path / "dask-again.log")
    assert again.count(", cached)") == 3
    assert workers_log.read_text().count("Task run 'process") == 3   # nothing new sent to the cluster
    for table in TABLES:
        assert (tmp_path / "dask-again" / table).read_bytes() == (tmp_path / "dask" / table).read_bytes(), table


def test_the_task_runner_is_dask_only_with_an_address() -> None:
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    from rectrack.flows.documents import document_task_runner

    assert isinstance(document_task_runner(None), ThreadPoolTaskRunner)
    runner = document_task_runner("tcp://10.0.0.5:8786")
    assert isinstance(runner, DaskTaskRunner) and runner.address == "tcp://10.0.0.5:8786"


def test_use_cluster_sets_the_address_and_an_absolute_result_storage(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from rectrack.flows import settings

    monkeypatch.chdir(tmp_path)
    environ: dict[str, str] = {}
    settings.use_cluster("tcp://10.0.0.5:8786", Path("shared/results"), environ)
    assert environ == {"RECTRACK_DASK_ADDRESS": "tcp://10.0.0.5:8786",
                       "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(tmp_path / "shared" / "results")}
    assert (tmp_path / "shared" / "results").is_dir()
    assert settings.dask_address(environ) == "tcp://10.0.0.5:8786"
    assert settings.dask_address({}) is None


@pytest.mark.slow
@pytest.mark.serve
def test_serve_runs_the_scheduled_documents_on_the_dask_cluster(dask_cluster: tuple[str, Path],
                                                                tmp_path: Path) -> None:
    from rectrack.flows.server import start_server, wait_until_healthy
    from tests.test_serve import tracker_rows, wait_for

    address, workers_log = dask_cluster
    home, inbox, out, log = tmp_path / "home", tmp_path / "inbox", tmp_path / "out", tmp_path / "serve.log"
    home.mkdir()
    inbox.mkdir()
    port = free_port()
    server = start_server(home, port)
    serving = None
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/api", server, home / "server.log")
        env = dict(os.environ, PREFECT_API_URL=f"http://127.0.0.1:{port}/api", PREFECT_HOME=str(home))
        command = [sys.executable, "-m", "rectrack.flows.cli", "serve", "--inbox", str(inbox), "--out", str(out),
                   "--interval", "5", "--dask-address", address, "--result-storage", str(tmp_path / "shared")]
        with log.open("wb") as handle:
            serving = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        shutil.copy(SAMPLES / "tajikistan2011.pdf", inbox)
        wait_for(lambda: tracker_rows(out) > 0, "tracker.csv with rows", log)
    finally:
        if serving is not None:
            stop_process_group(serving)
        stop_process_group(server)
    assert tracker_rows(out) == 142
    assert "Task run 'process tajikistan2011.pdf'" in workers_log.read_text()
    assert len(list((tmp_path / "shared").iterdir())) >= 1
    assert not living(groups=[serving.pid, server.pid]), "serve or the server left processes behind"


@pytest.mark.slow
def test_on_a_cluster_a_task_reads_a_chunk_of_files(dask_cluster: tuple[str, Path], tmp_path: Path) -> None:
    """20 files on 2 worker threads: 2 files a task, 10 tasks, every file read."""
    from rectrack.flows.documents import files_per_task

    address, workers_log = dask_cluster
    inbox = tmp_path / "in"
    inbox.mkdir()
    for copy in range(20):   # each copy with its own bytes, so nothing is cached
        (inbox / f"{copy:02d}-algeria2008.pdf").write_bytes((SAMPLES / "algeria2008.pdf").read_bytes()
                                                            + b"\n%% copy %d\n" % copy)
    assert files_per_task(20, 2) == 2
    _rectrack([str(inbox), "--out", str(tmp_path / "out"), "--dask-address", address, "--result-storage",
               str(tmp_path / "results"), "--verbose"], tmp_path / "home", tmp_path / "run.log")
    assert workers_log.read_text().count("Task run 'process") == 10
    assert workers_log.read_text().count(" and 1 more") == 10
    documents = (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len(documents) == 20 and not any(",failed," in line for line in documents)   # copies: "skipped"
