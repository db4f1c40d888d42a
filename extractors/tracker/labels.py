"""Labels onto tables: the tracker's label columns, ``labels.csv``, and any user CSV.

Which label wins, per recommendation and taxonomy (:func:`label_tracker`):

1. an analyst's ``reviewed_<taxonomy>`` cell (``|``-joined labels), source ``analyst``;
2. else the labels the document itself printed (an OHCHR matrix's themes,
   affected persons and SDGs, mapped to the 2025 wording), source ``matrix``;
3. else the classifier's labels that reach their threshold, source ``model`` or ``rule``.

``labels.csv`` lists every label of every source (model and rule labels from
:data:`~rectrack.extractors.classify.classifier.SCORE_FLOOR` up), so what the column
hides stays visible. Pure pandas: no spaCy, no Prefect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from rectrack.extractors.classify.classifier import SCORE_FLOOR, TAXONOMIES, Classifier, LabelScore
from rectrack.extractors.errors import InvalidTable
from rectrack.extractors.records import DocumentResult, GivenLabel
from rectrack.extractors.tracker.columns import LABEL_COLUMNS, MULTI_SEPARATOR
from rectrack.extractors.tracker.identity import recommendation_ids
from rectrack.extractors.tracker.io import read_csv_strings
from rectrack.extractors.text.normalize import natural_key

# Label names are few (a few hundred) and sorted over and over: cache their sort keys.
_label_key = lru_cache(maxsize=8192)(natural_key)

SOURCE_ORDER = {"model": 0, "rule": 1, "matrix": 2, "analyst": 3}
# Labels by recommendation text (the classifier's output) and by rec_id (matrix labels).
Predictions = Mapping[str, tuple[LabelScore, ...]]


def review_column(taxonomy: str) -> str:
    return f"reviewed_{taxonomy}"


def split_labels(cell: str) -> tuple[str, ...]:
    """The labels of a ``|``-joined cell, stripped, once each, in the order written."""
    return tuple(dict.fromkeys(part.strip() for part in cell.split(MULTI_SEPARATOR) if part.strip()))


def join_labels(labels: Iterable[str]) -> str:
    """Labels ``|``-joined in natural order ("5|16", not "16|5"), once each."""
    return MULTI_SEPARATOR.join(sorted(set(labels), key=_label_key))


def map_given_label(given: GivenLabel) -> tuple[tuple[str, str], ...]:
    """The (taxonomy, 2025 label) pairs a matrix's printed label stands for.

    Uses the mappings of ``data/taxonomies/`` (:mod:`rectrack.extractors.classify.taxonomies`);
    a wording nobody mapped is kept as printed, so it is not lost.
    """
    from rectrack.extractors.classify.taxonomies import load_taxonomies

    return load_taxonomies().to_2025(given) or ((given.taxonomy, given.label),)


def given_labels_by_id(results: Sequence[DocumentResult]) -> dict[str, tuple[LabelScore, ...]]:
    """The labels documents printed (matrices), as ``matrix`` LabelScores, by ``rec_id``."""
    out: dict[str, tuple[LabelScore, ...]] = {}
    for result in results:
        for ident, rec in zip(recommendation_ids(result), result.recommendations):
            if rec.given_labels:
                pairs = dict.fromkeys(pair for g in rec.given_labels for pair in map_given_label(g))
                out[ident] = tuple(LabelScore(t, label, 1.0, "matrix")
                                   for t, label in pairs if t in TAXONOMIES)
    return out


def recommendation_texts(results: Sequence[DocumentResult]) -> list[str]:
    """Every distinct recommendation text of ``results``, in order of first appearance."""
    return list(dict.fromkeys(rec.text for result in results for rec in result.recommendations))


def _analyst_labels(cells: Mapping[str, str]) -> tuple[LabelScore, ...]:
    """The labels of a row's review cells (``cells``: taxonomy -> cell)."""
    return tuple(LabelScore(t, label, 1.0, "analyst")
                 for t in TAXONOMIES for label in split_labels(cells.get(t, "")))


def column_values(labels: Sequence[LabelScore]) -> dict[str, str]:
    """The six label columns of one recommendation from all its labels, by precedence."""
    by_taxonomy: dict[str, list[LabelScore]] = {}
    for score in labels:
        by_taxonomy.setdefault(score.taxonomy, []).append(score)
    cells = {}
    for taxonomy in TAXONOMIES:
        mine = by_taxonomy.get(taxonomy, [])
        for source in ("analyst", "matrix"):
            if any(s.source == source for s in mine):
                mine = [s for s in mine if s.source == source]
                break
        else:
            mine = [s for s in mine if s.shown]
        cells[taxonomy] = (MULTI_SEPARATOR.join(split_labels(MULTI_SEPARATOR.join(s.label for s in mine)))
                           if mine and mine[0].source == "analyst" else join_labels(s.label for s in mine))
    return cells


def _label_rows(ident: str, labels: Sequence[LabelScore]) -> list[tuple[str, str, str, str, str]]:
    kept = [s for s in labels if s.source in ("matrix", "analyst") or s.score >= SCORE_FLOOR or s.shown]
    kept.sort(key=lambda s: (TAXONOMIES.index(s.taxonomy), SOURCE_ORDER.get(s.source, 9),
                             -s.score, _label_key(s.label)))
    return [(ident, s.taxonomy, s.label, str(round(s.score, 3)), s.source) for s in kept]


def label_tracker(tracker: pd.DataFrame, predictions: Predictions | None,
                  given: Mapping[str, tuple[LabelScore, ...]],
                  previous_labels: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tracker with its label columns filled, and the ``labels.csv`` table.

    Rows of this run (``missing`` empty) get ``predictions[text]`` (none when
    ``predictions`` is None: no classifier) and their ``given`` labels; rows
    kept from earlier runs keep their columns and their earlier non-analyst
    rows of ``previous_labels``. Every row's review cells win. Returns new
    frames; the inputs are not modified.
    """
    tracker = tracker.copy()
    earlier = _earlier_labels(previous_labels)
    predictions = predictions or {}
    reviews = {t: tracker[review_column(t)].tolist() for t in TAXONOMIES if review_column(t) in tracker.columns}
    columns = {t: (tracker[t].tolist() if t in tracker.columns else [""] * len(tracker)) for t in TAXONOMIES}
    # Rows with only the model's labels (most of them) share their cells and
    # label rows with every other row of the same text: computed once per text.
    by_text: dict[str, tuple[dict[str, str], list[tuple[str, str, str, str]]]] = {}
    rows: list[tuple[str, str, str, str, str]] = []
    for i, (ident, missing, text) in enumerate(zip(tracker["rec_id"], tracker["missing"], tracker["text"])):
        cells = {t: reviews[t][i] for t in reviews if reviews[t][i].strip()}
        analyst = _analyst_labels(cells) if cells else ()
        if missing == "" and not analyst and ident not in given:
            if text not in by_text:
                labels = predictions.get(text, ())
                by_text[text] = (column_values(labels), [row[1:] for row in _label_rows("", labels)])
            values, label_rows = by_text[text]
            rows.extend((ident, *row) for row in label_rows)
        elif missing == "":
            labels = [*predictions.get(text, ()), *given.get(ident, ()), *analyst]
            values = column_values(labels)
            rows.extend(_label_rows(ident, labels))
        else:
            rows.extend(earlier.get(ident, ()))
            rows.extend(_label_rows(ident, analyst))
            values = {t: v for t, v in column_values(analyst).items() if v}
        for taxonomy, value in values.items():
            columns[taxonomy][i] = value
    for taxonomy in TAXONOMIES:
        tracker[taxonomy] = columns[taxonomy]
    return tracker, pd.DataFrame(rows, columns=list(LABEL_COLUMNS), dtype=str)


def _earlier_labels(previous: pd.DataFrame | None) -> dict[str, list[tuple[str, ...]]]:
    """Non-analyst rows of an earlier ``labels.csv``, by rec_id (analyst rows are re-derived)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    if previous is None:
        return out
    for row in previous[previous["source"] != "analyst"][list(LABEL_COLUMNS)].itertuples(index=False):
        out.setdefault(row[0], []).append(tuple(row))
    return out


def reviews_pending(tracker: pd.DataFrame) -> bool:
    """True when some filled review cell is not yet what its taxonomy's column shows."""
    for taxonomy in TAXONOMIES:
        column = review_column(taxonomy)
        if column not in tracker.columns:
            continue
        for review, shown in zip(tracker[column], tracker[taxonomy]):
            labels = split_labels(review)
            # A cell of separators or spaces only is no review (the run leaves the model's labels).
            if labels and MULTI_SEPARATOR.join(labels) != shown:
                return True
    return False


# --- any CSV: rectrack classify -------------------------------------------------------------

def read_user_csv(path: Path, *columns: str) -> pd.DataFrame:
    """A user's CSV as strings (no NA guessing, BOM or not), checked to have ``columns``.

    Raises :class:`~rectrack.extractors.errors.InvalidTable` naming the file, the
    missing column and the columns the file has.
    """
    if not path.is_file():
        raise InvalidTable(path, "no such file", "check the path")
    frame = read_csv_strings(path, InvalidTable, "save it as CSV UTF-8 (comma-delimited) and try again")
    for column in columns:
        if column not in frame.columns:
            have = ", ".join(repr(c) for c in frame.columns)
            raise InvalidTable(path, f"has no column {column!r} (its columns: {have})",
                               "pass one of its columns, spelt exactly as in the header")
    return frame


def classify_frame(frame: pd.DataFrame, text_column: str, classifier: Classifier,
                   batch_size: int = 2048) -> pd.DataFrame:
    """``frame`` with the six label columns (shown labels, ``|``-joined) added or replaced.

    Every input row and column is kept as it was, in order; identical texts
    are classified once.
    """
    texts = frame[text_column].tolist()
    unique = list(dict.fromkeys(texts))
    by_text = dict(zip(unique, classifier.classify(unique, batch_size=batch_size)))
    out = frame.copy()
    cells = [column_values(by_text[text]) for text in texts]
    for taxonomy in TAXONOMIES:
        out[taxonomy] = [c[taxonomy] for c in cells]
    return out
