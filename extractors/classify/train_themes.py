"""Train the ``themes``, ``groups`` and ``sdgs`` classifiers (UHRI 2025 wording, SDG goals).

Training data:

- the matrices' own labels (``data/samples/matrices/*.docx``: ``given_labels``
  mapped to 2025 wording by ``uhri_wordings.tsv``), gold for the taxonomies a
  matrix prints; SDGs of matrices that print none are derived from their
  themes and groups (``sdgs`` column of the taxonomy files);
- UPR Info texts (``data/training/upr_info.csv``) labelled through
  ``upr_info_issues_map.tsv`` (distant supervision): only the labels some issue
  implies are set, the rest are left missing so they get no gradient.

- rows an analyst reviewed in a tracker (``rectrack train --reviewed``), weighted like matrix rows.

The pipeline: blank English, three ``textcat_multilabel`` named ``themes``,
``groups``, ``sdgs`` on rectrack's TF-IDF architecture with a WordLlama block
(:mod:`rectrack.extractors.classify.tfidf`: words, bigrams, six-letter stems and
the text's 256-d static embedding), each a logistic regression per label fitted
by L-BFGS with per-cell weights (a matrix row counts ``matrix_weight`` times; a
distant row only for the labels the issue map can give), then the rule
component ``uhri_rules`` (:mod:`rectrack.extractors.classify.keywords`). Thresholds (one
per taxonomy, written per key in ``thresholds.json``) are tuned on a random
slice of the matrix rows held out of training. Pure: no Prefect.

Chosen 2026-12-07 on the leave-one-matrix-out split of ``bench_themes.py``
(figures in ``tests/benchmarks/README.md``): the bag-of-words textcats trained
by minibatch Adam on 8,000 distant rows scored micro-F1 0.43 (themes) alone;
logistic regressions on TF-IDF gave 0.54-0.61 per fold with 8,000 distant rows,
0.58-0.64 with the embedding block, a little more with 20,000.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language

import rectrack.extractors.classify.keywords  # noqa: F401  (registers uhri_rules)
from rectrack.extractors.files import DATA_DIR
from rectrack.extractors.classify import architectures, tfidf
from rectrack.extractors.classify.taxonomies import TAXONOMY_DIR, Taxonomies, load_taxonomies
from rectrack.extractors.classify.upr_info import TRAINING_CSV, load_upr_info, text_key

MATRIX_DIR = DATA_DIR / "samples" / "matrices"
TAXONOMIES = ("themes", "groups", "sdgs")
COMPONENTS = (*TAXONOMIES, "uhri_rules")
DISTANT = "upr_info"          # the document name of UPR Info rows labelled through the issue map
REVIEWED = "reviewed"         # ... of rows an analyst labelled in a tracker
DISTANT_LIMIT = 20000
_THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(2, 19))


@dataclass(frozen=True, slots=True)
class LabelledRow:
    """A text with 2025 labels per taxonomy; a taxonomy absent from ``labels`` is unknown."""

    document: str
    text: str
    labels: dict[str, frozenset[str]]


def load_matrix_rows(matrix_dir: Path = MATRIX_DIR, taxonomies: Taxonomies | None = None) -> list[LabelledRow]:
    """Every recommendation of the matrices with its given labels in 2025 wording."""
    from rectrack.extractors.pipeline import process_document  # the reader stack, only needed here

    tax = taxonomies or load_taxonomies()
    rows = []
    for path in sorted(matrix_dir.glob("*.docx")):
        result = process_document(path, matrix_dir)
        printed = {g.taxonomy for rec in result.recommendations for g in rec.given_labels}
        for rec in result.recommendations:
            labels: dict[str, set[str]] = {t: set() for t in TAXONOMIES if t in printed}
            for given in rec.given_labels:
                for taxonomy, label in tax.to_2025(given):
                    labels.setdefault(taxonomy, set()).add(label)
            if "sdgs" not in printed:
                labels["sdgs"] = implied_sdgs(labels, tax)
            rows.append(LabelledRow(path.name, rec.text, {t: frozenset(v) for t, v in labels.items()}))
    return rows


def implied_sdgs(labels: dict[str, set[str]], tax: Taxonomies) -> set[str]:
    """SDG goals implied by the themes and groups of ``labels``."""
    return {goal for t in ("themes", "groups") for label in tax.taxonomy(t).labels
            if label.name in labels.get(t, ()) for goal in label.sdgs}


def distant_rows(tax: Taxonomies, *, exclude: set[str], limit: int, seed: int,
                 path: Path = TRAINING_CSV) -> list[LabelledRow]:
    """UPR Info texts (not in ``exclude``, by :func:`text_key`) labelled through the issue map."""
    texts = [t for t in load_upr_info(path) if text_key(t.text) not in exclude and t.issues]
    random.Random(seed).shuffle(texts)
    rows = []
    for text in texts[:limit]:
        links = [tax.issue_links[i] for i in text.issues if i in tax.issue_links]
        labels = {"themes": frozenset(x for link in links for x in link.themes),
                  "groups": frozenset(x for link in links for x in link.groups),
                  "sdgs": frozenset(x for link in links for x in link.sdgs)}
        rows.append(LabelledRow(DISTANT, text.text, labels))
    return rows


@dataclass(frozen=True, slots=True)
class Settings:
    """Hyperparameters of the three classifiers (chosen on the benchmark's training folds, see docs/classifier.md)."""

    C: float = 10.0                 # inverse L2 strength of the logistic regressions
    min_df: int = 2                 # words/bigrams seen in fewer texts are dropped
    max_iter: int = 300             # L-BFGS iterations
    embedding_weight: float = 1.0   # scale of the WordLlama block beside the unit-length TF-IDF blocks
    matrix_weight: float = 5.0      # a matrix (or reviewed) row's labels count this many distant rows'


def build_pipeline(tax: Taxonomies, *, keyword_score: float = 0.5, implied_weight: float = 1.0,
                   settings: Settings = Settings()) -> Language:
    """Blank English with the three (unfitted) TF-IDF + embedding classifiers and ``uhri_rules``."""
    nlp = spacy.blank("en")
    for taxonomy in TAXONOMIES:
        textcat = nlp.add_pipe(architectures.MULTI, name=taxonomy, config={"model": {
            "@architectures": tfidf.NAME, "exclusive_classes": False,
            "embedding_weight": settings.embedding_weight}})
        for label in tax.taxonomy(taxonomy).names:
            textcat.add_label(f"{taxonomy}::{label}")
    nlp.add_pipe("uhri_rules", config={"keyword_score": keyword_score, "implied_weight": implied_weight})
    return nlp


def _gold(tax: Taxonomies, taxonomy: str, rows: Sequence[LabelledRow], distant_scope: set[str],
          matrix_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """0/1 labels and per-cell weights: a row's known labels count (distant rows: only mapped ones)."""
    names = tax.taxonomy(taxonomy).names
    truth = np.zeros((len(rows), len(names)), dtype="int8")
    weights = np.zeros((len(rows), len(names)), dtype="float32")
    known_distant = np.array([name in distant_scope for name in names], dtype="float32")
    for i, row in enumerate(rows):
        labels = row.labels.get(taxonomy)
        if labels is None:
            continue
        truth[i] = [name in labels for name in names]
        weights[i] = known_distant if row.document == DISTANT else matrix_weight
    return truth, weights


def fit(nlp: Language, tax: Taxonomies, rows: Sequence[LabelledRow], *, settings: Settings = Settings(),
        log=None) -> dict:
    """Fit each classifier's vocabulary, IDF and weights on ``rows`` (cell-weighted logistic regressions)."""
    scope = {t: {x for link in tax.issue_links.values() for x in getattr(link, t)} for t in TAXONOMIES}
    texts = [row.text for row in rows]
    nlp.initialize()
    report = {}
    for taxonomy in TAXONOMIES:
        truth, weights = _gold(tax, taxonomy, rows, scope[taxonomy], settings.matrix_weight)
        used = weights.any(axis=1)
        model = nlp.get_pipe(taxonomy).model
        features = tfidf.fit_features(model, [t for t, u in zip(texts, used) if u], min_df=settings.min_df)
        report[taxonomy] = tfidf.fit_linear(model, features, truth[used], C=settings.C,
                                            max_iter=settings.max_iter, weights=weights[used], log=log)
        report[taxonomy]["rows"] = int(used.sum())
    return report


def predict(nlp: Language, texts: Sequence[str]) -> list[dict[str, float]]:
    return [dict(doc.cats) for doc in nlp.pipe(texts, batch_size=256)]


def f1_scores(gold: Sequence[frozenset[str]], predicted: Sequence[set[str]],
              label_set: Sequence[str] = ()) -> dict:
    """Micro-F1; per-label precision, recall, F1, support; macro-F1 three ways.

    - ``macro_f1``: mean F1 over the labels with gold support in ``gold`` (the usual "support" macro);
    - ``macro_f1_seen``: over the labels that are in the gold or were predicted (a false label counts 0);
    - ``macro_f1_full``: over ``label_set`` (the whole vocabulary), a label with neither gold nor
      predictions counting 0 (given only when ``label_set`` is).
    """
    seen = sorted({x for g in gold for x in g} | {x for p in predicted for x in p})
    per_label = {}
    for label in seen:
        t = sum(1 for g, p in zip(gold, predicted) if label in g and label in p)
        f = sum(1 for g, p in zip(gold, predicted) if label not in g and label in p)
        n = sum(1 for g, p in zip(gold, predicted) if label in g and label not in p)
        per_label[label] = {"precision": round(t / (t + f), 4) if t + f else 0.0,
                            "recall": round(t / (t + n), 4) if t + n else 0.0,
                            "f1": round(2 * t / (2 * t + f + n), 4) if t else 0.0, "support": t + n,
                            "predicted": t + f}
    tp = sum(len(g & p) for g, p in zip(gold, predicted))
    fp = sum(len(p - g) for g, p in zip(gold, predicted))
    fn = sum(len(g - p) for g, p in zip(gold, predicted))
    micro = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    supported = [v["f1"] for v in per_label.values() if v["support"]]

    def mean(values) -> float:
        values = list(values)
        return round(sum(values) / len(values), 4) if values else 0.0

    result = {"micro_f1": round(micro, 4), "micro_precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
              "micro_recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
              "macro_f1": mean(supported), "macro_f1_seen": mean(v["f1"] for v in per_label.values()),
              "rows": len(gold), "labels_with_support": len(supported), "labels_seen": len(per_label),
              "per_label": {k: v for k, v in per_label.items()}}
    if label_set:
        result["macro_f1_full"] = mean(per_label.get(label, {"f1": 0.0})["f1"] for label in label_set)
        result["labels_full"] = len(label_set)
    return result


def shown(cats: dict[str, float], taxonomy: str, threshold: float) -> set[str]:
    prefix = f"{taxonomy}::"
    return {key[len(prefix):] for key, score in cats.items() if key.startswith(prefix) and score >= threshold}


def tune_threshold(cats: Sequence[dict[str, float]], gold: Sequence[frozenset[str]], taxonomy: str) -> float:
    """The threshold of the grid that gives the best micro-F1 (ties: the higher one)."""
    def micro_f1(threshold: float) -> tuple[float, float]:
        return f1_scores(gold, [shown(c, taxonomy, threshold) for c in cats])["micro_f1"], threshold

    return max(_THRESHOLD_GRID, key=micro_f1)


def train_themes(out_dir: Path, *, seed: int = 0, matrix_dir: Path = MATRIX_DIR, upr_csv: Path = TRAINING_CSV,
                 distant_limit: int = DISTANT_LIMIT, settings: Settings = Settings(),
                 validation_fraction: float = 0.2, reviewed: Sequence = ()) -> dict:
    """Train on every matrix row + UPR Info (distant) + ``reviewed`` rows, tune thresholds, save to ``out_dir``.

    ``reviewed``: :class:`~rectrack.extractors.classify.reviewed.ReviewedRow` s (an analyst's labels from a
    tracker's ``reviewed_*`` cells); their themes, groups and SDGs are training rows weighted like a matrix
    row's, and a matrix or UPR Info row with the same text is left out (the analyst's labels win).
    Returns metrics: thresholds and the validation micro/macro-F1 per taxonomy.
    """
    tax = load_taxonomies(TAXONOMY_DIR)
    extra = reviewed_rows(reviewed)
    taken = {text_key(r.text) for r in extra}
    matrix = [r for r in load_matrix_rows(matrix_dir, tax) if text_key(r.text) not in taken]
    order = list(range(len(matrix)))
    random.Random(seed).shuffle(order)
    held = set(order[:round(len(order) * validation_fraction)])
    train_rows = [r for i, r in enumerate(matrix) if i not in held]
    validation = [r for i, r in enumerate(matrix) if i in held]
    distant = distant_rows(tax, exclude={text_key(r.text) for r in matrix} | taken, limit=distant_limit,
                           seed=seed, path=upr_csv)
    nlp = build_pipeline(tax, settings=settings)
    fitted = fit(nlp, tax, train_rows + distant + extra, settings=settings)
    thresholds, metrics = tune_and_score(nlp, validation)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    keys = {t: tax.taxonomy(t).names for t in TAXONOMIES}
    per_key = {f"{t}::{name}": thresholds[t] for t in TAXONOMIES for name in keys[t]}
    (out_dir / "thresholds.json").write_text(json.dumps(per_key, indent=1, ensure_ascii=False), encoding="utf-8")
    return {"components": list(COMPONENTS), "sources": {"themes": "model", "groups": "model", "sdgs": "model",
                                                        "uhri_rules": "rule"},
            "thresholds": thresholds, "validation": metrics, "train_rows": len(train_rows),
            "distant_rows": len(distant), "reviewed_texts": len(extra), "validation_rows": len(validation),
            "lbfgs": fitted}


def reviewed_rows(reviewed: Sequence) -> list[LabelledRow]:
    """Reviewed tracker rows with a themes, groups or SDGs review, as training rows (document "reviewed")."""
    rows = []
    for row in reviewed:
        labels = {t: frozenset(v) for t, v in row.labels.items() if t in TAXONOMIES}
        if labels:
            rows.append(LabelledRow(REVIEWED, row.text, labels))
    return rows


def tune_and_score(nlp: Language, validation: Sequence[LabelledRow]) -> tuple[dict[str, float], dict]:
    """Per-taxonomy thresholds tuned on ``validation`` and the scores they give there."""
    cats = predict(nlp, [r.text for r in validation])
    thresholds, metrics = {}, {}
    for taxonomy in TAXONOMIES:
        rows = [(c, r.labels[taxonomy]) for c, r in zip(cats, validation) if taxonomy in r.labels]
        if not rows:
            thresholds[taxonomy] = 0.5
            continue
        thresholds[taxonomy] = tune_threshold([c for c, _ in rows], [g for _, g in rows], taxonomy)
        scored = f1_scores([g for _, g in rows], [shown(c, taxonomy, thresholds[taxonomy]) for c, _ in rows])
        metrics[taxonomy] = {k: v for k, v in scored.items() if k != "per_label"}
    return thresholds, metrics
