"""Train the action-category classifier: a spaCy ``textcat`` (one category of 1-5 per recommendation).

UPR Info codes the action category from the first verb and the overall action
a recommendation asks for (``data/taxonomies/action_categories.json``). The
component ``action_category`` uses rectrack's TF-IDF linear architecture
(:mod:`rectrack.extractors.classify.tfidf`) with the opening-words block: the first
one to three words, the category the methodology's verb lists give the first
verb, and the words, bigrams and stems of the whole text (the rest of the
text tells "strengthen ... by amending the code" (5) from "strengthen
efforts" (4)). Weights are fitted by L-BFGS on the training sessions (<= 17),
softmax cross-entropy. :func:`train_action` writes the pipeline with
``thresholds.json`` and returns test accuracy (sessions 18-20).

Chosen on the validation slice (2026-11-28): first words alone 0.885, plus
words and bigrams 0.912, plus stems 0.914 (C = 3; C = 10 and 30 no better).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language

from rectrack.extractors.classify import action_rule, architectures, tfidf
from rectrack.extractors.classify.reviewed import ReviewedRow, fold_reviewed
from rectrack.extractors.classify.train_issues import save_pipeline
from rectrack.extractors.classify.upr_info import TRAINING_CSV, UprText, load_upr_info, split_by_session

COMPONENT = "action_category"
FIRST_WORDS = 3
C = 3.0


def new_pipeline() -> Language:
    """A blank English pipeline with an unfitted ``action_category`` textcat (labels 1-5)."""
    nlp = spacy.blank("en")
    component = nlp.add_pipe(architectures.SINGLE, name=COMPONENT, config={"model": {
        "@architectures": tfidf.NAME, "exclusive_classes": True, "first_words": FIRST_WORDS}})
    for category in action_rule.CATEGORIES:
        component.add_label(action_rule.key(category))
    return nlp


def fit(nlp: Language, texts: list[str], categories: list[int], *, c: float = C, log=None) -> dict:
    """Initialise the component and fit vocabulary and weights on ``texts`` and their categories."""
    pipe = nlp.get_pipe(COMPONENT)
    nlp.initialize()
    rows = tfidf.fit_features(pipe.model, texts, min_df=2)
    index = {action_rule.key(category): j for j, category in enumerate(action_rule.CATEGORIES)}
    truth = np.zeros((len(texts), len(index)), dtype="float32")
    for i, category in enumerate(categories):
        truth[i, index[action_rule.key(category)]] = 1.0
    order = [index[label] for label in pipe.labels]       # the component's label order
    return tfidf.fit_linear(pipe.model, rows, truth[:, order], C=c, log=log)


def predict(nlp: Language, texts) -> list[int]:
    """The most likely category of each text."""
    return [int(max(doc.cats, key=doc.cats.get).rsplit("::", 1)[1]) for doc in nlp.pipe(texts, batch_size=1000)]


def _accuracy(predicted, texts) -> float:
    return sum(p == item.action for p, item in zip(predicted, texts)) / max(len(texts), 1)


def _with_category(item: UprText, labels: frozenset[str]) -> UprText | None:
    """``item`` with the one reviewed category (None, left out, when the set is not one category)."""
    return replace(item, action=int(next(iter(labels)))) if len(labels) == 1 else None


def train_action(out_dir: Path, *, seed: int = 0, data: Path = TRAINING_CSV,
                 reviewed: Sequence[ReviewedRow] = (), log=print) -> dict:
    """Fit on sessions <= 17, save the pipeline to ``out_dir``, return test accuracy (sessions 18-20).

    ``reviewed`` rows with one ``action_category`` are training texts too, as
    in :func:`rectrack.extractors.classify.train_issues.train_issues`; the
    metrics say how many were used.
    """
    started = time.perf_counter()
    split, used = fold_reviewed(split_by_session(load_upr_info(data), seed=seed), reviewed, COMPONENT,
                                _with_category)
    nlp = new_pipeline()
    fitted = fit(nlp, [t.text for t in split.train], [t.action for t in split.train], log=log)
    validation = _accuracy(predict(nlp, [t.text for t in split.validation]), split.validation)
    log(f"action: validation accuracy {validation:.4f}")
    # The tracker shows the single most likely category: any score above 0 may be it.
    save_pipeline(nlp, out_dir, {action_rule.key(c): 0.0 for c in action_rule.CATEGORIES})
    test_accuracy = _accuracy(predict(nlp, [t.text for t in split.test]), split.test)
    # The comparisons (the first-words rule, TF-IDF + LR) are made by
    # tests/benchmarks/bench_classify_accuracy.py, in one run with this model.
    return {"accuracy": test_accuracy, "validation_accuracy": round(validation, 4), "lbfgs": fitted, "C": C,
            "test_texts": len(split.test),
            "test_distribution": dict(sorted(Counter(t.action for t in split.test).items())), **used,
            "seconds": round(time.perf_counter() - started, 1)}
