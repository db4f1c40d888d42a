"""An analyst's reviewed labels as training data: the record, the vocabularies, the fold into a split.

A tracker's ``reviewed_<taxonomy>`` cells (read by
:func:`rectrack.extractors.tracker.reviewed.load_reviewed`) become
:class:`ReviewedRow` records; ``rectrack train --reviewed`` passes them to every
trainer that takes a ``reviewed`` parameter. :func:`fold_reviewed` is how a
trainer of the UPR Info split uses them: the reviewed labels replace UPR Info's
for the same text, other reviewed texts join the training texts, and every
reviewed text leaves the validation and test slices, so the figures measured
there stay honest. Pure: no pandas, no spaCy, no Prefect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rectrack.extractors.classify.action_rule import CATEGORIES
from rectrack.extractors.classify.taxonomies import TAXONOMY_DIR, load_priority_areas, load_taxonomies
from rectrack.extractors.classify.upr_info import Split, UprText, text_key

# Taxonomies with one label per recommendation: a reviewed cell must name exactly one.
SINGLE_LABEL: frozenset[str] = frozenset({"action_category"})


@dataclass(frozen=True, slots=True)
class ReviewedRow:
    """One recommendation text and the labels an analyst gave it.

    ``labels`` maps a taxonomy to its reviewed labels, in the taxonomy's own
    spelling; only taxonomies whose ``reviewed_`` cell was filled appear, and
    an empty set means "none of this taxonomy".
    """

    text: str
    labels: dict[str, frozenset[str]]


def label_vocabularies(directory: Path = TAXONOMY_DIR) -> dict[str, tuple[str, ...]]:
    """Every taxonomy's labels, as the tracker writes them, from the taxonomy files of ``directory``.

    Issues from ``upr_info_issues.tsv``, themes, groups and SDGs from their
    ``.tsv`` files, action categories ``1``-``5``, priority areas from
    ``priority_areas.toml``. Raises
    :class:`~rectrack.extractors.errors.TaxonomyError` for a malformed file.
    """
    taxonomies = load_taxonomies(directory)
    return {
        "issues": taxonomies.issues,
        "themes": taxonomies.themes.names,
        "groups": taxonomies.groups.names,
        "sdgs": taxonomies.sdgs.names,
        "action_category": tuple(str(category) for category in CATEGORIES),
        "priority_areas": tuple(area.label for area in load_priority_areas(directory / "priority_areas.toml",
                                                                           taxonomies)),
    }


def fold_reviewed(split: Split, reviewed: Sequence[ReviewedRow], taxonomy: str,
                  relabel: Callable[[UprText, frozenset[str]], UprText | None]) -> tuple[Split, dict[str, int]]:
    """``split`` with the reviewed labels of ``taxonomy`` as training data, and what was done.

    Texts are matched by :func:`~rectrack.extractors.classify.upr_info.text_key`.
    A reviewed text already among the training texts gets its labels from
    ``relabel(item, labels)``; any other one joins the training texts (as a
    :class:`UprText` of session 0 with no labels, then relabelled); every
    reviewed text is removed from validation and test. ``relabel`` returning
    None leaves a row out of training (e.g. an empty set for a single-label
    taxonomy; a training text then keeps UPR Info's labels).
    Returns the new split and the counts ``reviewed_texts`` (rows used),
    ``reviewed_relabelled`` (of those, texts UPR Info had labelled) and
    ``reviewed_held_out`` (validation and test texts removed).
    """
    wanted: dict[str, ReviewedRow] = {}
    for row in reviewed:
        if taxonomy in row.labels:
            wanted[text_key(row.text)] = row
    reviewed_keys = frozenset(wanted)
    train, relabelled = [], 0
    for item in split.train:
        row = wanted.pop(text_key(item.text), None)
        changed = relabel(item, row.labels[taxonomy]) if row is not None else None
        train.append(item if changed is None else changed)
        relabelled += changed is not None
    added = []
    for row in wanted.values():            # reviewed texts UPR Info's training texts do not have
        changed = relabel(UprText(row.text, 0, (), 0, "", 0), row.labels[taxonomy])
        if changed is not None:
            added.append(changed)
    validation = tuple(item for item in split.validation if text_key(item.text) not in reviewed_keys)
    test = tuple(item for item in split.test if text_key(item.text) not in reviewed_keys)
    held_out = len(split.validation) - len(validation) + len(split.test) - len(test)
    return (Split(tuple(train + added), validation, test),
            {"reviewed_texts": relabelled + len(added), "reviewed_relabelled": relabelled,
             "reviewed_held_out": held_out})
