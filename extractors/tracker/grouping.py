"""Follow-up groups: the recommendations asking the same thing of the same country, across documents and cycles.

:func:`group_tracker` gives every tracker row a ``follow_up_group`` (e.g.
``G-3f2a91c0``):

- The rows of one country are clustered by complete linkage on
  :func:`~rectrack.extractors.tracker.similarity.combined_similarity`: within a group
  every two texts score at least :data:`THRESHOLD` (no chaining of A~B~C into
  one group when A and C differ). Rows of one recommendation (same
  ``recommendation_key``: a report row and the matrix row that repeats it)
  count as identical and are always one group. Rows without a country are
  groups of their own.
- An analyst's ``reviewed_group`` wins on every run: a group id moves the row
  into that group, ``new`` gives it (and the other rows of its recommendation)
  a group of its own, ``G-`` + 8 hex of a sha256 over ``new`` and its
  ``recommendation_key``. Such rows take no
  part in the computed grouping.
- Ids are stable: a computed group keeps the id most of its members had in
  the previous tracker (a split: the part holding most of them keeps it);
  a group without one takes ``G-`` + 8 hex chars of a sha256 of its earliest
  member's ``rec_id`` (by year, document, paragraph). Adding an unrelated
  document changes no id.
- Only countries whose rows changed are clustered again: the clusters of a country depend on its
  rows' ``rec_id``, ``recommendation_key`` and text alone, so :func:`group_tracker` takes and returns a
  memo of them keyed by a hash of exactly that (and of this module's and the similarity's code); a
  run where one document changed clusters that document's country only.

:func:`groups_table` is ``groups.csv``: one row per group (:data:`GROUP_COLUMNS`).
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from rectrack.extractors.records import Problem
from rectrack.extractors.tracker.columns import GROUP_COLUMNS, MULTI_SEPARATOR
from rectrack.extractors.text.normalize import natural_key
from rectrack.extractors.tracker.similarity import combined_similarity

# The lowest threshold with precision >= 0.90 on the tune half of tests/fixtures/grouping/pairs.csv
# (tests/benchmarks/bench_grouping.py; results/grouping.json has the test-half figures).
THRESHOLD = 0.40
NEW_GROUP = "new"
_GROUP_ID = re.compile(r"G-[0-9a-f]{8}")
Similarity = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True, slots=True)
class Grouping:
    """The ``follow_up_group`` of each tracker row (aligned with its rows) and the overrides not applied."""

    groups: list[str]
    problems: list[Problem]
    # country key -> complete-linkage labels of its rows (see _country_key): what the next run can reuse
    memo: dict[str, list[int]] = field(default_factory=dict)


def group_id(rec_id: str, salt: str = "") -> str:
    """``G-`` + 8 hex chars of a sha256 over ``salt`` and ``rec_id`` (``\\x1f``-joined)."""
    return "G-" + hashlib.sha256(f"{salt}\x1f{rec_id}".encode("utf-8")).hexdigest()[:8]


class _Union:
    """Union-find over row positions."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _country_labels(scores: np.ndarray, keys: list[str], threshold: float) -> list[int]:
    """Complete-linkage cluster labels of one country's rows: every two members score >= ``threshold``.

    Rows of one recommendation (same key) count as identical (score 1).
    """
    if len(keys) == 1:
        return [1]
    same_key = np.equal.outer(np.array(keys, dtype=object), np.array(keys, dtype=object))
    distance = 1.0 - np.where(same_key, 1.0, np.minimum(scores, scores.T))
    np.fill_diagonal(distance, 0.0)
    from scipy.cluster.hierarchy import fcluster, linkage     # here: importing scipy.cluster costs 0.3 s
    from scipy.spatial.distance import squareform

    tree = linkage(squareform(np.clip(distance, 0.0, None), checks=False), method="complete")
    return fcluster(tree, t=1.0 - threshold + 1e-9, criterion="distance").tolist()


@cache
def _code_version(similarity: Similarity) -> str:
    """What the clusters depend on besides the rows: this module's and the similarity's source files."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    module = sys.modules.get(getattr(similarity, "__module__", ""))
    source = getattr(module, "__file__", None)
    if source is None:            # a similarity defined where there is no file to hash: never memoised
        return ""
    digest.update(f"{similarity.__module__}.{similarity.__qualname__}".encode() + Path(source).read_bytes())
    return digest.hexdigest()[:16]


def _country_key(idents: list[str], keys: list[str], texts: list[str], threshold: float,
                 similarity: Similarity) -> str:
    """The memo key of one country's clustering: its rows (in order), the threshold and the code; "" for none."""
    version = _code_version(similarity)
    if not version:
        return ""
    digest = hashlib.sha256(f"{version}\x1f{threshold!r}".encode())
    for ident, key, text in zip(idents, keys, texts):
        digest.update(f"\x1e{ident}\x1f{key}\x1f{text}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _clusters(tracker: pd.DataFrame, free: list[int], threshold: float, similarity: Similarity,
              memo: Mapping[str, list[int]], used: dict[str, list[int]]) -> list[list[int]]:
    """The computed groups of the rows ``free`` (positions), each sorted earliest first.

    A country whose rows have a clustering in ``memo`` takes it; every country's clustering is put in ``used``.
    """
    union = _Union(len(tracker))
    keys = _keys(tracker)
    countries, texts = tracker["country"].tolist(), tracker["text"].tolist()
    by_key: dict[str, int] = {}
    for row in free:
        key = keys[row]
        if key in by_key:
            union.join(row, by_key[key])
        by_key.setdefault(key, row)
    by_country: dict[str, list[int]] = defaultdict(list)
    for row in free:
        if countries[row]:
            by_country[countries[row]].append(row)
    idents = tracker["rec_id"].tolist()
    for rows in by_country.values():
        country_keys, country_texts = [keys[row] for row in rows], [texts[row] for row in rows]
        memo_key = _country_key([idents[row] for row in rows], country_keys, country_texts, threshold, similarity)
        labels = memo.get(memo_key) if memo_key else None
        if labels is None or len(labels) != len(rows):
            labels = _country_labels(similarity(country_texts), country_keys, threshold)
        if memo_key:
            used[memo_key] = labels
        first: dict[int, int] = {}
        for row, label in zip(rows, labels):
            union.join(row, first.setdefault(label, row))
    members: dict[int, list[int]] = defaultdict(list)
    for row in free:
        members[union.find(row)].append(row)
    order = _chronology(tracker)
    return sorted((sorted(rows, key=order.__getitem__) for rows in members.values()), key=lambda m: order[m[0]])


def _keys(tracker: pd.DataFrame) -> list[str]:
    """Each row's recommendation: its ``recommendation_key``, else its ``rec_id``."""
    return [key or ident for key, ident in zip(tracker["recommendation_key"].tolist(), tracker["rec_id"].tolist())]


def _chronology(tracker: pd.DataFrame) -> dict[int, tuple]:
    """Row position -> sort key: year, document, paragraph (natural order), rec_id."""
    return {row: (year, natural_key(document), natural_key(paragraph), ident)
            for row, (year, document, paragraph, ident) in enumerate(
                zip(tracker["year"], tracker["document"], tracker["paragraph"], tracker["rec_id"]))}


def _ids(tracker: pd.DataFrame, clusters: list[list[int]], previous: dict[str, str]) -> dict[int, str]:
    """Row position -> group id: a cluster's previous id by most members, else one from its earliest member."""
    rec_ids = tracker["rec_id"].tolist()
    claims = []
    for number, rows in enumerate(clusters):
        for old, count in Counter(previous.get(rec_ids[r], "") for r in rows).items():
            if old:
                claims.append((-count, number, old))
    named: dict[int, str] = {}
    taken: set[str] = set()
    for _, number, old in sorted(claims):
        if number not in named and old not in taken:
            named[number] = old
            taken.add(old)
    ids: dict[int, str] = {}
    for number, rows in enumerate(clusters):
        ident = named.get(number)
        for salt in ("", "again", "and again"):
            if ident is not None:
                break
            candidate = group_id(rec_ids[rows[0]], salt)
            ident = candidate if candidate not in taken else None
        taken.add(ident)
        ids.update(dict.fromkeys(rows, ident))
    return ids


def group_tracker(tracker: pd.DataFrame, previous: dict[str, str] | None = None,
                  threshold: float = THRESHOLD, similarity: Similarity = combined_similarity,
                  memo: Mapping[str, list[int]] | None = None) -> Grouping:
    """The ``follow_up_group`` of every row of ``tracker`` (see the module doc).

    ``tracker`` needs ``rec_id``, ``document``, ``country``, ``year``,
    ``paragraph``, ``text``, ``recommendation_key`` and ``reviewed_group``;
    it is not modified. ``previous`` maps the ``rec_id`` of the previous
    tracker's rows to their ``follow_up_group``. A ``reviewed_group`` that is
    neither ``new`` nor a group id (``G-`` and 8 hex digits) is not applied:
    the row keeps its computed group and a problem says so. ``memo`` is the
    ``memo`` of an earlier :class:`Grouping` (countries whose rows are as then
    are not clustered again); the result's ``memo`` holds this tracker's countries.
    """
    tracker = tracker.reset_index(drop=True)
    reviewed = [value.strip() for value in tracker["reviewed_group"]]
    problems = []
    free = []
    for row, value in enumerate(reviewed):
        if value and value.casefold() != NEW_GROUP and not _GROUP_ID.fullmatch(value):
            problems.append(_bad_review_problem(tracker, row, value))
            reviewed[row] = ""
        if not reviewed[row]:
            free.append(row)
    used: dict[str, list[int]] = {}
    ids = _ids(tracker, _clusters(tracker, free, threshold, similarity, memo or {}, used), previous or {})
    groups = []
    for row, value in enumerate(reviewed):
        if not value:
            groups.append(ids[row])
        elif value.casefold() == NEW_GROUP:      # by key: a report row and its matrix row stay together
            groups.append(group_id(tracker.at[row, "recommendation_key"] or tracker.at[row, "rec_id"], NEW_GROUP))
        else:
            groups.append(value)
    return Grouping(groups, problems, used)


def _bad_review_problem(tracker: pd.DataFrame, row: int, value: str) -> Problem:
    return Problem(
        document=tracker.at[row, "document"], kind="reviewed_group_invalid",
        reason=f"reviewed_group {value!r} of recommendation {tracker.at[row, 'rec_id']} is neither a group id "
               "(like G-3f2a91c0, see follow_up_group) nor 'new'; the computed group was kept",
        action="type the follow_up_group of the group the row belongs to, or 'new' for a group of its own")


_GROUP_FIELDS = ("follow_up_group", "same_as", "year", "document", "paragraph", "position", "country", "text",
                 "recommending_states", "body")


def _made_by(row: dict[str, str]) -> list[str]:
    states = [s for s in row["recommending_states"].split(MULTI_SEPARATOR) if s]
    return states or [row["body"] or row["document"]]


def _group_row(ident: str, members: list[dict[str, str]]) -> dict[str, str]:
    """One ``groups.csv`` row from a group's tracker rows (``same_as`` empty: each recommendation once)."""
    counted = [row for row in members if row["same_as"] == ""] or members
    order = sorted(counted, key=lambda row: (row["year"], natural_key(row["document"]), natural_key(row["paragraph"])))
    first, latest = order[0], order[-1]
    positioned = sorted(((row["year"], row["position"]) for row in members if row["position"] != ""),
                        key=lambda pair: pair[0])
    made_by = dict.fromkeys(name for row in counted for name in _made_by(row))
    return {
        "follow_up_group": ident, "country": first["country"], "representative_text": latest["text"],
        "recommendations": str(len(counted)), "first_year": first["year"], "latest_year": latest["year"],
        "first_document": first["document"], "latest_document": latest["document"],
        "made_by": MULTI_SEPARATOR.join(made_by),
        "bodies": MULTI_SEPARATOR.join(sorted({row["body"] for row in members if row["body"]})),
        "latest_position": positioned[-1][1] if positioned else "",
    }


def groups_table(tracker: pd.DataFrame) -> pd.DataFrame:
    """``groups.csv``: one row per ``follow_up_group`` of ``tracker`` (:data:`GROUP_COLUMNS`).

    ``representative_text`` is the wording of the latest appearance;
    ``recommendations`` counts each recommendation once (rows with ``same_as``
    empty); ``made_by`` joins the recommending States (a row without: its body);
    ``latest_position`` is the position of the latest year that has one.
    Sorted by country, first year, group id.
    """
    members: dict[str, list[dict[str, str]]] = defaultdict(list)
    for values in zip(*(tracker[name].tolist() for name in _GROUP_FIELDS)):
        row = dict(zip(_GROUP_FIELDS, values))
        if row["follow_up_group"]:
            members[row["follow_up_group"]].append(row)
    rows = [_group_row(ident, rows) for ident, rows in members.items()]
    frame = pd.DataFrame(rows, columns=list(GROUP_COLUMNS), dtype=str)
    return frame.sort_values(["country", "first_year", "follow_up_group"], kind="stable").reset_index(drop=True)
