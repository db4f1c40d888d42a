"""What must not change when the code moves: the commands' help texts and a sample run's table bytes.

The expected files live in ``tests/fixtures/golden/contract/`` and ``tests/fixtures/golden/help/``;
``tests/test_contract.py`` compares against them and fails when one is missing. They are written only
by running this module on purpose (``python -m tests.contract``), after a change that is meant to
alter the contract, and the diff is reviewed like code.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
HELP_DIR = GOLDEN / "help"
SAMPLE_RUN_SUMS = GOLDEN / "contract" / "sample-run.sha256"
HELP_WIDTH = "100"
# Every command of the CLI; () is `rectrack --help` itself.
COMMANDS: tuple[tuple[str, ...], ...] = (
    (), ("run",), ("serve",), ("history",), ("ui",), ("classify",), ("evaluate",), ("train",),
)
# Every file `rectrack run data/samples --refresh` writes whose bytes are the contract.
SAMPLE_RUN_FILES = ("tracker.csv", "documents.csv", "problems.csv", "labels.csv", "responses.csv", "evidence.csv",
                    "groups.csv", "tracker.xlsx", "report.html")


def help_file(command: tuple[str, ...]) -> Path:
    """Where the golden help text of ``rectrack COMMAND --help`` is kept."""
    return HELP_DIR / f"{'-'.join(command) or 'rectrack'}.txt"


def help_text(command: tuple[str, ...]) -> tuple[int, str]:
    """``rectrack COMMAND --help`` in-process at a fixed width: (exit code, what it printed)."""
    from rectrack.flows.cli import main

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            code = main([*command, "--help"])
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous
    return code, buffer.getvalue()


def file_sums(folder: Path) -> dict[str, str]:
    """name -> sha256 of the contract's files in ``folder`` (a missing file maps to "missing")."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() if (folder / name).exists()
            else "missing" for name in SAMPLE_RUN_FILES}


def read_sums(path: Path = SAMPLE_RUN_SUMS) -> dict[str, str]:
    """The golden sums, from a ``sha256sum``-style file."""
    pairs = (line.split(None, 1) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {name.strip(): digest for digest, name in pairs}


def _write_goldens(sample_out: Path) -> None:
    """Write every golden file: the help texts now, and the sums of the run in ``sample_out``."""
    for command in COMMANDS:
        code, text = help_text(command)
        if code != 0:
            raise SystemExit(f"rectrack {' '.join(command)} --help exited {code}")
        help_file(command).write_text(text, encoding="utf-8")
    sums = file_sums(sample_out)
    SAMPLE_RUN_SUMS.write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m tests.contract OUT  (OUT: the --out of `rectrack run data/samples --refresh`)")
    _write_goldens(Path(sys.argv[1]))
