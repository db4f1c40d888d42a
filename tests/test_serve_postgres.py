"""`rectrack serve` against a `prefect server` backed by PostgreSQL (Debian's packages; `.ci/run` installs them).

A fresh PostgreSQL cluster in a temporary folder on a free port (run as the
``postgres`` user when the test runs as root: PostgreSQL refuses root), a
`prefect server start` on it, `rectrack serve --interval 5`, one sample
dropped in the inbox; the tracker gets its rows, the flow run is in
PostgreSQL, and nothing is left running afterwards.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rectrack.flows.server import free_port, start_server, stop_process_group, wait_until_healthy
from tests.conftest import SAMPLES, living
from tests.test_serve import tracker_rows, wait_for

pytestmark = [pytest.mark.serve, pytest.mark.slow]
USER = "rectrack"


def postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with ``initdb`` (Debian's layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@pytest.fixture
def postgres() -> Iterator[str]:
    """A running PostgreSQL cluster of our own: its ``postgresql+asyncpg://`` URL for database ``prefect``."""
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL binaries not found in /usr/lib/postgresql/*/bin: "
                    "apt-get install postgresql (.ci/run does)")
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="rectrack-pg-"))   # not under pytest's root-only tmp folder
    if owner:
        user = pwd.getpwnam(owner)
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, port = folder / "data", free_port()
    subprocess.run(_as_owner([str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
                              "-E", "UTF8"], owner), check=True, capture_output=True)
    start = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "postgres.log"), "-w", "-t", "60",
             "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"]
    subprocess.run(_as_owner(start, owner), check=True, capture_output=True)
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    try:
        subprocess.run(_as_owner([str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER,
                                  "prefect"], owner), check=True, capture_output=True)
        yield f"postgresql+asyncpg://{USER}@127.0.0.1:{port}/prefect"
    finally:
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], owner),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    assert not living(pids=[postmaster]), "PostgreSQL still running"


def completed_flow_runs(url: str) -> int:
    """Completed flow runs of the batch flow recorded in the PostgreSQL database at ``url``."""
    import asyncpg

    async def count() -> int:
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            return await connection.fetchval(
                "SELECT count(*) FROM flow_run JOIN flow ON flow.id = flow_run.flow_id "
                "WHERE flow.name = 'process-batch' AND flow_run.state_type = 'COMPLETED'")
        finally:
            await connection.close()

    return asyncio.run(count())


def test_serve_on_a_prefect_server_backed_by_postgresql(postgres: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "prefect-home"
    home.mkdir()
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", postgres)   # for the server started below
    port = free_port()
    server = start_server(home, port)
    api_url = f"http://127.0.0.1:{port}/api"
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "serve.log"
    inbox.mkdir()
    serving = None
    try:
        wait_until_healthy(api_url, server, home / "server.log")
        env = dict(os.environ, PREFECT_API_URL=api_url, PREFECT_HOME=str(home))
        command = [sys.executable, "-m", "rectrack.flows.cli", "serve", "--inbox", str(inbox),
                   "--out", str(out), "--interval", "5"]
        with log.open("wb") as handle:
            serving = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        shutil.copy(SAMPLES / "tajikistan2011.pdf", inbox)
        wait_for(lambda: tracker_rows(out) > 0, "tracker.csv with rows", log)
        wait_for(lambda: completed_flow_runs(postgres) > 0, "a completed flow run in PostgreSQL", log)
        assert serving.poll() is None, log.read_text()
    finally:
        if serving is not None:
            stop_process_group(serving)
        stop_process_group(server)
    assert "sqlite" not in (home / "server.log").read_text().lower()
    assert not list(home.glob("*.db")), "the server used SQLite, not PostgreSQL"
    assert tracker_rows(out) == 142   # tajikistan2011.pdf's recommendations, as in the embedded run
    assert not living(groups=[serving.pid, server.pid]), "serve or the server left processes behind"
