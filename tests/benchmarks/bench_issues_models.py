"""Why the issues model is an ensemble: the linear model alone against the shipped ensemble, two splits.

    .venv/bin/python tests/benchmarks/bench_issues_models.py [--seeds 5] \
        [--out tests/benchmarks/results/issues_models.json]

- ``development``: the split the ensemble's settings were chosen on, built like
  the real one one UPR cycle earlier: train on sessions <= 15 (minus a random
  tenth, on which thresholds are tuned), measure on the texts first made in
  sessions 16-17. No test text is used.
- ``test``: the real split (train <= 17, test 18-20), reported after the
  choice was made.

On each split: the linear model alone (``hidden_width=0``) and the ensemble
with the network fitted from ``--seeds`` random seeds (the linear part is
fitted once: it is deterministic). Micro/macro-F1 at thresholds tuned on the
validation slice. About 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rectrack.extractors.classify import tfidf  # noqa: E402
from rectrack.extractors.classify import train_issues as ti  # noqa: E402
from rectrack.extractors.classify.upr_info import Split, issue_labels, load_upr_info, split_by_session  # noqa: E402


def _splits() -> dict[str, Split]:
    texts = load_upr_info()
    return {"development": split_by_session([t for t in texts if t.session <= 17], test_from=16),
            "test": split_by_session(texts)}


def _score(nlp, split: Split, labels: list[str]) -> dict:
    keys = [ti.key(label) for label in labels]
    validation = ti.score_matrix(nlp, [t.text for t in split.validation], keys)
    thresholds = ti.tune_thresholds(ti.gold_matrix(split.validation, labels), validation)
    scores = ti.score_matrix(nlp, [t.text for t in split.test], keys)
    result = ti.f1_scores(ti.gold_matrix(split.test, labels), (scores >= thresholds).astype("int8"))
    return {"micro_f1": round(result["micro_f1"], 4), "macro_f1": round(result["macro_f1"], 4)}


def run_split(split: Split, seeds: int) -> dict:
    labels = issue_labels(split.train)
    texts, gold = [t.text for t in split.train], ti.gold_matrix(split.train, labels)
    linear_settings = dataclasses.replace(ti.Settings(), hidden_width=0)
    linear = ti.new_pipeline(labels, linear_settings)
    ti.fit_pipeline(linear, texts, gold, settings=linear_settings)
    settings = ti.Settings()
    ensemble = ti.new_pipeline(labels, settings)
    model = ensemble.get_pipe(ti.TAXONOMY).model
    ensemble.initialize()
    rows = tfidf.fit_features(model, texts, min_df=settings.min_df)
    tfidf.fit_linear(model, rows, gold, C=settings.C, max_iter=settings.max_iter)
    by_seed = []
    for seed in range(seeds):
        tfidf.fit_mlp(model, rows, gold, epochs=settings.epochs, learn_rate=settings.learn_rate, seed=seed)
        by_seed.append(_score(ensemble, split, labels))
    micro = [r["micro_f1"] for r in by_seed]
    return {"train_texts": len(split.train), "validation_texts": len(split.validation),
            "test_texts": len(split.test), "linear": _score(linear, split, labels),
            "ensemble_by_seed": by_seed, "ensemble_micro_f1_mean": round(statistics.mean(micro), 4),
            "ensemble_micro_f1_range": [min(micro), max(micro)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "tests/benchmarks/results/issues_models.json")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "settings": dataclasses.asdict(ti.Settings()),
               "data": "data/training/upr_info.csv (UPR Info database, deduplicated texts)",
               "development_split": "train sessions 1-15, test sessions 16-17",
               "test_split": "train sessions 1-17, test sessions 18-20"}
    for name, split in _splits().items():
        results[name] = run_split(split, args.seeds)
        figures = results[name]
        print(f"{name}: linear {figures['linear']}, ensemble micro-F1 mean {figures['ensemble_micro_f1_mean']} "
              f"(range {figures['ensemble_micro_f1_range']}, {args.seeds} seeds)", flush=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
