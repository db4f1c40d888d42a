"""UPR Info training data, the issues model and the action-category rule (no full training here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import spacy
from spacy.training import Example

from rectrack.extractors.classify import action_rule
from rectrack.extractors.classify.train_issues import Settings, fit_pipeline, key, new_pipeline, score_matrix
from rectrack.extractors.classify.upr_info import UprText, dedupe_rows, read_original, split_by_session, text_key

HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session"


def _export(tmp_path, lines):
    path = tmp_path / "export.csv"
    path.write_bytes("\r".join([HEADER, *lines]).encode("mac_roman"))
    return path


def test_reads_mac_roman_with_cr_line_ends(tmp_path):
    path = _export(tmp_path, [
        'C\u00f4te d\u2019Ivoire,Africa,,"Ratify the OP-CAT.",France,WEOG,EU,Accepted,5,"Torture and other CID treatment,International instruments",5',
        'Chile,GRULAC,,Continue efforts.,Peru,GRULAC,,Noted,2,General,6',
    ])
    frame = read_original(path)
    assert list(frame["To"]) == ["C\u00f4te d\u2019Ivoire", "Chile"]
    assert frame.loc[0, "Issue"] == "Torture and other CID treatment,International instruments"


def test_read_original_names_missing_columns(tmp_path):
    path = tmp_path / "other.csv"
    path.write_bytes(b"a,b\r1,2")
    with pytest.raises(ValueError, match="other.csv.*missing columns"):
        read_original(path)


def test_dedupe_merges_rows_of_the_same_text():
    rows = pd.DataFrame({
        "Text": ["Ratify  the OP-CAT. ", "ratify the op-cat.", "Ratify the OP-CAT.", "Continue."],
        "Session": ["9", "7", "12", "3"],
        "Issue": ["Torture and other CID treatment", "International instruments", "Torture and other CID treatment", "General"],
        "Action": ["5", "5", "4", "2"],
        "Response": ["Accepted", "Noted", "Accepted", "Accepted"],
    })
    table = dedupe_rows(rows)
    assert len(table) == 2
    merged = table[table["text"] == "Ratify the OP-CAT."].iloc[0]
    assert merged["session"] == 7
    assert merged["issues"] == "International instruments|Torture and other CID treatment"
    assert merged["action"] == 5 and merged["from_states"] == 3 and merged["response"] == "Accepted"


def test_split_is_temporal_and_disjoint():
    texts = [UprText(f"text {i}", session=1 + i % 20, issues=("General",), action=4, response="Accepted",
                     from_states=1) for i in range(200)]
    split = split_by_session(texts)
    assert all(t.session <= 17 for t in split.train + split.validation)
    assert all(t.session >= 18 for t in split.test)
    assert len(split.validation) == round(0.1 * (len(split.train) + len(split.validation)))
    train_keys = {text_key(t.text) for t in split.train + split.validation}
    assert not train_keys & {text_key(t.text) for t in split.test}


@pytest.mark.parametrize(("text", "words"), [
    ("", ()),
    ("   ", ()),
    ("122.13 Ratify the Optional Protocol", ("ratify", "the", "optional")),
    ("(a) Ratify the Optional Protocol", ("ratify", "the", "optional")),
    ("\u2022 continue its efforts", ("continue", "its", "efforts")),
    ("To ratify the Convention", ("ratify", "the", "convention")),
    ("- To consider ratifying", ("consider", "ratifying")),
])
def test_first_words(text, words):
    assert action_rule.first_words(text) == words


@pytest.fixture()
def rule_nlp():
    nlp = spacy.blank("en")
    rule = nlp.add_pipe("rectrack_action_rule", name="action_category")
    rule.table = action_rule.learn_table([("Continue its efforts", 2)] * 3 + [("Continue and strengthen", 4)] * 3
                                         + [("Consider ratifying", 3)] * 3, min_count=3)
    return nlp


@pytest.mark.parametrize(("text", "category"), [
    ("Continue its efforts to end poverty", 2),
    ("continue and strengthen its cooperation", 4),
    ("1. Consider ratifying the Convention", 3),
    ("To ratify the Optional Protocol to the Convention against Torture", 5),   # PDF verb list
    ("Seek technical assistance from OHCHR", 1),                               # PDF verb list
    ("Take measures to protect journalists", 4),                               # two-word PDF verb
    ("Zorgle the frobnicator", 4),                                             # unknown verb: default
    ("", 4),
    ("12345", 4),
])
def test_action_rule_table(rule_nlp, text, category):
    doc = rule_nlp(text)
    assert set(doc.cats) == {f"action_category::{c}" for c in range(1, 6)}
    assert sum(doc.cats.values()) == pytest.approx(1.0)
    assert max(doc.cats, key=doc.cats.get) == f"action_category::{category}"


def test_action_rule_save_and_reload(rule_nlp, tmp_path):
    texts = ["Continue its efforts", "continue and strengthen", "Ratify the OP-CAT", "Study the matter"]
    before = [doc.cats for doc in rule_nlp.pipe(texts)]
    rule_nlp.to_disk(tmp_path / "action")
    reloaded = spacy.load(tmp_path / "action")
    assert [doc.cats for doc in reloaded.pipe(texts)] == before


TRAIN = [
    ("Abolish the death penalty for all crimes", {"Death penalty"}),
    ("Ratify the Optional Protocol to the Convention against Torture", {"Torture and other CID treatment", "International instruments"}),
    ("Improve conditions of detention in prisons", {"Detention"}),
    ("Combat violence against women and girls", {"Women's rights"}),
]
LABELS = sorted({label for _, labels in TRAIN for label in labels})


def _gold(rows):
    return np.array([[float(label in labels) for label in LABELS] for _, labels in rows], dtype="float32")


@pytest.mark.parametrize("settings", [
    Settings(min_df=1, C=100.0, epochs=200),                        # the shipped ensemble
    Settings(min_df=1, C=100.0, hidden_width=0),                    # the linear model alone
    Settings(min_df=1, C=1e-6, epochs=200, mlp_weight=1.0),         # the network alone
], ids=["ensemble", "linear", "network"])
def test_issues_overfit_save_reload(tmp_path, settings):
    nlp = new_pipeline(LABELS, settings)
    fit_pipeline(nlp, [text for text, _ in TRAIN], _gold(TRAIN), settings=settings)
    keys = [key(label) for label in LABELS]
    texts = [text for text, _ in TRAIN]
    scores = score_matrix(nlp, texts, keys)
    for row, (_, labels) in zip(scores, TRAIN):
        assert {label for label, score in zip(LABELS, row) if score > 0.5} == labels
    nlp.to_disk(tmp_path / "issues")
    reloaded = spacy.load(tmp_path / "issues")
    assert reloaded.pipe_names == ["issues"]
    assert (score_matrix(reloaded, texts, keys) == scores).all()
    # Case does not matter to the lowercase features.
    assert (score_matrix(reloaded, [t.upper() for t in texts], keys) == scores).all()
    # A text with no known word gets the same score for every unseen text: the bias alone.
    unknown = score_matrix(reloaded, ["", "zzz qqq"], keys)
    assert (unknown[0] == unknown[1]).all()


@pytest.mark.parametrize("hidden_width", [64, 0], ids=["ensemble", "linear"])
def test_issues_component_also_trains_with_nlp_update(hidden_width):
    """The layers have a backward pass: spaCy's own training loop moves the weights the right way."""
    from rectrack.extractors.classify import tfidf

    nlp = new_pipeline(LABELS, Settings(hidden_width=hidden_width))
    nlp.initialize()
    tfidf.fit_features(nlp.get_pipe("issues").model, [text for text, _ in TRAIN], min_df=1)   # fresh weights
    examples = [Example.from_dict(nlp.make_doc(text), {"cats": {key(label): float(label in labels) for label in LABELS}})
                for text, labels in TRAIN]
    optimizer = nlp.resume_training()
    optimizer.learn_rate = 0.05
    losses = [nlp.update(examples, sgd=optimizer, drop=0.0, losses={})["issues"] for _ in range(30)]
    assert losses[-1] < losses[0] / 2
    scores = score_matrix(nlp, [text for text, _ in TRAIN], [key(label) for label in LABELS])
    for row, (_, labels) in zip(scores, TRAIN):
        assert {label for label, score in zip(LABELS, row) if score > 0.5} == labels


ACTIONS = [("Ratify the Convention against Torture", 5), ("Continue its efforts to reduce poverty", 2),
           ("Consider ratifying the Convention", 3), ("Strengthen measures against trafficking", 4),
           ("Seek technical assistance from OHCHR", 1), ("Adopt a law on domestic violence", 5)]


def test_action_model_overfit_save_reload(tmp_path):
    from rectrack.extractors.classify import train_action

    nlp = train_action.new_pipeline()
    train_action.fit(nlp, [t for t, _ in ACTIONS], [c for _, c in ACTIONS], c=100.0)
    texts = [t for t, _ in ACTIONS]
    assert train_action.predict(nlp, texts) == [c for _, c in ACTIONS]
    for doc in nlp.pipe(texts):                       # one category: the scores sum to 1
        assert sum(doc.cats.values()) == pytest.approx(1.0, abs=1e-5)
    nlp.to_disk(tmp_path / "action")
    reloaded = spacy.load(tmp_path / "action")
    assert [d.cats for d in reloaded.pipe(texts)] == [d.cats for d in nlp.pipe(texts)]
    # Odd input: empty text, numbering only, non-Latin script: a category, no error.
    assert all(c in range(1, 6) for c in train_action.predict(reloaded, ["", "122.13", "Содействовать"]))


def test_opening_word_features():
    assert action_rule.first_word_features("122.13 Ratify the OPCAT (France);") == [
        "^ratify", "^ratify the", "^ratify the opcat", "=5"]
    assert action_rule.first_word_features("Continue to promote health") == [
        "^continue", "^continue to", "^continue to promote", "=2"]
    assert action_rule.first_word_features("") == []


def test_action_rule_lists_its_labels_so_only_the_best_is_shown():
    import spacy

    from rectrack.extractors.classify import action_rule  # noqa: F401  (registers the factory)
    from rectrack.extractors.classify.classifier import Classifier, Component

    nlp = spacy.blank("en")
    component = nlp.add_pipe("rectrack_action_rule", name="action_category")
    assert component.labels == tuple(f"action_category::{c}" for c in range(1, 6))
    classifier = Classifier(nlp, [Component("action_category", ("action_category",), "rule",
                                            "rectrack.extractors.classify.action_rule")], {})
    (labels,) = classifier.classify(["Ratify the Convention against Torture"])
    assert [label.label for label in labels if label.shown] == ["5"]
