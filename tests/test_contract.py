"""The contract a refactoring must keep: table headers, every command's help text, a sample run's bytes.

Goldens are in ``tests/fixtures/golden/``; a missing one fails. They are rewritten only on purpose,
with ``python -m tests.contract OUT`` (see :mod:`tests.contract`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract import COMMANDS, SAMPLE_RUN_FILES, SAMPLE_RUN_SUMS, file_sums, help_file, help_text, read_sums
from tests.sample_runs import run_samples

TRACKER_HEADER = (
    "rec_id,document,document_symbol,document_type,body,country,year,paragraph,page,text,recommending_states,"
    "position,issues,themes,groups,sdgs,action_category,priority_areas,status,responsible,notes,reviewed_issues,"
    "reviewed_themes,reviewed_groups,reviewed_sdgs,reviewed_action_category,reviewed_priority_areas,reviewed_group,"
    "recommendation_key,same_as,follow_up_group,evidence_count,latest_evidence,reported_progress,source,heading,context,addressee,follow_up,response,position_source,"
    "missing,synced_edits"
)
DOCUMENTS_HEADER = ("document,sha256,status,document_type,body,document_symbol,country,year,pages,recommendations,"
                    "detected_as,problem,missing")
PROBLEMS_HEADER = "document,page,kind,reason,action"
LABELS_HEADER = "rec_id,taxonomy,label,score,source"
GROUPS_HEADER = ("follow_up_group,country,representative_text,recommendations,first_year,latest_year,first_document,"
                 "latest_document,made_by,bodies,latest_position")
RESPONSES_HEADER = "report_symbol,paragraph,position,response,source,document"


def _header(path: Path) -> str:
    return path.read_bytes().split(b"\n", 1)[0].decode("utf-8")


def test_the_tables_have_their_literal_headers(tmp_path: Path) -> None:
    run_samples(tmp_path, "upr/slovenia2019-A_HRC_43_15.pdf", "upr/slovenia2020-A_HRC_43_15_Add.1.pdf")
    assert _header(tmp_path / "tracker.csv") == "\ufeff" + TRACKER_HEADER
    assert _header(tmp_path / "documents.csv") == "\ufeff" + DOCUMENTS_HEADER
    assert _header(tmp_path / "problems.csv") == "\ufeff" + PROBLEMS_HEADER
    assert _header(tmp_path / "labels.csv") == "\ufeff" + LABELS_HEADER
    assert _header(tmp_path / "groups.csv") == "\ufeff" + GROUPS_HEADER
    assert _header(tmp_path / "responses.csv") == "\ufeff" + RESPONSES_HEADER


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command) or "rectrack")
def test_help_text_is_unchanged(command: tuple[str, ...]) -> None:
    golden = help_file(command)
    assert golden.exists(), f"{golden} is missing: write it on purpose with `python -m tests.contract OUT`"
    code, text = help_text(command)
    assert code == 0
    assert text == golden.read_text(encoding="utf-8")


def test_every_command_has_a_golden_help_text() -> None:
    from typer.main import get_command

    from rectrack.flows.cli import app

    assert {command[0] for command in COMMANDS if command} == set(get_command(app).commands)


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_a_sample_run_writes_the_golden_bytes(tmp_path: Path) -> None:
    from rectrack.flows.cli import main
    from tests.contract import ROOT

    assert SAMPLE_RUN_SUMS.exists()
    assert main(["run", str(ROOT / "data" / "samples"), "--out", str(tmp_path / "out"), "--refresh"]) == 0
    expected = read_sums()
    assert set(expected) == set(SAMPLE_RUN_FILES)
    assert file_sums(tmp_path / "out") == expected
