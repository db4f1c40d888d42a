"""Leave-one-document-out benchmark of themes / groups / SDGs (writes results/themes.json).

For each of the three matrices: train on the other two (+ UPR Info texts labelled
through the issue map, none of them a matrix text), tune one threshold per
taxonomy on a 20 % slice of the training rows, test on the held-out matrix.
Variants scored on the same split: ``keywords`` (baseline: a label when one of
its keywords occurs), ``model`` (the three textcats), ``model+rules`` (the
shipped pipeline: textcats + ``uhri_rules``). SDGs are printed by the Slovenia
matrix only, so their figure is the Slovenia fold (trained without any printed
SDG). Run: ``nice python tests/benchmarks/bench_themes.py``.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

from rectrack.extractors.classify.keywords import UhriRules
from rectrack.extractors.classify.taxonomies import load_taxonomies
from rectrack.extractors.classify.train_themes import (
    DISTANT_LIMIT, TAXONOMIES, Settings, build_pipeline, distant_rows, f1_scores, fit, load_matrix_rows, shown,
    tune_threshold,
)
from rectrack.extractors.classify.upr_info import text_key

RESULTS = Path(__file__).parent / "results" / "themes.json"
VARIANTS = {"keywords": None, "model": (0.0, 0.0), "model+rules": (0.5, 1.0)}
MACRO_METHODS = {
    "macro_f1": "mean per-label F1 over the labels with gold support in the test rows (pooled over the folds)",
    "macro_f1_seen": "mean over the labels in the gold or predicted (a label only predicted counts F1 0)",
    "macro_f1_full": "mean over the whole vocabulary (uhri_themes.tsv / uhri_groups.tsv / 17 goals); a label "
                     "neither in the gold nor predicted counts 0",
}


def variant_cats(nlp, docs, variant):
    """Scores of each doc under a variant (rules re-applied to the textcats' scores)."""
    if variant == "keywords":
        rules = UhriRules(nlp, "kw", None, list(TAXONOMIES), 1.0, 0.0)
    else:
        rules = UhriRules(nlp, "r", None, list(TAXONOMIES), *VARIANTS[variant])
    out = []
    for doc, base in docs:
        doc.cats = {} if variant == "keywords" else dict(base)
        out.append(dict(rules(doc).cats))
    return out


def main(seed: int = 0, distant_limit: int = DISTANT_LIMIT, settings: Settings = Settings()) -> dict:
    started, load_before = time.perf_counter(), list(os.getloadavg())
    tax = load_taxonomies()
    rows = load_matrix_rows(taxonomies=tax)
    documents = sorted({r.document for r in rows})
    distant = distant_rows(tax, exclude={text_key(r.text) for r in rows}, limit=distant_limit, seed=seed)
    results = {"data": {d: sum(r.document == d for r in rows) for d in documents}, "distant_rows": len(distant),
               "settings": {k: getattr(settings, k) for k in Settings.__slots__}, "macro_f1_methods": MACRO_METHODS,
               "folds": {}, "summary": {}}
    pooled = {v: {t: ([], []) for t in TAXONOMIES} for v in VARIANTS}
    for held_out in documents:
        start = time.perf_counter()
        train = [r for r in rows if r.document != held_out]
        random.Random(seed).shuffle(train)
        cut = round(len(train) * 0.2)
        validation, fit_rows = train[:cut], train[cut:]
        test = [r for r in rows if r.document == held_out]
        nlp = build_pipeline(tax, settings=settings)
        fit(nlp, tax, fit_rows + distant, settings=settings)
        with nlp.select_pipes(disable=["uhri_rules"]):
            val_docs = [(d, dict(d.cats)) for d in nlp.pipe([r.text for r in validation])]
            test_docs = [(d, dict(d.cats)) for d in nlp.pipe([r.text for r in test])]
        fold = {}
        for variant in VARIANTS:
            val_cats, test_cats = variant_cats(nlp, val_docs, variant), variant_cats(nlp, test_docs, variant)
            fold[variant] = {}
            for taxonomy in TAXONOMIES:
                gold_test = [r.labels.get(taxonomy) for r in test]
                if taxonomy == "sdgs" and held_out != "slovenia2019-UPR34-thematic-list.docx":
                    continue  # only Slovenia prints SDGs; elsewhere they are derived, not gold
                threshold = 0.5 if variant == "keywords" else tune_threshold(
                    val_cats, [r.labels.get(taxonomy, frozenset()) for r in validation], taxonomy)
                predicted = [shown(c, taxonomy, threshold) for c in test_cats]
                scored = f1_scores(gold_test, predicted)
                pooled[variant][taxonomy][0].extend(gold_test)
                pooled[variant][taxonomy][1].extend(predicted)
                fold[variant][taxonomy] = {"threshold": threshold, "micro_f1": scored["micro_f1"],
                                           "macro_f1": scored["macro_f1"], "rows": scored["rows"]}
        fold["seconds"] = round(time.perf_counter() - start, 1)
        results["folds"][held_out] = fold
        print(held_out, json.dumps(fold), file=sys.stderr)
    for variant in VARIANTS:
        results["summary"][variant] = {}
        for taxonomy in TAXONOMIES:
            gold, predicted = pooled[variant][taxonomy]
            scored = f1_scores(gold, predicted, tax.taxonomy(taxonomy).names)
            results["summary"][variant][taxonomy] = {k: v for k, v in scored.items() if k != "per_label"}
    results["per_label_model+rules"] = {t: f1_scores(*pooled["model+rules"][t])["per_label"] for t in TAXONOMIES}
    results["machine"] = {"load_before": load_before, "load_after": list(os.getloadavg()), "cpus": os.cpu_count(),
                          "seconds": round(time.perf_counter() - started, 1)}
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return results


if __name__ == "__main__":
    print(json.dumps(main()["summary"], indent=1))
