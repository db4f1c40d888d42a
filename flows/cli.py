"""The ``rectrack`` command line: ``run`` a batch now, or ``serve`` an inbox on a schedule.

A thin shell over :func:`flows.batch.process_batch`. Prefect is imported only
inside the commands (it takes seconds), after :mod:`flows.settings` and, for
``serve``, after the server's URL is in the environment. ``main(argv)``
returns the exit code instead of exiting, so tests can call it in-process:
0 when every document was handled (unreadable ones are reported, not fatal),
1 when the run itself failed, 2 for a usage error.
"""

from __future__ import annotations

from flows import settings  # Prefect's environment first

import signal
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from extractors.errors import RectrackError
from extractors.tracker import read_tracker
from flows.discover import common_root, discover_files

app = typer.Typer(
    name="rectrack", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Turn human-rights documents into a recommendation tracker (outputs/tracker.csv).",
)
errors = Console(stderr=True)

PathsArg = Annotated[Optional[list[Path]], typer.Argument(
    help="Files or folders to process (folders recursively, hidden files skipped). "
         "Default: data/samples.", show_default=False)]
OutOpt = Annotated[Path, typer.Option(
    "--out", "-o", help="Folder for tracker.csv, documents.csv, problems.csv, labels.csv.")]
RefreshOpt = Annotated[bool, typer.Option(
    "--refresh", help="Re-read every file even if cached (e.g. after changing data/ files).")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _describe(error: RectrackError) -> str:
    """The error with the full path (the exception's own message names only the file)."""
    page = f", page {error.page}" if error.page else ""
    return f"{error.path}{page}: {error.reason}; {error.action}"


def _check_out_dir(out: Path) -> None:
    """Create ``out`` and check its tracker now, before Prefect's seconds-long start."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _fail(f"{out}: output folder cannot be created ({error.strerror}); "
                    "choose another with --out") from error
    if (out / "tracker.csv").exists():
        try:
            read_tracker(out / "tracker.csv")
        except RectrackError as error:
            raise _fail(_describe(error)) from error


def _progress_bar() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[recs]} recommendations"), TimeElapsedColumn(),
                    console=errors, transient=True)


@app.command()
def run(paths: PathsArg = None, out: OutOpt = Path("outputs"), refresh: RefreshOpt = False) -> None:
    """Process PATH... now and update the tables in --out (analyst edits are kept)."""
    paths = paths or [Path("data/samples")]
    try:
        count = len(discover_files(paths, exclude=out))
    except RectrackError as error:
        raise _fail(_describe(error)) from error
    _check_out_dir(out)
    settings.apply_batch_defaults()
    from flows.batch import process_batch, progress_listener

    bar = _progress_bar() if errors.is_terminal else None
    with bar or nullcontext():
        listener = nullcontext()
        if bar is not None:
            job = bar.add_task("documents", total=count, recs=0)
            listener = progress_listener(
                lambda done, _total, recs, _doc: bar.update(job, completed=done, recs=recs))
        with listener:
            try:
                summary = process_batch(paths=[str(p) for p in paths], out_dir=str(out),
                                        root=str(common_root(paths)), refresh=refresh)
            except RectrackError as error:
                raise _fail(_describe(error)) from error
    typer.echo(summary.as_text())


@app.command()
def serve(
    inbox: Annotated[Path, typer.Option(help="Folder to watch: new or changed files are processed.")],
    out: OutOpt = Path("outputs"),
    cron: Annotated[str, typer.Option(help="When to run, as a cron expression.")] = "0 2 * * *",
    interval: Annotated[Optional[int], typer.Option(
        help="Run every SECONDS instead of --cron (for testing).", min=1)] = None,
    name: Annotated[str, typer.Option(help="Name of the Prefect deployment.")] = "rectrack-inbox",
) -> None:
    """Serve the batch flow on a schedule against a Prefect server until stopped (Ctrl-C).

    Uses the server in PREFECT_API_URL, or starts `prefect server start` on a free port.
    """
    if not inbox.is_dir():
        raise _fail(f"{inbox}: no such folder; create it or pass another --inbox")
    _check_out_dir(out)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from flows.server import prefect_server

    try:
        with prefect_server() as api_url:
            errors.print(f"Prefect API at {api_url}; serving {inbox} -> {out}")
            _serve(inbox.resolve(), out.resolve(), cron, interval, name)
    except RectrackError as error:
        raise _fail(_describe(error)) from error


def _serve(inbox: Path, out: Path, cron: str, interval: int | None, name: str) -> None:
    """Block serving the deployment (imports prefect: call only once the API URL is set)."""
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.deployments.runner import EntrypointType

    from flows.batch import process_batch

    if not interval:
        try:
            CronSchedule(cron=cron)
        except ValueError as error:
            raise _fail(f"--cron {cron!r} is not a valid cron expression; "
                        "use five fields, e.g. \"0 2 * * *\" for 02:00 every day") from error
    schedule = {"interval": interval} if interval else {"cron": cron}
    process_batch.serve(
        name=name, parameters={"paths": [str(inbox)], "out_dir": str(out), "root": str(inbox)},
        limit=1, entrypoint_type=EntrypointType.MODULE_PATH, **schedule)


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
    sys.exit(main())
