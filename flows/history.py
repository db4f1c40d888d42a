"""Record a ``rectrack run`` in the run history and decide which log lines reach the terminal.

:func:`recorded_run` writes the run's :class:`~rectrack.flows.runlog.RunRecord`
when it starts and when it ends, and copies every INFO line of Prefect's loggers
(the flow's own lines, each task's "Finished in state ...", the temporary server's
start and stop) to ``<home>/runs/<id>.log``. Without ``verbose`` the terminal
shows only warnings and errors: Prefect's console handler is raised to WARNING
for the run's duration, while the loggers stay at INFO so the file gets everything.
Writing ~20-200 lines to a local file costs well under a millisecond per line;
nothing is sent to the API (logging to the API stays off for speed, see settings).
"""

from __future__ import annotations

import atexit
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rectrack.flows.runlog import RunRecord, log_path, new_record, runs_dir, write_record, COMPLETED, FAILED
from rectrack.extractors.records import RunSummary


class _RunFormatter(logging.Formatter):
    """``2026-12-04 15:51:36.891 | INFO    | flow little-caterpillar - message`` (the run's or task's name)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s.%(msecs)03d | %(levelname)-7s | %(source)s - %(message)s",
                         "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        task_run, flow_run = getattr(record, "task_run_name", None), getattr(record, "flow_run_name", None)
        record.source = (f"task {task_run}" if task_run else f"flow {flow_run}" if flow_run else record.name)
        return super().format(record)


class _RunLogHandler(logging.FileHandler):
    """The run's log file; also remembers the Prefect flow run id seen in the records."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8")
        self.setFormatter(_RunFormatter())
        self.setLevel(logging.INFO)
        self.flow_run_id = ""

    def emit(self, record: logging.LogRecord) -> None:
        if not self.flow_run_id and getattr(record, "flow_run_id", None):
            self.flow_run_id = str(record.flow_run_id)
        super().emit(record)


class RecordedRun:
    """The run being recorded: its record so far, its log file, and how to finish it."""

    def __init__(self, folder: Path, record: RunRecord, handler: _RunLogHandler) -> None:
        self.folder, self.record, self._handler = folder, record, handler
        self.log = log_path(folder, record.run_id)
        self._start = time.monotonic()

    def complete(self, summary: RunSummary) -> None:
        self.record = self.record.finished(
            COMPLETED, time.monotonic() - self._start, by_status=summary.by_status,
            recommendations=summary.recommendations, problems=summary.problems,
            tracker_rows=summary.tracker_rows, flow_run_id=self._handler.flow_run_id)
        write_record(self.folder, self.record)

    def fail(self, error: BaseException) -> None:
        self.record = self.record.finished(FAILED, time.monotonic() - self._start,
                                           flow_run_id=self._handler.flow_run_id,
                                           error=str(error) or type(error).__name__)
        write_record(self.folder, self.record)


_CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"


@contextmanager
def _terminal_level(level: int) -> Iterator[None]:
    """Raise the root logger's handlers (Prefect's console handler) to ``level`` while inside.

    Prefect re-applies its logging configuration when it starts its temporary
    server (which resets handler levels), so the level is also put in the
    environment variable that configuration reads, unless the user set it.
    """
    handlers = [(h, h.level) for h in logging.getLogger().handlers if h.level < level]
    for handler, _ in handlers:
        handler.setLevel(level)
    own_variable = level > logging.NOTSET and _CONSOLE_LEVEL not in os.environ
    if own_variable:
        os.environ[_CONSOLE_LEVEL] = logging.getLevelName(level)
    try:
        yield
    finally:
        if own_variable:
            os.environ.pop(_CONSOLE_LEVEL, None)
        for handler, old in handlers:
            handler.setLevel(old)


def quiet_at_exit() -> None:
    """Keep Prefect's INFO lines off the terminal at exit too ("Stopping temporary server ...").

    Prefect stops its temporary server in an ``atexit`` handler registered when
    it started it; handlers run last-registered first, so one registered after
    the run runs before it.
    """
    atexit.register(lambda: [h.setLevel(max(h.level, logging.WARNING)) for h in logging.getLogger().handlers])


def record_unchanged(home: Path, paths: list[str], out_dir: str, summary: RunSummary, seconds: float) -> RunRecord:
    """Record a run that found nothing changed before starting Prefect (no flow run, no Prefect import).

    Its log file holds one line saying so; ``rectrack history`` lists it as completed.
    """
    folder = runs_dir(home)
    record = new_record(folder, paths, out_dir)
    line = (f"{time.strftime('%Y-%m-%d %H:%M:%S')} | INFO    | rectrack - nothing changed since the last run "
            f"(same files, code, rules, limits and classifier): the tables in {out_dir} are up to date, "
            f"so no Prefect flow was run. {summary.as_text()}\n")
    log_path(folder, record.run_id).write_text(line, encoding="utf-8")
    record = record.finished(COMPLETED, seconds, by_status=summary.by_status,
                             recommendations=summary.recommendations, problems=summary.problems,
                             tracker_rows=summary.tracker_rows)
    write_record(folder, record)
    return record


@contextmanager
def recorded_run(home: Path, paths: list[str], out_dir: str, verbose: bool = False) -> Iterator[RecordedRun]:
    """Record the run made inside in ``runs_dir(home)``; call ``complete(summary)`` on success.

    An exception raised inside marks the run ``failed`` (with the message) and
    is re-raised. Imports prefect: Prefect's first logging set-up removes the
    handlers of its loggers, so the run's own handler is added after it.
    """
    from prefect.logging.configuration import ensure_logging_setup

    ensure_logging_setup()
    folder = runs_dir(home)
    record = new_record(folder, paths, out_dir)
    write_record(folder, record)
    handler = _RunLogHandler(log_path(folder, record.run_id))
    prefect_logger = logging.getLogger("prefect")
    prefect_logger.addHandler(handler)
    run = RecordedRun(folder, record, handler)
    try:
        with _terminal_level(logging.NOTSET if verbose else logging.WARNING):
            yield run
    except BaseException as error:
        run.fail(error)
        raise
    finally:
        prefect_logger.removeHandler(handler)
        handler.close()
