"""A ``prefect server`` for schedules: the one in ``PREFECT_API_URL``, or one started here.

Schedules need a real Prefect server (the temporary one Prefect starts on its
own refuses to schedule). :func:`prefect_server` uses the server named by
``PREFECT_API_URL`` when set; otherwise it starts ``prefect server start`` on
127.0.0.1 and a free port, with this project's ``PREFECT_HOME``, waits until
it answers, and stops it (and everything it started) on exit. No prefect
import here: the API URL has to be in the environment before prefect is imported.
"""

from __future__ import annotations

from rectrack.flows import settings

import importlib.util
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rectrack.extractors.errors import ServerError

STARTUP_TIMEOUT_SECONDS = 120.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_healthy(api_url: str) -> bool:
    """Whether the Prefect API at ``api_url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def prefect_executable() -> str:
    """The ``prefect`` command of this Python environment."""
    beside = Path(sys.executable).with_name("prefect")
    return str(beside) if beside.exists() else "prefect"


def start_server(home: Path, port: int) -> subprocess.Popen:
    """Start ``prefect server start`` in its own process group, output in ``home/server.log``."""
    env = dict(os.environ, PREFECT_HOME=str(home))
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("ab")
    command = [prefect_executable(), "server", "start", "--host", "127.0.0.1",
               "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def wait_until_healthy(api_url: str, process: subprocess.Popen, log: Path,
                       timeout: float = STARTUP_TIMEOUT_SECONDS, interval: float = 0.5) -> None:
    """Return once ``api_url`` answers; raise :class:`ServerError` if the server dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_healthy(api_url):
            return
        if process.poll() is not None:
            raise ServerError(log, f"prefect server exited with code {process.returncode}",
                              "read this log; another server on the same PREFECT_HOME may be running")
        time.sleep(interval)
    raise ServerError(log, f"prefect server did not answer within {timeout:.0f} s",
                      "read this log, or start one yourself and set PREFECT_API_URL")


def stop_process_group(process: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop ``process`` and its children (its own process group): SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass


@contextmanager
def prefect_server() -> Iterator[str]:
    """Yield the API URL of a running Prefect server, starting one if none is configured.

    With ``PREFECT_API_URL`` set, checks it answers (raises
    :class:`ServerError` if not) and leaves it alone. Otherwise starts one,
    sets ``PREFECT_API_URL`` for this process and its children, and stops
    the server when the block exits.
    """
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        if not is_healthy(configured):
            raise ServerError(configured, "no Prefect server answers at PREFECT_API_URL",
                              "start it (prefect server start) or unset PREFECT_API_URL")
        yield configured
        return
    with own_server(free_port()) as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        try:
            yield api_url
        finally:
            os.environ.pop("PREFECT_API_URL", None)


@contextmanager
def own_server(port: int) -> Iterator[str]:
    """Start ``prefect server start`` on this project's home and ``port``; yield its API URL; stop it.

    Raises :class:`ServerError` when it does not come up (e.g. the port is taken).
    """
    api_url = f"http://127.0.0.1:{port}/api"
    if is_healthy(api_url):
        raise ServerError(api_url, f"a Prefect server already answers on port {port}",
                          "open it in the browser, or choose another port with --port")
    process = start_server(settings.PREFECT_HOME, port)
    try:
        wait_until_healthy(api_url, process, settings.PREFECT_HOME / "server.log")
        yield api_url
    finally:
        stop_process_group(process)


def trigger_command(api_url: str, flow_name: str, deployment: str) -> str:
    """The shell command that runs ``flow_name/deployment`` now on the server at ``api_url``.

    Ready to paste as it is into any terminal: the API URL is given on the
    command line (a new shell would otherwise talk to a temporary server of
    its own, which knows no deployment), ``prefect`` is named by its full path
    (the project's virtual environment need not be active) and the deployment
    name is quoted for the shell.
    """
    return (f"PREFECT_API_URL={shlex.quote(api_url)} {shlex.quote(prefect_executable())} "
            f"deployment run {shlex.quote(f'{flow_name}/{deployment}')}")



class TemporaryServer:
    """The temporary Prefect server of one ``rectrack run``, started before the flow is even imported.

    Prefect would start the same server (uvicorn on ``prefect.server.api.server:create_app``, UI off,
    ephemeral mode) on the flow's first API call, then wait ~3.5 s for it (~10 s when it creates its
    database), after the ~2 s the command spends importing the flow and its own server module. Started
    here, it boots in its own process while this one imports, and Prefect, finding ``PREFECT_API_URL``
    set, never imports its server module. :meth:`wait` returns once it answers; :meth:`stop` ends it
    (its process group: SIGTERM, SIGKILL after a grace period).
    """

    def __init__(self, home: Path) -> None:
        port = free_port()
        self.started = time.monotonic()
        self.api_url = f"http://127.0.0.1:{port}/api"
        self.log = home / "temporary-server.log"
        home.mkdir(parents=True, exist_ok=True)
        spec = importlib.util.find_spec("prefect")     # found, not imported: settings are read at import
        app_dir = Path(spec.origin).parent.parent
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
                 "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
                 "--log-level", "error", "--lifespan", "on"],
                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def wait(self) -> None:
        """Return once the server answers; raises :class:`ServerError` naming its log if it dies or never does.

        Logs when it answered on Prefect's logger (so the run's history has it, as it has Prefect's own line).
        """
        wait_until_healthy(self.api_url, self.process, self.log, interval=0.1)
        import logging

        logging.getLogger("prefect").info("Temporary server on %s, started with the command, answered after %.1f s",
                                          self.api_url.removesuffix("/api"), time.monotonic() - self.started)

    def stop(self) -> None:
        stop_process_group(self.process, grace=5.0)


@contextmanager
def temporary_server() -> Iterator[TemporaryServer | None]:
    """A :class:`TemporaryServer` for this command, its URL in ``PREFECT_API_URL`` while inside.

    None (nothing started) when ``PREFECT_API_URL`` already names a server, or when prefect is already
    imported in this process (its settings are fixed then: a caller such as a test harness has its own
    server, and Prefect starts one itself otherwise).
    """
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        yield None
        return
    server = TemporaryServer(settings.PREFECT_HOME)
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        yield server
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()
