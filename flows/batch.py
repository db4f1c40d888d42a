"""The batch flow: every input file through ``process_document``, then merge and write.

Orchestration only: the work is :func:`extractors.pipeline.process_document`
(one cached task per file) and :func:`extractors.tables.update_outputs` (one
task at the end). A document task is cached on the file's content hash, the
task's source and a fingerprint of the ``extractors`` package, never on its
path: an unchanged file (even moved or renamed) is not read again, a changed
file or changed extractor code is.
"""

from __future__ import annotations

from flows import settings  # noqa: F401  (sets Prefect's environment before prefect is imported)

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE, TASK_SOURCE, CacheKeyFnPolicy
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner

import extractors
from extractors.pipeline import file_sha256, process_document, relative_name
from extractors.records import DocumentResult, Problem, Status
from extractors.tables import RunSummary, update_outputs, with_document_name
from flows.discover import discover_files

ProgressListener = Callable[[int, int, int, str], None]
_progress: ContextVar[ProgressListener | None] = ContextVar("rectrack_progress", default=None)


@cache
def extractors_fingerprint() -> str:
    """A hash of the ``extractors`` package's files: new code, new cache keys."""
    package = Path(extractors.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _content_key(_context: object, parameters: dict) -> str:
    return f"{parameters['sha256']}-{extractors_fingerprint()}"


DOCUMENT_CACHE = CacheKeyFnPolicy(cache_key_fn=_content_key) + TASK_SOURCE


def _task_run_name() -> str:
    from prefect.runtime import task_run

    return f"process {Path(task_run.parameters['path']).name}"


@task(cache_policy=DOCUMENT_CACHE, retries=2, retry_delay_seconds=1,
      task_run_name=_task_run_name)
def process_file(path: str, root: str, sha256: str) -> DocumentResult:
    """Read, detect and segment one file (retried: reading may hit transient I/O errors)."""
    return process_document(Path(path), Path(root), sha256=sha256)


@task(cache_policy=NO_CACHE, persist_result=False)
def write_outputs(results: list[DocumentResult], out_dir: str) -> RunSummary:
    """Merge the results with the previous tables in ``out_dir`` and write them."""
    return update_outputs(Path(out_dir), results)


@contextmanager
def progress_listener(listener: ProgressListener) -> Iterator[None]:
    """Call ``listener(done, total, recommendations, document)`` after each document of flows run inside."""
    token = _progress.set(listener)
    try:
        yield
    finally:
        _progress.reset(token)


def _failed(name: str, sha256: str, reason: str, action: str, kind: str) -> DocumentResult:
    problem = Problem(document=name, reason=reason, action=action, kind=kind)
    return DocumentResult(document=name, sha256=sha256, status=Status.FAILED, problems=(problem,))


def _outcome(future: PrefectFuture, name: str, sha256: str) -> DocumentResult:
    """The task's result named after this run's path, or a failed result saying why."""
    future.wait()
    if future.state.is_completed():
        return with_document_name(future.result(), name)
    return _failed(name, sha256, f"processing stopped with an error: {future.state.message}",
                   "report it with the file attached; the rest of the batch was processed",
                   "error")


def _submit_all(files: list[Path], root: Path, refresh: bool) -> tuple[dict, list[DocumentResult]]:
    """Hash each file and submit its task; files that cannot even be hashed fail here."""
    runner = process_file.with_options(refresh_cache=True) if refresh else process_file
    futures: dict[PrefectFuture, tuple[str, str]] = {}
    unreadable = []
    for path in files:
        name = relative_name(path, root)
        try:
            sha256 = file_sha256(path)
        except OSError as error:
            unreadable.append(_failed(name, "", f"cannot be opened ({error.strerror})",
                                      "check the file exists and is readable", "unreadable"))
            continue
        futures[runner.submit(str(path), str(root), sha256)] = (name, sha256)
    return futures, unreadable


def _process_all(files: list[Path], root: Path, refresh: bool) -> list[DocumentResult]:
    """Run the document tasks (two at a time), logging progress as they finish."""
    logger = get_run_logger()
    futures, results = _submit_all(files, root, refresh)
    listener = _progress.get()
    recommendations = 0
    for result in results:
        logger.warning("%s: %s", result.document, result.problems[0].reason)
    for future in as_completed(list(futures)):
        result = _outcome(future, *futures[future])
        results.append(result)
        recommendations += len(result.recommendations)
        logger.info("%d/%d documents, %d recommendations (%s: %s)", len(results), len(files),
                    recommendations, result.document, result.status.value)
        if listener is not None:
            listener(len(results), len(files), recommendations, result.document)
    return results


@flow(name="process-batch", task_runner=ThreadPoolTaskRunner(max_workers=2))
def process_batch(paths: list[str], out_dir: str, root: str, refresh: bool = False) -> RunSummary:
    """Process every file under ``paths`` and update the tables in ``out_dir``.

    Document names are relative to ``root``. ``refresh`` re-reads every file
    even when cached (after changing data files the cache key does not see).
    Returns the run's summary; raises :class:`~flows.discover.InputNotFound`
    for a missing input path and the errors of
    :func:`~extractors.tables.update_outputs` when the outputs cannot be written.
    """
    logger = get_run_logger()
    files = discover_files([Path(p) for p in paths], exclude=Path(out_dir))
    logger.info("%d documents to process in %s", len(files), ", ".join(paths))
    results = _process_all(files, Path(root), refresh)
    summary = write_outputs(results, out_dir)
    logger.info(summary.as_text())
    create_markdown_artifact(summary.as_markdown(), key="rectrack-run-summary",
                             description="documents, recommendations and problems of the run")
    return summary
