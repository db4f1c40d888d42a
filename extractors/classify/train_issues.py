"""Train the UPR Info issues classifier: a spaCy ``textcat_multilabel`` on blank English.

The component ``issues`` uses rectrack's TF-IDF ensemble architecture
(:mod:`rectrack.extractors.classify.tfidf`: words, bigrams and six-letter stems; the
mean of a regularised logistic regression fitted by L-BFGS and a network
with one hidden layer of 128 units fitted by Adam) and scores every UPR Info
issue label as ``doc.cats["issues::<label>"]``. :func:`train_issues` writes
the pipeline plus ``thresholds.json`` (one threshold per key, tuned on the
validation slice of the training sessions, never on the test sessions) and
returns the metrics.

How the settings were chosen (2026-11-28), never on the test sessions:

- On the validation slice of sessions <= 17: spaCy's bag-of-n-grams textcat
  (``spacy.TextCatBOW.v3``) reached micro-F1 0.87, the TF-IDF linear model
  0.90. Thresholds are the mean of each label's best threshold and the best
  single one: per-label thresholds alone overfit the rare labels of a
  3,000-text slice.
- The network, its width, weight and epochs on a development split built like
  the real one one cycle earlier: train on sessions <= 15, thresholds on their
  validation slice, measure on sessions 16-17 (5,204 texts). Micro-F1: linear
  model 0.879; ensemble with 64 / 128 / 192 / 256 hidden units 0.882 / 0.886 /
  0.882 / 0.882; network weight 0.4 / 0.5 / 0.6: 0.884 / 0.886 / 0.885;
  words kept from 2 or 3 texts: same figures, 3 halves the vocabulary.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language

from rectrack.extractors.classify import architectures, tfidf
from rectrack.extractors.classify.reviewed import ReviewedRow, fold_reviewed
from rectrack.extractors.classify.upr_info import TRAINING_CSV, UprText, issue_labels, load_upr_info, split_by_session

TAXONOMY = "issues"
THRESHOLDS_FILE = "thresholds.json"
_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


@dataclass(frozen=True, slots=True)
class Settings:
    """Hyperparameters of the issues model: the linear part (chosen on the validation slice), the network
    (chosen on the development split, see the module docstring)."""

    C: float = 10.0              # inverse L2 strength of the linear part (C = 10, 20, 40 tried)
    min_df: int = 3              # words/bigrams seen in fewer texts are dropped
    max_iter: int = 500          # L-BFGS iterations
    hidden_width: int = 128      # units of the network's hidden layer (0: the linear model alone)
    mlp_weight: float = 0.5      # share of the network in the mean of the two scores
    epochs: int = 10             # Adam epochs of the network
    learn_rate: float = 0.002
    dropout: float = 0.5


def key(label: str, taxonomy: str = TAXONOMY) -> str:
    """The ``doc.cats`` key of a label: ``"<taxonomy>::<label>"``."""
    return f"{taxonomy}::{label}"


def new_pipeline(labels: Sequence[str], settings: Settings = Settings()) -> Language:
    """A blank English pipeline with an unfitted ``issues`` component for ``labels``."""
    nlp = spacy.blank("en")
    if settings.hidden_width:
        model = {"@architectures": tfidf.ENSEMBLE_NAME, "hidden_width": settings.hidden_width,
                 "mlp_weight": settings.mlp_weight, "dropout": settings.dropout}
    else:
        model = {"@architectures": tfidf.NAME, "exclusive_classes": False}
    component = nlp.add_pipe(architectures.MULTI, name=TAXONOMY, config={"model": model})
    for label in labels:
        component.add_label(key(label))
    return nlp


def fit_pipeline(nlp: Language, texts: Sequence[str], gold: np.ndarray, *,
                 component: str = TAXONOMY, settings: Settings = Settings(), log=None) -> dict:
    """Initialise ``component`` and fit its vocabulary, IDF and weights on ``texts`` and 0/1 ``gold``."""
    pipe = nlp.get_pipe(component)
    nlp.initialize()
    rows = tfidf.fit_features(pipe.model, texts, min_df=settings.min_df)
    report = tfidf.fit_linear(pipe.model, rows, gold, C=settings.C, max_iter=settings.max_iter, log=log)
    if pipe.model.has_ref("hidden"):
        report["network"] = tfidf.fit_mlp(pipe.model, rows, gold, epochs=settings.epochs,
                                          learn_rate=settings.learn_rate, log=log)
    return report


def score_matrix(nlp: Language, texts: Sequence[str], keys: Sequence[str], component: str = TAXONOMY) -> np.ndarray:
    """Scores of ``keys`` for ``texts`` (rows) from one component of ``nlp``."""
    pipe = nlp.get_pipe(component)
    docs = pipe.pipe((nlp.make_doc(text) for text in texts), batch_size=1000)
    return np.array([[doc.cats.get(k, 0.0) for k in keys] for doc in docs], dtype="float32").reshape(-1, len(keys))


def gold_matrix(texts: Sequence[UprText], labels: Sequence[str]) -> np.ndarray:
    """0/1 matrix of the issue labels of ``texts``."""
    index = {label: j for j, label in enumerate(labels)}
    gold = np.zeros((len(texts), len(labels)), dtype="int8")
    for i, item in enumerate(texts):
        for label in item.issues:
            if label in index:
                gold[i, index[label]] = 1
    return gold


def f1_scores(gold: np.ndarray, predicted: np.ndarray) -> dict:
    """Micro- and macro-F1 and per-column F1 of 0/1 matrices (macro over columns with gold or predictions)."""
    tp = (gold & predicted).sum(axis=0).astype(float)
    fp = ((1 - gold) & predicted).sum(axis=0).astype(float)
    fn = (gold & (1 - predicted)).sum(axis=0).astype(float)
    denominator = 2 * tp + fp + fn
    per_label = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1.0)
    present = denominator > 0
    return {"micro_f1": float(micro), "macro_f1": float(per_label[present].mean()) if present.any() else 0.0,
            "per_label_f1": per_label.tolist(), "support": gold.sum(axis=0).tolist()}


def _best_threshold(gold: np.ndarray, scores: np.ndarray) -> float:
    best, chosen = -1.0, 0.5
    for threshold in _GRID:
        f1 = f1_scores(gold, (scores >= threshold).astype("int8"))["micro_f1"]
        if f1 > best:
            best, chosen = f1, float(threshold)
    return chosen


def tune_thresholds(gold: np.ndarray, scores: np.ndarray, default: float = 0.5) -> np.ndarray:
    """Per column: the mean of its own best threshold and the best common one (``default`` without positives)."""
    common = _best_threshold(gold, scores)
    thresholds = np.full(gold.shape[1], default, dtype="float32")
    for j in range(gold.shape[1]):
        if gold[:, j].sum():
            thresholds[j] = (_best_threshold(gold[:, [j]], scores[:, [j]]) + common) / 2
    return thresholds


def train_issues(out_dir: Path, *, seed: int = 0, data: Path = TRAINING_CSV,
                 settings: Settings = Settings(), reviewed: Sequence[ReviewedRow] = (), log=print) -> dict:
    """Fit on sessions <= 17, tune thresholds on their validation slice, save to ``out_dir``.

    ``reviewed`` rows with an ``issues`` label set are training texts too
    (their labels replace UPR Info's for the same text; the text leaves
    validation and test: :func:`~rectrack.extractors.classify.reviewed.fold_reviewed`).
    Returns the metrics: validation and test (sessions 18-20) micro/macro-F1
    at the tuned thresholds, per-label test F1, how many reviewed rows were
    used, seconds. Raises ``FileNotFoundError`` if the training table is missing.
    """
    started = time.perf_counter()
    spacy.util.fix_random_seed(seed)
    split, used = fold_reviewed(split_by_session(load_upr_info(data), seed=seed), reviewed, TAXONOMY,
                                lambda item, labels: replace(item, issues=tuple(sorted(labels))))
    labels = issue_labels(split.train)
    keys = [key(label) for label in labels]
    nlp = new_pipeline(labels, settings)
    fitted = fit_pipeline(nlp, [item.text for item in split.train], gold_matrix(split.train, labels),
                          settings=settings, log=log)
    validation_gold = gold_matrix(split.validation, labels)
    scores = score_matrix(nlp, [item.text for item in split.validation], keys)
    thresholds = tune_thresholds(validation_gold, scores)
    validation = f1_scores(validation_gold, (scores >= thresholds).astype("int8"))["micro_f1"]
    log(f"issues: validation micro-F1 {validation:.4f} ({time.perf_counter() - started:.0f} s)")
    save_pipeline(nlp, out_dir, dict(zip(keys, thresholds.tolist())))
    metrics = evaluate_split(nlp, split.test, labels, thresholds)
    metrics.update(validation_micro_f1=round(validation, 4), lbfgs=fitted, train_texts=len(split.train),
                   validation_texts=len(split.validation), **used,
                   seconds=round(time.perf_counter() - started, 1))
    return metrics


def evaluate_split(nlp: Language, texts: Sequence[UprText], labels: Sequence[str], thresholds: np.ndarray) -> dict:
    """Micro/macro-F1 and per-label F1 of the ``issues`` component on ``texts``."""
    scores = score_matrix(nlp, [item.text for item in texts], [key(label) for label in labels])
    result = f1_scores(gold_matrix(texts, labels), (scores >= thresholds).astype("int8"))
    result["per_label_f1"] = dict(zip(labels, result["per_label_f1"]))
    result["support"] = dict(zip(labels, result["support"]))
    result["test_texts"] = len(texts)
    return result


def save_pipeline(nlp: Language, out_dir: Path, thresholds: dict[str, float]) -> None:
    """Write the pipeline and merge ``thresholds`` into ``out_dir/thresholds.json``."""
    out_dir = Path(out_dir)
    nlp.to_disk(out_dir)
    path = out_dir / THRESHOLDS_FILE
    merged = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    merged.update({k: round(float(v), 3) for k, v in thresholds.items()})
    path.write_text(json.dumps(merged, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
