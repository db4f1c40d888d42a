"""Metrics shared by ``rectrack evaluate`` and the benchmarks: F1 for label sets, accuracy for one label.

- :func:`multilabel_report`: micro-F1 (every decision counted once), macro-F1
  (mean of per-label F1 over the labels the gold data uses) and per-label
  precision / recall / F1 / support;
- :func:`single_label_report`: accuracy, macro-F1 and per-label figures;
- :func:`evaluate_table`: either of them on a user's CSV, through a classifier.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from rectrack.extractors.classify.classifier import SINGLE_LABEL, TAXONOMIES, Classifier
from rectrack.extractors.errors import InvalidTable

_COMMA = re.compile(r"\s*,\s*")


@dataclass(frozen=True, slots=True)
class LabelF1:
    """The figures of one label."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int               # gold examples with the label


@dataclass(frozen=True, slots=True)
class Report:
    """What an evaluation measured; ``accuracy`` only for single-label taxonomies."""

    taxonomy: str
    examples: int
    micro_f1: float
    macro_f1: float
    per_label: tuple[LabelF1, ...]
    accuracy: float | None = None
    unknown_labels: tuple[str, ...] = ()   # gold labels the classifier cannot give

    def as_dict(self) -> dict:
        out = {"taxonomy": self.taxonomy, "examples": self.examples,
               "micro_f1": round(self.micro_f1, 4), "macro_f1": round(self.macro_f1, 4),
               "per_label": {r.label: {"precision": round(r.precision, 4), "recall": round(r.recall, 4),
                                       "f1": round(r.f1, 4), "support": r.support}
                             for r in self.per_label}}
        if self.accuracy is not None:
            out["accuracy"] = round(self.accuracy, 4)
        if self.unknown_labels:
            out["unknown_labels"] = list(self.unknown_labels)
        return out

    def as_text(self) -> str:
        head = [f"{self.taxonomy}: {self.examples} examples"]
        if self.accuracy is not None:
            head.append(f"accuracy {self.accuracy:.3f}")
        head.append(f"micro-F1 {self.micro_f1:.3f}, macro-F1 {self.macro_f1:.3f}")
        lines = [", ".join(head), f"{'label':<50} {'P':>6} {'R':>6} {'F1':>6} {'n':>6}"]
        lines += [f"{r.label[:50]:<50} {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f} {r.support:6d}"
                  for r in self.per_label]
        if self.unknown_labels:
            lines.append("gold labels the classifier does not know: " + "; ".join(self.unknown_labels))
        return "\n".join(lines)


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def multilabel_report(gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]],
                      taxonomy: str = "") -> Report:
    """Micro/macro-F1 of predicted label sets against gold ones (same length, same order).

    Macro-F1 averages over the labels present in the gold data; a label only
    ever predicted counts against micro precision and its own row, not the mean.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold examples but {len(predicted)} predictions")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold_labels, predicted_labels in zip(gold, predicted):
        g, p = set(gold_labels), set(predicted_labels)
        tp.update(g & p)
        fp.update(p - g)
        fn.update(g - p)
    support = {label: tp[label] + fn[label] for label in set(tp) | set(fn)}
    labels = sorted(set(support) | set(fp))
    rows = tuple(LabelF1(label, *_f1(tp[label], fp[label], fn[label]), support.get(label, 0))
                 for label in labels)
    micro = _f1(sum(tp.values()), sum(fp.values()), sum(fn.values()))[2]
    scored = [r.f1 for r in rows if r.support]
    return Report(taxonomy, len(gold), micro, sum(scored) / len(scored) if scored else 0.0, rows)


def single_label_report(gold: Sequence[str], predicted: Sequence[str], taxonomy: str = "") -> Report:
    """Accuracy, and the multi-label figures of one-label sets (micro-F1 equals accuracy then)."""
    report = multilabel_report([{g} if g else set() for g in gold],
                               [{p} if p else set() for p in predicted], taxonomy)
    correct = sum(g == p for g, p in zip(gold, predicted))
    return Report(taxonomy, len(gold), report.micro_f1, report.macro_f1, report.per_label,
                  accuracy=correct / len(gold) if gold else 0.0)


def split_gold(cell: str, separator: str) -> set[str]:
    """The labels of one gold cell (``|``- or comma-separated)."""
    parts = cell.split("|") if separator == "|" else _COMMA.split(cell)
    return {part.strip() for part in parts if part.strip()}


def evaluate_table(frame: pd.DataFrame, text_column: str, gold_column: str, taxonomy: str,
                   classifier: Classifier) -> Report:
    """The classifier's figures for ``taxonomy`` on a labelled table.

    Gold cells are ``|``-joined, or comma-joined when no cell of the column
    holds a ``|``. Rows with an empty gold cell count as "no label" (multi-
    label) and are left out (single label). Raises :class:`InvalidTable` for
    an unknown taxonomy.
    """
    if taxonomy not in TAXONOMIES:
        raise InvalidTable(taxonomy, f"is not a taxonomy (known: {', '.join(TAXONOMIES)})",
                           "pass one of those to --taxonomy")
    cells = frame[gold_column].tolist()
    if taxonomy in SINGLE_LABEL:
        keep = [i for i, c in enumerate(cells) if c.strip()]
        cells = [cells[i].strip() for i in keep]
        texts = [frame[text_column].iat[i] for i in keep]
    else:
        texts = frame[text_column].tolist()
    separator = "|" if any("|" in c for c in cells) else ","
    labels = classifier.classify(texts)
    shown = [{s.label for s in found if s.taxonomy == taxonomy and s.shown} for found in labels]
    known = set(classifier.labels.get(taxonomy, ()))
    if taxonomy in SINGLE_LABEL:
        report = single_label_report(cells, [next(iter(s), "") for s in shown], taxonomy)
        gold_sets = [{c} for c in cells]
    else:
        gold_sets = [split_gold(c, separator) for c in cells]
        report = multilabel_report(gold_sets, shown, taxonomy)
    unknown = sorted({g for gs in gold_sets for g in gs} - known)
    return Report(report.taxonomy, report.examples, report.micro_f1, report.macro_f1,
                  report.per_label, report.accuracy, tuple(unknown))
