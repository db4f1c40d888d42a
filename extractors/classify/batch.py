"""Scoring many texts in matrix passes: the scores the pipeline's per-Doc path gives, batch by batch.

``nlp.pipe`` runs each component over each Doc and writes ``doc.cats`` one key
at a time; the rule components then read and raise those dictionaries. Here
a batch of texts becomes one :class:`ScoreTable` (texts x keys, NaN where no
component wrote the key), filled component by component:

- a text categoriser's model is split into its feature layer and the layers
  after it; components whose feature layers are configured alike (spaCy's
  bag-of-words ``extract_ngrams`` of the same size and attribute) compute the
  features once per batch, and ``extract_ngrams`` itself runs over the whole
  batch at once (:func:`ngram_features`, the same keys and counts);
- a rule component with a ``score_table(docs, table)`` method writes its
  columns with array operations (:class:`~rectrack.extractors.classify.keywords.UhriRules`,
  :class:`~rectrack.extractors.classify.priority.PriorityAreas`).

:func:`plan` returns ``None`` for a pipeline holding any other component, and
the classifier then runs ``nlp.pipe`` as before. ``tests/test_classifier_batch.py``
compares the two paths' labels on real recommendations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from spacy.pipeline.textcat import TextCategorizer
from spacy.tokens import Doc
from thinc.api import Model, NumpyOps
from thinc.layers.chain import forward as _chain_forward
from thinc.layers.with_cpu import forward as _with_cpu_forward

from rectrack.extractors.classify import tfidf

_OPS = NumpyOps()


class ScoreTable:
    """Scores of a batch: ``values[i, column(key)]``, NaN where no component wrote the key."""

    def __init__(self, keys: Sequence[str], n_texts: int) -> None:
        self.keys = tuple(keys)
        self.columns = {key: index for index, key in enumerate(self.keys)}
        self.values = np.full((n_texts, len(self.keys)), np.nan, dtype="float64")

    def column(self, key: str) -> int:
        return self.columns[key]

    def indexes(self, keys: Sequence[str]) -> np.ndarray:
        """The columns of ``keys`` (keys the table lacks are skipped)."""
        return np.array([self.columns[key] for key in keys if key in self.columns], dtype="int64")

    def present(self, column: int) -> np.ndarray:
        """``cats.get(key, 0.0)`` for every text: the column with absent (NaN) as 0."""
        return np.nan_to_num(self.values[:, column], nan=0.0)


@dataclass(frozen=True)
class _Model:
    """A text categoriser's model split into the feature layer and the layers applied after it."""

    name: str
    labels: tuple[str, ...]
    features: Model
    rest: tuple[Model, ...]


@dataclass(frozen=True)
class Plan:
    """How to score a batch with a pipeline: its steps in pipeline order, and every key they write."""

    steps: tuple[_Model | Callable, ...]
    keys: tuple[str, ...]

    def score(self, docs: Sequence[Doc], texts: Sequence[str]) -> ScoreTable:
        table = ScoreTable(self.keys, len(docs))
        shared: dict[tuple, object] = {}
        for step in self.steps:
            if isinstance(step, _Model):
                key = _feature_key(step.features)
                features = shared.get(key)
                if features is None:
                    features = shared[key] = _features(step.features, docs, texts, shared)
                scores = features
                for layer in step.rest:
                    scores = layer.predict(scores)
                table.values[:, table.indexes(step.labels)] = np.asarray(scores, dtype="float32")
            else:
                step(docs, table)
        return table


def plan(nlp) -> Plan | None:
    """The batch plan of ``nlp``, or None when a component has no matrix path."""
    steps: list = []
    keys: dict[str, None] = {}
    for name, pipe in nlp.pipeline:
        if isinstance(pipe, TextCategorizer):
            layers = _flatten(pipe.model)
            if not layers or _feature_key(layers[0]) is None:
                return None
            steps.append(_Model(name, tuple(pipe.labels), layers[0], tuple(layers[1:])))
            keys.update(dict.fromkeys(pipe.labels))
        elif callable(getattr(pipe, "score_table", None)) and hasattr(pipe, "table_keys"):
            steps.append(pipe.score_table)
            keys.update(dict.fromkeys(pipe.table_keys))
        else:
            return None
    return Plan(tuple(steps), tuple(keys))


def _flatten(model: Model) -> list[Model]:
    """A chain (through ``with_cpu`` wrappers, a no-op on CPU) as its list of layers."""
    if model._func is _chain_forward:
        return [inner for layer in model.layers for inner in _flatten(layer)]
    if model._func is _with_cpu_forward:
        return _flatten(model.layers[0])
    return [model]


def _feature_key(layer: Model) -> tuple | None:
    """Layers with the same key compute the same features from the same Docs; None: not a feature layer."""
    if layer.name == "extract_ngrams":
        return ("ngrams", layer.attrs["ngram_size"], layer.attrs["attr"])
    if layer.name == "tfidf_features":
        return ("tfidf", layer.id)
    return None


def _features(layer: Model, docs: Sequence[Doc], texts: Sequence[str], shared: dict):
    if layer.name == "extract_ngrams":
        return ngram_features(docs, layer.attrs["ngram_size"], layer.attrs["attr"])
    words = shared.get("words")
    if words is None:
        words = shared["words"] = tfidf.batch_words(texts)
    return tfidf.transform(layer, texts, words)


def ngram_features(docs: Sequence[Doc], ngram_size: int, attr: int):
    """What spaCy's ``extract_ngrams`` layer returns for ``docs``, computed over the whole batch at once.

    Per Doc: the sorted distinct hashes of its tokens' ``attr`` and of their
    2..``ngram_size``-grams (thinc's ``ops.ngrams``), their counts as float32,
    and the number of distinct keys; concatenated in the Docs' order.
    """
    arrays = [doc.to_array([attr]).reshape(-1) for doc in docs]
    lengths = np.array([len(a) for a in arrays], dtype="int64")
    unigrams = np.concatenate(arrays).astype("uint64") if arrays else np.zeros(0, dtype="uint64")
    owner = np.repeat(np.arange(len(docs), dtype="int64"), lengths)
    keys, owners = [unigrams], [owner]
    ends = np.cumsum(lengths)
    for n in range(2, ngram_size + 1):
        if len(unigrams) < n:
            break
        grams = _OPS.ngrams(n, unigrams)
        start_owner = owner[: len(grams)]
        # A window is inside one Doc when it ends before that Doc's end.
        inside = np.arange(len(grams)) + n <= ends[start_owner]
        keys.append(np.asarray(grams, dtype="uint64")[inside])
        owners.append(start_owner[inside])
    keys_all, owners_all = np.concatenate(keys), np.concatenate(owners)
    order = np.lexsort((keys_all, owners_all))
    keys_all, owners_all = keys_all[order], owners_all[order]
    if len(keys_all):
        new = np.empty(len(keys_all), dtype=bool)
        new[0] = True
        new[1:] = (keys_all[1:] != keys_all[:-1]) | (owners_all[1:] != owners_all[:-1])
        starts = np.flatnonzero(new)
        counts = np.diff(np.append(starts, len(keys_all)))
        distinct_keys, distinct_owners = keys_all[starts], owners_all[starts]
    else:
        distinct_keys, counts, distinct_owners = keys_all, np.zeros(0, dtype="int64"), owners_all
    per_doc = np.bincount(distinct_owners, minlength=len(docs)).astype("int32")
    return distinct_keys, counts.astype("float32"), per_doc
