"""Issue 20, part 3: labels an analyst fixed in ``reviewed_*`` cells are training data for ``rectrack train``.

Trackers are written here with the real header (:data:`~rectrack.extractors.tracker.columns.COLUMNS`)
and the project's writer, holding real recommendation texts (Slovenia's 2019 compilation, as the
golden file of ``tests/test_compilation.py`` has them, and rows of ``data/training/upr_info.csv``).
The training tests fit the real issues and action trainers on a 200-row slice of the UPR Info table
(the linear model only), with and without reviewed rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import spacy

from rectrack.extractors.classify import train as train_module
from rectrack.extractors.classify.reviewed import ReviewedRow, fold_reviewed
from rectrack.extractors.classify.train_action import train_action
from rectrack.extractors.classify.train_issues import Settings, key, score_matrix, train_issues
from rectrack.extractors.classify.upr_info import (
    TRAINING_CSV, Split, UprText, load_upr_info, split_by_session,
)
from rectrack.extractors.errors import InvalidReview
from rectrack.extractors.tracker.columns import COLUMNS
from rectrack.extractors.tracker.io import write_csv_atomic
from rectrack.extractors.tracker.reviewed import load_reviewed
from rectrack.flows.cli import main

ROOT = Path(__file__).resolve().parents[1]
COMPILATION = ROOT / "tests" / "fixtures" / "golden" / "compilation-slovenia2019-SVN2-pages5-6.json"
TEXTS = [row["text"] for row in json.loads(COMPILATION.read_text(encoding="utf-8"))["rows"]]
HOUSING, OLDER_PERSONS, HEALTH = TEXTS[:3]
TRAINED = ("issues", "action_category", "themes", "groups", "sdgs")
QUIET = {"log": lambda *args, **kwargs: None}


def write_tracker(path: Path, rows: list[dict[str, str]]) -> Path:
    """A tracker.csv with every column of the contract, ``rows``' cells filled, the rest empty."""
    frame = pd.DataFrame([{column: row.get(column, "") for column in COLUMNS}
                          for row in rows], columns=list(COLUMNS), dtype=str)
    frame["rec_id"] = [f"r{index:016x}" for index in range(1, len(rows) + 1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv_atomic(frame, path)
    return path


# --- reading reviewed cells ------------------------------------------------------------------


def test_filled_review_cells_become_rows_in_the_taxonomies_spelling(tmp_path: Path) -> None:
    tracker = write_tracker(tmp_path / "out" / "tracker.csv", [
        {"text": HOUSING, "issues": "Right to housing", "reviewed_issues": "right to housing | Poverty"},
        {"text": OLDER_PERSONS, "reviewed_action_category": "4", "reviewed_sdgs": "10|11",
         "reviewed_groups": "Older persons"},
        {"text": HEALTH, "issues": "Right to health", "status": "in progress"},          # nothing reviewed
        {"text": TEXTS[3], "reviewed_priority_areas": "Domestic violence"},             # not trained
    ])
    rows = load_reviewed([tracker.parent], TRAINED)         # a folder means its tracker.csv
    assert rows == [
        ReviewedRow(HOUSING, {"issues": frozenset({"Right to housing", "Poverty"})}),
        ReviewedRow(OLDER_PERSONS, {"action_category": frozenset({"4"}), "sdgs": frozenset({"10", "11"}),
                                    "groups": frozenset({"Older persons"})}),
    ]
    assert load_reviewed([tracker])[-1] == ReviewedRow(
        TEXTS[3], {"priority_areas": frozenset({"Domestic violence"})})


def test_the_last_review_of_a_text_wins_per_taxonomy_across_rows_and_trackers(tmp_path: Path) -> None:
    first = write_tracker(tmp_path / "a" / "tracker.csv", [
        {"text": HOUSING, "reviewed_issues": "Poverty", "reviewed_action_category": "5"},
        {"text": "  " + HOUSING.upper() + " ", "reviewed_issues": "Right to housing"},
    ])
    second = write_tracker(tmp_path / "b" / "tracker.csv", [
        {"text": HOUSING, "reviewed_themes": "Right to adequate housing", "reviewed_action_category": "4"},
    ])
    assert load_reviewed([first, second], TRAINED) == [ReviewedRow(HOUSING, {
        "issues": frozenset({"Right to housing"}), "action_category": frozenset({"4"}),
        "themes": frozenset({"Right to adequate housing"})})]


def test_a_cell_of_separators_only_is_not_a_review_as_in_the_tracker(tmp_path: Path) -> None:
    """The tracker has no "none" marker: ``|`` or spaces leave the model's labels (tracker.labels), so no row."""
    tracker = write_tracker(tmp_path / "tracker.csv", [
        {"text": HOUSING, "reviewed_issues": " | ", "reviewed_themes": "   "},
        {"text": HEALTH, "reviewed_issues": "|", "reviewed_sdgs": "3"},
    ])
    assert load_reviewed([tracker], TRAINED) == [ReviewedRow(HEALTH, {"sdgs": frozenset({"3"})})]


def test_unknown_labels_stop_the_load_naming_file_rows_labels_and_the_fix(tmp_path: Path) -> None:
    tracker = write_tracker(tmp_path / "tracker.csv", [
        {"text": HOUSING, "reviewed_issues": "Right to housing"},
        {"text": OLDER_PERSONS, "reviewed_issues": "Rigth to housing|Elderly"},
        {"text": HEALTH, "reviewed_action_category": "4|5"},
    ])
    with pytest.raises(InvalidReview) as caught:
        load_reviewed([tracker], TRAINED)
    message = str(caught.value)
    assert message.startswith("tracker.csv: 3 reviewed cell(s) cannot be used for training")
    assert ("row 3 (rec_id r0000000000000002), reviewed_issues: 'Rigth to housing' "
            "(did you mean 'Right to housing'?)") in message
    assert "'Elderly' (not a label of this taxonomy)" in message
    assert "row 4 (rec_id r0000000000000003), reviewed_action_category: 2 labels (4|5) where one is expected" in message
    assert "upr_info_issues.tsv" in caught.value.action and "empty the cell" in caught.value.action


def test_a_workbook_or_a_missing_tracker_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(InvalidReview, match="rectrack run"):
        load_reviewed([tmp_path / "tracker.xlsx"])
    with pytest.raises(InvalidReview, match="no such file"):
        load_reviewed([tmp_path])


# --- folding them into the split -------------------------------------------------------------


def upr(text: str, issues: tuple[str, ...], action: int, session: int = 1) -> UprText:
    return UprText(text, session, issues, action, "Accepted", 1)


def test_fold_relabels_adds_and_holds_out_reviewed_texts() -> None:
    split = Split(train=(upr(HOUSING, ("Poverty",), 5), upr(HEALTH, ("Right to health",), 5)),
                  validation=(upr(OLDER_PERSONS, ("Disabilities",), 4),),
                  test=(upr(TEXTS[3], ("Justice",), 4, session=18),))
    reviewed = [ReviewedRow(HOUSING.upper(), {"issues": frozenset({"Right to housing"})}),
                ReviewedRow(OLDER_PERSONS, {"issues": frozenset({"Right to housing", "Disabilities"})}),
                ReviewedRow(TEXTS[3], {"issues": frozenset()}),            # "none": a negative example
                ReviewedRow(TEXTS[4], {"sdgs": frozenset({"3"})})]         # not this taxonomy
    folded, used = fold_reviewed(split, reviewed, "issues",
                                 lambda item, labels: UprText(item.text, item.session, tuple(sorted(labels)),
                                                              item.action, item.response, item.from_states))
    assert [(t.text, t.issues) for t in folded.train] == [
        (HOUSING, ("Right to housing",)), (HEALTH, ("Right to health",)),
        (OLDER_PERSONS, ("Disabilities", "Right to housing")), (TEXTS[3], ())]
    assert folded.validation == () and folded.test == ()
    assert used == {"reviewed_texts": 3, "reviewed_relabelled": 1, "reviewed_held_out": 2}


# --- training on them ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def training_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every 192nd text of the UPR Info table: 200 texts, 39 of them in the test sessions."""
    table = pd.read_csv(TRAINING_CSV, dtype=str, keep_default_na=False, encoding="utf-8")
    path = tmp_path_factory.mktemp("upr") / "upr_info.csv"
    table.iloc[::192].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


@pytest.fixture(scope="module")
def reviewed_rows(training_slice: Path) -> list[ReviewedRow]:
    """The housing text taught 'Poverty' (UPR Info's slice has 5 such texts), one test text re-labelled."""
    split = split_by_session(load_upr_info(training_slice))
    return [ReviewedRow(HOUSING, {"issues": frozenset({"Poverty"}), "action_category": frozenset({"1"})}),
            ReviewedRow(split.test[0].text, {"issues": frozenset({"Justice"})})]


@pytest.fixture(scope="module")
def issue_models(training_slice: Path, reviewed_rows: list[ReviewedRow],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    fast = Settings(hidden_width=0)
    models = {}
    for name, rows in (("without", []), ("with", reviewed_rows)):
        out = tmp_path_factory.mktemp(name) / "issues"
        models[name] = (out, train_issues(out, data=training_slice, settings=fast, reviewed=rows, **QUIET))
    return models


def test_reviewed_issue_labels_are_learnt(issue_models: dict[str, tuple[Path, dict]]) -> None:
    """Without the review the housing text is far from 'Poverty'; with it, the label is shown."""
    scores, thresholds = {}, {}
    for name, (out, _) in issue_models.items():
        scores[name] = float(score_matrix(spacy.load(out), [HOUSING], [key("Poverty")])[0, 0])
        thresholds[name] = json.loads((out / "thresholds.json").read_text(encoding="utf-8"))[key("Poverty")]
    assert scores["without"] < 0.05 and scores["without"] < thresholds["without"], (scores, thresholds)
    assert scores["with"] > 0.5 and scores["with"] >= thresholds["with"], (scores, thresholds)


def test_reviewed_texts_leave_the_test_split_and_are_counted(issue_models: dict[str, tuple[Path, dict]]) -> None:
    without, with_reviewed = issue_models["without"][1], issue_models["with"][1]
    assert (without["reviewed_texts"], without["reviewed_held_out"]) == (0, 0)
    assert with_reviewed["reviewed_texts"] == 2 and with_reviewed["reviewed_relabelled"] == 0
    assert with_reviewed["reviewed_held_out"] == 1
    assert with_reviewed["test_texts"] == without["test_texts"] - 1 == 38
    assert with_reviewed["train_texts"] == without["train_texts"] + 2


def test_a_reviewed_action_category_is_learnt(training_slice: Path, reviewed_rows: list[ReviewedRow],
                                             tmp_path: Path) -> None:
    shares = {}
    for name, rows in (("without", []), ("with", reviewed_rows)):
        metrics = train_action(tmp_path / name, data=training_slice, reviewed=rows, **QUIET)
        shares[name] = spacy.load(tmp_path / name)(HOUSING).cats
        assert metrics["reviewed_texts"] == sum("action_category" in row.labels for row in rows)
    assert max(shares["without"], key=shares["without"].get) != "action_category::1"
    assert max(shares["with"], key=shares["with"].get) == "action_category::1"


# --- train_all and the command ---------------------------------------------------------------

RECEIVED: list[tuple[str, tuple[ReviewedRow, ...]]] = []


def learner(out_dir: Path, *, seed: int = 0, reviewed=()) -> dict:
    """A stand-in trainer that takes reviewed rows: an empty pipeline, and what it was given."""
    RECEIVED.append(("learner", tuple(reviewed)))
    spacy.blank("en").to_disk(out_dir)
    return {"reviewed_texts": sum("issues" in row.labels for row in reviewed)}


def old_trainer(out_dir: Path, *, seed: int = 0) -> dict:
    """A stand-in trainer that takes no reviewed rows (as train_themes until it does)."""
    spacy.blank("en").to_disk(out_dir)
    return {}


@pytest.fixture
def stand_in_trainers(monkeypatch: pytest.MonkeyPatch) -> list:
    RECEIVED.clear()
    monkeypatch.setattr(train_module, "TRAINERS", (("issues", __name__, "learner"),
                                                   ("themes", __name__, "old_trainer")))
    return RECEIVED


def test_rectrack_train_reviewed_passes_the_rows_and_prints_their_counts(
        stand_in_trainers: list, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write_tracker(tmp_path / "a" / "tracker.csv", [
        {"text": HOUSING, "reviewed_issues": "Right to housing", "reviewed_action_category": "4"},
        {"text": HEALTH, "reviewed_themes": "Right to health"}])
    second = write_tracker(tmp_path / "b" / "tracker.csv", [{"text": OLDER_PERSONS, "reviewed_issues": "Poverty"}])
    out = tmp_path / "classifier"
    assert main(["train", "--reviewed", str(first), "--reviewed", str(second.parent), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert ("reviewed labels from 2 tracker(s): 3 texts; issues 2, action_category 1, themes 1, groups 0, sdgs 0"
            in printed)
    assert [texts for _, texts in stand_in_trainers] == [tuple(load_reviewed([first, second], TRAINED))]
    metrics = json.loads((out / train_module.METRICS_FILE).read_text(encoding="utf-8"))
    assert metrics["issues"] == {"reviewed_texts": 2}
    assert metrics["themes"] == {"reviewed_texts": 0, "reviewed_note": "this trainer takes no reviewed labels yet"}


def test_rectrack_train_refuses_unknown_reviewed_labels_before_training(
        stand_in_trainers: list, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tracker = write_tracker(tmp_path / "tracker.csv", [{"text": HOUSING, "reviewed_issues": "Housing"}])
    out = tmp_path / "classifier"
    assert main(["train", "--reviewed", str(tracker), "--out", str(out)]) == 1
    message = " ".join(capsys.readouterr().err.split())
    assert str(tracker) in message and "'Housing'" in message and "rectrack train" in message
    assert stand_in_trainers == [] and not out.exists()
