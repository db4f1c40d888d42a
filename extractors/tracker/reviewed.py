"""The labels an analyst fixed in ``reviewed_*`` cells, read back from trackers as training data.

:func:`load_reviewed` reads ``tracker.csv`` files with :func:`~rectrack.extractors.tracker.io.read_tracker`
(any form a spreadsheet saved) and gives one
:class:`~rectrack.extractors.classify.reviewed.ReviewedRow` per distinct text
(:func:`~rectrack.extractors.classify.upr_info.text_key`) with a filled review
cell. A cell counts as filled as :mod:`rectrack.extractors.tracker.labels` counts
it: when it holds at least one ``|``-separated label. The tracker has no
"none of this taxonomy" marker: an empty cell (or one of separators only)
means "not reviewed", and the run shows the model's labels.

Labels are checked against the taxonomy files: one that is not there (a
typo, an older wording) stops the load with every such cell of the file
listed, rather than being skipped: the analyst meant to teach that label,
and a correction that silently does not reach the model is worse than a
clear error. Case and spacing are forgiven ("torture" is the label "Torture").
``tracker.xlsx`` is not read: its edits reach ``tracker.csv`` on the next
``rectrack run``, which settles any difference between the two (see
:mod:`rectrack.extractors.views.workbook_edits`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from rectrack.extractors.classify.reviewed import SINGLE_LABEL, ReviewedRow, label_vocabularies
from rectrack.extractors.classify.taxonomies import TAXONOMY_DIR
from rectrack.extractors.classify.upr_info import text_key
from rectrack.extractors.errors import InvalidReview
from rectrack.extractors.tracker.columns import LABEL_TAXONOMIES
from rectrack.extractors.tracker.io import read_tracker
from rectrack.extractors.tracker.labels import review_column, split_labels

TRACKER_FILE = "tracker.csv"
# Where each taxonomy's spelling is written, for the error's next step.
_SPELT_IN = {"issues": "upr_info_issues.tsv", "themes": "uhri_themes.tsv", "groups": "uhri_groups.tsv",
             "sdgs": "sdgs.tsv (goal numbers 1-17)", "action_category": "action_categories.json (1-5)",
             "priority_areas": "priority_areas.toml"}
_SHOWN_PROBLEMS = 10


def load_reviewed(paths: Sequence[Path], taxonomies: Iterable[str] | None = None, *,
                  taxonomy_dir: Path = TAXONOMY_DIR) -> list[ReviewedRow]:
    """The reviewed labels of the trackers at ``paths`` (a ``tracker.csv`` or the folder holding one).

    Reads the ``reviewed_<taxonomy>`` cells of ``taxonomies`` (default: all
    six). Rows with no filled cell among them, or no text, are left out. When
    a text occurs more than once (in one tracker or several, read in the
    order given), each taxonomy takes its last filled cell. Returns the rows
    in the order their texts first appear, labels spelt as the taxonomy
    files spell them. Raises :class:`~rectrack.extractors.errors.InvalidReview`
    naming the file, its rows and labels when a label is not in its taxonomy
    (or an action category cell names more than one), and
    :class:`~rectrack.extractors.errors.InvalidTracker` for a file that is
    not a readable tracker.
    """
    wanted = tuple(LABEL_TAXONOMIES if taxonomies is None else taxonomies)
    unknown = [t for t in wanted if t not in LABEL_TAXONOMIES]
    if unknown:
        raise ValueError(f"unknown taxonomies {unknown}; choose among {list(LABEL_TAXONOMIES)}")
    vocabularies = label_vocabularies(taxonomy_dir)
    spellings = {t: {_normal(label): label for label in vocabularies[t]} for t in wanted}
    texts: dict[str, str] = {}
    labels: dict[str, dict[str, frozenset[str]]] = {}
    for path in paths:
        for text, cells in _reviewed_cells(_tracker_path(Path(path)), wanted, spellings, vocabularies):
            key = text_key(text)
            texts[key] = text
            labels.setdefault(key, {}).update(cells)
    return [ReviewedRow(texts[key], cells) for key, cells in labels.items()]


def _tracker_path(path: Path) -> Path:
    if path.is_dir():
        path = path / TRACKER_FILE
    if path.suffix.lower() == ".xlsx":
        raise InvalidReview(path, "is a workbook; reviewed labels are read from tracker.csv",
                            "run `rectrack run` with the same --out to bring the workbook's edits into "
                            "tracker.csv, then pass tracker.csv (or its folder)")
    if not path.is_file():
        raise InvalidReview(path, "no such file", "pass a tracker.csv written by `rectrack run`, or its folder")
    return path


def _reviewed_cells(path: Path, taxonomies: Sequence[str], spellings: dict[str, dict[str, str]],
                    vocabularies: dict[str, tuple[str, ...]]) -> list[tuple[str, dict[str, frozenset[str]]]]:
    """(text, taxonomy -> labels) of every row of ``path`` with a filled review cell; raises on bad labels."""
    tracker = read_tracker(path)
    columns = {t: tracker[review_column(t)].tolist() for t in taxonomies}
    rows, problems = [], []
    for index, (ident, text) in enumerate(zip(tracker["rec_id"], tracker["text"])):
        cells: dict[str, frozenset[str]] = {}
        for taxonomy in taxonomies:
            written = split_labels(columns[taxonomy][index])
            if not written:
                continue
            where = f"row {index + 2} (rec_id {ident}), {review_column(taxonomy)}"
            bad = [label for label in written if _normal(label) not in spellings[taxonomy]]
            problems.extend(f"{where}: {label!r}{_suggestion(label, vocabularies[taxonomy])}" for label in bad)
            if taxonomy in SINGLE_LABEL and len(written) > 1:
                problems.append(f"{where}: {len(written)} labels ({'|'.join(written)}) where one is expected")
            cells[taxonomy] = frozenset(spellings[taxonomy].get(_normal(label), label) for label in written)
        if cells and text.strip():
            rows.append((text, cells))
    if problems:
        shown = "; ".join(problems[:_SHOWN_PROBLEMS])
        more = f"; and {len(problems) - _SHOWN_PROBLEMS} more" if len(problems) > _SHOWN_PROBLEMS else ""
        files = ", ".join(f"{t}: {_SPELT_IN[t]}" for t in taxonomies)
        raise InvalidReview(path, f"{len(problems)} reviewed cell(s) cannot be used for training: {shown}{more}",
                            f"write each label as data/taxonomies/ spells it ({files}), or empty the cell; "
                            "then run `rectrack train` again")
    return rows


def _normal(label: str) -> str:
    return " ".join(label.split()).casefold()


def _suggestion(label: str, vocabulary: Sequence[str]) -> str:
    """What to add after an unknown label: the closest label of ``vocabulary``, if one is close."""
    match = process.extractOne(label, vocabulary, scorer=fuzz.WRatio, score_cutoff=80)
    return f" (did you mean {match[0]!r}?)" if match else " (not a label of this taxonomy)"
