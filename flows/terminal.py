"""What ``rectrack`` shows in the terminal: the progress bar, the end-of-run summary, the history.

Rendering only (rich); the figures come from the run's
:class:`~rectrack.extractors.outputs.RunSummary`, its ``problems.csv`` and the
:class:`~rectrack.flows.runlog.RunRecord` of the history.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, Group
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from rectrack.flows.runlog import RunRecord

if TYPE_CHECKING:   # tables imports pandas: not at import time (reader processes import this module's importer)
    from rectrack.extractors.outputs import RunSummary

OUTPUT_FILES = ("tracker.csv", "tracker.xlsx", "report.html", "documents.csv", "problems.csv", "labels.csv",
                "responses.csv", "groups.csv", "evidence.csv")
TOP_PROBLEM_KINDS = 5


def progress_bar(console: Console) -> Progress:
    """Documents done out of all, recommendations so far, elapsed time; erased when done."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[recs]} recommendations"), TimeElapsedColumn(),
                    console=console, transient=True)


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """Problems of one kind in ``problems.csv``: how many, the first files, what to do."""

    kind: str
    count: int
    documents: tuple[str, ...]
    action: str


def top_problems(path: Path, limit: int = TOP_PROBLEM_KINDS, files: int = 3) -> list[ProblemKind]:
    """The ``limit`` most frequent kinds of problem in ``path`` (a problems.csv); [] if it is absent.

    A kind's action is the one its rows share, or a pointer to the rows when they differ.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        return []
    counts = Counter(row.get("kind", "") for row in rows)
    kinds = []
    for kind, count in counts.most_common(limit):
        of_kind = [row for row in rows if row.get("kind", "") == kind]
        documents = tuple(dict.fromkeys(row.get("document", "") for row in of_kind))[:files]
        actions = {row.get("action", "") for row in of_kind}
        action = actions.pop() if len(actions) == 1 else "it differs from file to file: see the action column"
        kinds.append(ProblemKind(kind or "other", count, documents, action))
    return kinds


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{value:.1f} s"


def run_summary(summary: RunSummary, record: RunRecord) -> Group:
    """One screen: the counts, documents by status, the commonest problems, where the tables are."""
    out = Path(summary.out_dir)
    statuses = Table(show_header=True, box=None, padding=(0, 2, 0, 0))
    statuses.add_column("status")
    statuses.add_column("documents", justify="right")
    for status, count in summary.by_status:
        statuses.add_row(status, str(count))
    parts: list = [Text(summary.as_text()), Text(""), statuses]
    kinds = top_problems(out / "problems.csv")
    if kinds:
        parts += [Text(""), Text(f"problems ({summary.problems}; all in {out / 'problems.csv'}):", style="bold")]
        for kind in kinds:
            more = f" and {kind.count - len(kind.documents)} more" if kind.count > len(kind.documents) else ""
            parts.append(Text(f"  {kind.count} {kind.kind}: {', '.join(kind.documents)}{more}"))
            if kind.action:
                parts.append(Text(f"    what to do: {kind.action}", style="dim"))
    written = [name for name in OUTPUT_FILES if (out / name).exists()]
    parts += [Text(""), Text(f"outputs in {out}: {', '.join(written)}"),
              Text(f"run {record.run_id} took {_seconds(record.seconds)}; "
                   f"its log: rectrack history {record.run_id} --logs")]
    return Group(*parts)


def history_table(records: Sequence[RunRecord]) -> Table:
    """One row per run, newest first: id, start (UTC), duration, state, counts, output folder."""
    table = Table(title="rectrack runs, newest first (times in UTC)", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in (("run", "left"), ("started", "left"), ("took", "right"), ("state", "left"),
                          ("docs", "right"), ("recs", "right"), ("problems", "right")):
        table.add_column(name, justify=justify, no_wrap=True)
    table.add_column("output folder", overflow="fold")
    for r in records:
        ended = r.state == "completed"
        table.add_row(r.run_id, r.started.replace("T", " ")[:16], _seconds(r.seconds), r.state,
                      str(r.documents) if ended else "", str(r.recommendations) if ended else "",
                      str(r.problems) if ended else "", r.out_dir)
    return table


def run_details(record: RunRecord, log: str | None) -> Group:
    """Everything the history keeps of one run, and its log lines when ``log`` is given."""
    statuses = ", ".join(f"{status} {count}" for status, count in record.by_status) or "-"
    lines = [f"run {record.run_id}: {record.state}, started {record.started}, took {_seconds(record.seconds)}",
             f"inputs: {' '.join(record.paths)}", f"outputs: {record.out_dir}",
             f"documents: {record.documents} ({statuses}); recommendations: {record.recommendations}; "
             f"problems: {record.problems}; tracker rows: {record.tracker_rows}"]
    if record.error:
        lines.append(f"error: {record.error}")
    if record.flow_run_id:
        lines.append(f"Prefect flow run: {record.flow_run_id} (in `rectrack ui`: Runs)")
    parts: list = [Text(line) for line in lines]
    if log is not None:
        parts += [Text(""), Text(log.rstrip("\n"))]
    return Group(*parts)
