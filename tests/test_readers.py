"""Reader processes: limits per document, and a reader that dies fails only its document.

Real reader processes run :func:`tests.misbehaving_readers.misbehave`, which
crashes, spins or eats memory on files named for it and reads real UPR reports
otherwise; the real reports' results must be exactly what a plain
``process_document`` gives.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from rectrack.extractors.read.limits import Limits
from rectrack.extractors.files import file_sha256
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import Status
from rectrack.flows.readers import ReadersClosed, Readers, death_result, read_alone
from tests.misbehaving_readers import misbehave
from tests.process_tree import is_reader

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "upr"
REPORTS = ("algeria2008.pdf", "tajikistan2011.pdf", "afghanistan2014.pdf")


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Three real UPR reports, plus a copy of one under each misbehaving name."""
    for name in REPORTS:
        shutil.copy(SAMPLES / name, tmp_path / name)
    for prefix in ("crash", "spin", "hog", "slow"):
        shutil.copy(SAMPLES / REPORTS[0], tmp_path / f"{prefix}-{REPORTS[0]}")
    return tmp_path


def _read_all(readers: Readers, folder: Path, names: list[str]) -> dict[str, object]:
    """Read ``names`` two at a time, as the flow's two task threads do."""
    with ThreadPoolExecutor(max_workers=2) as threads:
        futures = {name: threads.submit(readers.read, folder / name, folder, file_sha256(folder / name))
                   for name in names}
        return {name: future.result() for name, future in futures.items()}


def _assert_read_as_usual(results: dict, folder: Path) -> None:
    for name in REPORTS:
        expected = process_document(folder / name, folder, file_sha256(folder / name))
        assert results[name] == expected
        assert expected.recommendations


@pytest.mark.parametrize("prefix, limits, kind, said", [
    ("crash-", Limits(), "crash", "crashed on it (SIGSEGV)"),                          # a segfault, twice
    ("spin-", Limits(max_seconds=1), "limit", "more than 1 s of CPU time, over the limit of 1 s (RECTRACK_MAX_SECONDS)"),
    ("hog-", Limits(max_memory_mb=400), "limit", "more than 400 MB of memory, over the limit of 400 MB (RECTRACK_MAX_MEMORY_MB)"),
], ids=["segfault", "cpu-time", "memory"])
def test_a_document_that_kills_or_overruns_its_reader_fails_alone(folder: Path, prefix: str, limits: Limits,
                                                                  kind: str, said: str) -> None:
    readers = Readers(2, limits, work=misbehave)
    try:
        results = _read_all(readers, folder, [prefix + REPORTS[0], *REPORTS])
    finally:
        readers.close()
    bad = results[prefix + REPORTS[0]]
    assert bad.status is Status.FAILED and not bad.recommendations
    [problem] = bad.problems
    assert (problem.document, problem.kind) == (prefix + REPORTS[0], kind)
    assert said in problem.reason
    _assert_read_as_usual(results, folder)


def test_a_document_that_waits_without_working_is_stopped_by_the_clock(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``slow-`` sleeps 3 s (no CPU time): the wall-clock limit, here 2 s, stops it; the other document,
    whose reader was killed with the pool, is read again alone."""
    import rectrack.flows.readers as readers_module

    monkeypatch.setattr(readers_module, "wall_seconds", lambda limits: 2)
    readers = Readers(2, Limits(), work=misbehave)
    try:
        results = _read_all(readers, folder, ["slow-" + REPORTS[0], REPORTS[1]])
    finally:
        readers.close()
    problem = results["slow-" + REPORTS[0]].problems[0]
    assert problem.kind == "limit" and "did not finish within 2 s" in problem.reason
    assert results[REPORTS[1]] == process_document(folder / REPORTS[1], folder, file_sha256(folder / REPORTS[1]))


def test_files_handed_over_together_come_back_in_order_and_a_crash_among_them_fails_alone(folder: Path) -> None:
    """``read_many`` queues a task's files at once: the crash breaks the pool with files still queued behind
    it, and those are read again (alone) with the same results."""
    names = [REPORTS[0], "crash-" + REPORTS[0], REPORTS[1], REPORTS[2]]
    readers = Readers(2, Limits(), work=misbehave)
    try:
        results = readers.read_many([folder / name for name in names], folder,
                                    [file_sha256(folder / name) for name in names])
        again = readers.read_many([folder / REPORTS[2]], folder, [file_sha256(folder / REPORTS[2])])
    finally:
        readers.close()
    assert [result.document for result in results] == names
    assert results[1].status is Status.FAILED and "crashed on it (SIGSEGV)" in results[1].problems[0].reason
    _assert_read_as_usual(dict(zip(names, results)), folder)
    assert again == [results[3]]   # the replaced pool reads as usual


def _readers_of(readers: Readers) -> list[psutil.Process]:
    """The live reader processes of ``readers`` (every pool it made), and of no other test's."""
    found = []
    for pool in readers._pools:
        for process in list((pool._processes or {}).values()):
            try:
                child = psutil.Process(process.pid)
            except (psutil.NoSuchProcess, ValueError, TypeError):
                continue
            if is_reader(child) and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
    return found


def test_a_reader_killed_mid_document_is_replaced_and_the_document_read_again(folder: Path) -> None:
    readers = Readers(1, Limits(), work=misbehave)
    slow = "slow-" + REPORTS[0]
    try:
        with ThreadPoolExecutor(max_workers=1) as thread:
            future = thread.submit(readers.read, folder / slow, folder, file_sha256(folder / slow))
            deadline = time.monotonic() + 60
            while not _readers_of(readers) and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.5)  # it is in the middle of the document now
            victims = _readers_of(readers)
            assert len(victims) == 1
            victims[0].send_signal(signal.SIGKILL)
            result = future.result(timeout=120)
        # read again, alone: the same result as an undisturbed read
        assert result == process_document(folder / slow, folder, file_sha256(folder / slow))
        # and the replaced pool reads the next document as usual
        _assert_read_as_usual(_read_all(readers, folder, list(REPORTS)), folder)
        assert victims[0].pid not in [p.pid for p in _readers_of(readers)]
    finally:
        readers.close()


def test_readers_leave_no_process_behind(folder: Path) -> None:
    readers = Readers(2, Limits(), work=misbehave)
    _read_all(readers, folder, list(REPORTS))
    started = _readers_of(readers)
    assert started
    readers.close()
    gone, alive = psutil.wait_procs(started, timeout=10)
    assert not alive


def test_how_a_reader_died_is_said_in_words(folder: Path) -> None:
    path, limits = folder / REPORTS[0], Limits(max_seconds=7)
    said = {code: death_result(path, folder, "", code, limits).problems[0]
            for code in (None, -signal.SIGXCPU, -signal.SIGKILL, -signal.SIGABRT, -signal.SIGBUS, 3)}
    assert "did not finish within 74 s" in said[None].reason and said[None].kind == "limit"
    assert "7 s of CPU time" in said[-signal.SIGXCPU].reason
    assert "killed" in said[-signal.SIGKILL].reason and said[-signal.SIGKILL].kind == "crash"
    assert "SIGABRT" in said[-signal.SIGABRT].reason and "RECTRACK_MAX_MEMORY_MB" in said[-signal.SIGABRT].reason
    assert "SIGBUS" in said[-signal.SIGBUS].reason
    assert "code 3" in said[3].reason
    assert all(problem.document == REPORTS[0] for problem in said.values())


def test_a_document_read_alone_gives_the_same_result(folder: Path) -> None:
    path = folder / REPORTS[1]
    assert read_alone(process_document, path, folder, file_sha256(path), Limits()) == \
        process_document(path, folder, file_sha256(path))


def test_reading_a_upr_report_does_not_load_spacy(folder: Path) -> None:
    """Every reader process would pay spaCy's import (about half a second) for nothing: the UPR segmenters
    need only the word lists."""
    script = ("import sys; from pathlib import Path; from rectrack.extractors.pipeline import process_document; "
              f"process_document(Path({str(folder / REPORTS[1])!r}), Path({str(folder)!r}), ''); "
              "print('spacy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"


def test_the_command_line_module_imports_nothing_heavy() -> None:
    """A spawned reader first imports its parent's main module (the ``rectrack`` command:
    :mod:`rectrack.flows.cli`): pandas there cost each reader ~1.5 s of the run (measured 2026-12-05)."""
    script = ("import sys; import rectrack.flows.cli; "
              "print(sorted(m for m in ('pandas', 'prefect', 'spacy', 'numpy', 'openpyxl') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"


def _stopped_within(readers: Readers, files: list[Path], folder: Path, seconds: float, pools: int = 1):
    """Hand ``files`` to ``readers`` in a thread, close the readers once they are busy (and ``pools`` pools
    were made: 2 once a crash has replaced the first); how it ended."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        future = thread.submit(readers.read_many, files, folder, ["" for _ in files])
        deadline = time.monotonic() + 60
        while (not _readers_of(readers) or len(readers._pools) < pools) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2.0)                    # the stuck readers are asleep now, deaf to SIGTERM
        started = time.monotonic()
        alive = readers.close(timeout=5)
        closed_in = time.monotonic() - started
        with pytest.raises(ReadersClosed):
            future.result(timeout=seconds)
        return closed_in, alive, time.monotonic() - started


@pytest.mark.parametrize("names", [["stuck-a.pdf", "stuck-b.pdf"], ["crash-a.pdf", "stuck-b.pdf"]],
                         ids=["two stuck readers", "a stuck reader beside one that crashed"])
def test_closing_readers_never_waits_for_a_stuck_reader(folder: Path, names: list[str]) -> None:
    for name in names:
        shutil.copy(folder / REPORTS[0], folder / name)
    readers = Readers(2, Limits(), work=misbehave)
    pools_before = len(readers._pools)
    # Beside a reader deaf to SIGTERM, Python's executor does not report its pool broken (its own thread
    # waits to join that reader), so no replacement is waited for here: close() must end it all anyway.
    closed_in, alive, ended_in = _stopped_within(readers, [folder / n for n in names], folder, 10,
                                                 pools=pools_before)
    assert alive == [] and closed_in < 6 and ended_in < 10
    assert _readers_of(readers) == [] and not readers._alone
    with pytest.raises(ReadersClosed):                     # closed: nothing new is started
        readers.read(folder / REPORTS[0], folder, "")
