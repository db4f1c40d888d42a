"""This machine's document readers: worker processes that may die without taking the batch with them.

On the embedded task runner every document is read in a reader process, never
in the flow's own: pdfium is not thread-safe, and a file that crashes it or
eats all memory must not stop the run. What a reader may use is bounded by the
per-document limits (:class:`~rectrack.extractors.read.limits.Limits`):

- memory: each reader's address space is capped at ``max_memory_mb``; a
  document that needs more fails in its reader (Python's ``MemoryError``, or
  pdfium aborting);
- time: before each document the reader's CPU-time limit is set to what it has
  used plus ``max_seconds``, so the kernel ends a reader that spins, even
  inside pdfium; a document that waits without working (a stuck file system)
  is given up after :func:`wall_seconds`.

A reader that dies (killed, out of memory, a segmentation fault, over its CPU
time) breaks its pool, and with it every document handed to the pool and not
yet read (the tasks hand over all their files at once). The pool is replaced
once, and each of those documents is read again alone, in a process of its
own: the one that kills that process too gets a ``failed`` result saying how
it died, the others are read as usual.

Stopping never waits on a reader: readers ignore SIGINT (a Ctrl-C reaches the
whole foreground process group; the run that received it stops them), and
:meth:`Readers.close` and :func:`stop_all` kill the processes of every pool a
run made (replaced ones included) and of every document read alone, then wait a
bounded time for them to be gone; the executors are shut down without waiting.
"""

from __future__ import annotations

import math
import os
import multiprocessing
import resource
import signal
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import suppress
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection, wait
from pathlib import Path

from rectrack.extractors.read.limits import Limits, refuse
from rectrack.extractors.files import relative_name
from rectrack.extractors.pipeline import error_result, failed_result, process_document
from rectrack.extractors.records import DocumentResult

Work = Callable[[Path, Path, str], DocumentResult]

_MB = 1 << 20
# spawn, not fork: the flow's process runs Prefect's threads.
_CONTEXT = multiprocessing.get_context("spawn")
_REPORT_IT = "report it with the file attached; the rest of the batch was processed"


def wall_seconds(limits: Limits) -> float:
    """How long a document may take by the clock before its reader is stopped: twice its CPU time, plus a minute."""
    return 2 * limits.max_seconds + 60


def start_reader(limits: Limits) -> None:
    """Set up a reader process: memory capped at ``max_memory_mb``, no core files when it crashes, and
    SIGINT ignored (the parent stops its readers; see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limits.max_memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def read_in_reader(work: Work, path: Path, root: Path, sha256: str, limits: Limits) -> DocumentResult:
    """``work(path, root, sha256)`` with at most ``max_seconds`` of CPU time; running out of memory is a result."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + limits.max_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    try:
        return work(path, root, sha256)
    except MemoryError:
        error = refuse(path, f"reading it needed more than {limits.max_memory_mb:,} MB of memory",
                       "max_memory_mb", limits.max_memory_mb, " MB")
        return error_result(relative_name(path, root), sha256, error)


def _read_alone(connection: Connection, work: Work, path: Path, root: Path, sha256: str, limits: Limits) -> None:
    start_reader(limits)
    connection.send(read_in_reader(work, path, root, sha256, limits))


def death_result(path: Path, root: Path, sha256: str, exitcode: int | None, limits: Limits) -> DocumentResult:
    """The result of a document whose own reader died with ``exitcode`` (None: stopped after :func:`wall_seconds`)."""
    name = relative_name(path, root)
    if exitcode is None:
        error = refuse(path, f"reading it did not finish within {wall_seconds(limits):,.0f} s", "max_seconds",
                       limits.max_seconds, " s")
        return error_result(name, sha256, error)
    if exitcode == -signal.SIGXCPU:
        error = refuse(path, f"reading it took more than {limits.max_seconds:,} s of CPU time", "max_seconds",
                       limits.max_seconds, " s")
        return error_result(name, sha256, error)
    if exitcode == -signal.SIGKILL:
        return failed_result(name, sha256, "its reader process was killed (by the system, when memory runs "
                             "short, or by someone)",
                             "run again; if it happens again, free memory or lower RECTRACK_MAX_MEMORY_MB so a "
                             "document that needs too much fails alone", "crash")
    if exitcode < 0:
        how = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else f"signal {-exitcode}"
        hint = " (an abort is often memory running out under RECTRACK_MAX_MEMORY_MB)" if how == "SIGABRT" else ""
        return failed_result(name, sha256, f"its reader process crashed on it ({how}){hint}", _REPORT_IT, "crash")
    return failed_result(name, sha256, f"its reader process exited with code {exitcode}", _REPORT_IT, "crash")


def read_alone(work: Work, path: Path, root: Path, sha256: str, limits: Limits,
               running: set | None = None) -> DocumentResult:
    """Read one document in a new process of its own; if that process dies, a result saying how.

    The process is in ``running`` (default: this module's own set, see :func:`stop_all`) while it reads."""
    running = _ALONE if running is None else running
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_read_alone, args=(sender, work, path, root, sha256, limits),
                               name="rectrack-reader", daemon=True)
    process.start()
    running.add(process)
    sender.close()
    try:
        if wait([receiver, process.sentinel], timeout=wall_seconds(limits)):
            try:
                return receiver.recv()
            except EOFError:  # it died before sending
                process.join()
                return death_result(path, root, sha256, process.exitcode, limits)
        process.kill()
        process.join()
        return death_result(path, root, sha256, None, limits)
    finally:
        receiver.close()
        process.join(timeout=5)
        running.discard(process)


class ReadersClosed(RuntimeError):
    """A document was handed to readers that :meth:`Readers.close` had stopped."""


class Readers:
    """A pool of ``workers`` reader processes for one flow run, replaced when one of them dies.

    :meth:`read` and :meth:`read_many` may be called from several threads at once (the task runner's).
    ``work`` is what a reader does with a file (:func:`process_document`).
    """

    def __init__(self, workers: int, limits: Limits, work: Work = process_document) -> None:
        self.workers, self.limits, self.work = workers, limits, work
        self._lock = threading.Lock()
        self._pool, self._generation = self._new_pool(), 0
        self._pools = [self._pool]          # every pool made, replaced ones too: all are stopped by close()
        self._closed = False
        self._alone: set = set()            # processes reading a document alone, for close()
        _LIVE.add(self)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=_CONTEXT, initializer=start_reader,
                                   initargs=(self.limits,))

    def read(self, path: Path, root: Path, sha256: str) -> DocumentResult:
        """The result of reading ``path``, whatever happens to the reader that reads it."""
        return self.read_many([path], root, [sha256])[0]

    def read_many(self, paths: Sequence[Path], root: Path, sha256s: Sequence[str]) -> list[DocumentResult]:
        """The results of reading each of ``paths``, in order, whatever happens to the readers.

        All are handed to the pool at once, so a reader never waits for the
        caller to collect one result before it gets the next file. The clock
        limit (:func:`wall_seconds`) of a file counts from when the one before it
        was collected.
        """
        with self._lock:
            pool, generation = self._pool, self._generation
        futures = [_submit(pool, self.work, path, root, sha256, self.limits) for path, sha256 in zip(paths, sha256s)]
        return [self._collect(future, pool, generation, path, root, sha256)
                for future, path, sha256 in zip(futures, paths, sha256s)]

    def _collect(self, future: Future | None, pool: ProcessPoolExecutor, generation: int, path: Path, root: Path,
                 sha256: str) -> DocumentResult:
        """``future``'s result; if its pool broke (or it took too long), the document read again alone."""
        if future is not None:
            try:
                return future.result(timeout=wall_seconds(self.limits))
            except TimeoutError:
                _kill_readers(pool)
            except BrokenProcessPool:
                pass
        self._replace(generation)
        if self._closed:        # the run is being stopped: start nothing more
            raise ReadersClosed(f"{path.name}: not read, the readers were stopped")
        result = read_alone(self.work, path, root, sha256, self.limits, self._alone)
        if self._closed:        # its process was killed by close(), not by the document
            raise ReadersClosed(f"{path.name}: not read, the readers were stopped")
        return result

    def _replace(self, generation: int) -> None:
        """A new pool in place of the broken one of ``generation`` (once, whichever thread sees it first)."""
        with self._lock:
            if generation != self._generation or self._closed:
                return
            broken, self._pool, self._generation = self._pool, self._new_pool(), generation + 1
            self._pools.append(self._pool)
        _kill_readers(broken)       # a reader still reading in a broken pool would be waited for at exit
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self, timeout: float = 5.0) -> list[int]:
        """Stop the readers of every pool made (documents still being read are abandoned), waiting at
        most ``timeout`` seconds for them to be gone; returns the pids still alive (normally none)."""
        with self._lock:
            pools, self._closed = list(self._pools), True
        alone = list(self._alone)
        for process in alone:
            with suppress(OSError, ValueError, AttributeError):
                process.kill()
        processes = [process for pool in pools for process in _processes(pool)] + alone
        for pool in pools:
            _kill_readers(pool)
            pool.shutdown(wait=False, cancel_futures=True)
        _LIVE.discard(self)
        return _wait_gone(processes, timeout)


def _submit(pool: ProcessPoolExecutor, work: Work, path: Path, root: Path, sha256: str,
            limits: Limits) -> Future | None:
    """``path`` handed to ``pool``; None when the pool is broken or was replaced (shut down) meanwhile."""
    try:
        return pool.submit(read_in_reader, work, path, root, sha256, limits)
    except (BrokenProcessPool, RuntimeError):
        return None


def _processes(pool: ProcessPoolExecutor) -> list:
    return list((pool._processes or {}).values())


def _kill_readers(pool: ProcessPoolExecutor) -> None:
    """Kill ``pool``'s processes (``ProcessPoolExecutor.terminate_workers`` arrives only in Python 3.14)."""
    for process in _processes(pool):
        with suppress(OSError, ValueError):       # gone already, or closed
            if process.is_alive():
                process.kill()


def _wait_gone(processes: list, timeout: float) -> list[int]:
    """Wait until ``processes`` have exited (reaping them), at most ``timeout`` s; the pids still alive."""
    deadline = time.monotonic() + timeout
    alive = []
    for process in processes:
        with suppress(OSError, ValueError, AssertionError):
            process.join(max(deadline - time.monotonic(), 0.0))
            if process.is_alive() and _running(process.pid):
                alive.append(process.pid)
    return alive


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process. ``Process.is_alive`` says True for a reader the executor's own
    thread reaped first (its wait then fails and the exit code stays unknown): ask the system."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


# Every Readers not yet closed and every document being read alone, in this process: what stop_all stops.
_LIVE: weakref.WeakSet = weakref.WeakSet()
_ALONE: set = set()


def stop_all(timeout: float = 5.0) -> list[int]:
    """Kill every reader this process started (all pools of all open :class:`Readers`, and documents read
    alone), waiting at most ``timeout`` s in all; the pids still alive. For a run being stopped."""
    alone = list(_ALONE)
    for process in alone:
        with suppress(OSError, ValueError, AttributeError):
            process.kill()
    deadline = time.monotonic() + timeout
    alive = [pid for readers in list(_LIVE) for pid in readers.close(max(deadline - time.monotonic(), 0.0))]
    return alive + _wait_gone(alone, max(deadline - time.monotonic(), 0.0))
