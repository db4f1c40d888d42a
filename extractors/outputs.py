"""Merge -> write: the output folder's tables and views, from this run's results and the last run's tables.

:func:`update_outputs` is the whole "merge and write" stage: it reads the
previous tables from the output folder, merges this run's results into them
(:func:`rectrack.extractors.tracker.merge.merge_tracker`), applies the positions of UPR
addenda (:mod:`rectrack.extractors.tracker.responses`), links the rows of one recommendation
and shares the analyst's edits among them (:mod:`rectrack.extractors.tracker.links`), groups the
recommendations asking the same of one country (:mod:`rectrack.extractors.tracker.grouping`), labels
them (:mod:`rectrack.extractors.tracker.labels`) and writes ``tracker.csv``, ``groups.csv``,
``documents.csv``, ``problems.csv``, ``labels.csv`` and, once an addendum has been seen,
``responses.csv`` (:func:`write_tables`), then the views ``tracker.xlsx`` and ``report.html``
(:func:`write_views`; edits saved in the workbook are read back first,
:mod:`rectrack.extractors.views.workbook_edits`). Every table is UTF-8 with BOM, ``
`` line ends,
no timestamps (same inputs, same bytes), and replaced atomically: a run killed half-way leaves the
previous file intact, and the manifest (:mod:`rectrack.extractors.tracker.manifest`) tells the next
run whether the set is whole. :func:`unchanged_summary` lets a run where nothing changed skip it all.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from rectrack.extractors.errors import OutputError, RectrackError
from rectrack.extractors.files import stale_temporaries, write_text_atomic
from rectrack.extractors.records import DocumentResult, Problem, RunSummary, Status
from rectrack.extractors.tracker.columns import (
    DOCUMENT_COLUMNS, EVIDENCE_COLUMNS, LABEL_COLUMNS, PROBLEM_COLUMNS, RESPONSE_COLUMNS,
)
from rectrack.extractors.tracker.evidence import evidence_columns, link_evidence
from rectrack.extractors.tracker.grouping import group_tracker, groups_table
from rectrack.extractors.tracker.identity import has_legacy_ids, migrate_rec_ids
from rectrack.extractors.tracker.io import (
    conversion_problems,
    read_table,
    read_tracker,
    read_tracker_form,
    write_csv_atomic,
)
from rectrack.extractors.tracker.labels import Predictions, given_labels_by_id, label_tracker, reviews_pending
from rectrack.extractors.tracker.links import edits_pending, link_tracker, sync_edits
from rectrack.extractors.tracker.manifest import MANIFEST_FILE, remove_manifest, write_manifest
from rectrack.extractors.tracker.merge import build_tracker, merge_tracker
from rectrack.extractors.unchanged import REPORT_FILE, table_facts, unchanged_summary, views_current  # noqa: F401
from rectrack.extractors.tracker.responses import apply_responses, check_responses, responses_table
from rectrack.extractors.tracker.tables import documents_table, drop_duplicate_documents, problems_frame, problems_table
from rectrack.extractors.views.report import report_html
from rectrack.extractors.views.summaries import read_groups
from rectrack.extractors.views.workbook import write_workbook
from rectrack.extractors.views.workbook_edits import apply_workbook_edits

# The follow-up clusterings of the last run, by country: a cache (losing it costs one clustering of each country).
GROUPING_MEMO_FILE = ".rectrack-groups.json"
_MEMO_VERSION = 1
# Written by rectrack versions before 0.2 (the classifier's fingerprint); the manifest holds it now.
_OLD_CLASSIFIER_FILE = ".classifier"
READ_STATUSES = frozenset({Status.OK, Status.PARTIAL})
# Every file a run writes into the output folder (for the temporaries a killed run left).
_WRITTEN = ("*.csv", "tracker.xlsx", REPORT_FILE, ".rectrack-*.json")


def write_views(out_dir: Path, tracker: pd.DataFrame, documents: pd.DataFrame,
                problems: pd.DataFrame, evidence: pd.DataFrame | None = None) -> list[Problem]:
    """Write ``tracker.xlsx`` then ``report.html`` into ``out_dir``; ``tracker.csv`` must be written already.

    Returns the problems to add to ``problems.csv`` (the workbook is open in a
    spreadsheet and could not be replaced); the report lists them too.
    Raises ``OSError`` when a file cannot be written for another reason.
    """
    groups = read_groups(out_dir, tracker)
    late = [problem for problem in (write_workbook(out_dir, tracker, groups, evidence),) if problem is not None]
    shown = problems
    if late:
        shown = pd.concat([problems, problems_frame(late, list(problems.columns))], ignore_index=True)
    write_text_atomic(out_dir / REPORT_FILE, report_html(tracker, documents, shown, groups, evidence))
    return late


def write_tables(out_dir: Path, tracker: pd.DataFrame, documents: pd.DataFrame,
                 problems: pd.DataFrame, labels: pd.DataFrame,
                 responses: pd.DataFrame | None = None, classifier: str = "",
                 groups: pd.DataFrame | None = None, evidence: pd.DataFrame | None = None) -> None:
    """Write the output tables into ``out_dir`` (created if needed) as one set: tracker, views, then the manifest.

    After ``tracker.csv`` come its views, ``tracker.xlsx`` and ``report.html``
    (:mod:`rectrack.extractors.outputs`); a workbook open in Excel is not
    replaced, and ``problems.csv`` is written again with a row saying so.

    ``responses.csv`` is written only when ``responses`` is given, ``groups.csv``
    only when ``groups`` is;
    ``classifier`` (the fingerprint of the model that labelled them) goes into
    the manifest (:mod:`rectrack.extractors.tracker.manifest`), which is removed before
    the first table is replaced and written after the last.

    Raises :class:`OutputError` when the folder cannot be created or a file
    cannot be written; files already replaced stay replaced, the others keep
    their previous content, and with no manifest the next run writes the whole
    set again.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(out_dir, f"output folder cannot be created ({error.strerror})",
                          "choose another folder with --out") from error
    tables = (("documents.csv", documents), ("problems.csv", problems), ("labels.csv", labels),
              *((("responses.csv", responses),) if responses is not None else ()),
              *((("groups.csv", groups),) if groups is not None else ()),
              *((("evidence.csv", evidence),) if evidence is not None else ()), ("tracker.csv", tracker))
    with _writing(out_dir / MANIFEST_FILE):
        remove_manifest(out_dir)
        for stale in stale_temporaries(out_dir, _WRITTEN):     # left by a run killed while writing
            stale.unlink(missing_ok=True)
    for name, frame in tables:
        with _writing(out_dir / name):
            write_csv_atomic(frame, out_dir / name)
    with _writing(out_dir / "tracker.xlsx"):        # and report.html: the views of the tables, before the manifest
        late = write_views(out_dir, tracker, documents, problems, evidence)
    if late:                                         # the workbook is open in Excel: say so in problems.csv
        problems = pd.concat([problems, problems_frame(late, list(problems.columns))], ignore_index=True)
        with _writing(out_dir / "problems.csv"):
            write_csv_atomic(problems, out_dir / "problems.csv")
    facts = _facts(read_table(out_dir / "documents.csv", DOCUMENT_COLUMNS), len(problems), tracker)
    with _writing(out_dir / MANIFEST_FILE):
        write_manifest(out_dir, [name for name, _ in tables], classifier, facts)
        (out_dir / _OLD_CLASSIFIER_FILE).unlink(missing_ok=True)


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` while writing ``path`` into an :class:`OutputError` naming it."""
    try:
        yield
    except OSError as error:
        raise OutputError(path, f"cannot be written ({error.strerror})",
                          "check the folder is writable and the disk not full, "
                          "or choose another folder with --out") from error


def _previous_responses(out_dir: Path) -> pd.DataFrame | None:
    """The positions of earlier runs' addenda (``responses.csv``), checked; None if none yet."""
    path = out_dir / "responses.csv"
    frame = read_table(path, RESPONSE_COLUMNS)
    if frame is not None:
        check_responses(path, frame)
    return frame


def _grouping_memo(out_dir: Path) -> dict[str, list[int]]:
    """The last run's clusterings by country (:class:`~rectrack.extractors.tracker.grouping.Grouping`'s memo);
    empty when there is none or it cannot be read: every country is then clustered again."""
    try:
        record = json.loads((out_dir / GROUPING_MEMO_FILE).read_text(encoding="utf-8"))
        countries = record["countries"] if record.get("version") == _MEMO_VERSION else {}
        return {key: labels for key, labels in countries.items()
                if isinstance(labels, list) and all(isinstance(label, int) for label in labels)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _previous_groups(previous: pd.DataFrame | None) -> dict[str, str]:
    """rec_id -> follow_up_group of the previous tracker (empty when none): what keeps group ids stable."""
    if previous is None:
        return {}
    return dict(zip(previous["rec_id"], previous["follow_up_group"]))


def update_outputs(out_dir: Path, results: Sequence[DocumentResult],
                   predictions: Predictions | None = None, run_problems: Sequence[Problem] = (),
                   classifier: str = "") -> RunSummary:
    """Merge this run's results into the tables in ``out_dir`` and write them.

    Documents that were not read this run (absent or unreadable) keep their
    tracker rows, marked missing; addenda that were not read keep their
    positions in ``responses.csv``. ``predictions`` (labels by recommendation
    text, see :mod:`rectrack.extractors.tracker.labels`) fill the label columns and
    ``labels.csv``; None leaves the model's part empty (matrix and analyst
    labels still apply). ``run_problems`` are added to ``problems.csv``
    (e.g. no classifier); ``classifier`` is the fingerprint of the model
    that made ``predictions``, kept in the manifest for
    :func:`unchanged_summary`. A previous tracker a spreadsheet re-saved (``;``,
    Windows-1252...) is read with every column and written back in rectrack's
    form, with a ``problems.csv`` row saying so; rec_ids of rectrack 0.1 are
    migrated (:func:`~rectrack.extractors.tracker.identity.migrate_rec_ids`). Raises
    :class:`~rectrack.extractors.errors.InvalidTracker` if the previous
    ``tracker.csv`` is broken and :class:`OutputError` if the previous
    ``responses.csv`` is (nothing is written then) or the folder cannot be
    written.
    """
    results = drop_duplicate_documents(results)
    tracker_path = out_dir / "tracker.csv"
    previous, form = read_tracker_form(tracker_path) if tracker_path.exists() else (None, None)
    previous, workbook_problems = apply_workbook_edits(out_dir, previous)
    read_ok = [r for r in results if r.status in READ_STATUSES]
    if previous is not None:
        previous = migrate_rec_ids(previous, read_ok)
        run_problems = [*conversion_problems(tracker_path, form, previous), *run_problems]
    processed = {r.document for r in read_ok}
    tracker = merge_tracker(previous, build_tracker(read_ok), processed)
    responses = responses_table(read_ok, _previous_responses(out_dir), processed)
    tracker, merge_problems = apply_responses(tracker, responses)
    links = link_tracker(tracker)
    tracker, sync_problems = sync_edits(tracker, links)
    grouping = group_tracker(tracker, _previous_groups(previous), memo=_grouping_memo(out_dir))
    tracker["follow_up_group"] = grouping.groups
    evidence_path = out_dir / "evidence.csv"
    evidence = link_evidence(tracker, read_ok, read_table(evidence_path, EVIDENCE_COLUMNS)
                             if evidence_path.exists() else None, processed)
    for column, values in evidence_columns(tracker, evidence.table).items():
        tracker[column] = values
    merge_problems = [*merge_problems, *links.problems, *sync_problems, *grouping.problems, *evidence.problems]
    documents = documents_table(results, read_table(out_dir / "documents.csv", DOCUMENT_COLUMNS))
    problems = problems_table(results, [*workbook_problems, *merge_problems, *run_problems])
    # The earlier labels.csv (~25 rows a recommendation) only matters for rows kept from earlier runs.
    kept_rows = bool((tracker["missing"] != "").any())
    earlier_labels = read_table(out_dir / "labels.csv", LABEL_COLUMNS) if kept_rows else None
    tracker, labels = label_tracker(tracker, predictions, given_labels_by_id(read_ok), earlier_labels)
    # responses.csv only once some addendum was seen: outputs of runs without one stay as they were.
    keep = bool(len(responses)) or (out_dir / "responses.csv").exists()
    # evidence.csv only once some later document gave evidence, as responses.csv.
    keep_evidence = bool(len(evidence.table)) or evidence_path.exists()
    write_tables(out_dir, tracker, documents, problems, labels, responses if keep else None, classifier,
                 groups_table(tracker), evidence.table if keep_evidence else None)
    with _writing(out_dir / GROUPING_MEMO_FILE):
        memo = json.dumps({"version": _MEMO_VERSION, "countries": grouping.memo})
        write_text_atomic(out_dir / GROUPING_MEMO_FILE, memo, durable=False)
    by_status = Counter(r.status.value for r in results)
    return RunSummary(
        out_dir=str(out_dir),
        by_status=tuple(sorted(by_status.items())),
        recommendations=sum(len(r.recommendations) for r in results),
        problems=len(problems),
        tracker_rows=len(tracker),
        missing_rows=int((tracker["missing"] != "").sum()),
    )


def facts_from_tables(out_dir: Path) -> dict | None:
    """The facts of :func:`~rectrack.extractors.unchanged.table_facts` read from the tables themselves
    (outputs of a version whose manifest has none); None when one cannot be read."""
    try:
        documents = read_table(out_dir / "documents.csv", DOCUMENT_COLUMNS)
        problems = read_table(out_dir / "problems.csv", PROBLEM_COLUMNS)
        tracker = read_tracker(out_dir / "tracker.csv")
    except RectrackError:
        return None
    return _facts(documents, len(problems), tracker)


def _facts(documents: pd.DataFrame, problems: int, tracker: pd.DataFrame) -> dict:
    return table_facts(documents.astype(str).to_dict("records"), problems, len(tracker),
                       int((tracker["missing"] != "").sum()),
                       reviews_pending(tracker) or edits_pending(tracker), has_legacy_ids(tracker))
