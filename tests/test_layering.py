"""The layout is the data flow: each stage imports only the stages before it (read by ``ast``, nothing run).

read -> detect -> segment (with text/ and reference/ beneath them) -> classify -> tracker -> views -> outputs;
Prefect only in flows/, pandas only where tables are (tracker/, views/, outputs.py, and the classifier's
training and evaluation), and nothing under extractors/ reaches into flows/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTRACTORS = ROOT / "extractors"

# The stages that read documents know nothing of what is done with their rows.
DOCUMENT_STAGES = ("read", "text", "reference", "segment", "detect")
# stage -> the stages it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    **{stage: ("classify", "tracker", "views", "outputs") for stage in DOCUMENT_STAGES},
    "classify": ("tracker", "views", "outputs"),
    "tracker": ("views", "outputs"),
    "views": ("outputs",),
}
# Where pandas may be imported (the classifier's training and evaluation read and score tables).
PANDAS_ALLOWED = ("tracker", "views", "outputs", "classify/train", "classify/evaluate", "classify/upr_info")
MAX_TOP_LEVEL_FILES = 8


def _stage(path: Path) -> str:
    """``extractors/segment/upr/report.py`` -> ``segment``; ``extractors/outputs.py`` -> ``outputs``."""
    parts = path.relative_to(EXTRACTORS).with_suffix("").parts
    return parts[0]


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports, anywhere in it (deferred imports in functions count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _extractor_modules() -> list[Path]:
    return sorted(EXTRACTORS.rglob("*.py"))


def _stage_of_import(name: str) -> str | None:
    """``rectrack.extractors.tracker.io`` -> ``tracker``; anything outside extractors -> None."""
    parts = name.split(".")
    if parts[:2] != ["rectrack", "extractors"] or len(parts) < 3:
        return None
    return parts[2]


@pytest.mark.parametrize("path", _extractor_modules(), ids=lambda p: p.relative_to(EXTRACTORS).as_posix())
def test_a_stage_imports_nothing_downstream(path: Path) -> None:
    stage = _stage(path)
    downstream = FORBIDDEN.get(stage, ())
    wrong = sorted({name for name in _imports(path) if _stage_of_import(name) in downstream})
    assert not wrong, f"{path.relative_to(ROOT)} ({stage}) imports a later stage: {wrong}"


@pytest.mark.parametrize("path", _extractor_modules(), ids=lambda p: p.relative_to(EXTRACTORS).as_posix())
def test_the_core_has_no_prefect_and_no_flows(path: Path) -> None:
    names = _imports(path)
    assert not [n for n in names if n.split(".")[0] == "prefect"], f"{path}: Prefect belongs in flows/"
    assert not [n for n in names if n.startswith("rectrack.flows")], f"{path}: the core cannot import flows/"


def test_prefect_is_imported_only_in_flows() -> None:
    offenders = [path.relative_to(ROOT).as_posix() for folder in ("extractors", "rectrack")
                 for path in (ROOT / folder).rglob("*.py")
                 if any(name.split(".")[0] == "prefect" for name in _imports(path))]
    assert offenders == []


def test_pandas_only_where_tables_are() -> None:
    offenders = []
    for path in _extractor_modules():
        relative = path.relative_to(EXTRACTORS).with_suffix("").as_posix()
        if any(name.split(".")[0] == "pandas" for name in _imports(path)) and not relative.startswith(PANDAS_ALLOWED):
            offenders.append(relative)
    assert offenders == []


def test_extractors_top_level_is_small() -> None:
    files = sorted(p.name for p in EXTRACTORS.iterdir() if p.is_file() and p.suffix == ".py")
    assert len(files) <= MAX_TOP_LEVEL_FILES, files


def test_the_rules_see_real_imports() -> None:
    """The checks above would pass vacuously if ``_imports`` found nothing: it finds what a module imports."""
    names = _imports(EXTRACTORS / "outputs.py")
    assert "pandas" in names and "rectrack.extractors.tracker.merge" in names
    assert _stage(EXTRACTORS / "segment" / "upr" / "report.py") == "segment"
