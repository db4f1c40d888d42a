"""Build the action-category component: UPR Info's first-verb rule with a table learned from the data.

:func:`train_action` learns the first-words table from the training sessions
(<= 17), chooses the minimum count on their validation slice, writes a
pipeline whose component ``action_category`` (a rule, factory
``rectrack_action_rule``) gives ``doc.cats["action_category::1".."5"]``, plus
``thresholds.json``, and returns accuracy on the test sessions (18-20).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import spacy

from extractors.classify import action_rule
from extractors.classify.train_issues import save_pipeline
from extractors.classify.upr_info import TRAINING_CSV, load_upr_info, split_by_session

COMPONENT = "action_category"


def _accuracy(rule: action_rule.ActionRule, texts) -> float:
    return sum(rule.predict(item.text) == item.action for item in texts) / max(len(texts), 1)


def train_action(out_dir: Path, *, seed: int = 0, data: Path = TRAINING_CSV, log=print) -> dict:
    """Learn the table, save the pipeline to ``out_dir``, return test accuracy and the baselines' inputs."""
    started = time.perf_counter()
    split = split_by_session(load_upr_info(data), seed=seed)
    nlp = spacy.blank("en")
    rule = nlp.add_pipe("rectrack_action_rule", name=COMPONENT)
    scores = {}
    for min_count in (1, 2, 3, 5, 10):
        rule.table = action_rule.learn_table(((t.text, t.action) for t in split.train), min_count=min_count)
        scores[min_count] = _accuracy(rule, split.validation)
    min_count = max(scores, key=lambda m: (scores[m], -m))
    log(f"action: validation accuracy by min_count {scores}; using {min_count}")
    rule.table = action_rule.learn_table(((t.text, t.action) for t in split.train + split.validation),
                                         min_count=min_count)
    # The tracker shows the single most likely category: any share above 0 may be it.
    save_pipeline(nlp, out_dir, {action_rule.key(c): 0.0 for c in action_rule.CATEGORIES})
    test_accuracy = _accuracy(rule, split.test)
    return {"accuracy": test_accuracy, "validation_accuracy": scores[min_count], "min_count": min_count,
            "table_entries": len(rule.table), "test_texts": len(split.test),
            "test_distribution": dict(sorted(Counter(t.action for t in split.test).items())),
            "seconds": round(time.perf_counter() - started, 1)}
