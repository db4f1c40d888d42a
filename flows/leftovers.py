"""No process outlives the ``rectrack`` command that started it.

Every process a command starts (Prefect's temporary server, ``prefect server``,
the reader processes, multiprocessing's resource tracker, and whatever those
start) inherits an environment variable naming the command:
``RECTRACK_OWNER=<random token>``. :func:`sweep_when_done` starts a small
watcher in a session of its own, holding the read end of a pipe whose write end
only the command holds. However the command ends (it returns, Ctrl-C, SIGTERM,
SIGKILL, a crash in C code) the kernel closes the pipe, and the watcher stops
every process still carrying the token: SIGTERM, then SIGKILL after a grace
period. Leftovers are found by their environment, not by the process tree, which
is lost when a parent dies (their parent becomes init): the way Jenkins'
ProcessTreeKiller finds a build's leftovers.

Run as ``python -m rectrack.flows.leftovers TOKEN`` (the watcher itself); it
imports nothing heavy.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

OWNER = "RECTRACK_OWNER"
GRACE_SECONDS = 5.0

_watcher: subprocess.Popen | None = None


def sweep_when_done() -> None:
    """Mark every process this one starts from now on, and stop them all when it ends (once per process)."""
    global _watcher
    if _watcher is not None:
        return
    token = secrets.token_hex(8)
    os.environ[OWNER] = token
    environment = {name: value for name, value in os.environ.items() if name != OWNER}
    # The Popen object is kept for the life of this process: its stdin is the pipe's write end.
    _watcher = subprocess.Popen([sys.executable, "-m", "rectrack.flows.leftovers", token], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment,
                                start_new_session=True)


def owned_by(token: str) -> list[int]:
    """The processes (not this one) whose environment carries ``RECTRACK_OWNER=token``."""
    marker = f"{OWNER}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:  # gone, a zombie, or another user's
            continue
        if marker in environment.split(b"\0"):
            found.append(int(entry.name))
    return found


def sweep(token: str, grace: float = GRACE_SECONDS) -> list[int]:
    """Stop every process of ``token``: SIGTERM, then SIGKILL to those alive after ``grace`` seconds."""
    stopped = owned_by(token)
    for pid in stopped:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while (alive := owned_by(token)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in alive:
        _signal(pid, signal.SIGKILL)
    return stopped


def _signal(pid: int, number: signal.Signals) -> None:
    try:
        os.kill(pid, number)
    except (ProcessLookupError, PermissionError):
        pass


def main(token: str) -> None:
    """Wait until the command's end closes the pipe on stdin, then stop what it left behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is for the command; this sweeps after it
    sys.stdin.buffer.read()
    sweep(token)


if __name__ == "__main__":
    main(sys.argv[1])
