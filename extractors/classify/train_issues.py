"""Train the UPR Info issues classifier: a spaCy ``textcat_multilabel`` on blank English.

:func:`train_issues` writes a pipeline whose component ``issues`` scores every
UPR Info issue label as ``doc.cats["issues::<label>"]``, plus
``thresholds.json`` (one threshold per key, tuned on the validation slice of
the training sessions, never on the test sessions), and returns the metrics.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import minibatch

from extractors.classify import architectures
from extractors.classify.upr_info import TRAINING_CSV, UprText, issue_labels, load_upr_info, split_by_session

TAXONOMY = "issues"
THRESHOLDS_FILE = "thresholds.json"
_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


@dataclass(frozen=True, slots=True)
class Settings:
    """Hyperparameters of the bag-of-n-grams model (chosen on the validation slice)."""

    ngram_size: int = 2
    length: int = 2 ** 15        # hash buckets per label: size = 4 bytes x length x labels
    batch_size: int = 64
    learn_rate: float = 0.002
    dropout: float = 0.1
    max_epochs: int = 6
    patience: int = 1


def key(label: str, taxonomy: str = TAXONOMY) -> str:
    """The ``doc.cats`` key of a label: ``"<taxonomy>::<label>"``."""
    return f"{taxonomy}::{label}"


def new_pipeline(labels: Sequence[str], settings: Settings = Settings()) -> Language:
    """A blank English pipeline with an untrained ``issues`` component for ``labels``."""
    nlp = spacy.blank("en")
    component = nlp.add_pipe("textcat_multilabel", name=TAXONOMY, config={"model": {
        "@architectures": architectures.NAME, "exclusive_classes": False,
        "ngram_size": settings.ngram_size, "no_output_layer": False, "length": settings.length}})
    for label in labels:
        component.add_label(key(label))
    return nlp


def _examples(nlp: Language, texts: Sequence[UprText], labels: Sequence[str]) -> list[Example]:
    examples = []
    for item in texts:
        cats = {key(label): 0.0 for label in labels}
        cats.update({key(label): 1.0 for label in item.issues if label in labels})
        examples.append(Example.from_dict(nlp.make_doc(item.text), {"cats": cats}))
    return examples


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


def tune_thresholds(gold: np.ndarray, scores: np.ndarray, default: float = 0.5) -> np.ndarray:
    """Per-column threshold maximising that column's F1 (``default`` where the column has no positive)."""
    thresholds = np.full(gold.shape[1], default, dtype="float32")
    for j in range(gold.shape[1]):
        if gold[:, j].sum() == 0:
            continue
        best = -1.0
        for threshold in _GRID:
            f1 = f1_scores(gold[:, [j]], (scores[:, [j]] >= threshold).astype("int8"))["micro_f1"]
            if f1 > best:
                best, thresholds[j] = f1, threshold
    return thresholds


def train_issues(out_dir: Path, *, seed: int = 0, data: Path = TRAINING_CSV,
                 settings: Settings = Settings(), log=print) -> dict:
    """Train on sessions <= 17, tune thresholds and stop early on their validation slice, save to ``out_dir``.

    Returns the metrics: validation and test (sessions 18-20) micro/macro-F1
    at the tuned thresholds, per-label test F1, epochs, seconds. Raises
    ``FileNotFoundError`` if the training table is missing.
    """
    started = time.perf_counter()
    spacy.util.fix_random_seed(seed)
    texts = load_upr_info(data)
    split = split_by_session(texts, seed=seed)
    labels = issue_labels(split.train)
    keys = [key(label) for label in labels]
    nlp = new_pipeline(labels, settings)
    train = _examples(nlp, split.train, labels)
    optimizer = nlp.initialize(lambda: train[:500])
    optimizer.learn_rate = settings.learn_rate
    validation_gold = gold_matrix(split.validation, labels)
    validation_texts = [item.text for item in split.validation]
    best, best_bytes, stale, rng = -1.0, None, 0, random.Random(seed)
    for epoch in range(settings.max_epochs):
        rng.shuffle(train)
        for batch in minibatch(train, size=settings.batch_size):
            nlp.update(batch, drop=settings.dropout, sgd=optimizer)
        with nlp.use_params(optimizer.averages):
            scores = score_matrix(nlp, validation_texts, keys)
            thresholds = tune_thresholds(validation_gold, scores)
            micro = f1_scores(validation_gold, (scores >= thresholds).astype("int8"))["micro_f1"]
            log(f"issues epoch {epoch + 1}: validation micro-F1 {micro:.4f} ({time.perf_counter() - started:.0f} s)")
            if micro > best:
                best, best_bytes, best_thresholds, stale, epochs = micro, nlp.to_bytes(), thresholds, 0, epoch + 1
            else:
                stale += 1
        if stale > settings.patience:
            break
    nlp.from_bytes(best_bytes)
    save_pipeline(nlp, out_dir, dict(zip(keys, best_thresholds.tolist())))
    metrics = evaluate_split(nlp, split.test, labels, best_thresholds)
    metrics.update(validation_micro_f1=best, epochs=epochs, train_texts=len(split.train),
                   validation_texts=len(split.validation), seconds=round(time.perf_counter() - started, 1))
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
