"""The package as users install it: one import name, its data inside, the same tracker as the repository."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("tracker.csv", "groups.csv", "documents.csv", "problems.csv", "labels.csv")


def _configured_packages() -> set[str]:
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    return set(setup["packages"])


def test_every_package_folder_is_in_the_wheel_under_rectrack() -> None:
    """A new sub-package of extractors/ or flows/ must be listed in pyproject.toml, or the wheel lacks it."""
    found = {"rectrack", "rectrack.data"}
    for folder in ("extractors", "flows"):
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT).parts
            found.add(".".join(("rectrack", *parts)))
    assert _configured_packages() == found


def test_the_code_imports_only_through_the_rectrack_name() -> None:
    """No module imports a generic top-level ``extractors`` or ``flows`` (those exist only in the repository)."""
    offenders = []
    for folder in ("extractors", "flows", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                stripped = line.strip()
                if stripped.startswith(("from extractors", "from flows", "import extractors", "import flows")):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {stripped}")
    assert offenders == []


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_writes_the_same_tables_as_the_repository(tmp_path: Path) -> None:
    """Build the wheel, install it alone in a new virtual environment, run the sample job from another
    folder, and compare every table with the same job run from the repository's own code."""
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT)], cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("rectrack-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names if not name.startswith("rectrack-")} == {"rectrack"}
    assert "rectrack/data/gazetteers/states.tsv" in names
    assert "rectrack/data/models/classifier/components.json" in names
    assert any(name.startswith("rectrack/data/samples/upr/") for name in names)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], cwd=tmp_path)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run([str(venv / "bin" / "rectrack"), "run", "--out", str(tmp_path / "from-wheel")], cwd=elsewhere, env=env)
    repository = tmp_path / "repository"
    repository.mkdir()
    _run([sys.executable, "-m", "rectrack.flows.cli", "run", "--out", str(tmp_path / "from-repository")],
         cwd=repository, env=env)
    for table in TABLES:
        assert filecmp.cmp(tmp_path / "from-wheel" / table, tmp_path / "from-repository" / table, shallow=False), table
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert not (site / "extractors").exists() and not (site / "flows").exists()
