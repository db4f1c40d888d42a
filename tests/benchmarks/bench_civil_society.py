#!/usr/bin/env python
"""Precision and recall of the civil-society segmenter on hand-labelled sentences.

Run on demand::

    .venv/bin/python tests/benchmarks/bench_civil_society.py \
        [--labels tests/fixtures/labelled/recommendation_sentences.csv] \
        [--out tests/benchmarks/results/civil_society.json]

Each document named in the labelled set is read from ``data/samples/`` and
segmented whole by ``segment_civil_society`` (whatever its detected family:
the UN compilation and the stakeholders' summary serve here as prose full of
reported recommendations). A labelled sentence counts as predicted when a row
of its document has exactly its text. Labelled sentences that the segmenter's
sentence splitting no longer produces are counted as ``unaligned`` (they
would silently become "not predicted"): a non-zero figure means the set needs
relabelling after a change of the splitting, not that the figures are bad.

Splits (fixed before measuring, see the labelled set's README): ``dev`` is
the dialogue report and the stakeholders' summary, on which the cue lists
were developed; ``heldout`` is the UN compilation, not looked at while
choosing cues. Writes JSON (``--out``) and prints it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rectrack.extractors.read import read_document  # noqa: E402
from rectrack.extractors.records import DocumentInfo, DocumentType  # noqa: E402
from rectrack.extractors.segment.prose.civil_society import segment_civil_society, sentence_texts  # noqa: E402

LABELS = ROOT / "tests" / "fixtures" / "labelled" / "recommendation_sentences.csv"
OUT = ROOT / "tests" / "benchmarks" / "results" / "civil_society.json"
DOCUMENTS = {
    "human-rights-dialogue-2025-dushanbe.txt": ("dialogue", "dev"),
    "slovenia2019-A_HRC_WG.6_34_SVN_3-stakeholders-summary.pdf": ("compilations", "dev"),
    "slovenia2019-A_HRC_WG.6_34_SVN_2-un-compilation.pdf": ("compilations", "heldout"),
}


def _scores(counts: Counter[str]) -> dict[str, float | int]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"sentences": sum(counts[k] for k in ("tp", "fp", "fn", "tn")), "tp": tp, "fp": fp, "fn": fn,
            "tn": counts["tn"], "precision": round(precision, 4), "recall": round(recall, 4),
            "unaligned": counts["unaligned"]}


def evaluate(labels: Path = LABELS, samples: Path = ROOT / "data" / "samples") -> dict:
    """Scores per split and overall, plus the sentences the segmenter got wrong."""
    with labels.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    counts: dict[str, Counter[str]] = {"dev": Counter(), "heldout": Counter(), "all": Counter()}
    errors: list[dict[str, str]] = []
    info = DocumentInfo(document_type=DocumentType.CIVIL_SOCIETY_REPORT, body="civil society")
    for name, (folder, split) in DOCUMENTS.items():
        document = read_document(samples / folder / name)
        predicted = {rec.text for rec in segment_civil_society(document, info).recommendations}
        known = set(sentence_texts(document))
        for row in (r for r in rows if r["document"] == name):
            gold, guess = row["label"] == "1", row["sentence"] in predicted
            outcome = "tp" if gold and guess else "fp" if guess else "fn" if gold else "tn"
            for key in (split, "all"):
                counts[key][outcome] += 1
                counts[key]["unaligned"] += row["sentence"] not in known
            if outcome in ("fp", "fn"):
                errors.append({"document": name, "error": outcome, "sentence": row["sentence"]})
    return {**{split: _scores(c) for split, c in counts.items()}, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELS, help="labelled sentences (CSV)")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the JSON results")
    args = parser.parse_args(argv)
    results = evaluate(args.labels)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
