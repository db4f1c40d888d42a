"""A real ``rectrack`` command in a subprocess, watched: every process of its tree, their memory, leftovers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def command_environment(prefect_home: Path) -> dict[str, str]:
    """The test's environment, with a Prefect home of the command's own and no server to talk to."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("PREFECT_API_URL", "RECTRACK_OWNER") and not name.startswith("RECTRACK_MAX_")}
    return {**env, "PREFECT_HOME": str(prefect_home), "PYTHONPATH": str(ROOT)}


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


class WatchedCommand:
    """``python -c script`` (or ``-m rectrack.flows.cli ARGS``) started now; its tree sampled every 0.1 s."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, log: Path, script: str | None = None):
        command = [sys.executable, "-c", script, *args] if script else [sys.executable, "-m", "rectrack.flows.cli", *args]
        self.log = log
        with log.open("wb") as handle:
            # SIGINT at its default in the command, as in a terminal, even when this process was started in
            # the background of a shell (which ignores SIGINT there, and an ignored signal stays ignored
            # across exec: Python would not install its KeyboardInterrupt handler).
            self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT,
                                            preexec_fn=_default_sigint)
        self.root = psutil.Process(self.process.pid)
        self.seen: dict[int, psutil.Process] = {}
        self.peak_rss = 0
        self.at_peak: dict[str, int] = {}   # command line -> resident MiB, when the sum peaked
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                tree = []
            sizes = {}
            for process in tree:
                self.seen.setdefault(process.pid, process)
                try:
                    sizes[f"{process.pid} {' '.join(process.cmdline())[:80]}"] = process.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            if sum(sizes.values()) > self.peak_rss:
                self.peak_rss = sum(sizes.values())
                self.at_peak = {line: size >> 20 for line, size in sizes.items()}
            time.sleep(0.1)

    def descendants(self) -> list[psutil.Process]:
        return [p for pid, p in self.seen.items() if pid != self.process.pid]

    def wait_for(self, predicate, timeout: float = 120) -> bool:
        """Wait until ``predicate(descendants)`` holds (True) or the command ends or time is up (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if predicate(self.descendants()):
                return True
            time.sleep(0.1)
        return False

    def signal(self, number: signal.Signals) -> None:
        self.process.send_signal(number)

    def finish(self, timeout: float = 600) -> int:
        """Wait for the command's exit code (the sampler stops)."""
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._stop.set()
            self._sampler.join()

    def leftovers(self, timeout: float = 20) -> list[str]:
        """Command lines of processes of its tree still alive ``timeout`` seconds after it ended."""
        deadline = time.monotonic() + timeout
        while (alive := [p for p in self.descendants() if not _gone(p)]) and time.monotonic() < deadline:
            time.sleep(0.2)
        names = []
        for process in alive:
            try:
                names.append(" ".join(process.cmdline())[:160])
            except psutil.NoSuchProcess:
                continue
        return names

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def is_reader(process: psutil.Process) -> bool:
    try:
        line = " ".join(process.cmdline())
    except psutil.NoSuchProcess:
        return False
    return "multiprocessing.spawn" in line and "resource_tracker" not in line
