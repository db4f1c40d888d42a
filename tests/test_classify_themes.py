"""themes / groups / sdgs pipeline: overfit, save, reload, same predictions; rules; F1."""

import pytest
import spacy

from rectrack.extractors.classify.taxonomies import load_taxonomies
from rectrack.extractors.classify.train_themes import (
    DISTANT, LabelledRow, Settings, build_pipeline, f1_scores, fit, reviewed_rows, shown,
)

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
    settings = Settings(C=1000.0, min_df=1)
    nlp = build_pipeline(tax, keyword_score=0.0, implied_weight=0.0, settings=settings)
    fit(nlp, tax, ROWS, settings=settings)
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
    assert scores["per_label"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3, abs=1e-4),
                                        "support": 2, "predicted": 1}
    assert scores["per_label"]["b"]["f1"] == 1.0
    assert scores["per_label"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "predicted": 1}
    # three macro means: labels with support (a, b), labels seen (a, b, c), the whole label set given
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 1) / 2, abs=1e-4)
    assert scores["macro_f1_seen"] == pytest.approx((2 / 3 + 1) / 3, abs=1e-4)
    full = f1_scores(gold, predicted, ["a", "b", "c", "d"])
    assert full["macro_f1_full"] == pytest.approx((2 / 3 + 1) / 4, abs=1e-4)


def test_distant_rows_teach_only_the_labels_their_issues_map_to():
    """A UPR Info row says nothing of labels its issues do not map to (no weight); a mapped label's 0 counts
    once against a matrix row's 1 counted ``matrix_weight`` times: the fit's probability is 5 / 6."""
    tax = load_taxonomies()
    settings = Settings(C=1e6, min_df=1, embedding_weight=0.0, max_iter=2000)
    mapped = {x for link in tax.issue_links.values() for x in link.themes}
    inside = next(name for name in tax.taxonomy("themes").names if name in mapped)
    outside = next(name for name in tax.taxonomy("themes").names if name not in mapped)
    text = "Abolish the death penalty"
    both = frozenset({inside, outside})
    rows = [LabelledRow("a", text, {"themes": both}), LabelledRow(DISTANT, text, {"themes": frozenset()}),
            LabelledRow("a", "Improve schooling", {"themes": frozenset()})]
    nlp = build_pipeline(tax, keyword_score=0.0, implied_weight=0.0, settings=settings)
    fit(nlp, tax, rows, settings=settings)
    cats = nlp(text).cats
    assert cats[f"themes::{outside}"] > 0.95
    assert cats[f"themes::{inside}"] == pytest.approx(5 / 6, abs=0.03)


def test_reviewed_rows_keep_the_three_taxonomies():
    class Reviewed:
        def __init__(self, text, labels):
            self.text, self.labels = text, labels

    rows = reviewed_rows([Reviewed("Protect Roma children", {"groups": frozenset({"Children"}),
                                                              "issues": frozenset({"Minorities"})}),
                          Reviewed("Only an issue", {"issues": frozenset({"Minorities"})})])
    assert [(r.document, r.text, dict(r.labels)) for r in rows] == [
        ("reviewed", "Protect Roma children", {"groups": frozenset({"Children"})})]


def test_a_reviewed_theme_is_learned():
    """A tracker row an analyst relabelled (ReviewedRow) trains the themes model like a matrix row."""
    from rectrack.extractors.classify.reviewed import ReviewedRow

    tax = load_taxonomies()
    settings = Settings(C=100.0, min_df=1, embedding_weight=0.0)
    text = "Guarantee access to clean water for Roma settlements"
    theme = "Safe drinking water & sanitation"
    base = [*ROWS, LabelledRow("a", "Improve housing for Roma", {"themes": frozenset({"Right to adequate housing"})})]
    extra = reviewed_rows([ReviewedRow(text, {"themes": frozenset({theme})})])
    scores = []
    for rows in (base, base + extra):
        nlp = build_pipeline(tax, keyword_score=0.0, implied_weight=0.0, settings=settings)
        fit(nlp, tax, rows, settings=settings)
        scores.append(nlp(text).cats[f"themes::{theme}"])
    assert scores[0] < 0.3 < 0.7 < scores[1]
