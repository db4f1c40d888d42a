"""Recommendations classified per second, all taxonomies together, 1 and 2 processes.

    .venv/bin/python tests/benchmarks/bench_classify_speed.py \
        [--model data/models/classifier] [--texts data/training/upr_info.csv] [--column text] \
        [--repeat 3] [--out tests/benchmarks/results/classify_speed.json]

What it measures, on the same texts (default: the 38,252 distinct texts of the
UPR Info training table, sessions 1-20), with the model already loaded (as in
the flow, where it is loaded once per process; the load time is reported apart):

- ``one_process``: ``Classifier.classify`` (``nlp.pipe`` + the LabelScore records
  the tracker needs), one process: what the flow's classify task does;
- ``nlp_pipe_only``: ``nlp.pipe`` alone, one process (the spaCy part of the above);
- ``spacy_n_process_2``: ``Classifier.classify(n_process=2)`` (spaCy's own
  multiprocessing: docs are serialised back to the parent);
- ``two_workers``: two worker processes, each with its own loaded classifier,
  classifying half of the texts and returning LabelScore records.

Target: >= 5,000 recommendations/s on 2 cores, all taxonomies together.
Medians of ``--repeat`` runs. Waits up to 3 minutes for the machine to be quiet
(other processes halve the figures on 2 cores) and records how busy it was.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from rectrack.extractors.classify.classifier import MODEL_DIR, load_classifier, model_fingerprint  # noqa: E402

TARGET = 5000.0


def cpu_busy(window: float = 3.0) -> float:
    """Share of all CPUs busy over ``window`` seconds (from /proc/stat)."""
    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]
    total0, idle0 = sample()
    time.sleep(window)
    total1, idle1 = sample()
    return round(1 - (idle1 - idle0) / max(total1 - total0, 1), 3)


def wait_for_quiet(max_wait: float = 180.0, threshold: float = 0.25) -> tuple[float, float]:
    first = busy = cpu_busy()
    deadline = time.monotonic() + max_wait
    while busy >= threshold and time.monotonic() < deadline:
        busy = cpu_busy()
    return first, busy


_worker = None


def _init_worker(model_dir: str) -> None:
    global _worker
    _worker = load_classifier(Path(model_dir))


def _classify_chunk(texts: list[str]) -> int:
    return sum(len(labels) for labels in _worker.classify(texts))


def timed(function, repeat: int) -> tuple[float, list[float]]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), seconds


def measure(model_dir: Path, texts: list[str], repeat: int) -> dict:
    started = time.perf_counter()
    classifier = load_classifier(model_dir)
    load_seconds = time.perf_counter() - started
    classifier.classify(texts[:2000])                       # warm-up
    results: dict[str, dict] = {}

    def record(name: str, function) -> None:
        median, runs = timed(function, repeat)
        results[name] = {"seconds": round(median, 3), "runs": [round(s, 3) for s in runs],
                         "recs_per_s": round(len(texts) / median)}
        print(f"{name:>18}: {len(texts) / median:9,.0f} recs/s ({median:.2f} s)", flush=True)

    record("one_process", lambda: classifier.classify(texts, batch_size=1000))
    record("nlp_pipe_only", lambda: sum(1 for _ in classifier.nlp.pipe(texts, batch_size=1000)))
    record("spacy_n_process_2", lambda: classifier.classify(texts, batch_size=1000, n_process=2))
    half = len(texts) // 2
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"),
                             initializer=_init_worker, initargs=(str(model_dir),)) as pool:
        list(pool.map(_classify_chunk, [texts[:500], texts[500:1000]]))   # load + warm both
        record("two_workers", lambda: list(pool.map(_classify_chunk, [texts[:half], texts[half:]])))
    labels = classifier.classify(texts[:5000])
    return {"load_seconds": round(load_seconds, 2), "results": results,
            "labels_per_text_listed": round(sum(map(len, labels)) / len(labels), 2),
            "labels_per_text_shown": round(sum(sum(s.shown for s in ls) for ls in labels) / len(labels), 2)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--texts", type=Path, default=REPO / "data" / "training" / "upr_info.csv")
    parser.add_argument("--column", default="text")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "benchmarks" / "results" / "classify_speed.json")
    parser.add_argument("--no-wait", action="store_true", help="measure at once, however busy the machine")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    frame = pd.read_csv(args.texts, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    texts = frame[args.column].tolist()
    busy = (None, None) if args.no_wait else wait_for_quiet()
    print(f"{len(texts):,} texts from {args.texts}; machine busy {busy[0]} -> {busy[1]}", flush=True)
    report = measure(args.model, texts, args.repeat)
    best = max(r["recs_per_s"] for name, r in report["results"].items() if name != "nlp_pipe_only")
    components = json.loads((args.model / "components.json").read_text(encoding="utf-8"))["components"]
    report.update(
        texts=str(args.texts.relative_to(REPO) if args.texts.is_relative_to(REPO) else args.texts),
        text_count=len(texts), mean_chars=round(sum(map(len, texts)) / len(texts), 1),
        model=str(args.model), model_fingerprint=model_fingerprint(args.model),
        components=[c["name"] for c in components], repeat=args.repeat,
        busy_before=busy[0], busy_at_start=busy[1], load_average_end=round(os.getloadavg()[0], 2),
        best_2_cores_recs_per_s=best, target_recs_per_s=TARGET, target_met=best >= TARGET,
        machine={"cpus_usable": len(os.sched_getaffinity(0)), "python": platform.python_version()},
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"best on 2 cores: {best:,} recs/s (target {TARGET:,.0f}: "
          f"{'met' if best >= TARGET else 'NOT met'}); written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
