"""The batch flow: every input file through ``process_document``, classify, then merge and write.

Orchestration only: the work is :func:`rectrack.extractors.pipeline.process_document`
and :func:`rectrack.extractors.classify.classify_texts` (document tasks, :mod:`rectrack.flows.documents`:
on a Dask cluster a document's recommendations are labelled in the task that reads it; on this
machine the flow labels every document it read in one pass after reading) and
:func:`rectrack.extractors.outputs.update_outputs` (one task at the end). Labels are cached per document
on its cache key and the classifier's fingerprint, so a run labels only the documents it reads, and
documents cached before a new classifier are labelled without being read again. Without a
trained classifier the run goes on with empty label columns and one
``problems.csv`` row saying to run ``rectrack train``. A document's result is
cached on the file's content hash, a fingerprint of the ``extractors`` package
and the data files it reads (:func:`fingerprinted_files`) and the per-document
limits, never on its path: an unchanged file (even moved or renamed) is not
read again; a changed file, changed extractor code, an edited gazetteer or
rule file or a raised limit is. Results are cached as JSON by the flow itself
(:func:`result_cache`), not by Prefect's result persistence, which stores
pickles: a cache entry can hold data, never code, and an edited one is
reported in ``problems.csv`` and recomputed.

Two things keep a nightly run over a large, mostly unchanged folder cheap:
the flow looks each file's cache key up in the JSON cache itself and
submits a task run only for files not cached, and when every file is the
one the last run read, the tables are left as they are.

Where the document tasks run is the flow's task runner
(:func:`~rectrack.flows.documents.document_task_runner`): this machine's reader
processes by default, or a Dask cluster (:mod:`rectrack.flows.documents`).
Either way the results come back to the flow, which keeps the JSON cache (under
the result storage, ``rectrack run --result-storage``), classifies, merges and
writes the tables once, in its own process.
"""

from __future__ import annotations

from rectrack.flows import settings  # sets Prefect's environment before prefect is imported

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from rectrack.extractors.tracker import similarity
from rectrack.extractors.views import report
from rectrack.extractors.classify.classifier import (
    MODEL_DIR, LabelScore, model_fingerprint,
)
from rectrack.flows.outputs_lock import lock_outputs
from rectrack.extractors.files import safe_name
from rectrack.extractors.records import DocumentResult, Problem, Status
from rectrack.flows.result_cache import ResultCache
from rectrack.extractors.outputs import RunSummary, update_outputs
from rectrack.flows.discover import discover
from rectrack.flows.inputs import (
    cached_results, hash_all, last_run_if_unchanged, result_cache, skipped_results,
)
from rectrack.flows.documents import (
    Input, Labelling, Labels, document_task_runner, label_many, load_labelling, read_all,
)

ProgressListener = Callable[[int, int, int, str], None]
PhaseListener = Callable[[str], None]
_progress: ContextVar[ProgressListener | None] = ContextVar("rectrack_progress", default=None)
_phase: ContextVar[PhaseListener | None] = ContextVar("rectrack_phase", default=None)


@task(cache_policy=NO_CACHE, persist_result=False)
def label_documents(results: list[DocumentResult], model_dir: str) -> list[Labels]:
    """The labels of each result's recommendations (read on this machine, or cached before this classifier)."""
    return label_many(results, model_dir)


def labels_key(item: Input, fingerprint: str) -> str:
    """The cache key of a document's labels: its result's key and the classifier's fingerprint."""
    return f"{item.cache_key}-{fingerprint}"


def no_classifier_problem(model_dir: Path) -> Problem:
    return Problem(document=str(model_dir), kind="model",
                   reason="no trained classifier: the columns issues, themes, groups, sdgs, "
                          "action_category and priority_areas keep only matrix and reviewed labels",
                   action="run `rectrack train` (a few minutes on 2 cores), then run again")


def _preload(model_dir: Path | None) -> Future:
    """Load what the classify and write phases need while the documents are read elsewhere.

    In a thread of this process, which mostly waits for the readers then: the
    classifier (~1.4 s; none without ``model_dir``), then WordLlama for the
    follow-up groups and plotly's figure classes for the report (~0.5 s
    together, measured 2026-12-04). Each is loaded once per process, so the
    later phases find them loaded; a load that fails here fails again, and is
    reported, where it is used.
    """
    def load() -> None:
        if model_dir is not None:
            load_labelling(str(model_dir))
        for warm_up in (similarity.warm_up, report.warm_up):
            with suppress(Exception):   # reported where it is used
                warm_up()

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rectrack-preload")
    future = executor.submit(load)
    executor.shutdown(wait=False)
    return future


def _predictions(labelled: dict[str, Labels | None], results: list[DocumentResult], inputs: list[Input],
                 model_dir: Path, fingerprint: str, preloading: Future | None, store: ResultCache
                 ) -> tuple[dict[str, tuple[LabelScore, ...]] | None, tuple[Problem, ...]]:
    """Every recommendation's labels (by text): the documents' own, the rest labelled here in one task.

    ``labelled`` maps document names to the labels their task or the cache gave (None: not labelled).
    Returns None and a problem without a classifier.
    """
    if not fingerprint:
        get_run_logger().warning("no classifier in %s: run `rectrack train`; labels left empty", model_dir)
        return None, (no_classifier_problem(model_dir),)
    by_name = {item.name: item for item in inputs}
    missing = [r for r in results if labelled.get(r.document) is None and r.status in (Status.OK, Status.PARTIAL)
               and r.recommendations]
    if missing:
        _entering("classifying")
        if preloading is not None:
            preloading.exception()   # wait; a failed load is retried, and reported, by the task
        for result, labels in zip(missing, label_documents(quote(missing), str(model_dir))):
            labelled[result.document] = labels
            if result.document in by_name:
                store.write(labels_key(by_name[result.document], fingerprint), labels)
    predictions: dict[str, tuple[LabelScore, ...]] = {}
    for labels in labelled.values():
        predictions.update(labels or {})
    return predictions, ()


@task(cache_policy=NO_CACHE, persist_result=False)
def write_outputs(results: list[DocumentResult], out_dir: str,
                  predictions: dict[str, tuple[LabelScore, ...]] | None = None,
                  problems: tuple[Problem, ...] = (), classifier: str = "") -> RunSummary:
    """Merge the results and their labels with the previous tables in ``out_dir`` and write them."""
    return update_outputs(Path(out_dir), results, predictions, problems, classifier)


@contextmanager
def one_off_run() -> Iterator[None]:
    """Settings for a batch run by ``rectrack run`` on its own temporary server: no flow-run heartbeats.

    Heartbeats let a server notice a crashed flow run; the temporary server
    stops with the run. Their thread sleeps in one-second steps and the flow
    waits for it to end: 0.5 s on average (1 s at most) added to every run,
    half of a run in which nothing changed (measured 2026-11-28).
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@contextmanager
def progress_listener(listener: ProgressListener, on_phase: PhaseListener | None = None) -> Iterator[None]:
    """Call ``listener(done, total, recommendations, document)`` after each document of flows run inside,
    and ``on_phase(what)`` when the flow starts reading, classifying, then writing."""
    tokens = _progress.set(listener), _phase.set(on_phase)
    try:
        yield
    finally:
        _progress.reset(tokens[0])
        _phase.reset(tokens[1])


def _entering(phase: str) -> None:
    listener = _phase.get()
    if listener is not None:
        listener(phase)


class _Progress:
    """Counts finished documents; logs each and tells the CLI's progress bar."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.recommendations = total, 0, 0
        self.logger = get_run_logger()
        self.listener = _progress.get()

    def finished(self, result: DocumentResult, cached: bool = False) -> None:
        self.done += 1
        self.recommendations += len(result.recommendations)
        self.logger.info("%d/%d documents, %d recommendations (%s: %s%s)", self.done, self.total,
                         self.recommendations, result.document, result.status.value,
                         ", cached" if cached else "")
        if self.listener is not None:
            self.listener(self.done, self.total, self.recommendations, result.document)


def _process_all(inputs: list[Input], cached: dict[str, DocumentResult], root: Path, stores: tuple[ResultCache, ...],
                 progress: _Progress, labelling: Labelling
                 ) -> tuple[list[DocumentResult], dict[str, Labels | None]]:
    """Cached results (with their cached labels) as they are; every other file read and labelled in document
    tasks, its result and labels cached. Returns the results and each document's labels (None: not labelled)."""
    documents_store, labels_store = stores
    results, labelled = [], {}
    for item in inputs:
        if item.name in cached:
            results.append(cached[item.name])
            if labelling is not None:
                labelled[item.name] = labels_store.read(labels_key(item, labelling[1]), Labels)
            progress.finished(cached[item.name], cached=True)

    def finished(item: Input, result: DocumentResult, labels: Labels | None, read: bool) -> None:
        if read:
            documents_store.write(item.cache_key, result)
            if labels is not None and labelling is not None:
                labels_store.write(labels_key(item, labelling[1]), labels)
        results.append(result)
        labelled[result.document] = labels
        progress.finished(result)

    read_all([item for item in inputs if item.name not in cached], root, finished, labelling)
    return results, labelled


def _rejected_problems(stores: tuple[ResultCache, ...]) -> tuple[Problem, ...]:
    """One warning and one ``problems.csv`` row (kind ``cache``) per cache entry refused this run."""
    logger = get_run_logger()
    problems = []
    for store in stores:
        for entry in store.rejected:
            logger.warning("cache entry %s %s: not used, recomputed", entry.path, entry.reason)
            problems.append(Problem(document=str(entry.path), kind="cache",
                                    reason=f"a cached result {entry.reason}; it was not used and was recomputed",
                                    action="nothing to do if you edited or copied the cache; otherwise check who "
                                           "can write this folder"))
    return tuple(problems)


def _run_batch(paths: list[str], out_dir: str, root: str, refresh: bool, model_dir: str) -> RunSummary:
    """The body of :func:`process_batch`, run while holding the output folder's lock."""
    logger = get_run_logger()
    found = discover([Path(p) for p in paths], exclude=Path(out_dir))
    files = found.files
    logger.info("%d documents to process in %s", len(files), safe_name(", ".join(paths)))
    inputs, unreadable = hash_all(files, Path(root))
    unreadable = skipped_results(found.skipped, Path(root)) + unreadable
    for result in unreadable:
        logger.warning("%s: %s", result.document, result.problems[0].reason)
    documents_cache, labels_cache = result_cache("documents"), result_cache("labels")
    cached = cached_results(inputs, refresh, documents_cache)
    model = Path(model_dir) if model_dir else MODEL_DIR
    fingerprint = model_fingerprint(model) if model.is_dir() else ""
    summary = last_run_if_unchanged(Path(out_dir), inputs, len(cached), unreadable, documents_cache, fingerprint)
    if summary is not None:
        logger.info("no file changed since the last run: the tables in %s are up to date", out_dir)
    else:
        _entering("reading")
        progress = _Progress(len(files))
        preloading = _preload(model if fingerprint else None)
        labelling = (str(model), fingerprint) if fingerprint else None
        read, labelled = _process_all(inputs, cached, Path(root), (documents_cache, labels_cache), progress, labelling)
        results = unreadable + read
        # quote(): Prefect would otherwise walk every result and recommendation twice
        # looking for futures to resolve (~1.5 s on 150 reports).
        predictions, problems = _predictions(labelled, results, inputs, model, fingerprint, preloading, labels_cache)
        problems += _rejected_problems((documents_cache, labels_cache))
        _entering("writing")
        summary = write_outputs(quote(results), out_dir, quote(predictions), problems, fingerprint)
    return summary


@flow(name="process-batch", task_runner=document_task_runner(settings.dask_address()))
def process_batch(paths: list[str], out_dir: str, root: str, refresh: bool = False,
                  model_dir: str = "") -> RunSummary:
    """Process every file under ``paths``, classify the recommendations and update ``out_dir``.

    Document names are relative to ``root``. ``refresh`` re-reads every file
    even when cached.
    ``model_dir`` is the classifier folder (default ``data/models/classifier``).
    Returns the run's summary; raises :class:`~rectrack.flows.discover.InputNotFound`
    for a missing input path, :class:`~rectrack.flows.outputs_lock.OutputsLocked` when
    another run is writing ``out_dir``, and the errors of
    :func:`~rectrack.extractors.outputs.update_outputs` when the outputs cannot be written.
    """
    logger = get_run_logger()
    with lock_outputs(Path(out_dir)):
        summary = _run_batch(paths, out_dir, root, refresh, model_dir)
    logger.info(summary.as_text())
    create_markdown_artifact(summary.as_markdown(), key="rectrack-run-summary",
                             description="documents, recommendations and problems of the run")
    return summary
