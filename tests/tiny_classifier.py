"""A tiny classifier folder trained in seconds, for tests that must not depend on the shipped model.

Same layout as ``data/models/classifier/`` (see :mod:`rectrack.extractors.classify.classifier`):
a blank English pipeline with a ``textcat_multilabel`` for issues, a
``textcat`` for action categories and a rule component for priority areas,
each writing ``doc.cats["<taxonomy>::<label>"]``, plus ``thresholds.json``
and ``components.json``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example

ISSUES = ("Torture and other CID treatment", "Women's rights", "Detention conditions")
EXAMPLES = (
    ("Ratify the Optional Protocol to the Convention against Torture", {"Torture and other CID treatment"}, "5"),
    ("Prevent torture and ill-treatment in police custody", {"Torture and other CID treatment"}, "4"),
    ("Investigate all allegations of torture by law enforcement officers", {"Torture and other CID treatment"}, "4"),
    ("Adopt a law criminalising domestic violence against women", {"Women's rights"}, "5"),
    ("Promote the participation of women in political life", {"Women's rights"}, "3"),
    ("Continue efforts to achieve gender equality for women", {"Women's rights"}, "2"),
    ("Improve conditions of detention in prisons and reduce overcrowding", {"Detention conditions"}, "4"),
    ("Reform the penitentiary system and improve prison conditions", {"Detention conditions"}, "4"),
    ("Consider improving conditions for women in detention", {"Women's rights", "Detention conditions"}, "1"),
)
BOW = {"@architectures": "spacy.TextCatBOW.v3", "ngram_size": 1, "no_output_layer": False}


@Language.component("tiny_priority_areas")
def tiny_priority_areas(doc):
    """A rule: the word "torture" puts a recommendation in the torture-prevention area."""
    hit = any(token.lower_ == "torture" for token in doc)
    doc.cats["priority_areas::Torture prevention"] = 1.0 if hit else 0.0
    return doc


def _train_one(factory: str, name: str, labels: list[str], cats: list[dict[str, float]],
               seed: int, iterations: int) -> Language:
    """One blank English pipeline with one text classifier overfit on :data:`EXAMPLES`."""
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    exclusive = factory == "textcat"
    component = nlp.add_pipe(factory, name=name, config={"model": {**BOW, "exclusive_classes": exclusive}})
    for label in labels:
        component.add_label(label)
    examples = [Example.from_dict(nlp.make_doc(text), {"cats": c})
                for (text, _, _), c in zip(EXAMPLES, cats)]
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = 0.05      # a handful of examples: learn them fast
    rng = random.Random(seed)
    for _ in range(iterations):
        rng.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.0)
    return nlp


def train_tiny_pipeline(seed: int = 0, iterations: int = 60) -> Language:
    """Blank English + issues (multi-label) + action_category (exclusive) + a rule, overfit on :data:`EXAMPLES`.

    The two classifiers are trained apart and sourced into one pipeline, as
    :func:`rectrack.extractors.classify.train.train_all` does.
    """
    issue_keys = [f"issues::{label}" for label in ISSUES]
    action_keys = [f"action_category::{n}" for n in "12345"]
    issues = _train_one("textcat_multilabel", "issues", issue_keys,
                        [{k: float(k.partition("::")[2] in i) for k in issue_keys} for _, i, _ in EXAMPLES],
                        seed, iterations)
    action = _train_one("textcat", "action_category", action_keys,
                        [{k: float(k.endswith(a)) for k in action_keys} for _, _, a in EXAMPLES],
                        seed, iterations)
    nlp = spacy.blank("en")
    nlp.add_pipe("issues", source=issues)
    nlp.add_pipe("action_category", source=action)
    nlp.add_pipe("tiny_priority_areas", name="priority_areas")
    return nlp


def write_tiny_classifier(out_dir: Path, seed: int = 0) -> Path:
    """Train the tiny pipeline and save it as a classifier folder at ``out_dir``."""
    nlp = train_tiny_pipeline(seed)
    nlp.to_disk(out_dir)
    thresholds = {f"issues::{label}": 0.5 for label in ISSUES}
    (out_dir / "thresholds.json").write_text(json.dumps(thresholds, indent=1, sort_keys=True),
                                             encoding="utf-8")
    components = [
        {"name": "issues", "taxonomies": ["issues"], "source": "model", "module": ""},
        {"name": "action_category", "taxonomies": ["action_category"], "source": "model", "module": ""},
        {"name": "priority_areas", "taxonomies": ["priority_areas"], "source": "rule",
         "module": "tests.tiny_classifier"},
    ]
    (out_dir / "components.json").write_text(json.dumps({"components": components}, indent=1),
                                             encoding="utf-8")
    return out_dir
