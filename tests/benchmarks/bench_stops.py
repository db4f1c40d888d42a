"""Stop `rectrack run` again and again on a loaded machine: does every run exit within 10 s, leaving nothing?

Issue 21's loop. With a CPU hog on every core (``--hog``), each run gets a fresh inbox of 12 distinct
real UPR reports (new bytes, so nothing is cached) and one signal at one moment:

- ``server``: while Prefect's temporary server starts (its uvicorn is up, no reader yet);
- ``reading``: 0-2 s after the first reader appears;
- ``replacing``: right after one reader is killed (SIGKILL), while the pool breaks and is replaced;
- ``late``: 0-1.5 s after the readers are gone (labelling, writing the tables, the flow's end);

and ``--serve`` times per signal, ``rectrack serve`` once it serves (it should exit 0 or 130).

For each run: the exit code, seconds from the signal to the exit, and the processes of the run's
own tree still alive 3 s after it exited (:class:`tests.process_tree.WatchedCommand`: only the
processes this run started). A moment the run had already passed (it ended first) is counted
apart. Results: ``results/stops.json`` and ``results/stops.md``.

    python tests/benchmarks/bench_stops.py --stops 50          # 50 per signal
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.process_tree import WatchedCommand, command_environment, is_reader  # noqa: E402

SAMPLES = ROOT / "data" / "samples" / "upr"
CORPUS = ROOT.parent / "shared" / "data" / "un-documents" / "upr-more"     # distinct real reports
REPORTS = ("algeria2008.pdf", "tajikistan2011.pdf", "afghanistan2014.pdf")
MOMENTS = ("server", "reading", "replacing", "late")
EXIT_LIMIT = 10.0


def _inbox(folder: Path, count: int = 12) -> Path:
    """``count`` distinct real UPR reports, each with bytes no run has seen (nothing cached, no duplicates)."""
    folder.mkdir(parents=True)
    sources = sorted(CORPUS.glob("*.pdf"))[:count] if CORPUS.is_dir() else [SAMPLES / n for n in REPORTS]
    for source in sources:
        (folder / source.name).write_bytes(source.read_bytes() + f"\n% {uuid.uuid4().hex}\n".encode())
    return folder


def _is_server(process) -> bool:
    try:
        line = " ".join(process.cmdline())
    except Exception:  # noqa: BLE001  (gone)
        return False
    return "uvicorn" in line or ("prefect" in line and "server" in line)


def _readers(run: WatchedCommand) -> list:
    alive = []
    for process in run.descendants():
        try:
            if is_reader(process) and process.status() != "zombie":
                alive.append(process)
        except Exception:  # noqa: BLE001
            continue
    return alive


def _signal_and_wait(run: WatchedCommand, number: signal.Signals) -> tuple[bool, int | None, float | None, list[str]]:
    """Send ``number`` unless the command ended already; (ended before, exit code, seconds to exit, leftovers).

    A command not gone 120 s after the signal is killed (code and seconds None); whatever is left of its
    tree 3 s after it ended is reported, then killed so the next run starts on a clean machine.
    """
    ended_before = run.process.poll() is not None
    sent = time.monotonic()
    if not ended_before:
        run.signal(number)
    try:
        code = run.finish(timeout=120)
        exit_s = round(time.monotonic() - sent, 2)
    except subprocess.TimeoutExpired:
        code, exit_s = None, None
        run.process.kill()
        run.finish(timeout=30)
    left = run.leftovers(timeout=3)
    for process in run.descendants():
        try:
            process.kill()
        except Exception:  # noqa: BLE001
            pass
    return ended_before, code, exit_s, left


def one_stop(number: signal.Signals, moment: str, work: Path, home: Path, rng: random.Random) -> dict:
    """One run, stopped by ``number`` at ``moment``; what happened."""
    inbox = _inbox(work / "inbox")
    run = WatchedCommand(["run", str(inbox), "--out", str(work / "out")], command_environment(home), work,
                         work / "run.log")
    reached = False
    if moment == "server":
        reached = run.wait_for(lambda tree: any(_is_server(p) for p in tree) and not any(is_reader(p) for p in tree))
    elif moment in ("reading", "replacing"):
        reached = run.wait_for(lambda tree: any(is_reader(p) for p in tree))
        if reached and moment == "reading":
            time.sleep(rng.uniform(0, 2))
        if reached and moment == "replacing":
            victims = _readers(run)
            if victims:
                victims[0].kill()
                time.sleep(rng.uniform(0, 0.3))
    else:
        seen = run.wait_for(lambda tree: any(is_reader(p) for p in tree))
        reached = seen and run.wait_for(lambda tree: not _readers(run), timeout=120)
        if reached:
            time.sleep(rng.uniform(0, 1.5))
    ended_before, code, exit_s, left = _signal_and_wait(run, number)
    output = run.output()
    if code == 0 and "rectrack history" in output:      # it had finished its work: the signal came in its exit
        ended_before = True
    ok = (not ended_before and code == 130 and exit_s is not None and exit_s <= EXIT_LIMIT and not left
          and "stopped before the end" in output)
    return {"signal": number.name, "moment": moment, "reached": reached, "ended_before_signal": ended_before,
            "code": code, "exit_s": exit_s, "leftovers": left, "ok": ok,
            "tail": "" if ok else output[-1500:]}


def serve_stop(number: signal.Signals, work: Path, home: Path) -> dict:
    """``rectrack serve`` stopped by ``number`` once it serves: it should exit 0 within 10 s, leaving nothing."""
    inbox = work / "inbox"
    inbox.mkdir(parents=True)
    run = WatchedCommand(["serve", "--inbox", str(inbox), "--out", str(work / "out"), "--interval", "3600"],
                         command_environment(home), work, work / "serve.log")
    deadline = time.monotonic() + 180
    while "Serving;" not in run.output() and time.monotonic() < deadline and run.process.poll() is None:
        time.sleep(0.2)
    reached = "Serving;" in run.output()
    ended_before, code, exit_s, left = _signal_and_wait(run, number)
    ok = reached and not ended_before and code in (0, 130) and exit_s is not None and exit_s <= EXIT_LIMIT and not left
    return {"signal": number.name, "moment": "serve", "reached": reached, "ended_before_signal": ended_before,
            "code": code, "exit_s": exit_s, "leftovers": left, "ok": ok, "tail": "" if ok else run.output()[-1500:]}


def _hogs(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stops", type=int, default=50, help="stops per signal (spread over the moments)")
    parser.add_argument("--signals", default="SIGINT,SIGTERM")
    parser.add_argument("--hog", type=int, default=os.cpu_count() or 2, help="busy-loop processes beside the runs")
    parser.add_argument("--serve", type=int, default=10, help="stops of `rectrack serve` per signal")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "benchmarks" / "results" / "stops.json")
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    signals = [signal.Signals[name.strip()] for name in args.signals.split(",")]
    hogs = _hogs(args.hog)
    started = datetime.now(timezone.utc)
    results = []
    base = Path(tempfile.mkdtemp(prefix="rectrack-stops-"))
    try:
        home = base / "prefect-home"
        for number in signals:
            for index in range(args.stops):
                moment = MOMENTS[index % len(MOMENTS)]
                work = base / f"{number.name}-{index}"
                result = one_stop(number, moment, work, home, rng)
                results.append(result)
                print(f"{number.name} {index + 1}/{args.stops} {moment}: code {result['code']}, "
                      f"exit {result['exit_s']} s, leftovers {len(result['leftovers'])}, "
                      f"{'ok' if result['ok'] else 'NOT OK'}{' (ended before the signal)' if result['ended_before_signal'] else ''}",
                      flush=True)
                shutil.rmtree(work, ignore_errors=True)
            for index in range(args.serve):
                work = base / f"serve-{number.name}-{index}"
                result = serve_stop(number, work, home)
                results.append(result)
                print(f"serve {number.name} {index + 1}/{args.serve}: code {result['code']}, exit {result['exit_s']} s, "
                      f"leftovers {len(result['leftovers'])}, {'ok' if result['ok'] else 'NOT OK'}", flush=True)
                shutil.rmtree(work, ignore_errors=True)
    finally:
        for hog in hogs:
            hog.kill()
        shutil.rmtree(base, ignore_errors=True)
    load = os.getloadavg()
    summary = _summary(results)
    report = {"started": started.isoformat(timespec="seconds"), "machine": {"cores": os.cpu_count(),
              "hogs": args.hog, "load_1_5_15_at_end": [round(x, 2) for x in load]},
              "exit_limit_s": EXIT_LIMIT, "summary": summary, "runs": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    args.out.with_suffix(".md").write_text(_markdown(report), encoding="utf-8")
    print(_markdown(report))
    return 0 if all(r["ok"] for r in results if not r["ended_before_signal"]) else 1



def _summary(results: list[dict]) -> dict:
    by = defaultdict(list)
    for result in results:
        by[(result["signal"], result["moment"])].append(result)
    rows = {}
    for (name, moment), runs in sorted(by.items()):
        stopped = [r for r in runs if not r["ended_before_signal"]]
        times = [r["exit_s"] for r in stopped if r["exit_s"] is not None]
        rows[f"{name} {moment}"] = {
            "runs": len(runs), "stopped": len(stopped), "ok": sum(r["ok"] for r in stopped),
            "ended_before_signal": len(runs) - len(stopped),
            "max_exit_s": max(times) if times else None,
            "median_exit_s": sorted(times)[len(times) // 2] if times else None,
            "with_leftovers": sum(bool(r["leftovers"]) for r in stopped),
            "codes": dict(Counter(str(r["code"]) for r in stopped))}
    return rows


def _markdown(report: dict) -> str:
    machine = report["machine"]
    lines = [f"Stop loop, {report['started']}: {machine['cores']} cores, {machine['hogs']} busy-loop processes "
             f"beside the runs (load {machine['load_1_5_15_at_end']} at the end); a run passes when it exits "
             f"with code 130 and its message within {report['exit_limit_s']:.0f} s of the signal with no "
             "process of its tree left 3 s later.", "",
             "| signal, moment | runs | stopped | passed | ended first | median exit s | max exit s | with leftovers |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key, row in report["summary"].items():
        lines.append(f"| {key} | {row['runs']} | {row['stopped']} | {row['ok']} | {row['ended_before_signal']} | "
                     f"{row['median_exit_s']} | {row['max_exit_s']} | {row['with_leftovers']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
