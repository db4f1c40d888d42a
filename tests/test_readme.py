"""The README's commands cannot drift from what the project does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rectrack.flows.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _first_block() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.DOTALL).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_exactly_two_setup_commands_and_ci_runs_the_test_one():
    run_command, test_command = _first_block()
    assert run_command.endswith(".venv/bin/rectrack run")
    assert test_command.endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


@pytest.mark.parametrize("command", sorted(set(re.findall(r"\.venv/bin/rectrack (\w+)", README))))
def test_every_command_in_the_readme_exists(command, capsys):
    assert main([command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out
