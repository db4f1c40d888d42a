"""themes / groups / sdgs pipeline: overfit, save, reload, same predictions; rules; F1."""

import pytest
import spacy

from rectrack.extractors.classify.taxonomies import load_taxonomies
from rectrack.extractors.classify.train_themes import LabelledRow, build_pipeline, f1_scores, fit, shown

ROWS = [
    LabelledRow("a", "Abolish the death penalty", {"themes": frozenset({"Death penalty"}), "groups": frozenset()}),
    LabelledRow("a", "Improve schooling for girls", {"themes": frozenset({"Right to education"}),
                                                     "groups": frozenset({"Women & girls"})}),
    LabelledRow("b", "Protect journalists from attacks", {
        "themes": frozenset({"Freedom of opinion and expression & access to information"}),
        "groups": frozenset({"Media"}), "sdgs": frozenset({"16"})}),
]


def test_overfit_save_reload(tmp_path):
    tax = load_taxonomies()
    nlp = build_pipeline(tax, keyword_score=0.0, implied_weight=0.0)
    fit(nlp, tax, ROWS, epochs=30, seed=0)
    texts = [row.text for row in ROWS]
    before = [doc.cats for doc in nlp.pipe(texts)]
    for row, cats in zip(ROWS, before):
        for taxonomy, labels in row.labels.items():
            assert shown(cats, taxonomy, 0.5) == set(labels)
    for taxonomy in ("themes", "groups", "sdgs"):   # each component only its own labels
        assert all(label.startswith(f"{taxonomy}::") for label in nlp.get_pipe(taxonomy).labels)
    nlp.to_disk(tmp_path / "m")
    reloaded = spacy.load(tmp_path / "m")
    assert reloaded.pipe_names == ["themes", "groups", "sdgs", "uhri_rules"]
    after = [doc.cats for doc in reloaded.pipe(texts)]
    for b, a in zip(before, after):
        assert b.keys() == a.keys()
        assert all(a[k] == pytest.approx(b[k], abs=1e-6) for k in b)


def test_rules_add_keywords_and_implied_sdgs():
    nlp = spacy.blank("en")
    nlp.add_pipe("uhri_rules", config={"keyword_score": 0.5, "implied_weight": 1.0})
    cats = nlp("Ratify OP-CAT and improve prisons").cats
    torture = "themes::Prohibition of torture & ill-treatment (including cruel, inhuman or degrading treatment)"
    assert cats[torture] == 0.5
    assert cats["themes::Conditions of detention"] == 0.5
    assert cats["sdgs::16"] == 0.5            # implied by the themes
    assert nlp("").cats == {}


def test_f1_scores():
    gold = [frozenset({"a"}), frozenset({"a", "b"}), frozenset()]
    predicted = [{"a"}, {"b"}, {"c"}]
    scores = f1_scores(gold, predicted)
    assert scores["micro_f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1), abs=1e-4)
    assert scores["per_label"] == {"a": {"f1": pytest.approx(2 / 3, abs=1e-4), "support": 2},
                                   "b": {"f1": 1.0, "support": 1}}
