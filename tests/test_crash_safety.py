"""A run killed at any write step: the next run finds a whole tracker and writes the whole set again.

The runs are real processes on real documents (Algeria 2008, then Tajikistan 2011 added), killed
with SIGKILL just before the k-th file of the output folder is replaced.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rectrack.extractors.tracker.manifest import MANIFEST_FILE
from rectrack.extractors.files import file_sha256
from rectrack.extractors.outputs import unchanged_summary
from rectrack.extractors.tracker.io import write_csv_atomic
from rectrack.extractors.tracker.io import read_tracker
from rectrack.extractors.views.workbook import RECORD_FILE
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("documents.csv", "problems.csv", "labels.csv", "groups.csv", "tracker.csv")
# Written after the tracker, before the manifest (rectrack.extractors.outputs).
VIEWS = ("tracker.xlsx", RECORD_FILE, "report.html")
# In a child process: SIGKILL itself before the KILL_AT-th os.replace into the output folder, then run.
_KILLER = """
import os, signal, sys
from pathlib import Path
out, kill_at = Path(sys.argv[1]).resolve(), int(sys.argv[2])
real, done = os.replace, [0]
def replace(source, target, *args, **kwargs):
    if Path(target).resolve().parent == out:
        if done[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        done[0] += 1
    return real(source, target, *args, **kwargs)
os.replace = replace
"""
_UPDATE = _KILLER + """
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.outputs import update_outputs
inbox = Path(sys.argv[3])
update_outputs(out, [process_document(p, inbox) for p in sorted(inbox.glob("*.pdf"))])
"""
_RUN = _KILLER + """
from rectrack.flows.cli import main
sys.exit(main(["run", sys.argv[3], "--out", str(out)]))
"""


def _child(script: str, out: Path, kill_at: int, inbox: Path) -> int:
    """Run ``script`` in a new session; when it is killed, kill what it started too (Prefect's server)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = out.parent / f"{out.name}-{kill_at}.log"
    with log.open("wb") as handle:
        child = subprocess.Popen([sys.executable, "-c", script, str(out), str(kill_at), str(inbox)],
                                 cwd=out.parent, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        try:
            return child.wait(timeout=600)
        finally:
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An output folder after a first run plus an analyst's edit, and the set a second run writes."""
    base = tmp_path_factory.mktemp("crash")
    inbox = base / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "algeria2008.pdf", inbox)
    edited = base / "edited"
    assert _child(_UPDATE, edited, 99, inbox) == 0
    tracker = read_tracker(edited / "tracker.csv")
    tracker.loc[0, "status"] = "done by the ministry"
    write_csv_atomic(tracker, edited / "tracker.csv")
    shutil.copy(SAMPLES / "tajikistan2011.pdf", inbox)
    complete = base / "complete"
    shutil.copytree(edited, complete)
    assert _child(_UPDATE, complete, 99, inbox) == 0
    return {"inbox": inbox, "edited": edited, "complete": complete}


@pytest.mark.parametrize("kill_at", range(len(TABLES) + len(VIEWS) + 1),
                         ids=[f"before-{n}" for n in (*TABLES, *VIEWS, MANIFEST_FILE)])
def test_a_run_killed_at_each_write_step_loses_nothing(stages: dict[str, Path], tmp_path: Path, kill_at: int) -> None:
    out = tmp_path / "out"
    shutil.copytree(stages["edited"], out)
    assert _child(_UPDATE, out, kill_at, stages["inbox"]) == -9         # killed
    for table in TABLES:                       # every table whole: the one before or the one after
        assert (out / table).read_bytes() in {(stages["edited"] / table).read_bytes(),
                                              (stages["complete"] / table).read_bytes()}, table
    tracker = read_tracker(out / "tracker.csv")
    assert (tracker["status"] == "done by the ministry").sum() == 1          # the edit is there
    assert not (out / MANIFEST_FILE).exists()
    files = {p.name: file_sha256(p) for p in stages["inbox"].glob("*.pdf")}
    assert unchanged_summary(out, files) is None          # the next run does not trust a partial set
    assert _child(_UPDATE, out, 99, stages["inbox"]) == 0
    for table in (*TABLES, *VIEWS, MANIFEST_FILE):
        assert (out / table).read_bytes() == (stages["complete"] / table).read_bytes(), table
    assert not list(out.glob(".*.tmp"))


@pytest.mark.slow
def test_rectrack_run_killed_before_the_tracker_then_run_again(stages: dict[str, Path], tmp_path: Path) -> None:
    """The command users run, killed just before it replaces tracker.csv (the last table), then run again."""
    out = tmp_path / "out"
    shutil.copytree(stages["edited"], out)
    assert _child(_RUN, out, TABLES.index("tracker.csv"), stages["inbox"]) == -9
    assert (out / "tracker.csv").read_bytes() == (stages["edited"] / "tracker.csv").read_bytes()
    assert _child(_RUN, out, 99, stages["inbox"]) == 0
    tracker = read_tracker(out / "tracker.csv")
    assert (tracker["status"] == "done by the ministry").sum() == 1
    assert set(tracker["document"]) == {"algeria2008.pdf", "tajikistan2011.pdf"}
    assert (out / MANIFEST_FILE).exists()
