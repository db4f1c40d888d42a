"""The ``rectrack`` command line: ``run`` a batch now, ``serve`` an inbox on a schedule,
``history`` of past runs, ``ui`` (Prefect's), ``classify`` / ``evaluate`` any CSV, ``train`` the classifier.

A thin shell over :func:`rectrack.flows.batch.process_batch` and the functions of
:mod:`rectrack.extractors.classify`. Prefect is imported only
inside the commands (it takes seconds), after :mod:`rectrack.flows.settings` and, for
``serve``, after the server's URL is in the environment. ``main(argv)``
returns the exit code instead of exiting, so tests can call it in-process:
0 when every document was handled (unreadable ones are reported, not fatal),
1 when the run itself failed, 2 for a usage error.
"""

from __future__ import annotations

from rectrack.flows import settings  # Prefect's environment first

import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

from rectrack.extractors.errors import RectrackError
from rectrack.extractors.files import DATA_DIR, SAMPLES_DIR
from rectrack.flows.discover import common_root, discover_files
from rectrack.flows.leftovers import sweep_when_done
from rectrack.flows.terminal import history_table, progress_bar, run_details, run_summary

if TYPE_CHECKING:
    from rectrack.extractors.outputs import RunSummary

app = typer.Typer(
    name="rectrack", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Turn human-rights documents into a recommendation tracker (outputs/tracker.csv).",
)
errors = Console(stderr=True)

PathsArg = Annotated[Optional[list[Path]], typer.Argument(
    help="Files or folders to process (folders recursively, hidden files skipped). "
         "Default: data/samples.", show_default=False)]
OutOpt = Annotated[Path, typer.Option(
    "--out", "-o", help="Folder for tracker.csv (and tracker.xlsx, report.html), documents.csv, problems.csv, "
                        "labels.csv.")]
RefreshOpt = Annotated[bool, typer.Option(
    "--refresh", help="Re-read every file even if cached (edits to the code or to data/ rule files "
                  "are seen without it).")]
ModelOpt = Annotated[Optional[Path], typer.Option(
    "--model", help="Classifier folder (default: data/models/classifier, built by `rectrack train`).",
    show_default=False)]
DaskOpt = Annotated[Optional[str], typer.Option(
    "--dask-address", help="Run the document tasks on the Dask cluster whose scheduler is at this address "
    "(e.g. tcp://10.0.0.5:8786). Its workers need rectrack installed, the Prefect server in PREFECT_API_URL "
    "(default: one started on 127.0.0.1, for workers on this machine only) and --result-storage.",
    show_default=False)]
StorageOpt = Annotated[Optional[Path], typer.Option(
    "--result-storage", help="Folder for the document cache (Prefect's result storage; default "
    ".prefect/storage). With --dask-address, a path every worker reads and writes, e.g. a shared mount.",
    show_default=False)]
TextColumnOpt = Annotated[str, typer.Option(
    "--text-column", help="Column holding the recommendation text.", show_default=False)]


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _describe(error: RectrackError) -> str:
    """The error with the full path (the exception's own message names only the file)."""
    page = f", page {error.page}" if error.page else ""
    return f"{error.path}{page}: {error.reason}; {error.action}"


def _check_out_dir(out: Path) -> None:
    """Create ``out`` and check its tracker now, before Prefect's seconds-long start.

    A tracker a spreadsheet re-saved in another form is accepted, with a note.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _fail(f"{out}: output folder cannot be created ({error.strerror}); "
                    "choose another with --out") from error
    tracker = out / "tracker.csv"
    from rectrack.extractors.unchanged import tracker_as_written

    if tracker.exists() and not tracker_as_written(out):       # the bytes rectrack wrote are in its own form
        try:
            from rectrack.extractors.tracker.io import read_tracker_form

            _frame, form = read_tracker_form(tracker)
        except RectrackError as error:
            raise _fail(_describe(error)) from error
        if not form.is_rectrack_form:
            errors.print(f"note: {tracker} was saved by a spreadsheet as {form.describe()}; every row and "
                         "column is read and it is written back as UTF-8 with BOM, comma-separated "
                         "(details in problems.csv)", highlight=False, soft_wrap=True)


@app.command()
def run(paths: PathsArg = None, out: OutOpt = Path("outputs"), refresh: RefreshOpt = False,
        model: ModelOpt = None, dask_address: DaskOpt = None, result_storage: StorageOpt = None,
        verbose: Annotated[bool, typer.Option(
            "--verbose", "-v", help="Show Prefect's log lines (each task's state) as they come; "
                                    "they are always in `rectrack history RUN --logs`.")] = False) -> None:
    """Process PATH... now and update the tables in --out (analyst edits are kept).

    Shows a progress bar and, at the end, a summary; the run and its log lines
    are kept in `rectrack history`.
    """
    paths = paths or [SAMPLES_DIR]
    try:
        count = len(discover_files(paths, exclude=out))
    except RectrackError as error:
        raise _fail(_describe(error)) from error
    _check_out_dir(out)
    _stop_message[:] = [_stopped_message(out)]
    _on_sigterm(_interrupt)
    if _console and threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:     # an ignored SIGINT stays ignored
        signal.signal(signal.SIGINT, _interrupt)
    sweep_when_done()
    settings.apply_batch_defaults()
    settings.use_cluster(dask_address, result_storage)
    if not refresh and not dask_address and _nothing_changed(paths, out, model):
        return
    from rectrack.flows.server import temporary_server

    # Before prefect is imported (it reads PREFECT_API_URL then): the server boots while the flow is imported.
    with nullcontext() if dask_address else temporary_server() as early:
        _run_recorded(paths, out, refresh, model, count, dask_address, verbose, early)


def _nothing_changed(paths: list[Path], out: Path, model: Path | None) -> bool:
    """When no input, code, rule file, limit or classifier changed since the last run and its tables are
    whole, say so, record the run and return True, without starting Prefect (~1 s instead of ~7 s).

    Anything else (a changed file, another run writing ``out``, a table edited or missing, a
    review to apply) returns False and the flow runs as usual.
    """
    import time

    from rectrack.extractors.classify.classifier import MODEL_DIR
    from rectrack.flows.history import record_unchanged
    from rectrack.flows.inputs import unchanged_run
    from rectrack.flows.outputs_lock import OutputsLocked, lock_outputs

    start = time.monotonic()
    try:
        with lock_outputs(out):
            summary = unchanged_run(paths, out, common_root(paths), model or MODEL_DIR)
    except (OutputsLocked, RectrackError, OSError):
        return False            # the flow reports whatever it is
    if summary is None:
        return False
    record = record_unchanged(settings.PREFECT_HOME, [str(p) for p in paths], str(out), summary,
                              time.monotonic() - start)
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"Nothing changed since the last run: the tables in {out} are up to date "
                  "(use --refresh to read every file again).")
    console.print(run_summary(summary, record))
    return True


def _run_recorded(paths: list[Path], out: Path, refresh: bool, model: Path | None, count: int,
                  dask_address: str | None, verbose: bool, early) -> None:
    """The body of ``run`` once its server is on its way: the run recorded in the history, its summary shown."""
    from rectrack.flows.history import quiet_at_exit, recorded_run
    from rectrack.flows.server import prefect_server

    try:
        with recorded_run(settings.PREFECT_HOME, [str(p) for p in paths], str(out), verbose) as recording:
            # Dask workers are other processes: they need a Prefect server they can reach.
            with prefect_server() if dask_address else nullcontext():
                summary = _process(paths, out, refresh, model, count, dask_address, early)
            recording.complete(summary)
    except RectrackError as error:
        raise _fail(_describe(error)) from error
    except KeyboardInterrupt:
        _stopping()
        raise _fail(_stopped_message(out), code=130) from None
    finally:
        if not verbose:
            quiet_at_exit()
    Console(highlight=False, soft_wrap=True).print(run_summary(summary, recording.record))
    counts = dict(summary.by_status)
    if counts.get("failed") and not counts.get("ok") and not counts.get("partial"):
        raise _fail(f"none of the {summary.documents} files could be read: the reasons and what to do "
                    f"are in {out / 'problems.csv'}")


def _process(paths: list[Path], out: Path, refresh: bool, model: Path | None, count: int,
             dask_address: str | None = None, early=None) -> RunSummary:
    """Run the batch flow (on the Dask cluster at ``dask_address``, if given), with a progress bar when
    stderr is a terminal; ``early``: the temporary server being started
    (:class:`~rectrack.flows.server.TemporaryServer`), waited for once the flow is imported."""
    from rectrack.flows.batch import one_off_run, process_batch, progress_listener
    from rectrack.flows.documents import document_task_runner

    if early is not None:
        early.wait()

    flow = process_batch.with_options(task_runner=document_task_runner(dask_address))

    bar = progress_bar(errors) if errors.is_terminal else None
    with bar or nullcontext():
        listener = nullcontext()
        if bar is not None:
            job = bar.add_task("starting Prefect", total=count, recs=0)
            listener = progress_listener(
                lambda done, _total, recs, _doc: bar.update(job, completed=done, recs=recs),
                on_phase=lambda phase: bar.update(job, description=phase))
        with listener, one_off_run():
            return flow(paths=[str(p) for p in paths], out_dir=str(out), root=str(common_root(paths)),
                        refresh=refresh, model_dir=str(model) if model else "")


@app.command()
def serve(
    inbox: Annotated[Path, typer.Option(help="Folder to watch: new or changed files are processed.")],
    out: OutOpt = Path("outputs"),
    cron: Annotated[str, typer.Option(help="When to run, as a cron expression.")] = "0 2 * * *",
    interval: Annotated[Optional[int], typer.Option(
        help="Run every SECONDS instead of --cron (for testing).", min=1)] = None,
    name: Annotated[str, typer.Option(help="Name of the Prefect deployment.")] = "rectrack-inbox",
    dask_address: DaskOpt = None, result_storage: StorageOpt = None,
) -> None:
    """Serve the batch flow on a schedule against a Prefect server until stopped (Ctrl-C).

    Uses the server in PREFECT_API_URL, or starts `prefect server start` on a free port.
    """
    if not inbox.is_dir():
        raise _fail(f"{inbox}: no such folder; create it or pass another --inbox")
    _check_out_dir(out)
    _on_sigterm(_exit_cleanly)
    sweep_when_done()
    settings.use_cluster(dask_address, result_storage)   # inherited by every scheduled run
    from rectrack.flows.server import prefect_server

    try:
        with prefect_server() as api_url:
            errors.print(f"Prefect API at {api_url}; serving {inbox} -> {out}", highlight=False, soft_wrap=True)
            _serve(inbox.resolve(), out.resolve(), cron, interval, name, api_url)
    except RectrackError as error:
        raise _fail(_describe(error)) from error


def _serve(inbox: Path, out: Path, cron: str, interval: int | None, name: str, api_url: str) -> None:
    """Block serving the deployment (imports prefect: call only once the API URL is set).

    Prints its own trigger command instead of Prefect's, which names no API URL
    (pasted into a new terminal it would find no such deployment).
    """
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.deployments.runner import EntrypointType

    from rectrack.flows.batch import process_batch
    from rectrack.flows.server import trigger_command

    if not interval:
        try:
            CronSchedule(cron=cron)
        except ValueError as error:
            raise _fail(f"--cron {cron!r} is not a valid cron expression; "
                        "use five fields, e.g. \"0 2 * * *\" for 02:00 every day") from error
    schedule = {"interval": interval} if interval else {"cron": cron}
    ui_url = api_url.removesuffix("/api")
    errors.print(f"Serving; runs are in Prefect's UI at {ui_url}. To run it now, paste in another terminal:\n"
                 f"{trigger_command(api_url, process_batch.name, name)}", highlight=False, soft_wrap=True)
    process_batch.serve(
        name=name, parameters={"paths": [str(inbox)], "out_dir": str(out), "root": str(inbox)},
        limit=1, entrypoint_type=EntrypointType.MODULE_PATH, print_starting_message=False, **schedule)


@app.command()
def history(
    run_id: Annotated[Optional[str], typer.Argument(
        help="A run's id (or its first characters) from the list: show that run.", show_default=False)] = None,
    logs: Annotated[bool, typer.Option("--logs", help="With RUN_ID: also print the run's log lines.")] = False,
    limit: Annotated[int, typer.Option(help="List at most this many runs.", min=1)] = 20,
) -> None:
    """List past `rectrack run`s of this folder (kept in .prefect/runs), or show one with its log."""
    from rectrack.flows.runlog import find_record, log_path, read_records, runs_dir

    folder = runs_dir(settings.PREFECT_HOME)
    # Piped or redirected, rich would assume 80 columns and fold the table.
    console = Console(highlight=False, soft_wrap=run_id is not None,
                      width=None if sys.stdout.isatty() else 200)
    if run_id is None:
        records = read_records(folder)
        if not records:
            typer.echo(f"no runs recorded in {folder} yet: `rectrack run` records each run there")
            return
        console.print(history_table(records[:limit]))
        return
    try:
        record = find_record(folder, run_id)
    except RectrackError as error:
        raise _fail(_describe(error)) from error
    log = log_path(folder, record.run_id)
    text = None
    if logs:
        text = log.read_text(encoding="utf-8") if log.exists() else f"(no log file: {log})"
    console.print(run_details(record, text))


@app.command()
def ui(port: Annotated[int, typer.Option(help="Port of the UI on 127.0.0.1.")] = 4200) -> None:
    """Start Prefect's server and UI on this folder's .prefect until stopped (Ctrl-C).

    Its Runs page shows every `rectrack run` made in this folder (state, duration,
    the run summary under Artifacts); their log lines are in `rectrack history RUN --logs`.
    """
    import time

    from rectrack.flows.server import own_server

    _on_sigterm(_exit_cleanly)
    sweep_when_done()
    try:
        with own_server(port) as api_url:
            errors.print(f"Prefect UI at {api_url.removesuffix('/api')} (runs of {settings.PREFECT_HOME}); "
                         "Ctrl-C to stop", highlight=False, soft_wrap=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        return
    except RectrackError as error:
        raise _fail(_describe(error)) from error


@app.command()
def classify(
    file: Annotated[Path, typer.Argument(
        help="A CSV file (UTF-8 with or without BOM, or Windows-1252; comma, semicolon or tab).",
        show_default=False)],
    text_column: TextColumnOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the labelled CSV.",
                                      show_default=False)],
    model: ModelOpt = None,
) -> None:
    """Add the columns issues, themes, groups, sdgs, action_category, priority_areas to FILE.

    Every row and column of FILE is kept as it was; a column of FILE with one
    of those six names is replaced.
    """
    from rectrack.extractors.classify.classifier import MODEL_DIR, load_classifier
    from rectrack.extractors.tracker.labels import classify_frame, read_user_csv
    from rectrack.extractors.tracker.io import write_csv_atomic

    try:
        frame = read_user_csv(file, text_column)
        classifier = load_classifier(model or MODEL_DIR)
        labelled = classify_frame(frame, text_column, classifier)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv_atomic(labelled, out)
    except RectrackError as error:
        raise _fail(_describe(error)) from error
    typer.echo(f"{len(labelled)} rows classified: {out}")


@app.command()
def evaluate(
    file: Annotated[Path, typer.Argument(help="A labelled CSV file.", show_default=False)],
    text_column: TextColumnOpt,
    gold_column: Annotated[str, typer.Option(
        "--gold-column", help="Column holding the right labels, |- or comma-separated.",
        show_default=False)],
    taxonomy: Annotated[str, typer.Option(
        help="issues, themes, groups, sdgs, action_category or priority_areas.", show_default=False)],
    model: ModelOpt = None,
    json_out: Annotated[Optional[Path], typer.Option(
        "--json", help="Also write the figures to this JSON file.", show_default=False)] = None,
) -> None:
    """Measure the classifier on your labelled FILE: micro/macro-F1 (accuracy for action_category)."""
    import json

    from rectrack.extractors.classify.classifier import MODEL_DIR, load_classifier
    from rectrack.extractors.tracker.labels import read_user_csv
    from rectrack.extractors.classify.evaluate import evaluate_table

    try:
        frame = read_user_csv(file, text_column, gold_column)
        report = evaluate_table(frame, text_column, gold_column, taxonomy,
                                load_classifier(model or MODEL_DIR))
    except RectrackError as error:
        raise _fail(_describe(error)) from error
    typer.echo(report.as_text())
    if json_out is not None:
        json_out.write_text(json.dumps(report.as_dict(), indent=1, ensure_ascii=False) + "\n",
                            encoding="utf-8")


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="The data folder (training data and taxonomies); "
                                       "default: rectrack's own.", show_default=False)] = DATA_DIR,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the classifier; default: "
                                      "rectrack's own data/models/classifier.", show_default=False)] = (
        DATA_DIR / "models" / "classifier"),
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same model).")] = 0,
    reviewed: Annotated[Optional[list[Path]], typer.Option(
        "--reviewed", help="A tracker.csv (or its folder) whose reviewed_* labels are extra training data; "
                           "repeat for more trackers.", show_default=False)] = None,
) -> None:
    """Rebuild the classifier from data/ (a few minutes on 2 cores) and print its figures."""
    from rectrack.extractors.classify.train import TRAINED_TAXONOMIES, train_all
    from rectrack.extractors.tracker.reviewed import load_reviewed

    try:
        rows = []
        if reviewed:
            rows = load_reviewed(reviewed, TRAINED_TAXONOMIES, taxonomy_dir=data / "taxonomies")
            typer.echo(_reviewed_counts(rows, TRAINED_TAXONOMIES, len(reviewed)))
        report = train_all(data, out, seed=seed, reviewed=rows)
    except RectrackError as error:
        raise _fail(_describe(error)) from error
    typer.echo(report.as_text())


def _reviewed_counts(rows: Sequence, taxonomies: Sequence[str], files: int) -> str:
    """``reviewed labels from 2 tracker(s): 5 texts; issues 3, action_category 1, ...``."""
    counts = ", ".join(f"{t} {sum(t in row.labels for row in rows)}" for t in taxonomies)
    return f"reviewed labels from {files} tracker(s): {len(rows)} texts; {counts}"


def _interrupt(*_: object) -> None:
    """SIGTERM, and SIGINT under the ``rectrack`` command: stop the run (KeyboardInterrupt), and make sure
    it ends: if the clean-up has not ended the process :data:`STOP_GRACE_SECONDS` later (a stop that
    landed where it is swallowed, a thread that will not end), the watchdog ends it (:func:`_exit_now`)."""
    if _console and not _watchdog:
        timer = threading.Timer(STOP_GRACE_SECONDS, _stopped_late)
        timer.daemon = True
        timer.start()
        _watchdog.append(timer)
    raise KeyboardInterrupt


STOP_GRACE_SECONDS = 7.0
_console = False                 # set by console_main: os._exit is only for the command, never for a caller of main()
_watchdog: list = []
_stop_message: list[str] = []    # what a stopped run says (set by run)


def _stopped_late() -> None:
    with suppress(Exception):
        errors.print(f"[bold red]error:[/] {_stop_message[0] if _stop_message else 'stopped before the end'}",
                     highlight=False, soft_wrap=True)
    _exit_now(130)


def _exit_cleanly(*_: object) -> None:
    sys.exit(0)


def _on_sigterm(handler: Callable[..., None]) -> None:
    """Stop on SIGTERM through ``handler`` (cleanly: locks released, temporary server stopped), when this
    is the main thread; whatever the command started is stopped when it ends (:mod:`rectrack.flows.leftovers`)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


def _stopped_message(out: Path) -> str:
    return (f"stopped before the end: every table in {out} is whole (as before, or as this run "
            "wrote it); run again to finish")


def _stopping() -> None:
    """A run was interrupted: its readers are killed now, and a second Ctrl-C or SIGTERM during the
    clean-up that follows (stopping the temporary server) ends the process at once (:func:`_exit_now`)."""
    from rectrack.flows import readers

    readers.stop_all(timeout=STOP_SECONDS)
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: _exit_now(130))


STOP_SECONDS = 5.0    # the longest a stopped run waits for its readers to be gone


def _exit_now(code: int) -> None:
    """Leave without interpreter shutdown, which joins every executor thread and process without a limit,
    after killing the readers (bounded); the leftovers watcher stops anything else the command started."""
    for number in (signal.SIGINT, signal.SIGTERM):
        with suppress(ValueError):            # not the main thread
            signal.signal(number, signal.SIG_IGN)
    with suppress(Exception):
        from rectrack.flows import readers

        readers.stop_all(timeout=STOP_SECONDS)
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    os._exit(code)


def console_main() -> None:
    """The ``rectrack`` command: :func:`main`, and for a stopped run an exit that cannot hang."""
    global _console
    _console = True
    try:
        code = main()
    except KeyboardInterrupt:       # a second Ctrl-C outside the run's own handling
        code = 130
    if code == 130:
        _exit_now(code)
    # The command's work is done: a Ctrl-C or SIGTERM during the interpreter's shutdown ends it at once,
    # with the command's own exit code.
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: _exit_now(code))
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    command = typer.main.get_command(app)
    try:
        command.main(args=list(argv) if argv is not None else None, prog_name="rectrack",
                     standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":
    console_main()
