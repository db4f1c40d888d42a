#!/usr/bin/env python
"""The document phase on a Dask cluster against today's embedded run, on the same corpus, in one run.

Run on demand (pytest does not collect ``tests/benchmarks``)::

    .venv/bin/python tests/benchmarks/bench_dask.py [--files 1000] [--workers 1 2] \
        [--out tests/benchmarks/results/dask.json]

It copies the bundled PDFs (``data/samples``) into a temporary folder until
there are at least ``--files`` files, each copy with a unique comment after
``%%EOF`` (bench_pipeline's ``build_corpus``: distinct content hashes, so the
cache hides nothing), then measures on that corpus:

(a) raw pypdfium2 text of every page, one process pinned to one core
    (bench_pipeline's raw worker) -> pages/s;
(b) ``rectrack run CORPUS`` cold, embedded (temporary Prefect server, local
    process pool), fresh ``PREFECT_HOME``;
(c) for each ``--workers`` k: a ``distributed.LocalCluster`` of k worker
    processes (one thread each) started here, and ``rectrack run CORPUS
    --dask-address <its scheduler> --result-storage <fresh folder>`` cold,
    fresh ``PREFECT_HOME`` (the run starts its own ``prefect server`` on
    127.0.0.1, as the CLI does with a Dask address);
(d) the warm run of the embedded case (same home and outputs, nothing changed).

Pages/s are over the flow span (Prefect's "Beginning flow run" to the flow's
"Finished in state": interpreter start, imports and server start-up left out)
and the documents phase (flow start to the last "N/M documents" log line). Peak memory:
the ``rectrack`` process (``wait4``), and each Dask worker's own maximum RSS
(``getrusage`` in the worker, via ``Client.run``) after the run. Writes JSON
(``--out``) and prints it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_pipeline as bp  # noqa: E402  (the corpus, raw-reader and subprocess helpers)

from rectrack.flows.documents import LOCAL_TASK_THREADS, files_per_task  # noqa: E402

DEFAULT_OUT = bp.REPO / "tests" / "benchmarks" / "results" / "dask.json"
PROGRESS = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \|.* (\d+)/(\d+) documents", re.MULTILINE)
BEGIN = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \|.* Beginning flow run", re.MULTILINE)
TASK_DONE = re.compile(r"Task run 'process .*' - Finished in state")


def documents_span(log: Path) -> float | None:
    """Seconds from "Beginning flow run" to the last "N/M documents" line: the reading phase, as seen by the
    flow (a task reports its chunk's files when it ends, so the first such line comes late)."""
    text = log.read_text(errors="replace")
    begin = BEGIN.search(text)
    stamps = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
              for h, m, s, ms, _done, _total in PROGRESS.findall(text)]
    if begin is None or not stamps:
        return None
    start = int(begin[1]) * 3600 + int(begin[2]) * 60 + int(begin[3]) + int(begin[4]) / 1000
    return round((stamps[-1] - start) % 86400, 3)


def document_tasks(log: Path) -> int:
    """How many document tasks ran in the flow's process (Prefect's "Task run 'process ...' - Finished" lines)."""
    return len(TASK_DONE.findall(log.read_text(errors="replace")))


def _worker_peak_rss() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measured(run: dict, pages: int) -> dict:
    log = Path(run["log"])
    span, docs = bp.log_span(log), documents_span(log)
    run.update(flow_span_s=span, documents_span_s=docs,
               pages_per_s_flow=round(pages / span, 1) if span else None,
               pages_per_s_documents=round(pages / docs, 1) if docs else None)
    return run


def run_embedded(corpus: Path, work: Path, files: int, pages: int, timeout: float) -> tuple[dict, dict]:
    home, out = work / "home-embedded", work / "out-embedded"
    env = bp.prefect_env(home)
    command = bp.rectrack_command(None, corpus, out)
    cold = measured(bp.timed_subprocess(command, env, work / "embedded-cold.log", timeout), pages)
    cold.update(bp.output_summary(out), files_per_task=files_per_task(files, LOCAL_TASK_THREADS),
                document_tasks=document_tasks(Path(cold["log"])))
    warm = measured(bp.timed_subprocess(command, env, work / "embedded-warm.log", timeout), pages)
    return cold, warm


def run_dask(corpus: Path, work: Path, workers: int, files: int, pages: int, timeout: float) -> dict:
    from distributed import Client, LocalCluster

    home, out, storage = work / f"home-dask{workers}", work / f"out-dask{workers}", work / f"storage-dask{workers}"
    env = bp.prefect_env(home)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=0) as cluster, Client(cluster) as client:
        command = bp.rectrack_command(None, corpus, out) + ["--dask-address", cluster.scheduler_address,
                                                            "--result-storage", str(storage)]
        run = measured(bp.timed_subprocess(command, env, work / f"dask{workers}-cold.log", timeout), pages)
        run["worker_max_rss_mib"] = sorted(client.run(_worker_peak_rss).values())
    run.update(bp.output_summary(out), workers=workers, files_per_task=files_per_task(files, workers))
    # the tasks' log lines are printed by the workers, not in the run's log
    run["document_tasks"] = math.ceil(files / run["files_per_task"])
    return run


def same_tables(a: Path, b: Path) -> bool:
    return all((a / t).read_bytes() == (b / t).read_bytes()
               for t in ("tracker.csv", "documents.csv", "labels.csv", "problems.csv"))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="at least this many files in the corpus")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="LocalCluster sizes")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--timeout", type=float, default=7200, help="per subprocess, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the corpus, outputs and logs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sources = bp.find_pdfs(bp.DEFAULT_CORPUS)
    copies = max(1, math.ceil(args.files / len(sources)))
    work = Path(tempfile.mkdtemp(prefix="rectrack-bench-dask-"))
    report: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": bp.machine(),
                    "packages": bp.package_versions(), "load_before": os.getloadavg()}
    try:
        corpus = work / "corpus"
        files = bp.build_corpus(sources, bp.DEFAULT_CORPUS, corpus, copies)
        pages = sum(bp.page_counts(files).values())
        report["corpus"] = {"files": len(files), "pages": pages, "copies_of_each_sample": copies,
                            "samples": len(sources)}
        raw = bp.run_worker(str(bp.VENV_BIN / "python"),
                            {"kind": "raw", "files": [str(f) for f in files], "repeat": 1, "one_core": True},
                            args.timeout)
        report["raw_pypdfium2"] = {"seconds": round(raw["seconds"][0], 3),
                                   "pages_per_s": round(raw["pages"] / raw["seconds"][0], 1),
                                   "max_rss_mib": raw["max_rss_mib"]}
        cold, warm = run_embedded(corpus, work, len(files), pages, args.timeout)
        report["embedded"] = {"cold": cold, "warm": warm}
        report["dask"] = [run_dask(corpus, work, k, len(files), pages, args.timeout) for k in args.workers]
        raw_rate = report["raw_pypdfium2"]["pages_per_s"]
        for run in [cold, *report["dask"]]:
            run["share_of_raw_flow"] = round(run["pages_per_s_flow"] / raw_rate, 3) if run["pages_per_s_flow"] else None
        report["warm_over_cold_flow"] = (round(warm["flow_span_s"] / cold["flow_span_s"], 3)
                                         if warm["flow_span_s"] and cold["flow_span_s"] else None)
        report["dask_tables_identical_to_embedded"] = {
            run["workers"]: same_tables(work / "out-embedded", work / f"out-dask{run['workers']}")
            for run in report["dask"]}
        report["load_after"] = os.getloadavg()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            report["work"] = str(work)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
