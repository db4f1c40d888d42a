#!/usr/bin/env python
"""Recall, precision and recommending-State accuracy of UPR report extraction against UPR Info.

Run on demand::

    .venv/bin/python tests/benchmarks/bench_upr_recall.py \
        [--gold ../shared/data/upr-info] [--reports ../shared/data/un-documents/upr-more] \
        [--samples data/samples/upr] [--out tests/benchmarks/results/upr_recall.json]

Every UPR Working Group report under ``--reports`` (listed in its
``index.csv``: file, UPR session, the State's name as UPR Info spells it) and
every report among ``--samples`` (session and State read off the report
itself by ``detect_document``) is read and segmented by rectrack. Its gold is
UPR Info's database: the rows whose ``Session`` is the report's session and
whose ``To`` is the State under review, one row per (recommendation,
recommending State).

Units are (recommendation, recommending State) pairs on both sides: a
rectrack row made by three States gives three pairs. Matching is one-to-one,
per report:

1. each gold pair is matched to the rectrack pair of the same State whose
   text contains it best (:func:`contains` >= ``THRESHOLD``: the partial
   ratio of the normalised texts, the gold text inside ours, because UPR
   Info sometimes trims or splits what the report prints); several gold
   pairs may match one rectrack pair (``gold_split_by_upr_info`` counts them);
2. the gold pairs left are matched one to one, most similar first, to the
   rectrack pairs left whose whole text is alike (:func:`similarity`, the
   plain ratio, >= ``THRESHOLD``) whatever their State: these count as
   matched with the wrong State.

recall = matched gold pairs / gold pairs; precision = rectrack pairs matched
by at least one gold pair / rectrack pairs; States = matched pairs with the same State / matched pairs.
UPR Info's State names ("UK", "DPR Korea", "St Kitts & Nevis") are mapped to
UN short names through rectrack's gazetteer (``data/gazetteers/states.tsv``);
a name the gazetteer does not know is listed under ``unmapped_names`` and its
rows cannot match a State (no name is hidden). Every miss is listed by report
and paragraph. Writes JSON (``--out``) and prints a summary table.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402
from rapidfuzz.process import cdist  # noqa: E402

from rectrack.extractors.classify.upr_info import ORIGINAL_FILES, read_original  # noqa: E402
from rectrack.extractors.detect import detect_document  # noqa: E402
from rectrack.extractors.read import read_document  # noqa: E402
from rectrack.extractors.records import DocumentType  # noqa: E402
from rectrack.extractors.segment import segment_document  # noqa: E402
from rectrack.extractors.reference.states import canonical_state  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
GOLD = SHARED / "upr-info"
REPORTS = SHARED / "un-documents" / "upr-more"
SAMPLES = ROOT / "data" / "samples" / "upr"
OUT = ROOT / "tests" / "benchmarks" / "results" / "upr_recall.json"
THRESHOLD = 85
TARGET = 0.98

_NOT_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Casefolded words joined by single spaces: punctuation and spacing do not count."""
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def similarity(a: str, b: str, **_: object) -> float:
    """How alike two normalised recommendation texts are, whole against whole (0-100)."""
    return fuzz.ratio(a, b) if a and b else 0.0


@dataclass(frozen=True, slots=True)
class Pair:
    """One (recommendation, State) pair of either side."""

    text: str
    state: str          # UN short name; "" when none (or, for gold, not in the gazetteer)
    paragraph: str = ""  # rectrack side only
    raw_state: str = ""  # gold side: the name as UPR Info prints it
    shown: str = ""      # the text as printed (for the lists of misses)


@dataclass(frozen=True, slots=True)
class Report:
    """One report to score: the file, its UPR session and the State as UPR Info names it."""

    path: Path
    session: str
    upr_info_name: str


def load_gold(folder: Path) -> dict[tuple[str, str], list[dict[str, str]]]:
    """UPR Info rows by (session, ``To`` as printed)."""
    rows: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    seen: set[tuple[str, ...]] = set()
    for name in ORIGINAL_FILES:
        frame = read_original(folder / name)
        for row in frame.to_dict("records"):
            key = tuple(row[c] for c in ("To", "Text", "From", "Session"))
            if key in seen:   # 14-17.csv and 17-20.csv must not count a row twice
                continue
            seen.add(key)
            rows[(row["Session"].strip(), row["To"].strip())].append(row)
    return rows


def reports_to_score(reports: Path | None, samples: Path | None) -> list[Report]:
    """The reports of ``index.csv`` under ``reports`` and the UPR reports among ``samples``."""
    found: list[Report] = []
    if reports:
        with (reports / "index.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                found.append(Report(reports / row["file"], row["upr_session"], row["state_upr_info_name"]))
    if samples:
        for path in sorted(samples.glob("*.pdf")):
            found.append(Report(path, "", ""))   # session and State read off the report
    return found


def extract(report: Report) -> dict:
    """rectrack's rows for one report, with what detection found."""
    document = read_document(report.path)
    info = detect_document(document)
    segmented = segment_document(document, info)
    return {
        "type": info.document_type.value, "session": info.session, "country": info.country,
        "symbol": info.symbol,
        "rows": [(r.paragraph, r.text, r.recommending_states) for r in segmented.recommendations],
        "problems": [f"{p.kind}: {p.reason}" for p in segmented.problems],
    }


def _gold_rows(report: Report, found: dict, gold: dict) -> tuple[list[dict[str, str]], str]:
    """The UPR Info rows of this review, and how they were chosen."""
    if report.upr_info_name:
        return gold.get((report.session, report.upr_info_name), []), "index.csv"
    for (session, to), rows in gold.items():
        if session == found["session"] and canonical_state(to) == found["country"]:
            return rows, f"session {session}, To {to!r}"
    return [], "no UPR Info rows for the detected session and State"


def contains(gold: str, ours: str, **_: object) -> float:
    """How far a gold text is found in ours (0-100): UPR Info may trim or split what the report prints.

    Only that direction: a fragment of ours inside a longer gold text counts
    only as :func:`similarity` does (at least half the gold text's length).
    """
    if len(gold) < 10 or len(gold) > len(ours):
        return similarity(gold, ours)
    return max(fuzz.ratio(gold, ours), fuzz.partial_ratio(gold, ours))


def match(gold: list[Pair], ours: list[Pair]) -> dict[int, tuple[int, bool]]:
    """Gold index -> (our index, same State), as described in the module docstring."""
    matched: dict[int, tuple[int, bool]] = {}
    if not gold or not ours:
        return matched
    # 1. Same State: the most similar of that State's rows, containment allowed, many to one.
    for i, pair in enumerate(gold):
        same = [j for j, o in enumerate(ours) if pair.state and o.state == pair.state]
        scored = [(contains(pair.text, ours[j].text), j) for j in same]
        best = max(scored, default=(0.0, -1))
        if best[0] >= THRESHOLD:
            matched[i] = (best[1], True)
    # 2. Any State, texts alike, one to one among what is left: matched with the wrong State.
    left = [i for i in range(len(gold)) if i not in matched]
    taken = {j for j, _ in matched.values()}
    free = [j for j in range(len(ours)) if j not in taken]
    if not left or not free:
        return matched
    scores = cdist([gold[i].text for i in left], [ours[j].text for j in free], scorer=fuzz.ratio,
                   score_cutoff=THRESHOLD, workers=1)
    candidates = sorted(((scores[a][b], left[a], free[b]) for a, b in zip(*scores.nonzero())
                         if scores[a][b] >= THRESHOLD), reverse=True)
    used: set[int] = set()
    for _, i, j in candidates:
        if i not in matched and j not in used:
            matched[i] = (j, bool(gold[i].state) and gold[i].state == ours[j].state)
            used.add(j)
    return matched


def score_report(report: Report, found: dict, gold_rows: list[dict[str, str]]) -> dict:
    """Counts and misses of one report."""
    gold = [Pair(normalise(r["Text"]), canonical_state(html.unescape(r["From"])) or "",
                 raw_state=html.unescape(r["From"]).strip())
            for r in gold_rows]
    ours = [Pair(normalise(text), state, paragraph, shown=text)
            for paragraph, text, states in found["rows"] for state in (states or ("",))]
    matched = match(gold, ours)
    by_ours = {j for j, _ in matched.values()}
    shared = Counter(j for j, same in matched.values() if same)
    wrong_state = [{"paragraph": ours[j].paragraph, "upr_info_state": gold[i].raw_state,
                    "rectrack_state": ours[j].state, "text": gold_rows[i]["Text"].strip()[:160]}
                   for i, (j, same) in matched.items() if not same]
    missed = []
    for i, pair in enumerate(gold):
        if i in matched:
            continue
        best = max(range(len(ours)), key=lambda j: similarity(pair.text, ours[j].text), default=None)
        missed.append({"upr_info_state": pair.raw_state, "text": gold_rows[i]["Text"].strip()[:200],
                       "nearest_paragraph": ours[best].paragraph if best is not None else "",
                       "nearest_similarity": round(similarity(pair.text, ours[best].text)) if best is not None else 0})
    extra = [{"paragraph": o.paragraph, "state": o.state, "text": o.shown[:200]}
             for j, o in enumerate(ours) if j not in by_ours]
    return {"gold": len(gold), "rectrack": len(ours), "matched": len(matched),
            "same_state": sum(same for _, same in matched.values()),
            "rectrack_matched": len(by_ours),
            "gold_split_by_upr_info": sum(n for n in shared.values() if n > 1),
            "missed": missed, "extra": extra, "wrong_state": wrong_state,
            "unmapped_names": sorted({p.raw_state for p in gold if not p.state})}


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def summarise(per_report: dict[str, dict]) -> dict:
    """Pooled figures over every scored report."""
    totals: Counter[str] = Counter()
    scored = {name: r for name, r in per_report.items() if r["gold"]}
    for result in scored.values():
        for key in ("gold", "rectrack", "matched", "same_state", "rectrack_matched", "gold_split_by_upr_info"):
            totals[key] += result[key]
    return {"reports": len(scored), "without_gold": sorted(set(per_report) - set(scored)), **totals,
            "recall": _ratio(totals["matched"], totals["gold"]),
            "precision": _ratio(totals["rectrack_matched"], totals["rectrack"]),
            "states": _ratio(totals["same_state"], totals["matched"]),
            "target": TARGET}


def run(reports: list[Report], gold_folder: Path, workers: int = 2) -> dict:
    gold = load_gold(gold_folder)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        extracted = list(pool.map(extract, reports))
    per_report = {}
    for report, found in zip(reports, extracted):
        gold_rows, chosen = _gold_rows(report, found, gold)
        result = score_report(report, found, gold_rows)
        result.update({"symbol": found["symbol"], "type": found["type"], "session": report.session or found["session"],
                       "gold_chosen_by": chosen, "problems": found["problems"]})
        per_report[report.path.name] = result
    unmapped = sorted({name for r in per_report.values() for name in r["unmapped_names"]})
    return {"summary": summarise(per_report), "unmapped_names": unmapped,
            "threshold": THRESHOLD, "seconds": round(time.perf_counter() - started, 1),
            "reports": per_report}


def _print_table(result: dict) -> None:
    print(f"{'report':42} {'gold':>5} {'ours':>5} {'recall':>7} {'prec':>6} {'states':>7}")
    for name, r in sorted(result["reports"].items()):
        print(f"{name:42} {r['gold']:5} {r['rectrack']:5} {_ratio(r['matched'], r['gold']):7.3f} "
              f"{_ratio(r['rectrack_matched'], r['rectrack']):6.3f} {_ratio(r['same_state'], r['matched']):7.3f}")
    s = result["summary"]
    print(f"{'ALL (' + str(s['reports']) + ' reports)':42} {s['gold']:5} {s['rectrack']:5} {s['recall']:7.3f} "
          f"{s['precision']:6.3f} {s['states']:7.3f}   target {TARGET}")
    if s["without_gold"]:
        print("no UPR Info rows (not counted):", ", ".join(s["without_gold"]))
    if result["unmapped_names"]:
        print("UPR Info names not in the gazetteer:", ", ".join(result["unmapped_names"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="folder of the UPR Info exports")
    parser.add_argument("--reports", type=Path, default=REPORTS, help="folder with index.csv and its reports ('' for none)")
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="folder of further UPR reports ('' for none)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    reports = [r for r in reports_to_score(args.reports if str(args.reports) else None,
                                           args.samples if str(args.samples) else None)]
    result = run(reports, args.gold)
    # Addenda among the samples are not reports: leave them out of the figures.
    result["reports"] = {k: v for k, v in result["reports"].items() if v["type"] == DocumentType.UPR_REPORT.value}
    result["summary"] = summarise(result["reports"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
