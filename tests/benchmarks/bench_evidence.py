#!/usr/bin/env python
"""How well evidence found by meaning matches what national reports cite, on Slovenia's real reports.

Run on demand::

    .venv/bin/python tests/benchmarks/bench_evidence.py [--out tests/benchmarks/results/evidence.json]

Reads Slovenia's UPR Working Group reports of 2010 (A/HRC/14/15) and 2019 (A/HRC/43/15) and its
national reports of 2014 (A/HRC/WG.6/20/SVN/1, citing 2010's recommendations) and 2024
(A/HRC/WG.6/48/SVN/1, citing 2019's) from ``../shared/data/un-documents/``, and merges them as a run
does (:func:`update_outputs`). The gold: the cited links of ``evidence.csv``, one (paragraph,
recommendation) pair for every recommendation the paragraph's heading or text cites. The matcher
ranks, for every paragraph of a national report, the country's recommendations of earlier years by
:func:`~rectrack.extractors.tracker.evidence.rank_similar` without seeing any citation.

Reported per report: recall@k (k = 1, 5, 10: of the cited recommendations a paragraph's k best can
hold, min(k, cited), the share that is among them: a heading citing 40 recommendations gives each of
its paragraphs 40 gold pairs, which no k = 5 list holds), the share of citing paragraphs with at least one cited recommendation in
their 5 best, and precision / recall / F1 of the links the run keeps (5 best at or above a threshold).
The threshold is chosen on one report (best F1 over a grid) and measured on the other, both ways.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT.parent))

from rectrack.extractors.outputs import update_outputs  # noqa: E402
from rectrack.extractors.pipeline import process_document  # noqa: E402
from rectrack.extractors.tracker.columns import EVIDENCE_COLUMNS  # noqa: E402
from rectrack.extractors.tracker.evidence import TOP_K, rank_similar  # noqa: E402
from rectrack.extractors.tracker.io import read_table, read_tracker  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "un-documents"
DOCUMENTS = ("upr/slovenia2010-A_HRC_14_15.pdf", "upr/slovenia2019-A_HRC_43_15.pdf",
             "national-reports/slovenia2014-A_HRC_WG.6_20_SVN_1-national-report.pdf",
             "national-reports/slovenia2024-A_HRC_WG.6_48_SVN_1-national-report.pdf")
GRID = tuple(round(x, 2) for x in np.arange(0.10, 0.71, 0.02))
DEFAULT_OUT = ROOT / "tests" / "benchmarks" / "results" / "evidence.json"


def _measure(scores: np.ndarray, gold: list[set[int]], threshold: float, k: int = TOP_K) -> dict:
    predicted = correct = 0
    for row, wanted in zip(scores, gold):
        best = [c for c in np.argsort(-row, kind="stable")[:k] if row[c] >= threshold]
        predicted += len(best)
        correct += len(wanted & set(best))
    total = sum(len(g) for g in gold)
    reachable = sum(min(k, len(g)) for g in gold)       # a paragraph keeps at most k links
    precision = correct / predicted if predicted else 0.0
    recall = correct / reachable if reachable else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"threshold": threshold, "predicted": predicted, "correct": correct, "gold": total,
            "reachable": reachable, "precision": round(precision, 3), "recall_of_reachable": round(recall, 3),
            "recall_of_all_gold": round(correct / total, 3) if total else 0.0, "f1": round(f1, 3)}


def _recall_at(scores: np.ndarray, gold: list[set[int]], k: int) -> float:
    """Of the cited recommendations k places can hold (min(k, cited) a paragraph), the share in its k best."""
    hits = sum(len(wanted & set(np.argsort(-row, kind="stable")[:k])) for row, wanted in zip(scores, gold))
    reachable = sum(min(k, len(g)) for g in gold)
    return round(hits / reachable, 3) if reachable else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = [process_document(DATA / name, DATA) for name in DOCUMENTS]
    read_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        t0 = time.perf_counter()
        update_outputs(out, results)
        merge_s = time.perf_counter() - t0
        tracker = read_tracker(out / "tracker.csv")
        evidence = read_table(out / "evidence.csv", EVIDENCE_COLUMNS)
    report = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "load_average_1min": round(os.getloadavg()[0], 2), "documents": list(DOCUMENTS),
              "seconds": {"read_segment": round(read_s, 2), "merge_and_link": round(merge_s, 2)}, "reports": {}}
    matrices = {}
    for result in results[2:]:
        info = result.info
        earlier = tracker[(tracker["country"] == info.country)
                          & (tracker["year"].astype(int) < int(info.year))].reset_index(drop=True)
        column = {rec: i for i, rec in enumerate(earlier["rec_id"])}
        cited = evidence[(evidence["evidence_document"] == result.document) & (evidence["link"] == "cited")]
        gold_by_paragraph: dict[str, set[int]] = defaultdict(set)
        for paragraph, rec in zip(cited["paragraph"], cited["rec_id"]):
            gold_by_paragraph[paragraph].add(column[rec])
        items = [item for item in result.evidence if item.paragraph in gold_by_paragraph]
        scores = rank_similar([item.text for item in items], list(earlier["text"]))
        gold = [gold_by_paragraph[item.paragraph] for item in items]
        matrices[info.symbol] = (scores, gold)
        hit5 = sum(bool(g & set(np.argsort(-row, kind="stable")[:5])) for row, g in zip(scores, gold))
        report["reports"][info.symbol] = {
            "document": result.document, "paragraphs": len(result.evidence), "citing_paragraphs": len(items),
            "earlier_recommendations": len(earlier), "gold_pairs": sum(len(g) for g in gold),
            "recall_at_1": _recall_at(scores, gold, 1), "recall_at_5": _recall_at(scores, gold, 5),
            "recall_at_10": _recall_at(scores, gold, 10),
            "paragraphs_with_a_cited_recommendation_in_top_5": round(hit5 / len(items), 3) if items else 0.0,
            "cited_links_in_evidence_csv": int(len(cited)),
        }
    symbols = list(matrices)
    for tune, test in ((symbols[0], symbols[1]), (symbols[1], symbols[0])):
        grid = [_measure(*matrices[tune], t) for t in GRID]
        best = max(grid, key=lambda m: (m["f1"], -m["threshold"]))
        report["reports"][test][f"tuned_on_{tune}"] = {"tune": best, "test": _measure(*matrices[test],
                                                                                        best["threshold"])}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
