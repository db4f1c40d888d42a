"""The classifier in the pipeline: load once, label the tracker, analysts and matrices win, flow.

Built against a tiny pipeline trained here (:mod:`tests.tiny_classifier`), so
these tests do not depend on the shipped model in ``data/models/classifier``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rectrack.extractors.classify.classifier import LabelScore, load_classifier, model_fingerprint
from rectrack.extractors.errors import ModelNotFound
from rectrack.extractors.tracker.labels import column_values, label_tracker, reviews_pending, split_labels
from rectrack.extractors.classify.evaluate import multilabel_report, single_label_report
from rectrack.extractors.classify.train import assemble
from rectrack.extractors.records import (
    DocumentInfo, DocumentResult, DocumentType, GivenLabel, Recommendation, Status,
)
from rectrack.extractors.outputs import unchanged_summary, update_outputs
from rectrack.extractors.tracker.merge import build_tracker
from rectrack.extractors.tracker.io import read_tracker
from rectrack.extractors.tracker.columns import COLUMNS, REVIEW_COLUMNS
from tests.conftest import SAMPLES
from tests.tiny_classifier import train_tiny_pipeline, write_tiny_classifier

TORTURE = "Torture and other CID treatment"
TEXTS = ("Prevent torture and ill-treatment in police custody",
         "Promote the participation of women in political life",
         "Reform the penitentiary system and improve prison conditions")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_classifier(tmp_path_factory.mktemp("models") / "classifier")


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


# --- the classifier --------------------------------------------------------------------------

def test_overfit_save_reload_gives_the_same_predictions(tmp_path: Path) -> None:
    nlp = train_tiny_pipeline()
    before = [doc.cats for doc in nlp.pipe(TEXTS)]
    assert before[0][f"issues::{TORTURE}"] > 0.5 and before[1]["issues::Women's rights"] > 0.5
    assert max(before[2], key=lambda k: before[2][k] if k.startswith("action") else -1) == "action_category::4"
    path = write_tiny_classifier(tmp_path / "c")
    after = [doc.cats for doc in load_classifier(path).nlp.pipe(TEXTS)]
    assert all(a == pytest.approx(b) for a, b in zip(after, before))


def test_classifier_shows_labels_above_threshold_and_one_action_category(tiny_model: Path) -> None:
    torture, women, prison = load_classifier(tiny_model).classify(TEXTS)
    shown = {(s.taxonomy, s.label, s.source) for s in torture if s.shown}
    assert ("issues", TORTURE, "model") in shown
    assert ("priority_areas", "Torture prevention", "rule") in shown
    assert [s.label for s in torture if s.taxonomy == "action_category" and s.shown] == ["4"]
    assert all(s.score >= 0.1 for s in women)
    assert ("issues", "Detention conditions") in {(s.taxonomy, s.label) for s in prison if s.shown}
    assert load_classifier(tiny_model).classify(["", "   "]) == [(), ()]


def test_classifier_is_loaded_once_per_process_and_per_model(tiny_model: Path, tmp_path: Path) -> None:
    assert load_classifier(tiny_model) is load_classifier(tiny_model)
    copy = shutil.copytree(tiny_model, tmp_path / "copy")
    assert model_fingerprint(copy) == model_fingerprint(tiny_model)
    thresholds = json.loads((copy / "thresholds.json").read_text(encoding="utf-8"))
    thresholds[f"issues::{TORTURE}"] = 0.99
    (copy / "thresholds.json").write_text(json.dumps(thresholds), encoding="utf-8")
    assert model_fingerprint(copy) != model_fingerprint(tiny_model)
    assert load_classifier(copy).thresholds[f"issues::{TORTURE}"] == 0.99


def test_missing_classifier_says_to_run_rectrack_train(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="rectrack train"):
        load_classifier(tmp_path / "nothing-here")
    assert model_fingerprint(tmp_path) == ""


def test_assemble_sources_components_into_one_pipeline(tmp_path: Path) -> None:
    """train_all's assembly step on two trained pipelines: same predictions, one pipeline."""
    nlp = train_tiny_pipeline()
    nlp.remove_pipe("priority_areas")
    issues = tmp_path / "issues"
    nlp.to_disk(issues)
    json.dump({f"issues::{TORTURE}": 0.3}, (issues / "thresholds.json").open("w"))
    entries = assemble([issues], tmp_path / "one", with_priority=False)
    assert [(e["name"], e["source"], e["taxonomies"]) for e in entries] == [
        ("issues", "model", ["issues"]), ("action_category", "model", ["action_category"])]
    loaded = load_classifier(tmp_path / "one")
    assert loaded.thresholds == {f"issues::{TORTURE}": 0.3}
    assert [d.cats for d in loaded.nlp.pipe(TEXTS)] == [d.cats for d in nlp.pipe(TEXTS)]


# --- labels onto the tracker -------------------------------------------------------------------

def model(taxonomy: str, label: str, score: float, shown: bool = True, source: str = "model") -> LabelScore:
    return LabelScore(taxonomy, label, score, source, shown)


def test_column_values_precedence_analyst_then_matrix_then_model() -> None:
    labels = [model("issues", "Torture", 0.9), model("issues", "Detention", 0.3, shown=False),
              model("sdgs", "16", 0.8), model("sdgs", "5", 0.7),
              LabelScore("sdgs", "10", 1.0, "matrix"),
              LabelScore("themes", "Prohibition of torture", 1.0, "matrix"),
              LabelScore("themes", "Women", 1.0, "analyst"), LabelScore("themes", "Detention", 1.0, "analyst")]
    cells = column_values(labels)
    assert cells["issues"] == "Torture"
    assert cells["sdgs"] == "10"
    assert cells["themes"] == "Women|Detention", "the analyst's order is kept"
    assert column_values([model("sdgs", "16", 0.8), model("sdgs", "5", 0.7)])["sdgs"] == "5|16"
    assert column_values([]) == dict.fromkeys(cells, "")


@pytest.mark.parametrize("cell, labels", [
    ("", ()), ("  ", ()), ("Torture", ("Torture",)), (" a | b |a", ("a", "b")), ("x,y", ("x,y",)),
    ("|", ()),
])
def test_split_labels(cell: str, labels: tuple[str, ...]) -> None:
    assert split_labels(cell) == labels


SHA = "a" * 64
INFO = DocumentInfo(DocumentType.RECOMMENDATIONS_MATRIX, symbol="A/HRC/43/15", body="UPR",
                    country="Slovenia", year="2019")
MATRIX_REC = Recommendation("122.1", TEXTS[2], 1, given_labels=(
    GivenLabel("themes", "Prohibition of torture and cruel, inhuman or degrading treatment"),
    GivenLabel("sdgs", "16 - PEACE, JUSTICE AND STRONG INSTITUTIONS")))
DOC = DocumentResult("m.docx", SHA, Status.OK, INFO, 1,
                     (Recommendation("121.1", TEXTS[0], 1), Recommendation("121.2", TEXTS[1], 1), MATRIX_REC))


def predictions(tiny_model: Path) -> dict[str, tuple[LabelScore, ...]]:
    return dict(zip(TEXTS, load_classifier(tiny_model).classify(TEXTS)))


def test_tracker_gets_label_columns_and_labels_csv(tiny_model: Path, tmp_path: Path) -> None:
    update_outputs(tmp_path, [DOC], predictions(tiny_model))
    tracker = read_tracker(tmp_path / "tracker.csv").set_index("paragraph")
    assert tracker.loc["121.1", "issues"] == TORTURE
    assert tracker.loc["121.1", "priority_areas"] == "Torture prevention"
    assert tracker.loc["121.1", "action_category"] == "4"
    assert tracker.loc["122.1", "sdgs"] == "16", "the matrix's SDG, as a goal number"
    assert tracker.loc["122.1", "themes"] != "" and tracker.loc["121.1", "themes"] == ""
    labels = read(tmp_path / "labels.csv")
    assert list(labels.columns) == ["rec_id", "taxonomy", "label", "score", "source"]
    matrix = labels[labels["source"] == "matrix"]
    assert set(matrix["rec_id"]) == {tracker.loc["122.1", "rec_id"]} and set(matrix["score"]) == {"1.0"}
    assert set(labels["source"]) == {"model", "rule", "matrix"}
    assert (labels[labels["source"] == "model"]["score"].astype(float) >= 0.1).all()


def test_reviewed_labels_win_and_survive_reruns(tiny_model: Path, tmp_path: Path) -> None:
    update_outputs(tmp_path, [DOC], predictions(tiny_model))
    tracker = read_tracker(tmp_path / "tracker.csv")
    assert list(tracker.columns) == list(COLUMNS) and set(REVIEW_COLUMNS) <= set(tracker.columns)
    first = tracker["paragraph"] == "121.1"
    tracker.loc[first, "reviewed_issues"] = "Prison conditions | Torture and other CID treatment"
    tracker.loc[tracker["paragraph"] == "122.1", "reviewed_sdgs"] = "5"
    tracker.to_csv(tmp_path / "tracker.csv", index=False, encoding="utf-8-sig")
    assert reviews_pending(read_tracker(tmp_path / "tracker.csv"))
    assert unchanged_summary(tmp_path, {"m.docx": SHA}) is None, "a review waits: no short cut"
    for _ in range(2):
        update_outputs(tmp_path, [DOC], predictions(tiny_model))
        again = read_tracker(tmp_path / "tracker.csv").set_index("paragraph")
        assert again.loc["121.1", "issues"] == "Prison conditions|Torture and other CID treatment"
        assert again.loc["121.1", "reviewed_issues"] == "Prison conditions | Torture and other CID treatment"
        assert again.loc["122.1", "sdgs"] == "5"
        labels = read(tmp_path / "labels.csv")
        analyst = labels[labels["source"] == "analyst"]
        assert sorted(analyst["label"]) == ["5", "Prison conditions", TORTURE]
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    update_outputs(tmp_path, [DOC], predictions(tiny_model))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before, "re-runs are byte-identical"
    assert not reviews_pending(read_tracker(tmp_path / "tracker.csv"))


def test_rows_of_absent_documents_keep_labels_and_reviews(tiny_model: Path, tmp_path: Path) -> None:
    other = DocumentResult("b.pdf", "b" * 64, Status.OK, INFO, 1, (Recommendation("1", "Abolish torture", 1),))
    update_outputs(tmp_path, [DOC, other], predictions(tiny_model) | {"Abolish torture": (
        model("issues", TORTURE, 0.8),)})
    tracker = read_tracker(tmp_path / "tracker.csv")
    tracker.loc[tracker["document"] == "b.pdf", "reviewed_themes"] = "Prohibition of torture"
    tracker.to_csv(tmp_path / "tracker.csv", index=False, encoding="utf-8-sig")
    update_outputs(tmp_path, [DOC], predictions(tiny_model))
    kept = read_tracker(tmp_path / "tracker.csv").set_index("document").loc["b.pdf"]
    assert kept["missing"] != "" and kept["issues"] == TORTURE and kept["themes"] == "Prohibition of torture"
    labels = read(tmp_path / "labels.csv")
    mine = labels[labels["rec_id"] == kept["rec_id"]]
    assert set(zip(mine["label"], mine["source"])) == {(TORTURE, "model"), ("Prohibition of torture", "analyst")}


def test_without_a_classifier_label_columns_stay_empty(tmp_path: Path) -> None:
    tracker, labels = label_tracker(build_tracker([DOC]), None, {}, None)
    assert (tracker[["issues", "action_category", "priority_areas"]] == "").all().all()
    assert len(labels) == 0


def test_classifier_change_defeats_the_unchanged_short_cut(tiny_model: Path, tmp_path: Path) -> None:
    update_outputs(tmp_path, [DOC], predictions(tiny_model), classifier="abc")
    assert unchanged_summary(tmp_path, {"m.docx": SHA}, "abc") is not None
    assert unchanged_summary(tmp_path, {"m.docx": SHA}, "def") is None
    assert unchanged_summary(tmp_path, {"m.docx": SHA}, "") is None


# --- metrics ---------------------------------------------------------------------------------

def test_multilabel_report_by_hand() -> None:
    gold = [{"a", "b"}, {"a"}, {"c"}, set()]
    predicted = [{"a"}, {"a", "c"}, {"c"}, {"b"}]
    report = multilabel_report(gold, predicted)
    # tp a2 c1; fp c1 b1; fn b1 -> P 3/5, R 3/4
    assert report.micro_f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    per = {r.label: r for r in report.per_label}
    assert per["a"].f1 == 1.0 and per["b"].f1 == 0.0 and per["c"].f1 == pytest.approx(2 / 3)
    assert report.macro_f1 == pytest.approx((1 + 0 + 2 / 3) / 3)


def test_single_label_report_accuracy() -> None:
    report = single_label_report(["1", "2", "2", "5"], ["1", "2", "5", "5"])
    assert report.accuracy == 0.75 and report.micro_f1 == 0.75
    assert {r.label: r.support for r in report.per_label} == {"1": 1, "2": 2, "5": 1}


def test_empty_inputs_give_zero_not_an_error() -> None:
    assert multilabel_report([], []).micro_f1 == 0.0
    assert single_label_report([], []).accuracy == 0.0


# --- through the Prefect flow ---------------------------------------------------------------

@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_flow_classifies_and_keeps_reviews(tiny_model: Path, tmp_path: Path) -> None:
    from rectrack.flows.batch import process_batch

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "tajikistan2011.pdf", inbox)
    out = tmp_path / "out"
    run = dict(paths=[str(inbox)], out_dir=str(out), root=str(inbox), model_dir=str(tiny_model))
    process_batch(**run)
    tracker = read_tracker(out / "tracker.csv")
    assert (tracker["action_category"] != "").all(), "every recommendation gets an action category"
    torture = tracker["text"].str.contains("torture", case=False)
    assert torture.any() and (tracker.loc[torture, "priority_areas"] == "Torture prevention").all()
    tracker.loc[0, "reviewed_action_category"] = "1"
    tracker.to_csv(out / "tracker.csv", index=False, encoding="utf-8-sig")
    process_batch(**run)
    again = read_tracker(out / "tracker.csv")
    assert again.loc[0, "action_category"] == "1" and again.loc[0, "reviewed_action_category"] == "1"
    assert "analyst" in set(read(out / "labels.csv")["source"])


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_flow_without_a_classifier_says_to_train(tmp_path: Path) -> None:
    from rectrack.flows.batch import process_batch

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "algeria2008.pdf", inbox)
    out = tmp_path / "out"
    process_batch(paths=[str(inbox)], out_dir=str(out), root=str(inbox), model_dir=str(tmp_path / "none"))
    problems = read(out / "problems.csv")
    model_rows = problems[problems["kind"] == "model"]
    assert len(model_rows) == 1 and "rectrack train" in model_rows["action"].iat[0]
    tracker = read_tracker(out / "tracker.csv")
    assert len(tracker) and (tracker["issues"] == "").all()


@pytest.mark.usefixtures("prefect_harness", "result_storage")
def test_a_run_labels_only_the_documents_it_reads(
        tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run labels the documents it reads; a changed document re-labels its texts alone; a new
    classifier re-labels documents read from the cache (their results are not read again)."""
    import rectrack.flows.documents as documents
    from rectrack.flows.batch import process_batch

    labelled: list[int] = []
    real = documents.classify_texts

    def counting(texts, model_dir):
        labelled.append(len(texts))
        return real(texts, model_dir)

    monkeypatch.setattr(documents, "classify_texts", counting)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("tajikistan2011.pdf", "algeria2008.pdf"):
        shutil.copy(SAMPLES / name, inbox)
    out = tmp_path / "out"
    run = dict(paths=[str(inbox)], out_dir=str(out), root=str(inbox), model_dir=str(tiny_model))
    process_batch(**run)
    first = read_tracker(out / "tracker.csv")
    per_document = first.groupby("document")["text"].nunique().to_dict()
    assert sum(labelled) == first["text"].nunique()
    labels = (out / "labels.csv").read_bytes()

    labelled.clear()
    with (inbox / "algeria2008.pdf").open("ab") as handle:      # other bytes, same recommendations
        handle.write(b"\n% changed\n")
    process_batch(**run)
    assert sum(labelled) == per_document["algeria2008.pdf"]
    assert (out / "labels.csv").read_bytes() == labels

    labelled.clear()
    retrained = tmp_path / "retrained"
    shutil.copytree(tiny_model, retrained)
    (retrained / "thresholds.json").write_text(json.dumps({}), encoding="utf-8")    # another fingerprint
    process_batch(**{**run, "model_dir": str(retrained)})
    assert sum(labelled) == first["text"].nunique()     # both re-labelled from the cached results


def test_a_review_cell_of_separators_only_is_no_pending_review():
    import pandas as pd

    frame = pd.DataFrame({"themes": ["Death penalty"], "reviewed_themes": [" | "]})
    assert not reviews_pending(frame)
    frame["reviewed_themes"] = ["Right to life"]
    assert reviews_pending(frame)
