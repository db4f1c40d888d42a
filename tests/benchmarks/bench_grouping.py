#!/usr/bin/env python
"""Precision and recall of the follow-up groups on hand-labelled pairs, and the grouping time.

Run on demand::

    .venv/bin/python tests/benchmarks/bench_grouping.py \
        [--pairs tests/fixtures/grouping/pairs.csv] [--more /work/shared/data/un-documents/upr-more] \
        [--out tests/benchmarks/results/grouping.json]

Reads every document of ``data/samples/`` (process_document), builds the
tracker (build_tracker + link_tracker, as update_outputs does) and, for each
measure (word TF-IDF cosine, WordLlama embedding cosine, their mean) and each
threshold of a grid, groups it with :func:`group_tracker` (complete linkage).
A labelled pair is predicted "same" when both its rows end in one group. The
threshold of each measure is the lowest whose precision on the ``tune`` half
of the pairs is at least :data:`MIN_PRECISION` (a wrong merge hides a
recommendation from an analyst; and with three "same" pairs in four, best F1
would simply link everything); precision and recall are reported on the
``test`` half at that threshold (and on ``tune`` for comparison). Also the grouping time of the samples' tracker and, with
``--more``, of the tracker of every document in that folder plus the samples.
Writes JSON (``--out``) and prints it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rectrack.extractors.tracker.grouping import THRESHOLD, group_tracker  # noqa: E402
from rectrack.extractors.tracker.links import link_tracker  # noqa: E402
from rectrack.extractors.pipeline import process_document  # noqa: E402
from rectrack.extractors.tracker.similarity import embedding_similarity, tfidf_similarity  # noqa: E402
from rectrack.extractors.tracker.merge import build_tracker  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
SUFFIXES = {".pdf", ".docx", ".txt", ".html"}
GRID = [round(x, 3) for x in np.arange(0.30, 0.96, 0.025)]
MIN_PRECISION = 0.90


def tracker_of(folders: list[Path]):
    """The linked tracker of every document in ``folders`` (read errors skipped, as a run would)."""
    results = [process_document(path, folder) for folder in folders
               for path in sorted(folder.rglob("*")) if path.suffix in SUFFIXES]
    tracker = build_tracker([r for r in results if r.recommendations])
    tracker["recommendation_key"] = link_tracker(tracker).keys
    return tracker


def row_of(tracker, document: str, paragraph: str, text: str) -> int:
    hits = tracker.index[(tracker["document"] == document) & (tracker["paragraph"] == paragraph)
                         & (tracker["text"] == text)]
    if len(hits) != 1:
        raise SystemExit(f"pair row not found once in the samples' tracker: {document} {paragraph} {text[:60]!r}")
    return int(hits[0])


def scores(pairs: list[dict], groups: list[str], split: str) -> dict:
    tp = fp = fn = tn = 0
    for pair in pairs:
        if pair["split"] != split:
            continue
        predicted = groups[pair["a"]] == groups[pair["b"]]
        actual = pair["same"] == "same"
        tp, fp, fn, tn = tp + (predicted and actual), fp + (predicted and not actual), \
            fn + (not predicted and actual), tn + (not predicted and not actual)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def memoised(measure):
    cache: dict[tuple[str, ...], np.ndarray] = {}

    def similarity(texts):
        key = tuple(texts)
        if key not in cache:
            cache[key] = measure(texts)
        return cache[key]
    return similarity


def evaluate(tracker, pairs: list[dict]) -> dict:
    """Per measure: the tuned threshold and the tune/test figures of the grouping at it."""
    tfidf, embedding = memoised(tfidf_similarity), memoised(embedding_similarity)
    measures = {"tfidf": tfidf, "embedding": embedding,
                "combined": lambda texts: (tfidf(texts) + embedding(texts)) / 2.0}
    out = {}
    for name, measure in measures.items():
        curve = []
        for threshold in GRID:
            groups = group_tracker(tracker, threshold=threshold, similarity=measure).groups
            curve.append((threshold, scores(pairs, groups, "tune"), scores(pairs, groups, "test")))
        chosen = next((c for c in curve if c[1]["precision"] >= MIN_PRECISION), curve[-1])
        out[name] = {"threshold": chosen[0], "tune": chosen[1], "test": chosen[2],
                     "tune_curve": {str(t): [tune["precision"], tune["recall"]] for t, tune, _ in curve}}
    shipped = group_tracker(tracker).groups
    out["shipped"] = {"threshold": THRESHOLD, "tune": scores(pairs, shipped, "tune"),
                      "test": scores(pairs, shipped, "test")}
    return out


def timing(tracker) -> dict:
    group_tracker(tracker.head(5))          # load the embedding model once, outside the timing
    start = time.perf_counter()
    groups = group_tracker(tracker).groups
    seconds = time.perf_counter() - start
    sizes = np.bincount(np.unique(groups, return_inverse=True)[1])
    return {"rows": len(tracker), "countries": int(tracker["country"].nunique()), "seconds": round(seconds, 2),
            "groups": int(len(sizes)), "groups_of_2_or_more": int((sizes > 1).sum()),
            "rows_in_such_groups": int(sizes[sizes > 1].sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=ROOT / "tests" / "fixtures" / "grouping" / "pairs.csv")
    parser.add_argument("--more", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "benchmarks" / "results" / "grouping.json")
    args = parser.parse_args()
    tracker = tracker_of([SAMPLES])
    with args.pairs.open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    for pair in pairs:
        pair["a"] = row_of(tracker, pair["document_a"], pair["paragraph_a"], pair["text_a"])
        pair["b"] = row_of(tracker, pair["document_b"], pair["paragraph_b"], pair["text_b"])
    counts = {split: {label: sum(p["split"] == split and p["same"] == label for p in pairs)
                      for label in ("same", "different")} for split in ("tune", "test")}
    report = {"pairs": str(args.pairs.relative_to(ROOT)), "pair_counts": counts,
              "measures": evaluate(tracker, pairs), "time_samples": timing(tracker)}
    if args.more:
        report["time_more"] = {"folder": str(args.more), **timing(tracker_of([SAMPLES, args.more]))}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
