"""``rectrack classify``, ``evaluate`` and ``train`` through ``main(argv)``, on a tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from rectrack.extractors.classify.classifier import MODEL_DIR, model_fingerprint
from rectrack.flows.cli import main
from tests.tiny_classifier import write_tiny_classifier

ROOT = Path(__file__).resolve().parents[1]
TAJIKISTAN = ROOT / "tests" / "fixtures" / "upr-info" / "tajikistan-session12.csv"
LABEL_COLUMNS = ["issues", "themes", "groups", "sdgs", "action_category", "priority_areas"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_classifier(tmp_path_factory.mktemp("models") / "classifier")


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.mark.parametrize("command", ["classify", "evaluate", "train"])
def test_every_classification_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Usage:" in text and "--help" in text


def test_classify_keeps_every_row_and_column(tiny_model: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "mine.csv"
    source.write_text(
        "id,Recommendation,country,note\n"
        "0012,Prevent torture in police custody,NA,\n"
        "118.10,\"Promote women, girls and gender equality\",Namibia,\"a, b\"\n"
        "x,,null,empty text\n"
        "y,Prevent torture in police custody,,duplicate text\n", encoding="utf-8")
    out = tmp_path / "sub" / "labelled.csv"
    assert main(["classify", str(source), "--text-column", "Recommendation", "--out", str(out),
                 "--model", str(tiny_model)]) == 0
    assert "4 rows classified" in capsys.readouterr().out
    labelled = read(out)
    original = read(source)
    assert list(labelled.columns) == list(original.columns) + LABEL_COLUMNS
    pd.testing.assert_frame_equal(labelled[list(original.columns)], original)
    assert list(labelled["id"]) == ["0012", "118.10", "x", "y"] and labelled["country"].iat[0] == "NA"
    assert labelled["priority_areas"].iat[0] == "Torture prevention"
    assert (labelled.loc[2, LABEL_COLUMNS] == "").all(), "an empty text gets no labels"
    assert labelled.loc[0, LABEL_COLUMNS].tolist() == labelled.loc[3, LABEL_COLUMNS].tolist()
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_classify_refuses_a_missing_column_naming_file_and_columns(
        tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "mine.csv"
    source.write_text("id,Text\n1,Ratify OPCAT\n", encoding="utf-8-sig")
    out = tmp_path / "out.csv"
    code = main(["classify", str(source), "--text-column", "text", "--out", str(out), "--model", str(tiny_model)])
    message = " ".join(capsys.readouterr().err.split())
    assert code != 0 and not out.exists()
    assert str(source) in message and "'text'" in message and "'id', 'Text'" in message


def test_classify_without_a_model_says_to_train(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "mine.csv"
    source.write_text("Text\nRatify OPCAT\n", encoding="utf-8")
    code = main(["classify", str(source), "--text-column", "Text", "--out", str(tmp_path / "o.csv"),
                 "--model", str(tmp_path / "no-model")])
    assert code == 1 and "rectrack train" in " ".join(capsys.readouterr().err.split())


def test_evaluate_prints_figures_on_real_upr_info_rows(tiny_model: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    assert main(["evaluate", str(TAJIKISTAN), "--text-column", "Text", "--gold-column", "Action",
                 "--taxonomy", "action_category", "--model", str(tiny_model), "--json", str(report)]) == 0
    text = capsys.readouterr().out
    assert "action_category: 150 examples, accuracy" in text and "macro-F1" in text
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert 0 <= figures["accuracy"] <= 1 and set(figures["per_label"]) <= {"1", "2", "3", "4", "5"}
    assert sum(v["support"] for v in figures["per_label"].values()) == 150

    assert main(["evaluate", str(TAJIKISTAN), "--text-column", "Text", "--gold-column", "Issue",
                 "--taxonomy", "issues", "--model", str(tiny_model)]) == 0
    text = capsys.readouterr().out
    assert "issues: 150 examples, micro-F1" in text
    assert "gold labels the classifier does not know: " in text and "Special procedures" in text


def test_evaluate_refuses_an_unknown_taxonomy(tiny_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(TAJIKISTAN), "--text-column", "Text", "--gold-column", "Issue",
                 "--taxonomy", "topics", "--model", str(tiny_model)]) == 1
    assert "is not a taxonomy" in capsys.readouterr().err


@pytest.mark.skipif(not model_fingerprint(MODEL_DIR), reason="no shipped classifier: run `rectrack train`")
def test_shipped_classifier_on_tajikistan_session_12(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped model on 150 real rows (session 12 is training data: a smoke test, not a measure)."""
    assert main(["evaluate", str(TAJIKISTAN), "--text-column", "Text", "--gold-column", "Action",
                 "--taxonomy", "action_category"]) == 0
    accuracy = float(capsys.readouterr().out.split("accuracy ")[1].split(",")[0])
    assert accuracy >= 0.8
