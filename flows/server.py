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
import shutil
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

# A new PREFECT_HOME's server spends ~6 s of a ~9.5 s start creating its SQLite database (Alembic's
# migrations, then Prefect's block types registered); with an existing one it answers in ~3 s. The
# first server that creates a database on this machine leaves a copy of it, just migrated and with
# nothing of any run in it (the migrations' version row and Prefect's own block types and schemas),
# under the user's cache folder, one per Prefect version; a server on a new home starts from that copy.
DATABASE = "prefect.db"
BLOCK_MEMO = "memo_store.toml"
_DATABASE_URLS = ("PREFECT_API_DATABASE_CONNECTION_URL", "PREFECT_SERVER_DATABASE_CONNECTION_URL")


def database_template_dir(environ: dict[str, str] | None = None) -> Path | None:
    """Where the migrated empty database of the installed Prefect version is kept; None: not used.

    ``$RECTRACK_CACHE_DIR``, else ``$XDG_CACHE_HOME/rectrack``, else ``~/.cache/rectrack``; not used
    when Prefect is told to use another database (``PREFECT_API_DATABASE_CONNECTION_URL``) or when
    ``RECTRACK_CACHE_DIR`` is empty.
    """
    env = os.environ if environ is None else environ
    if any(env.get(name) for name in _DATABASE_URLS):
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        prefect_version = version("prefect")
    except PackageNotFoundError:
        return None
    root = env.get("RECTRACK_CACHE_DIR")
    if root == "":
        return None
    base = Path(root) if root else Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rectrack"
    return base / f"prefect-{prefect_version}"


def seed_database(home: Path, template: Path | None) -> bool:
    """Put the template database into ``home`` when it has none; True if it did.

    The copy lands under a temporary name and is renamed, so a server never sees half a file; a
    template that SQLite does not read as a migrated database is ignored (the server then creates
    the database itself, as without one).
    """
    if template is None or (home / DATABASE).exists() or not (template / DATABASE).is_file():
        return False
    if not _is_migrated(template / DATABASE):
        return False
    home.mkdir(parents=True, exist_ok=True)
    for name in (DATABASE, BLOCK_MEMO):
        source = template / name
        if source.is_file() and not (home / name).exists():
            partial = home / f".{name}.{os.getpid()}.partial"
            shutil.copyfile(source, partial)
            os.replace(partial, home / name)
    return True


def keep_database_template(home: Path, template: Path | None) -> bool:
    """Copy ``home``'s database, just created by a server that now answers, as the template; True if it did.

    SQLite's backup API reads one consistent state while the server has it open. Nothing is kept
    when a template exists already, or when the database holds anything beyond what Prefect's start
    writes (a flow run, a deployment...).
    """
    if template is None or (template / DATABASE).exists() or not (home / DATABASE).is_file():
        return False
    import sqlite3

    template.mkdir(parents=True, exist_ok=True)
    partial = template / f".{DATABASE}.{os.getpid()}.partial"
    try:
        source = sqlite3.connect(f"file:{home / DATABASE}?mode=ro", uri=True, timeout=5)
        try:
            if source.execute("SELECT count(*) FROM flow_run").fetchone()[0]:
                return False
            target = sqlite3.connect(partial)
            with target:
                source.backup(target)
            target.close()
        finally:
            source.close()
        if not _is_migrated(partial):
            partial.unlink(missing_ok=True)
            return False
        if (home / BLOCK_MEMO).is_file():
            shutil.copyfile(home / BLOCK_MEMO, template / f".{BLOCK_MEMO}.{os.getpid()}.partial")
            os.replace(template / f".{BLOCK_MEMO}.{os.getpid()}.partial", template / BLOCK_MEMO)
        os.replace(partial, template / DATABASE)
        return True
    except (sqlite3.Error, OSError):
        partial.unlink(missing_ok=True)
        return False


def _is_migrated(path: Path) -> bool:
    """Whether ``path`` is an SQLite database that SQLite checks as sound and that names its migration."""
    import sqlite3

    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            sound = connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            return sound and bool(connection.execute("SELECT version_num FROM alembic_version").fetchone())
        finally:
            connection.close()
    except sqlite3.Error:
        return False


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
    template = database_template_dir()
    new_home = not seed_database(settings.PREFECT_HOME, template) and not (settings.PREFECT_HOME / DATABASE).exists()
    process = start_server(settings.PREFECT_HOME, port)
    try:
        wait_until_healthy(api_url, process, settings.PREFECT_HOME / "server.log")
        if new_home:
            keep_database_template(settings.PREFECT_HOME, template)
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
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.template = database_template_dir()
        self.seeded = seed_database(home, self.template)
        self.new_database = not self.seeded and not (home / DATABASE).exists()
        spec = importlib.util.find_spec("prefect")     # found, not imported: settings are read at import
        app_dir = Path(spec.origin).parent.parent
        env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
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
        answered = time.monotonic() - self.started
        kept = self.new_database and keep_database_template(self.home, self.template)
        import logging

        origin = (" (its database copied from the template)" if self.seeded
                  else f" (its database created; kept as the template in {self.template})" if kept else "")
        logging.getLogger("prefect").info("Temporary server on %s, started with the command, answered after %.1f s%s",
                                          self.api_url.removesuffix("/api"), answered, origin)

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
