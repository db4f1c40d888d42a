"""The run history: one JSON record and one log file per ``rectrack run``, under ``<home>/runs``.

Each run writes ``<id>.json`` (a :class:`RunRecord`) when it starts, with
state ``running``, and again when it ends (``completed`` or ``failed``); its
log lines go to ``<id>.log`` beside it. A run that was killed keeps state
``running`` for good, which the history shows as it is. The ids sort by start
time (``20261204-155012``, a suffix when two runs start in the same second),
so the history needs no database and no Prefect server to be read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from rectrack.extractors.errors import RunNotFound
from rectrack.extractors.files import write_text_atomic

RUNNING, COMPLETED, FAILED = "running", "completed", "failed"


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What the history keeps of one run; counts are 0 until the run has ended."""

    run_id: str
    started: str                       # ISO 8601, UTC
    state: str                         # running, completed or failed
    paths: tuple[str, ...]
    out_dir: str
    seconds: float | None = None
    by_status: tuple[tuple[str, int], ...] = ()
    recommendations: int = 0
    problems: int = 0
    tracker_rows: int = 0
    flow_run_id: str = ""
    error: str = ""

    @property
    def documents(self) -> int:
        return sum(count for _, count in self.by_status)

    def finished(self, state: str, seconds: float, **counts: object) -> RunRecord:
        """This record ended in ``state`` after ``seconds``, with the given counts."""
        return replace(self, state=state, seconds=round(seconds, 1), **counts)


def runs_dir(home: Path) -> Path:
    """The folder of the history inside a Prefect home (not created here)."""
    return home / "runs"


def log_path(folder: Path, run_id: str) -> Path:
    return folder / f"{run_id}.log"


def new_record(folder: Path, paths: list[str], out_dir: str, now: datetime | None = None) -> RunRecord:
    """A ``running`` record with a fresh id in ``folder`` (created); not yet written."""
    folder.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(timezone.utc)
    base = now.strftime("%Y%m%d-%H%M%S")
    run_id, n = base, 1
    while (folder / f"{run_id}.json").exists():
        n += 1
        run_id = f"{base}-{n}"
    return RunRecord(run_id=run_id, started=now.isoformat(timespec="seconds"), state=RUNNING,
                     paths=tuple(paths), out_dir=out_dir)


def write_record(folder: Path, record: RunRecord) -> Path:
    """Write ``record`` as ``<folder>/<run_id>.json`` (via a temporary file: never half-written)."""
    path = folder / f"{record.run_id}.json"
    write_text_atomic(path, json.dumps(asdict(record), indent=1, ensure_ascii=False) + "\n")
    return path


def _from_json(path: Path) -> RunRecord:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["paths"] = tuple(data.get("paths", ()))
    data["by_status"] = tuple((str(s), int(c)) for s, c in data.get("by_status", ()))
    return RunRecord(**data)


def _id_order(path: Path) -> tuple[str, int]:
    """``20261204-155012`` before ``20261204-155012-2`` before ``20261204-155012-10``."""
    base, n = path.stem[:15], path.stem[16:]
    return base, int(n) if n.isdigit() else 1


def read_records(folder: Path) -> list[RunRecord]:
    """Every run recorded in ``folder``, newest first; [] when there is none.

    A record that cannot be read (edited by hand, from another version) is
    listed with state ``unreadable`` rather than hiding the rest.
    """
    records = []
    for path in sorted(folder.glob("*.json"), key=_id_order, reverse=True):
        try:
            records.append(_from_json(path))
        except (OSError, ValueError, TypeError, KeyError):
            records.append(RunRecord(run_id=path.stem, started="", state="unreadable", paths=(), out_dir=""))
    return records


def find_record(folder: Path, run_id: str) -> RunRecord:
    """The one run whose id starts with ``run_id``; raises :class:`RunNotFound` otherwise."""
    matches = [r for r in read_records(folder) if r.run_id.startswith(run_id)]
    if len(matches) == 1:
        return matches[0]
    found = "no run" if not matches else f"{len(matches)} runs ({', '.join(r.run_id for r in matches[:5])})"
    raise RunNotFound(folder, f"{found} with an id starting {run_id!r}",
                      "run `rectrack history` to list the runs and their ids")
