"""The batch flow's document tasks, and where they run.

:func:`process_files` (a Prefect task) reads, detects and segments files, then labels their
recommendations with the classifier (:data:`Labelling`), so that classification happens where a
document is read: on a Dask worker too, and only for the documents a run reads. Where it runs is the
flow's task runner (:func:`document_task_runner`):

- by default Prefect's thread runner: two task threads, each handing all its
  files at once to this machine's reader processes
  (:mod:`rectrack.flows.readers`; pdfium is not thread-safe), so both cores
  work and a file that crashes its reader fails alone;
- with a Dask scheduler's address, prefect-dask's ``DaskTaskRunner``: each task
  reads its files in the Dask worker it runs in.

Either way a task reads a chunk of files (:func:`files_per_task`): a task run
costs the flow's process about 7.5 ms here (measured by
``bench_pipeline.py``), and a submission to Dask 0.1-0.3 s (``docs/dask.md``).
A chunk whose task fails (on Dask: its worker died, and again on retry) is
sent again one file a task, so that only the file that breaks a task fails.

Either way the results and their labels come back to the flow (:func:`read_all`), which caches,
merges and writes them in its own process. Labelling runs in the task's process, one document at a
time under a lock (spaCy pipelines are not meant to be shared between threads); the classifier is
loaded once per process.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from rectrack.extractors.classify.classifier import LabelScore, classify_texts, load_classifier
from rectrack.extractors.read.limits import Limits
from rectrack.extractors.files import safe_name
from rectrack.extractors.pipeline import failed_result, process_document
from rectrack.extractors.records import DocumentResult, Status
from rectrack.extractors.tracker.tables import with_document_name
from rectrack.flows.inputs import Input
from rectrack.flows.readers import Readers

# About this many tasks for each thread that runs them (so that a slow chunk does not hold up the
# end of the run), and no more than this many files in one task.
TASKS_PER_THREAD = 8
MAX_FILES_PER_TASK = 50
# The embedded runner's task threads: one per reader process on a 2-core machine.
LOCAL_TASK_THREADS = 2


Labels = dict[str, tuple[LabelScore, ...]]      # recommendation text -> its labels
# What the document tasks label with: (classifier folder, its fingerprint); None: no labelling.
Labelling = tuple[str, str] | None
_labelling_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Processed:
    """A file's result and the labels of its recommendations (None: not labelled in the task)."""

    result: DocumentResult
    labels: Labels | None


def load_labelling(model_dir: str) -> None:
    """Load the classifier now (once per process), under the lock the labelling takes."""
    with _labelling_lock:
        load_classifier(Path(model_dir))


def label_many(results: list[DocumentResult], model_dir: str) -> list[Labels]:
    """The labels of each result's recommendations, every distinct text of all of them classified in one pass."""
    readable = [r for r in results if r.status in (Status.OK, Status.PARTIAL)]
    texts = list(dict.fromkeys(rec.text for result in readable for rec in result.recommendations))
    with _labelling_lock:
        labels = classify_texts(texts, Path(model_dir)) if texts else {}
    return [{rec.text: labels[rec.text] for rec in result.recommendations}
            if result.status in (Status.OK, Status.PARTIAL) else {} for result in results]


def _task_run_name() -> str:
    from prefect.runtime import task_run

    paths = task_run.parameters["paths"]
    more = f" and {len(paths) - 1} more" if len(paths) > 1 else ""
    return f"process {safe_name(Path(paths[0]).name)}{more}"


# This machine's reader processes for the document tasks of the current flow run, on the embedded
# runner (None: read where the task runs, i.e. in its Dask worker).
_readers: Readers | None = None


@task(cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1,
      task_run_name=_task_run_name)
def process_files(paths: list[str], root: str, sha256s: list[str], labelling: Labelling = None) -> list[Processed]:
    """Read, detect and segment files, then label them (retried: reading may hit transient I/O errors).

    In a Dask worker it reads here; on the embedded runner it hands all its files
    to this machine's reader processes at once. ``labelling`` is the classifier
    (folder, fingerprint) to label with, None for no labels; a classifier that
    cannot be loaded leaves the labels to the flow (None), which reports it.
    """
    if _readers is not None:
        results = _readers.read_many([Path(path) for path in paths], Path(root), sha256s)
    else:
        results = [process_document(Path(path), Path(root), sha256) for path, sha256 in zip(paths, sha256s)]
    if labelling is None:
        return [Processed(result, None) for result in results]
    try:
        return [Processed(result, labels) for result, labels in zip(results, label_many(results, labelling[0]))]
    except Exception:  # noqa: BLE001  (a broken model is reported once by the flow, not per task)
        return [Processed(result, None) for result in results]


def document_task_runner(dask_address: str | None = None) -> TaskRunner:
    """The flow's task runner: two threads feeding the local readers, or the Dask cluster at ``dask_address``.

    ``dask_address`` is a scheduler address such as ``tcp://10.0.0.5:8786``.
    The workers must have rectrack installed, reach the Prefect API the flow
    uses (a ``prefect server``, not ``rectrack run``'s temporary one unless
    they run on this machine) and read and write the flow's result storage.
    """
    if not dask_address:
        return ThreadPoolTaskRunner(max_workers=LOCAL_TASK_THREADS)
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=dask_address)


def files_per_task(files: int, threads: int) -> int:
    """How many of ``files`` one task reads when ``threads`` run the tasks: enough for about
    :data:`TASKS_PER_THREAD` tasks a thread, at most :data:`MAX_FILES_PER_TASK`."""
    return max(1, min(MAX_FILES_PER_TASK, math.ceil(files / (TASKS_PER_THREAD * max(1, threads)))))


def _where() -> tuple[bool, int]:
    """Whether this flow run's document tasks run on this machine's threads, and how many threads run them
    (on a Dask cluster, its workers' threads; 1 when the runner says nothing)."""
    context = FlowRunContext.get()
    if context is None or isinstance(context.task_runner, ThreadPoolTaskRunner):
        return True, LOCAL_TASK_THREADS
    client = getattr(context.task_runner, "client", None)
    return False, (sum(client.nthreads().values()) if client is not None else 1)


@contextmanager
def _local_readers(files: int) -> Iterator[None]:
    """Read in reader processes (one per core, at most one per file) while inside."""
    global _readers
    _readers = Readers(min(files, len(os.sched_getaffinity(0))), Limits.from_env())
    try:
        yield
    finally:
        _readers.close()
        _readers = None


def _submit(chunk: list[Input], root: Path, labelling: Labelling) -> PrefectFuture:
    return process_files.submit([str(item.path) for item in chunk], str(root), [item.sha256 for item in chunk],
                                labelling)


def read_all(inputs: list[Input], root: Path, finished: Callable[[Input, DocumentResult, Labels | None, bool], None],
             labelling: Labelling = None) -> None:
    """Read (and label, see :func:`process_files`) every input in document tasks; call
    ``finished(input, result, labels, read)`` as each one ends.

    ``read`` is False when the task failed, and the result is a ``failed`` one saying why (no labels).
    On this machine's readers the tasks do not label (labels None): the flow's process would label
    chunk by chunk beside the two readers, which measured slower on 2 cores (14.1 s for reading and
    labelling 157 reports against 11.4 s for reading, then labelling every text in one pass).
    """
    if not inputs:
        return
    local, threads = _where()
    if local:     # labelled by the flow in one pass after reading (label_many): faster than per chunk here
        labelling = None
    size = files_per_task(len(inputs), threads)
    with _local_readers(len(inputs)) if local else nullcontext():
        pending = {_submit(inputs[i:i + size], root, labelling): inputs[i:i + size]
                   for i in range(0, len(inputs), size)}
        while pending:
            for future in as_completed(list(pending)):
                chunk = pending.pop(future)
                future.wait()
                if future.state.is_completed():
                    for item, processed in zip(chunk, future.result()):
                        finished(item, with_document_name(processed.result, item.name), processed.labels, True)
                elif len(chunk) > 1:   # one of its files may kill any worker: find which, one a task
                    pending.update({_submit([item], root, labelling): [item] for item in chunk})
                else:
                    finished(chunk[0], failed_result(
                        chunk[0].name, chunk[0].sha256, f"processing stopped with an error: {future.state.message}",
                        "report it with the file attached; the rest of the batch was processed", "error"), None, False)
