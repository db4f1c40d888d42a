"""The shipped classifier: one spaCy pipeline for every taxonomy, loaded once per process.

A classifier folder (``data/models/classifier/`` by default, written by
:func:`rectrack.extractors.classify.train.train_all`) holds a spaCy pipeline saved with
``nlp.to_disk`` whose components all write ``doc.cats["<taxonomy>::<label>"]``,
plus two files of ours:

- ``thresholds.json``: ``{"<taxonomy>::<label>": threshold}``, tuned on
  validation data; a label is *shown* (goes into the tracker's column) when
  its score reaches its threshold (:data:`DEFAULT_THRESHOLD` if not listed);
- ``components.json``: ``{"components": [{"name", "taxonomies", "source",
  "module"}...]}``: which taxonomies each component writes, whether it is a
  trained ``"model"`` or a ``"rule"``, and the module that registers its
  factory (imported before loading).

spaCy is imported only when a classifier is loaded, so the tracker code that
handles :class:`LabelScore` records stays cheap to import.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from pathlib import Path

from rectrack.extractors.files import DATA_DIR
from rectrack.extractors.errors import ModelNotFound

MODEL_DIR = DATA_DIR / "models" / "classifier"
TAXONOMIES: tuple[str, ...] = (
    "issues", "themes", "groups", "sdgs", "action_category", "priority_areas")
SINGLE_LABEL = frozenset({"action_category"})   # one label per recommendation: the best one
KEY_SEPARATOR = "::"
DEFAULT_THRESHOLD = 0.5  # for a label thresholds.json does not list; single-label taxonomies: 0
SCORE_FLOOR = 0.2        # labels scoring less (and not shown) are not listed in labels.csv:
                         # at 0.1 a recommendation had 27 on average, mostly weak themes
THRESHOLDS_FILE = "thresholds.json"
COMPONENTS_FILE = "components.json"
TEXT_KEY = "rectrack.text"   # doc.user_data key: the text a Doc was made from (see _make_doc)


class LabelScore(NamedTuple):
    """One label a recommendation got: from which taxonomy, how sure, from what, and shown or not.

    A named tuple, not a dataclass: the classifier makes ~25 per recommendation
    and a frozen dataclass costs five times as much to build.
    """

    taxonomy: str              # one of TAXONOMIES
    label: str                 # as in the taxonomy file, e.g. "Women's rights", "5"
    score: float               # 0-1; 1.0 for matrix and analyst labels
    source: str                # "model", "rule", "matrix" or "analyst"
    shown: bool = True         # reaches its threshold: goes into the tracker's column


@dataclass(frozen=True, slots=True)
class Component:
    """What ``components.json`` says about one pipeline component."""

    name: str
    taxonomies: tuple[str, ...]
    source: str                # "model" or "rule"
    module: str = ""           # registers the component's factory; "" for spaCy's own


def model_fingerprint(model_dir: Path = MODEL_DIR) -> str:
    """16 hex chars over every file of the classifier folder: new model, new fingerprint.

    Returns "" when the folder holds no classifier. Cached on the files' sizes
    and modification times, so calling it per run costs a few ``stat`` calls.
    """
    files = sorted(p for p in Path(model_dir).rglob("*") if p.is_file())
    if not (Path(model_dir) / COMPONENTS_FILE).is_file():
        return ""
    stats = tuple((p.as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _content_fingerprint(Path(model_dir), stats)


@lru_cache(maxsize=8)
def _content_fingerprint(model_dir: Path, stats: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _size, _mtime in stats:
        path = Path(name)
        digest.update(path.relative_to(model_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_components(model_dir: Path) -> tuple[Component, ...]:
    """The components listed in ``model_dir/components.json``; raises :class:`ModelNotFound`."""
    path = Path(model_dir) / COMPONENTS_FILE
    if not path.is_file():
        raise ModelNotFound(model_dir, "no trained classifier here (components.json is missing)",
                            "run `rectrack train` (a few minutes) to build it from data/")
    entries = json.loads(path.read_text(encoding="utf-8"))["components"]
    return tuple(Component(e["name"], tuple(e["taxonomies"]), e["source"], e.get("module", ""))
                 for e in entries)


class Classifier:
    """A loaded classifier pipeline with its thresholds; see :func:`load_classifier`."""

    def __init__(self, nlp, components: Sequence[Component], thresholds: dict[str, float],
                 fingerprint: str = "") -> None:
        self.nlp = nlp
        self.components = tuple(components)
        self.thresholds = dict(thresholds)
        self.fingerprint = fingerprint
        self._single: dict[str, tuple[str, ...]] | None = None   # set on first use (_prepare)
        self._thresholds: dict[str, float] = {}
        self._keep: dict[float, _KeepScores] = {}
        self._parts: dict[str, tuple[str, str]] = {}
        self.sources: dict[str, str] = {}     # taxonomy -> source of its first component
        for component in self.components:
            for taxonomy in component.taxonomies:
                self.sources.setdefault(taxonomy, component.source)

    @property
    def labels(self) -> dict[str, tuple[str, ...]]:
        """Every label the pipeline can give, by taxonomy, in the pipeline's order."""
        found: dict[str, list[str]] = {}
        for name in self.nlp.pipe_names:
            for key in getattr(self.nlp.get_pipe(name), "labels", ()):
                taxonomy, _, label = key.partition(KEY_SEPARATOR)
                found.setdefault(taxonomy, []).append(label)
        return {taxonomy: tuple(labels) for taxonomy, labels in found.items()}

    def classify(self, texts: Sequence[str], *, batch_size: int = 2048, n_process: int = 1,
                 floor: float = SCORE_FLOOR, batched: bool = True) -> list[tuple[LabelScore, ...]]:
        """The labels of each text scoring at least ``floor`` (or shown), best first per taxonomy.

        Returns one tuple per text, in order; an empty or blank text gets ``()``.
        One process: a batch at a time in matrix passes (:mod:`.batch`), when
        every component has one and ``batched``; otherwise spaCy's ``nlp.pipe``
        Doc by Doc, with the same labels. ``n_process`` > 1 forks worker
        processes (spaCy's ``nlp.pipe``): use it from a plain process, not
        from a thread of a Prefect flow.
        """
        if n_process == 1 and batched and self._batch_plan() is not None:
            return self._classify_batches(texts, batch_size, floor)
        # One process: Docs made here keep their text for the TF-IDF components
        # (Doc.text rebuilds it token by token). Several: plain texts, since
        # every Doc sent to a worker would be pickled.
        # Blank texts are not run: spaCy's bag-of-words layer fails on a Doc without tokens.
        scored = [text for text in texts if text.strip()]
        inputs = (self._make_doc(text) for text in scored) if n_process == 1 else scored
        docs = iter(self.nlp.pipe(inputs, batch_size=min(batch_size, 512), n_process=n_process))
        return [self._labels(next(docs).cats, floor) if text.strip() else () for text in texts]

    def _batch_plan(self):
        if not hasattr(self, "_plan"):
            from rectrack.extractors.classify import batch

            self._plan = batch.plan(self.nlp)
        return self._plan

    def _classify_batches(self, texts: Sequence[str], batch_size: int,
                          floor: float) -> list[tuple[LabelScore, ...]]:
        out: list[tuple[LabelScore, ...]] = [()] * len(texts)
        scored = [i for i, text in enumerate(texts) if text.strip()]
        tokenizer = self.nlp.tokenizer
        for start in range(0, len(scored), batch_size):
            positions = scored[start:start + batch_size]
            chunk = [texts[i] for i in positions]
            table = self._plan.score(list(tokenizer.pipe(chunk)), chunk)
            for i, labels in zip(positions, self._table_labels(table, floor)):
                out[i] = labels
        return out

    def _table_labels(self, table, floor: float) -> list[tuple[LabelScore, ...]]:
        """:meth:`_labels` of every row of a score table (NaN: the key is absent from ``cats``)."""
        import numpy as np

        columns = self._columns(table.keys, floor)
        values = table.values
        with np.errstate(invalid="ignore"):
            shown = values >= columns.thresholds
            listed = shown | (values >= floor)
        for cols in columns.single:
            sub = values[:, cols]
            present = ~np.isnan(sub).all(axis=1)
            best = np.zeros(sub.shape, dtype=bool)
            rows = np.flatnonzero(present)
            best[rows, np.nanargmax(sub[rows], axis=1)] = True
            shown[:, cols] &= best
            listed[:, cols] = shown[:, cols] | (values[:, cols] >= floor)
        rows, cols = np.nonzero(listed)
        scores = _round4(values[rows, cols])
        order = np.lexsort((columns.label_rank[cols], -scores, columns.taxonomy_rank[cols], rows))
        rows, cols = rows[order], cols[order]           # rows stay in order: they are the first sort key
        new = tuple.__new__         # LabelScore(...) without its Python-level __new__: the same tuples
        made = [new(LabelScore, fields) for fields in zip(
            columns.taxonomies[cols].tolist(), columns.labels[cols].tolist(), scores[order].tolist(),
            columns.sources[cols].tolist(), shown[rows, cols].tolist())]
        ends = np.cumsum(np.bincount(rows, minlength=len(values))).tolist()
        labels, begin = [], 0
        for end in ends:
            labels.append(tuple(made[begin:end]))
            begin = end
        return labels

    def _columns(self, keys: tuple[str, ...], floor: float) -> "_Columns":
        cached = getattr(self, "_column_cache", None)
        if cached is not None and cached[0] == (keys, floor):
            return cached[1]
        import numpy as np

        if self._single is None:
            self._prepare()
        parts = [key.partition(KEY_SEPARATOR)[::2] for key in keys]
        position = {key: index for index, key in enumerate(keys)}
        label_rank = np.empty(len(keys), dtype="int64")
        label_rank[sorted(range(len(keys)), key=lambda k: parts[k][1])] = np.arange(len(keys))

        def strings(values: list[str]) -> np.ndarray:
            return np.array(values + [None], dtype=object)[:-1]     # an object array, never a 2-D one

        columns = _Columns(
            thresholds=np.array([self._threshold(key) for key in keys], dtype="float64"),
            single=[np.array([position[k] for k in single if k in position], dtype="int64")
                    for single in self._single.values()],
            taxonomies=strings([taxonomy for taxonomy, _ in parts]),
            labels=strings([label for _, label in parts]),
            sources=strings([self.sources.get(taxonomy, "model") for taxonomy, _ in parts]),
            taxonomy_rank=np.array([_TAXONOMY_ORDER.get(t, 99) for t, _ in parts], dtype="int64"),
            label_rank=label_rank)
        self._column_cache = ((keys, floor), columns)
        return columns

    def _make_doc(self, text: str):
        doc = self.nlp.make_doc(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def _labels(self, cats: dict[str, float], floor: float) -> tuple[LabelScore, ...]:
        if self._single is None:
            self._prepare()
        keep = self._keep.get(floor)
        if keep is None:
            keep = self._keep[floor] = _KeepScores(self, floor)
        # The common case (a score under both the floor and the threshold) is
        # decided in this one comprehension, without splitting the key.
        kept = [(key, score) for key, score in cats.items() if score >= keep[key]]
        if not kept:
            return ()
        best = set()
        for keys in self._single.values():
            present = [k for k in keys if k in cats]
            if present:
                best.add(max(present, key=cats.__getitem__))
        out = []
        thresholds = self._thresholds
        parts = self._parts
        for key, score in kept:
            threshold = thresholds[key]           # set by keep[key] above
            split = parts.get(key)
            if split is None:     # one (taxonomy, label) pair of strings per key, shared by every LabelScore
                split = parts[key] = key.partition(KEY_SEPARATOR)[::2]
            taxonomy, label = split
            shown = score >= threshold and (taxonomy not in self._single or key in best)
            if score < floor and not shown:
                continue
            out.append(LabelScore(taxonomy, label, round(float(score), 4),
                                  self.sources.get(taxonomy, "model"), shown))
        out.sort(key=lambda s: (_TAXONOMY_ORDER.get(s.taxonomy, 99), -s.score, s.label))
        return tuple(out)

    def _threshold(self, key: str) -> float:
        threshold = self._thresholds.get(key)
        if threshold is None:
            threshold = self._thresholds[key] = self.thresholds.get(key, DEFAULT_THRESHOLD)
        return threshold

    def _prepare(self) -> None:
        """Per-key thresholds (0 for single-label taxonomies by default) and single-label keys."""
        self._single = {taxonomy: tuple(f"{taxonomy}{KEY_SEPARATOR}{label}" for label in labels)
                        for taxonomy, labels in self.labels.items() if taxonomy in SINGLE_LABEL}
        self._thresholds = {key: self.thresholds.get(key, 0.0) for keys in self._single.values()
                            for key in keys}
        self._keep = {}


def _round4(values):
    """``round(value, 4)`` of each float64, as Python rounds: numpy's rounding, Python's where it could differ.

    ``rint(x * 1e4) / 1e4`` is the double nearest the rounded decimal, as
    Python's ``round`` is, unless ``x * 1e4`` lies so close to a half that the
    product's own rounding may have moved it across: those few go through ``round``.
    """
    import numpy as np

    scaled = values * 1e4
    rounded = np.rint(scaled) / 1e4
    near_half = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    if len(near_half):
        rounded[near_half] = [round(value, 4) for value in values[near_half].tolist()]
    return rounded


@dataclass
class _Columns:
    """Per column of a score table: threshold, taxonomy and label, and the sort ranks of _labels."""

    thresholds: object          # np.ndarray of float64
    single: list                # per single-label taxonomy: its columns, in the pipeline's label order
    taxonomies: object          # object arrays of str, one entry per column
    labels: object
    sources: object
    taxonomy_rank: object
    label_rank: object


class _KeepScores(dict):
    """key -> the lowest score worth a look: min(floor, the key's threshold); filled on first use."""

    def __init__(self, classifier: Classifier, floor: float) -> None:
        super().__init__()
        self.classifier, self.floor = classifier, floor

    def __missing__(self, key: str) -> float:
        value = self[key] = min(self.floor, self.classifier._threshold(key))
        return value


_TAXONOMY_ORDER = {taxonomy: index for index, taxonomy in enumerate(TAXONOMIES)}


def load_classifier(model_dir: Path = MODEL_DIR) -> Classifier:
    """The classifier in ``model_dir``, loaded once per process (per content fingerprint).

    Raises :class:`ModelNotFound` when the folder holds no classifier.
    """
    fingerprint = model_fingerprint(Path(model_dir)) if Path(model_dir).is_dir() else ""
    if not fingerprint:
        read_components(Path(model_dir))     # raises ModelNotFound with the next step
    return _load(Path(model_dir).resolve(), fingerprint)


ARCHITECTURES_MODULE = "rectrack.extractors.classify.architectures"


_OWN_MODULES = "rectrack.extractors.classify."


def _own_module(model_dir: Path, name: str) -> str:
    """The module ``components.json`` names for a component: one of rectrack's own (or one this process has
    already imported, as a test's own components), never other code picked up from the model folder.

    A classifier trained by rectrack 0.1 names them without the ``rectrack.`` prefix.
    """
    if name.startswith("extractors.classify."):
        name = f"rectrack.{name}"
    own = name.startswith(_OWN_MODULES) and name[len(_OWN_MODULES):].isidentifier()
    if not own and name not in sys.modules:
        raise ModelNotFound(model_dir, f"components.json names the module {name!r}, which is not rectrack's",
                            "rebuild the classifier with `rectrack train`")
    return name


@lru_cache(maxsize=4)
def _load(model_dir: Path, fingerprint: str) -> Classifier:
    import spacy

    components = read_components(model_dir)
    # Registers the factories of rule components and rectrack's model architectures.
    for module in sorted({_own_module(model_dir, c.module) for c in components if c.module} | {ARCHITECTURES_MODULE}):
        importlib.import_module(module)
    nlp = spacy.load(model_dir)
    thresholds_path = model_dir / THRESHOLDS_FILE
    thresholds = (json.loads(thresholds_path.read_text(encoding="utf-8"))
                  if thresholds_path.is_file() else {})
    return Classifier(nlp, components, {k: float(v) for k, v in thresholds.items()}, fingerprint)


def classify_texts(texts: Sequence[str], model_dir: Path = MODEL_DIR,
                   batch_size: int = 2048) -> dict[str, tuple[LabelScore, ...]]:
    """Every distinct text of ``texts`` with its labels (the classifier loaded once per process).

    Raises :class:`ModelNotFound` when ``model_dir`` holds no classifier.
    """
    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, load_classifier(model_dir).classify(unique, batch_size=batch_size)))
