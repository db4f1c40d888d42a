"""Keyword rules as spaCy components: taxonomy keywords and SDGs implied by themes/groups.

:func:`keyword_matcher` builds a PhraseMatcher on lowercase tokens for a mapping
label -> phrases, adding simple lemma-free variants (a final "s"/"es" plural,
hyphen written, removed or spaced). The ``uhri_rules`` component (placed after
the ``themes``, ``groups`` and ``sdgs`` models) raises ``doc.cats["<tax>::<label>"]``
to ``keyword_score`` when a keyword of the label occurs, and sets each SDG at
least to the score of the best theme or group that implies it
(``uhri_themes.tsv`` / ``uhri_groups.tsv`` column ``sdgs``) times ``implied_weight``.
Keywords are read from ``data/taxonomies/`` when the pipeline is loaded, so an
edited keyword list takes effect without retraining.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from rectrack.extractors.classify.taxonomies import TAXONOMY_DIR, load_taxonomies

KEY = "{taxonomy}::{label}"


def phrase_variants(phrase: str) -> set[str]:
    """A lowercase phrase and its lemma-free variants (plural of the last word, hyphen forms)."""
    phrase = " ".join(phrase.lower().split())
    if not phrase:
        return set()
    forms = {phrase}
    if "-" in phrase:
        forms |= {phrase.replace("-", ""), phrase.replace("-", " ")}
    plurals = set()
    for form in forms:
        last = form.rsplit(" ", 1)[-1]
        if last[-1:].isalpha() and not last.endswith("s"):
            plurals.add(form + ("es" if last.endswith(("sh", "ch", "x")) else "s"))
    return forms | plurals


def keyword_matcher(nlp: Language, phrases: Mapping[str, Iterable[str]]) -> PhraseMatcher:
    """A PhraseMatcher on LOWER whose match ids are the keys of ``phrases``."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for key, keyword_list in phrases.items():
        variants = sorted({v for phrase in keyword_list for v in phrase_variants(phrase)})
        if variants:
            matcher.add(key, list(nlp.tokenizer.pipe(variants)))
    return matcher


def matched_keys(matcher: PhraseMatcher, doc: Doc) -> set[str]:
    """The match-id strings of every phrase of ``matcher`` found in ``doc``."""
    return {doc.vocab.strings[match_id] for match_id, _, _ in matcher(doc)}


class UhriRules:
    """Keyword evidence for themes/groups/SDGs and SDGs implied by themes and groups."""

    def __init__(self, nlp: Language, name: str, directory: str | None, taxonomies: list[str],
                 keyword_score: float, implied_weight: float):
        self.name = name
        tax = load_taxonomies(Path(directory) if directory else TAXONOMY_DIR)
        self.keyword_score = keyword_score
        self.implied_weight = implied_weight
        phrases = {KEY.format(taxonomy=t, label=label.name): label.keywords
                   for t in taxonomies for label in tax.taxonomy(t).labels}
        self.matcher = keyword_matcher(nlp, phrases)
        self.nlp_strings = nlp.vocab.strings
        self._match_ids = [nlp.vocab.strings[key] for key in phrases if key in self.matcher]
        self.implied = [(KEY.format(taxonomy="sdgs", label=goal), KEY.format(taxonomy=t, label=label.name))
                        for t in ("themes", "groups") for label in tax.taxonomy(t).labels for goal in label.sdgs]

    def __call__(self, doc: Doc) -> Doc:
        cats = doc.cats
        if self.keyword_score > 0:
            for key in matched_keys(self.matcher, doc):
                cats[key] = max(cats.get(key, 0.0), self.keyword_score)
        if self.implied_weight > 0:
            for goal, source in self.implied:
                score = cats.get(source, 0.0) * self.implied_weight
                if score > cats.get(goal, 0.0):
                    cats[goal] = score
        return doc

    @property
    def table_keys(self) -> tuple[str, ...]:
        """Every key the component can write (for :class:`~rectrack.extractors.classify.batch.ScoreTable`)."""
        keywords = [self.nlp_strings[match_id] for match_id in self._match_ids]
        return tuple(dict.fromkeys(keywords + [goal for goal, _ in self.implied]))

    def score_table(self, docs, table) -> None:
        """What :meth:`__call__` does to each Doc's ``cats``, on a batch's score table."""
        values = table.values
        if self.keyword_score > 0:
            strings, columns = self.nlp_strings, table.columns
            rows, cols = [], []
            for row, doc in enumerate(docs):
                for match_id in {match_id for match_id, _, _ in self.matcher(doc)}:
                    rows.append(row)
                    cols.append(columns[strings[match_id]])
            values[rows, cols] = np.fmax(values[rows, cols], self.keyword_score)
        if self.implied_weight > 0:
            # Each goal ends at the best of its sources times the weight, if that beats its own score
            # (the loop of __call__, a goal at a time). A source no component wrote scores 0: never above.
            implied = self._implied_columns(table)
            if implied is None:
                return
            goals, sources, starts = implied
            scores = np.nan_to_num(values[:, sources], nan=0.0) * self.implied_weight
            best = np.maximum.reduceat(scores, starts, axis=1)
            columns = goals[starts]
            current = np.nan_to_num(values[:, columns], nan=0.0)
            values[:, columns] = np.where(best > current, best, values[:, columns])


    def _implied_columns(self, table):
        """(goal, source) column pairs sorted by goal, and where each goal's run starts; cached per table keys."""
        cached = getattr(self, "_implied_cache", None)
        if cached is None or cached[0] != table.keys:
            pairs = sorted((table.column(goal), table.column(source)) for goal, source in self.implied
                           if source in table.columns)
            value = None
            if pairs:
                goals, sources = np.array(pairs, dtype="int64").T
                value = goals, sources, np.flatnonzero(np.r_[True, goals[1:] != goals[:-1]])
            cached = self._implied_cache = (table.keys, value)
        return cached[1]


@Language.factory(
    "uhri_rules",
    default_config={"directory": None, "taxonomies": ["themes", "groups", "sdgs"],
                    "keyword_score": 0.5, "implied_weight": 1.0},
    assigns=["doc.cats"],
)
def make_uhri_rules(nlp: Language, name: str, directory: str | None, taxonomies: list[str],
                    keyword_score: float, implied_weight: float) -> UhriRules:
    """The ``uhri_rules`` component (see the module docstring)."""
    return UhriRules(nlp, name, directory, taxonomies, keyword_score, implied_weight)
