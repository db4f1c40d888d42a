"""`rectrack run` over inputs that did not change ends before starting Prefect, and only then."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rectrack.flows import settings
from rectrack.flows.cli import main
from rectrack.flows.runlog import read_records, runs_dir
from tests.conftest import SAMPLES

pytestmark = pytest.mark.usefixtures("prefect_harness")

NOTHING_CHANGED = "Nothing changed since the last run"


def _tables(out: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.iterdir()) if p.is_file() and p.name != ".rectrack.lock"}


def _newest_record():
    return read_records(runs_dir(settings.PREFECT_HOME))[0]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLES / "algeria2008.pdf", folder)
    return folder


def test_a_second_run_with_nothing_changed_writes_nothing_and_runs_no_flow(
        inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    first = _newest_record()
    assert NOTHING_CHANGED not in capsys.readouterr().out
    before = _tables(out)
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert NOTHING_CHANGED in shown and "--refresh" in shown
    record = _newest_record()
    assert record.run_id != first.run_id and record.state == "completed"
    assert first.flow_run_id and not record.flow_run_id            # no Prefect flow this time
    assert (record.recommendations, record.tracker_rows) == (first.recommendations, first.tracker_rows)
    assert _tables(out) == before                                 # same bytes, not even rewritten
    log = (runs_dir(settings.PREFECT_HOME) / f"{record.run_id}.log").read_text(encoding="utf-8")
    assert "no Prefect flow was run" in log


def test_a_changed_file_an_added_file_or_refresh_runs_the_flow(
        inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    assert main(["run", str(inbox), "--out", str(out), "--refresh"]) == 0
    assert NOTHING_CHANGED not in capsys.readouterr().out and _newest_record().flow_run_id
    shutil.copy(SAMPLES / "tajikistan2011.pdf", inbox)           # a new document
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    assert NOTHING_CHANGED not in capsys.readouterr().out and _newest_record().flow_run_id
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    assert NOTHING_CHANGED in capsys.readouterr().out
    (inbox / "tajikistan2011.pdf").unlink()                         # a document gone: its rows are kept, marked
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    assert NOTHING_CHANGED not in capsys.readouterr().out


def test_an_analyst_edit_to_apply_runs_the_flow(inbox: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    out = tmp_path / "out"
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    tracker = pd.read_csv(out / "tracker.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    tracker.loc[0, "reviewed_themes"] = "Torture"
    tracker.to_csv(out / "tracker.csv", index=False, encoding="utf-8-sig")
    capsys.readouterr()
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    assert NOTHING_CHANGED not in capsys.readouterr().out


@pytest.mark.parametrize("configured", ["default", "environment", "profile"])
def test_storage_root_is_the_folder_prefect_names(tmp_path: Path, configured: str) -> None:
    """The short cut looks for cached results where the flow writes them, found without importing prefect."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PREFECT_HOME": str(home)}
    for name in (settings.RESULT_STORAGE, "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        env.pop(name, None)
    expected = {"default": home / "storage", "environment": tmp_path / "elsewhere",
                "profile": tmp_path / "from-profile"}[configured]
    if configured == "environment":
        env[settings.RESULT_STORAGE] = str(expected)
    if configured == "profile":
        (home / "profiles.toml").write_text(
            f'active = "mine"\n\n[profiles.mine]\n{settings.RESULT_STORAGE} = "{expected}"\n', encoding="utf-8")
    code = ("import json, sys; from rectrack.flows.inputs import storage_root; mine = str(storage_root()); "
            "assert 'prefect' not in sys.modules; "
            "from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH as P; "
            "print(json.dumps([mine, str(P.value())]))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                          cwd=tmp_path)
    mine, prefects = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(mine) == Path(prefects) == expected


def test_nothing_changed_is_decided_from_the_manifest_without_pandas(inbox: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The facts a run records in its manifest are what reading its tables back gives, and a later run where
    nothing changed decides so in a process that imports neither pandas nor Prefect."""
    from rectrack.extractors.outputs import facts_from_tables
    from rectrack.extractors.tracker.manifest import MANIFEST_FILE

    out = tmp_path / "out"
    shutil.copy(SAMPLES / "tajikistan2011.pdf", inbox)
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    recorded = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["facts"]
    assert recorded == facts_from_tables(out)
    assert recorded["present"] == 2 and recorded["tracker_rows"] > 100 and not recorded["pending"]
    code = ("import sys; from rectrack.flows.cli import main; code = main(sys.argv[1:]); "
            "heavy = sorted({'pandas', 'prefect', 'spacy', 'openpyxl'} & set(sys.modules)); "
            "print('heavy:', heavy); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", code, "run", str(inbox), "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    shown = " ".join(done.stdout.split())
    assert NOTHING_CHANGED in shown and "heavy: []" in shown
    assert f"{recorded['tracker_rows']} rows" in shown


def test_outputs_without_facts_are_read_once_and_still_found_unchanged(inbox: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Tables of a version whose manifest had no facts: the check reads them (as before) and still skips."""
    from rectrack.extractors.tracker.manifest import MANIFEST_FILE

    out = tmp_path / "out"
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    manifest = out / MANIFEST_FILE
    record = json.loads(manifest.read_text(encoding="utf-8"))
    del record["facts"]
    manifest.write_text(json.dumps(record), encoding="utf-8")
    capsys.readouterr()
    assert main(["run", str(inbox), "--out", str(out)]) == 0
    assert NOTHING_CHANGED in capsys.readouterr().out
