"""The ``priority_areas`` rule component: the user's own focus areas.

Reads ``data/taxonomies/priority_areas.toml`` (or the file named by the
``path`` setting) when the pipeline is loaded: editing that file adds, renames
or removes areas with no code change and no retraining. For each area it sets
``doc.cats["priority_areas::<label>"]`` to

- 1.0 when one of the area's keywords occurs (lowercase tokens, plural and
  hyphen variants; if the area has ``requires`` words, one of them must occur too),
- else the best score earlier components gave to an issue, theme or group
  that implies the area (``issues::...``, ``themes::...``, ``groups::...``),
- else 0.0.

Place it after the ``issues``, ``themes`` and ``groups`` components.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spacy.language import Language
from spacy.tokens import Doc

from rectrack.extractors.classify.keywords import keyword_matcher, matched_keys
from rectrack.extractors.classify.taxonomies import PRIORITY_AREAS, PriorityArea, load_priority_areas

TAXONOMY = "priority_areas"


class PriorityAreas:
    """Keyword and implied-label rules for each area of a priority-areas file."""

    def __init__(self, nlp: Language, name: str, path: str | None):
        self.name = name
        self.areas: tuple[PriorityArea, ...] = load_priority_areas(Path(path) if path else PRIORITY_AREAS)
        self.keywords = keyword_matcher(nlp, {f"k{i}": a.keywords for i, a in enumerate(self.areas)})
        self.requires = keyword_matcher(nlp, {f"r{i}": a.requires for i, a in enumerate(self.areas)})
        self.implied = [[f"issues::{x}" for x in a.issues] + [f"themes::{x}" for x in a.themes]
                        + [f"groups::{x}" for x in a.groups] for a in self.areas]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f"{TAXONOMY}::{a.label}" for a in self.areas)

    def __call__(self, doc: Doc) -> Doc:
        found = matched_keys(self.keywords, doc)
        required = matched_keys(self.requires, doc) if found else set()
        for i, (area, key) in enumerate(zip(self.areas, self.labels)):
            if f"k{i}" in found and (not area.requires or f"r{i}" in required):
                doc.cats[key] = 1.0
            else:
                doc.cats[key] = max((doc.cats.get(k, 0.0) for k in self.implied[i]), default=0.0)
        return doc

    @property
    def table_keys(self) -> tuple[str, ...]:
        return self.labels

    def score_table(self, docs, table) -> None:
        """What :meth:`__call__` does to each Doc's ``cats``, on a batch's score table."""
        values = table.values
        hits = np.zeros((len(docs), len(self.areas)), dtype=bool)
        for row, doc in enumerate(docs):
            found = matched_keys(self.keywords, doc)
            if not found:
                continue
            required = matched_keys(self.requires, doc)
            for i, area in enumerate(self.areas):
                if f"k{i}" in found and (not area.requires or f"r{i}" in required):
                    hits[row, i] = True
        for i, key in enumerate(self.labels):
            implied = table.indexes(self.implied[i])
            best = (np.nan_to_num(values[:, implied], nan=0.0).max(axis=1) if len(implied)
                    else np.zeros(len(docs)))
            values[:, table.column(key)] = np.where(hits[:, i], 1.0, best)


@Language.factory("priority_areas", default_config={"path": None}, assigns=["doc.cats"])
def make_priority_areas(nlp: Language, name: str, path: str | None) -> PriorityAreas:
    """The ``priority_areas`` component; ``path`` None means data/taxonomies/priority_areas.toml."""
    return PriorityAreas(nlp, name, path)
