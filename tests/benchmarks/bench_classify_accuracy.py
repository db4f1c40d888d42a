"""Accuracy of the shipped issues and action-category models on UPR Info sessions 18-20, with baselines.

    .venv/bin/python tests/benchmarks/bench_classify_accuracy.py \
        [--model data/models/classifier] [--out tests/benchmarks/results/classify_accuracy.json]

Measures, in one run, on the same deduplicated test texts (sessions 18-20, none
seen in training): the shipped classifier's ``issues`` component at its tuned
thresholds; the product owner's baseline (TF-IDF 1-2-grams + one-vs-rest
logistic regression, C=30, threshold 0.3, trained on sessions <= 17); the
shipped ``action_category`` component; the first-words rule alone (table
learned on sessions <= 17, then the methodology's verb lists); the majority
category of the first two words; TF-IDF + logistic regression for the action;
and how UPR Info's coding of the first verbs changed between the training
sessions and the test sessions (``coding_drift``, see :func:`coding_drift`).
Also each component's prediction speed (texts/s, one process, tokenising
included) and the classifier's size on disk.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from rectrack.extractors.classify import action_rule  # noqa: E402
from rectrack.extractors.classify.classifier import load_classifier  # noqa: E402
from rectrack.extractors.classify.train_issues import f1_scores, gold_matrix, key, score_matrix, tune_thresholds  # noqa: E402
from rectrack.extractors.classify.upr_info import issue_labels, load_upr_info, split_by_session  # noqa: E402


def _size_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2 ** 20, 2)


def _summary(result: dict, labels) -> dict:
    per_label = dict(zip(labels, (round(v, 4) for v in result["per_label_f1"])))
    worst = sorted(per_label.items(), key=lambda item: item[1])[:10]
    return {"micro_f1": round(result["micro_f1"], 4), "macro_f1": round(result["macro_f1"], 4),
            "per_label_f1": per_label, "worst_10": worst,
            "labels_f1_ge_0.8": sum(v >= 0.8 for v in per_label.values())}


def issues_spacy(model: Path, test, labels) -> dict:
    classifier = load_classifier(model)
    keys = [key(label) for label in labels]
    texts = [t.text for t in test]
    started = time.perf_counter()
    scores = score_matrix(classifier.nlp, texts, keys, component="issues")
    seconds = time.perf_counter() - started
    predicted = (scores >= np.array([classifier.thresholds[k] for k in keys])).astype("int8")
    gold = gold_matrix(test, labels)
    result = _summary(f1_scores(gold, predicted), labels)
    result.update(texts_per_second=round(len(texts) / seconds), classifier_mb=_size_mb(model),
                  gold_labels_per_text=round(float(gold.sum(axis=1).mean()), 3),
                  predicted_labels_per_text=round(float(predicted.sum(axis=1).mean()), 3),
                  false_positives=int(((1 - gold) & predicted).sum()), false_negatives=int((gold & (1 - predicted)).sum()),
                  # A ceiling, not a result: the same scores at thresholds fitted on these very texts.
                  micro_f1_at_thresholds_fitted_on_these_texts=round(
                      f1_scores(gold, (scores >= tune_thresholds(gold, scores)).astype("int8"))["micro_f1"], 4))
    return result


def issues_baseline(train, test, labels) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    started = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    features = vectorizer.fit_transform([t.text for t in train])
    model = OneVsRestClassifier(LogisticRegression(C=30.0, solver="liblinear", max_iter=1000))
    model.fit(features, gold_matrix(train, labels))
    scores = model.predict_proba(vectorizer.transform([t.text for t in test]))
    result = _summary(f1_scores(gold_matrix(test, labels), (scores >= 0.3).astype("int8")), labels)
    result["train_seconds"] = round(time.perf_counter() - started, 1)
    return result


def action_figures(model: Path, train, test) -> dict:
    component = load_classifier(model).nlp.get_pipe("action_category")
    tokenizer = load_classifier(model).nlp.tokenizer
    gold = [t.action for t in test]
    texts = [t.text for t in test]
    started = time.perf_counter()
    docs = list(component.pipe((tokenizer(text) for text in texts), batch_size=1000))
    seconds = time.perf_counter() - started
    predicted = [int(max(doc.cats, key=doc.cats.get).rsplit("::", 1)[1]) for doc in docs]
    shipped = float(np.mean([p == g for p, g in zip(predicted, gold)]))
    rule = action_rule.ActionRule(spacy.blank("en"), "rule")
    rule.table = action_rule.learn_table(((t.text, t.action) for t in train), min_count=2)
    rule_accuracy = float(np.mean([rule.predict(text) == g for text, g in zip(texts, gold)]))
    table: dict[tuple, Counter] = {}
    for t in train:
        table.setdefault(action_rule.first_words(t.text, 2), Counter())[t.action] += 1
    overall = Counter(t.action for t in train).most_common(1)[0][0]
    majority = [table[w].most_common(1)[0][0] if w in table else overall
                for w in (action_rule.first_words(t.text, 2) for t in test)]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    lr = LogisticRegression(C=10.0, max_iter=2000).fit(vectorizer.fit_transform([t.text for t in train]),
                                                       [t.action for t in train])
    lr_predicted = lr.predict(vectorizer.transform(texts))
    return {"shipped_accuracy": round(shipped, 4), "first_words_rule_accuracy": round(rule_accuracy, 4),
            "majority_of_first_two_words_accuracy": round(float(np.mean([p == g for p, g in zip(majority, gold)])), 4),
            "tfidf_lr_accuracy": round(float(np.mean(lr_predicted == np.array(gold))), 4),
            "texts_per_second": round(len(texts) / seconds),
            "test_distribution": dict(sorted(Counter(gold).items())),
            "shipped_errors_by_first_word": dict(Counter(
                (action_rule.first_words(text, 1) or ("",))[0]
                for text, p, g in zip(texts, predicted, gold) if p != g).most_common(10)),
            "coding_drift": coding_drift(train, test)}


def coding_drift(train, test, *, min_train: int = 20, min_test: int = 10) -> dict:
    """How the category UPR Info gives each first word moved from the training to the test sessions.

    For every first word seen at least ``min_train`` times in training and
    ``min_test`` times in test: its most frequent training category, that
    category's share in each period, and ``expected_extra_errors``: test texts
    x the fall in that share, i.e. the errors a predictor that learned the
    training period's coding perfectly would make on top of its training-period
    error rate. ``expected_extra_errors`` sums the words whose share fell;
    ``net_expected_extra_errors`` subtracts the words whose share rose.
    """
    periods: dict[str, tuple[Counter, Counter]] = {}
    for period, texts in enumerate((train, test)):
        for t in texts:
            word = action_rule.first_words(t.text, 1)
            if word:
                periods.setdefault(word[0], (Counter(), Counter()))[period][t.action] += 1
    rows = []
    for word, (before, after) in periods.items():
        n_before, n_after = sum(before.values()), sum(after.values())
        if n_before < min_train or n_after < min_test:
            continue
        category = before.most_common(1)[0][0]
        share_before, share_after = before[category] / n_before, after[category] / n_after
        rows.append({"first_word": word, "training_category": category,
                     "share_in_training": round(share_before, 3), "share_in_test": round(share_after, 3),
                     "training_texts": n_before, "test_texts": n_after,
                     "test_categories": dict(sorted(after.items())),
                     "expected_extra_errors": round(n_after * (share_before - share_after), 1)})
    rows.sort(key=lambda row: -row["expected_extra_errors"])
    extra = sum(max(row["expected_extra_errors"], 0.0) for row in rows)
    net = sum(row["expected_extra_errors"] for row in rows)
    return {"expected_extra_errors": round(extra, 1), "as_accuracy": round(extra / max(len(test), 1), 4),
            "net_expected_extra_errors": round(net, 1), "net_as_accuracy": round(net / max(len(test), 1), 4),
            "test_texts_with_these_first_words": sum(row["test_texts"] for row in rows),
            "words": rows[:12]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "data" / "models" / "classifier")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "benchmarks" / "results" / "classify_accuracy.json")
    args = parser.parse_args(argv)
    texts = load_upr_info()
    split = split_by_session(texts)
    train = split.train + split.validation
    labels = issue_labels(split.train)
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": "data/training/upr_info.csv (UPR Info database, deduplicated texts); train sessions 1-17, "
                "test sessions 18-20 (texts first made in 18-20, so none seen in training)",
        "train_texts": len(train), "test_texts": len(split.test), "cores": os.cpu_count(),
        "load_average": os.getloadavg()[0], "spacy": spacy.__version__,
        "issues": {"spacy": issues_spacy(args.model, split.test, labels),
                   "spacy_on_validation_slice": issues_spacy(args.model, split.validation, labels),
                   "gold_labels_per_text_in_training": round(float(np.mean([len(t.issues) for t in train])), 3),
                   "baseline_tfidf_lr": issues_baseline(train, split.test, labels),
                   "targets": {"micro_f1": 0.90, "macro_f1": 0.83}},
        "action_category": action_figures(args.model, train, split.test) | {"target": 0.90},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    issues, action = result["issues"], result["action_category"]
    print(f"issues spaCy: micro {issues['spacy']['micro_f1']} macro {issues['spacy']['macro_f1']} "
          f"({issues['spacy']['texts_per_second']} texts/s; classifier {issues['spacy']['classifier_mb']} MB); "
          f"baseline: micro {issues['baseline_tfidf_lr']['micro_f1']} macro {issues['baseline_tfidf_lr']['macro_f1']}")
    print(f"action: shipped {action['shipped_accuracy']}, first-words rule {action['first_words_rule_accuracy']}, "
          f"majority of first two words "
          f"{action['majority_of_first_two_words_accuracy']}, TF-IDF+LR {action['tfidf_lr_accuracy']}")
    drift = action["coding_drift"]
    print(f"action coding drift: {drift['expected_extra_errors']} expected extra errors "
          f"({drift['as_accuracy']} of accuracy; net of words coded more consistently {drift['net_as_accuracy']}); most: "
          + ", ".join(f"{w['first_word']} {w['share_in_training']}->{w['share_in_test']}" for w in drift["words"][:4]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
