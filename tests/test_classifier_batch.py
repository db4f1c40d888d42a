"""The classifier's matrix path gives the labels of spaCy's Doc-by-Doc path, on real recommendations."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pytest
import spacy
from scipy import sparse
from spacy.language import Language
from spacy.ml.extract_ngrams import extract_ngrams

from rectrack.extractors.classify import batch, tfidf
from rectrack.extractors.classify.classifier import MODEL_DIR, Classifier, _round4, load_classifier, read_components
from rectrack.extractors.classify.upr_info import load_upr_info

# Texts that reach the edges: blank, one character, one token, punctuation, digits, other scripts, long.
EDGES = ["", "   ", "x", "Women", "Ratify", "...", "148.3", "Ратифицировать конвенцию", "\u00e9galit\u00e9 des femmes",
         "To ratify the OP-CAT; to ratify the OP-CAT; to ratify the OP-CAT.",
         "Continue efforts " * 200]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_classifier()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """3,000 distinct real UPR Info recommendations from every session, and the edges."""
    distinct = list(dict.fromkeys(row.text for row in load_upr_info()))
    return distinct[:: max(1, len(distinct) // 3000)][:3000] + EDGES


def test_the_shipped_pipeline_has_a_matrix_path(classifier):
    assert batch.plan(classifier.nlp) is not None


def test_matrix_path_gives_the_pipe_path_labels(classifier, texts):
    batched = classifier.classify(texts, batch_size=700)      # batches of unequal size, the last short
    piped = classifier.classify(texts, batched=False)
    assert len(batched) == len(texts)
    assert [i for i, (a, b) in enumerate(zip(batched, piped)) if a != b] == []
    start = len(texts) - len(EDGES)
    assert batched[start] == batched[start + 1] == ()      # "" and "   "
    assert sum(len(labels) for labels in batched) > 10 * len(texts)   # labels were given, not only ()
    shown = {s.taxonomy for labels in batched for s in labels if s.shown}
    assert {"issues", "themes", "groups", "sdgs", "action_category", "priority_areas"} <= shown


def test_batch_size_does_not_change_labels(classifier, texts):
    assert classifier.classify(texts[:500], batch_size=1) == classifier.classify(texts[:500], batch_size=4096)


def test_ngram_features_equal_spacys_extract_ngrams(classifier, texts):
    docs = list(classifier.nlp.tokenizer.pipe([t for t in texts if t.strip()]))
    layer = extract_ngrams(2, attr=spacy.attrs.ORTH)
    expected, _ = layer(docs, is_train=False)
    got = batch.ngram_features(docs, 2, spacy.attrs.ORTH)
    for want, have in zip(expected, got):
        assert want.dtype == have.dtype
        assert np.array_equal(want, have)


def _reference_transform(model, texts: Iterable[str]) -> sparse.csr_matrix:
    """rectrack 0.3.0's transform, text by text and block by block: the reference for the batched one."""
    index = {term: column for column, term in enumerate(model.attrs["vocabulary"])}
    idf = model.get_param("idf")
    first_words = model.attrs.get("first_words", 0)
    n_blocks = 3 if first_words else 2
    columns, groups, group = [], [], 0
    for text in texts:
        for block in tfidf.analyse(text, first_words):
            found = [column for column in map(index.get, block) if column is not None]
            columns.extend(found)
            groups.extend([group] * len(found))
            group += 1
    n_texts, width = group // n_blocks, len(idf)
    pairs, counts = np.unique(np.array(groups, dtype="int64") * width + np.array(columns, dtype="int64"),
                              return_counts=True)
    pair_groups, pair_columns = pairs // width, pairs % width
    weights = (1.0 + np.log(counts)) * idf[pair_columns]
    norms = np.sqrt(np.bincount(pair_groups, weights=weights * weights, minlength=group))
    weights = weights / norms[pair_groups]
    indptr = np.searchsorted(pair_groups // n_blocks, np.arange(n_texts + 1))
    return sparse.csr_matrix((weights.astype("float32"), pair_columns.astype("int32"), indptr),
                             shape=(n_texts, width))


@pytest.mark.parametrize("component", ["issues", "action_category"])
def test_batched_tfidf_rows_equal_the_text_by_text_ones(classifier, texts, component):
    layer = classifier.nlp.get_pipe(component).model.get_ref("features")
    want, got = _reference_transform(layer, texts), tfidf.transform(layer, texts)
    assert np.array_equal(want.indptr, got.indptr)
    assert np.array_equal(want.indices, got.indices)
    assert np.array_equal(want.data, got.data)


def test_round4_rounds_as_python_does():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.random(200_000), rng.random(50_000).astype("float32").astype("float64"),
                             np.arange(0, 1, 0.00005), [0.0, 1.0, 0.00005, 0.12345, 0.99995]])
    assert _round4(values).tolist() == [round(value, 4) for value in values.tolist()]


@Language.component("test_extra_cat")
def _extra_cat(doc):
    doc.cats["issues::Extra"] = 0.9
    return doc


def test_a_pipeline_with_an_unknown_component_runs_doc_by_doc():
    nlp = spacy.load(MODEL_DIR)
    nlp.add_pipe("test_extra_cat")
    other = Classifier(nlp, read_components(MODEL_DIR), {})
    assert batch.plan(nlp) is None
    (labels,) = other.classify(["Ratify the Convention against Torture"])
    assert ("issues", "Extra") in {(s.taxonomy, s.label) for s in labels}
