"""Train the ``themes``, ``groups`` and ``sdgs`` classifiers (UHRI 2025 wording, SDG goals).

Training data, two kinds:

- the matrices' own labels (``data/samples/matrices/*.docx``: ``given_labels``
  mapped to 2025 wording by ``uhri_wordings.tsv``), gold for the taxonomies a
  matrix prints; SDGs of matrices that print none are derived from their
  themes and groups (``sdgs`` column of the taxonomy files);
- UPR Info texts (``data/training/upr_info.csv``) labelled through
  ``upr_info_issues_map.tsv`` (distant supervision): only the labels some issue
  implies are set, the rest are left missing so they get no gradient.

The pipeline: blank English, three ``textcat_multilabel`` (bag of words,
uni- and bigrams) named ``themes``, ``groups``, ``sdgs``, then the rule
component ``uhri_rules`` (:mod:`rectrack.extractors.classify.keywords`). Thresholds (one
per taxonomy, written per key in ``thresholds.json``) are tuned on a random
slice of the matrix rows held out of training. Pure: no Prefect.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import minibatch

import rectrack.extractors.classify.keywords  # noqa: F401  (registers uhri_rules)
from rectrack.extractors.files import DATA_DIR
from rectrack.extractors.classify import architectures
from rectrack.extractors.classify.taxonomies import TAXONOMY_DIR, Taxonomies, load_taxonomies
from rectrack.extractors.classify.upr_info import TRAINING_CSV, load_upr_info, text_key

MATRIX_DIR = DATA_DIR / "samples" / "matrices"
TAXONOMIES = ("themes", "groups", "sdgs")
COMPONENTS = (*TAXONOMIES, "uhri_rules")
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
        rows.append(LabelledRow("upr_info", text.text, labels))
    return rows


def build_pipeline(tax: Taxonomies, *, keyword_score: float = 0.5, implied_weight: float = 1.0) -> Language:
    """Blank English with the three (untrained) textcats and ``uhri_rules``."""
    nlp = spacy.blank("en")
    for taxonomy in TAXONOMIES:
        textcat = nlp.add_pipe(architectures.MULTI, name=taxonomy, config={"model": {
            "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
            "no_output_layer": False, "length": 8192}})
        for label in tax.taxonomy(taxonomy).names:
            textcat.add_label(f"{taxonomy}::{label}")
    nlp.add_pipe("uhri_rules", config={"keyword_score": keyword_score, "implied_weight": implied_weight})
    return nlp


def _known_keys(tax: Taxonomies, row: LabelledRow, distant_scope: dict[str, set[str]]) -> dict[str, float]:
    """Gold cats of a row: every label of a known taxonomy (distant rows: only mapped labels)."""
    cats = {}
    for taxonomy, labels in row.labels.items():
        names = distant_scope[taxonomy] if row.document == "upr_info" else tax.taxonomy(taxonomy).names
        cats.update({f"{taxonomy}::{name}": float(name in labels) for name in names})
    return cats


def fit(nlp: Language, tax: Taxonomies, rows: Sequence[LabelledRow], *, epochs: int = 6, seed: int = 0) -> None:
    """Initialise and train the textcats of ``nlp`` on ``rows``."""
    scope = {t: {x for link in tax.issue_links.values() for x in getattr(link, t)} for t in TAXONOMIES}
    examples = [Example.from_dict(nlp.make_doc(row.text), {"cats": _known_keys(tax, row, scope)}) for row in rows]
    spacy.util.fix_random_seed(seed)
    # Each textcat gets only its own taxonomy's labels: left to infer them from
    # the examples, every component took all three taxonomies' labels (3x the
    # size, and each overwrote the others' scores in doc.cats).
    for taxonomy in TAXONOMIES:
        own = sorted(f"{taxonomy}::{name}" for name in tax.taxonomy(taxonomy).names)
        nlp.config["initialize"]["components"][taxonomy] = {"labels": own}
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(seed)
    with nlp.select_pipes(enable=list(TAXONOMIES)):
        for _ in range(epochs):
            order.shuffle(examples)
            for batch in minibatch(examples, size=128):
                nlp.update(batch, sgd=optimizer, drop=0.1)


def predict(nlp: Language, texts: Sequence[str]) -> list[dict[str, float]]:
    return [dict(doc.cats) for doc in nlp.pipe(texts, batch_size=256)]


def f1_scores(gold: Sequence[frozenset[str]], predicted: Sequence[set[str]]) -> dict:
    """Micro-F1, macro-F1 over labels with gold support, per-label F1 and support."""
    labels = sorted({x for g in gold for x in g})
    tp = fp = fn = 0
    per_label = {}
    for label in labels:
        t = sum(1 for g, p in zip(gold, predicted) if label in g and label in p)
        f = sum(1 for g, p in zip(gold, predicted) if label not in g and label in p)
        n = sum(1 for g, p in zip(gold, predicted) if label in g and label not in p)
        per_label[label] = {"f1": round(2 * t / (2 * t + f + n), 4) if t else 0.0, "support": t + n}
    for g, p in zip(gold, predicted):
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    micro = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label) if per_label else 0.0
    return {"micro_f1": round(micro, 4), "macro_f1": round(macro, 4), "rows": len(gold), "per_label": per_label}


def shown(cats: dict[str, float], taxonomy: str, threshold: float) -> set[str]:
    prefix = f"{taxonomy}::"
    return {key[len(prefix):] for key, score in cats.items() if key.startswith(prefix) and score >= threshold}


def tune_threshold(cats: Sequence[dict[str, float]], gold: Sequence[frozenset[str]], taxonomy: str) -> float:
    """The threshold of the grid that gives the best micro-F1 (ties: the higher one)."""
    def micro_f1(threshold: float) -> tuple[float, float]:
        return f1_scores(gold, [shown(c, taxonomy, threshold) for c in cats])["micro_f1"], threshold

    return max(_THRESHOLD_GRID, key=micro_f1)


def train_themes(out_dir: Path, *, seed: int = 0, matrix_dir: Path = MATRIX_DIR, upr_csv: Path = TRAINING_CSV,
                 distant_limit: int = 8000, epochs: int = 6, validation_fraction: float = 0.2) -> dict:
    """Train on every matrix row + UPR Info (distant), tune thresholds, save to ``out_dir``.

    Returns metrics: thresholds and the validation micro/macro-F1 per taxonomy.
    """
    tax = load_taxonomies(TAXONOMY_DIR)
    matrix = load_matrix_rows(matrix_dir, tax)
    order = list(range(len(matrix)))
    random.Random(seed).shuffle(order)
    held = set(order[:round(len(order) * validation_fraction)])
    train_rows = [r for i, r in enumerate(matrix) if i not in held]
    validation = [r for i, r in enumerate(matrix) if i in held]
    distant = distant_rows(tax, exclude={text_key(r.text) for r in matrix}, limit=distant_limit, seed=seed,
                           path=upr_csv)
    nlp = build_pipeline(tax)
    fit(nlp, tax, train_rows + distant, epochs=epochs, seed=seed)
    thresholds, metrics = tune_and_score(nlp, validation)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    keys = {t: tax.taxonomy(t).names for t in TAXONOMIES}
    per_key = {f"{t}::{name}": thresholds[t] for t in TAXONOMIES for name in keys[t]}
    (out_dir / "thresholds.json").write_text(json.dumps(per_key, indent=1, ensure_ascii=False), encoding="utf-8")
    return {"components": list(COMPONENTS), "sources": {"themes": "model", "groups": "model", "sdgs": "model",
                                                        "uhri_rules": "rule"},
            "thresholds": thresholds, "validation": metrics, "train_rows": len(train_rows),
            "distant_rows": len(distant), "validation_rows": len(validation)}


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
