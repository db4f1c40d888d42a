"""The output folder: documents, problems and labels tables beside the tracker, written safely.

:func:`update_outputs` is the whole "merge and write" stage: it reads the
previous tables from the output folder, merges this run's results into them
(:func:`rectrack.extractors.tracker.merge_tracker`), applies the positions of UPR
addenda (:mod:`rectrack.extractors.responses`), links the rows of one recommendation
and shares the analyst's edits among them (:mod:`rectrack.extractors.links`), groups the recommendations
asking the same of one country (:mod:`rectrack.extractors.grouping`) and writes ``tracker.csv``,
``groups.csv``, ``documents.csv``, ``problems.csv``, ``labels.csv`` and, once an addendum has
been seen, ``responses.csv`` (:func:`write_tables`), then the views ``tracker.xlsx`` and
``report.html`` (:mod:`rectrack.extractors.views`; edits saved in the workbook are read back
first, :mod:`rectrack.extractors.workbook_edits`). Every table is UTF-8 with BOM, ``\\n`` line ends, no
timestamps (same inputs, same bytes), and replaced atomically: a run killed
half-way leaves the previous file intact.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rectrack.extractors.classify.apply import (
    LABEL_COLUMNS, Predictions, given_labels_by_id, label_tracker, reviews_pending,
)
from rectrack.extractors.csv_files import escape_frame
from rectrack.extractors.errors import OutputError, RectrackError
from rectrack.extractors.files import atomic_write, stale_temporaries
from rectrack.extractors.grouping import group_tracker, groups_table
from rectrack.extractors.links import edits_pending, link_tracker, sync_edits
from rectrack.extractors.manifest import MANIFEST_FILE, manifest_matches, remove_manifest, write_manifest
from rectrack.extractors.records import DocumentResult, Problem, Status
from rectrack.extractors.responses import RESPONSE_COLUMNS, apply_responses, check_responses, responses_table
from rectrack.extractors.tracker import (
    build_tracker, conversion_problems, document_key, merge_tracker, migrate_rec_ids, natural_key, read_csv_strings,
    read_tracker, read_tracker_form,
)
from rectrack.extractors.views import problems_frame, views_current, write_views
from rectrack.extractors.workbook_edits import apply_workbook_edits

DOCUMENT_COLUMNS: tuple[str, ...] = (
    "document", "sha256", "status", "document_type", "body", "document_symbol",
    "country", "year", "pages", "recommendations", "detected_as", "problem", "missing",
)
PROBLEM_COLUMNS: tuple[str, ...] = ("document", "page", "kind", "reason", "action")
# Written by rectrack versions before 0.2 (the classifier's fingerprint); the manifest holds it now.
_OLD_CLASSIFIER_FILE = ".classifier"
MISSING_FILE = "source document not in the last run"
READ_STATUSES = frozenset({Status.OK, Status.PARTIAL})
# Every file a run writes into the output folder (for the temporaries a killed run left).
_WRITTEN = ("*.csv", "tracker.xlsx", "report.html", ".rectrack-*.json")


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What one run did, for the log and the run's report."""

    out_dir: str
    by_status: tuple[tuple[str, int], ...]
    recommendations: int
    problems: int
    tracker_rows: int
    missing_rows: int

    @property
    def documents(self) -> int:
        return sum(count for _, count in self.by_status)

    def as_text(self) -> str:
        """A one-line summary for the log."""
        statuses = ", ".join(f"{status} {count}" for status, count in self.by_status)
        return (f"{self.documents} documents ({statuses}), {self.recommendations} recommendations, "
                f"{self.problems} problems; tracker: {self.tracker_rows} rows "
                f"({self.missing_rows} without a source in this run) in {self.out_dir}")

    def as_markdown(self) -> str:
        """A short Markdown report of the run."""
        statuses = "\n".join(f"| {status} | {count} |" for status, count in self.by_status)
        return (
            f"# rectrack run\n\n{self.documents} documents, {self.recommendations} "
            f"recommendations, {self.problems} problems.\n\n| status | documents |\n"
            f"|---|---|\n{statuses}\n\nTracker: {self.tracker_rows} rows "
            f"({self.missing_rows} kept from earlier runs without a source) in "
            f"`{self.out_dir}`.\n"
        )


def with_document_name(result: DocumentResult, name: str) -> DocumentResult:
    """``result`` relabelled as coming from ``name`` (a cached result of a moved or copied file)."""
    if result.document == name:
        return result
    problems = tuple(dataclasses.replace(p, document=name) for p in result.problems)
    return dataclasses.replace(result, document=name, problems=problems)


def drop_duplicate_documents(results: Sequence[DocumentResult]) -> list[DocumentResult]:
    """Copies of one document reduced to the first by name.

    Copies are files with the same sha256, or documents with recommendations
    and the same UN symbol (two downloads of one report whose bytes differ:
    their rec_ids are the same, :func:`~rectrack.extractors.tracker.document_key`;
    addenda, which hold positions only, are compared by
    :mod:`rectrack.extractors.responses` instead). The other
    copies become ``skipped`` results without recommendations and with a
    problem naming the copy that was kept, so IDs never repeat. Returns the
    results sorted by document name.
    """
    kept: dict[str, str] = {}
    out = []
    for result in sorted(results, key=lambda r: natural_key(r.document)):
        symbol = result.info.symbol if result.info and result.recommendations else ""
        first = kept.setdefault(result.sha256, result.document)
        if symbol and first == result.document:
            first = kept.setdefault(document_key(result.sha256, symbol), result.document)
        if first == result.document or not result.sha256:  # no content hash: a file never read
            out.append(result)
            continue
        same = "same content" if kept.get(result.sha256) != result.document else f"same UN document ({symbol})"
        problem = Problem(document=result.document, kind="duplicate",
                          reason=f"{same} as {first}",
                          action=f"nothing to do: its recommendations are listed under {first}; "
                                 "delete one of the copies to silence this")
        out.append(dataclasses.replace(result, status=Status.SKIPPED, recommendations=(),
                                       problems=(problem,)))
    return out


def _problem_cell(problems: Sequence[Problem]) -> str:
    if not problems:
        return ""
    first = f"{problems[0].reason}; {problems[0].action}"
    more = len(problems) - 1
    return first + (f" (+{more} more in problems.csv)" if more else "")


def _document_row(result: DocumentResult) -> dict[str, str]:
    info = result.info
    return {
        "document": result.document, "sha256": result.sha256, "status": result.status.value,
        "document_type": info.document_type.value if info else "",
        "body": info.body if info else "", "document_symbol": info.symbol if info else "",
        "country": info.country if info else "", "year": info.year if info else "",
        "pages": str(result.pages), "recommendations": str(len(result.recommendations)),
        "detected_as": info.reason if info else "",
        "problem": _problem_cell(result.problems), "missing": "",
    }


def documents_table(results: Sequence[DocumentResult], previous: pd.DataFrame | None) -> pd.DataFrame:
    """One row per input file of this run, plus earlier files not in it (``missing`` set).

    Sorted by document name in natural order.
    """
    frame = pd.DataFrame([_document_row(r) for r in results], columns=list(DOCUMENT_COLUMNS),
                         dtype=str)
    if previous is not None and len(previous):
        earlier = previous[~previous["document"].isin(set(frame["document"]))].copy()
        earlier["missing"] = MISSING_FILE
        frame = pd.concat([frame, earlier[list(DOCUMENT_COLUMNS)]], ignore_index=True)
    order = sorted(range(len(frame)), key=lambda i: natural_key(frame["document"].iat[i]))
    return frame.iloc[order].reset_index(drop=True)


def problems_table(results: Sequence[DocumentResult], merge_problems: Sequence[Problem] = ()) -> pd.DataFrame:
    """Every problem of this run, by document then in the order found, then those of the merge."""
    found = [p for r in results for p in r.problems] + list(merge_problems)
    rows = [
        {"document": p.document, "page": "" if p.page is None else str(p.page),
         "kind": p.kind, "reason": p.reason, "action": p.action}
        for p in found
    ]
    return pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS), dtype=str)


def read_table(path: Path, columns: Sequence[str]) -> pd.DataFrame | None:
    """A previous output table as strings (absent columns added empty), or None if no file."""
    if not path.exists():
        return None
    frame = read_csv_strings(path, OutputError, "restore it from a backup, or move it away: rectrack then "
                                                "writes a new one (this table holds no analyst edits)")
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    return frame


def _any_return(values: pd.Series) -> bool:
    """Whether a text column has a carriage return anywhere (one C-level scan when every cell is text)."""
    try:
        return "\r" in "".join(values.tolist())
    except TypeError:           # some cell is not text (NaN, a number): look cell by cell
        return bool(values.str.contains("\r", regex=False, na=False).any())


def _without_carriage_returns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``\r\n`` and ``\r`` in text cells made ``\n`` (copied only if some cell has one)."""
    clean = frame
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)) or not _any_return(values):
            continue
        has_return = values.str.contains("\r", regex=False, na=False).astype(bool)
        if clean is frame:
            clean = frame.copy()
        clean.loc[has_return, column] = (values[has_return].str.replace("\r\n", "\n", regex=False)
                                         .str.replace("\r", "\n", regex=False))
    return clean


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as UTF-8-with-BOM CSV, replacing the file atomically.

    Carriage returns inside cells become ``\\n`` (the line terminator is
    ``\\n``, so a bare ``\\r`` would not be quoted and would split the row).
    Cells and column names a spreadsheet would run as formulas get a leading
    ``'`` (:func:`rectrack.extractors.csv_files.escape_frame`); rectrack's
    readers remove it again.
    On any failure the temporary file is removed and ``path`` is unchanged.
    """
    clean = escape_frame(_without_carriage_returns(frame))
    try:
        with atomic_write(path, encoding="utf-8-sig") as handle:
            clean.to_csv(handle, index=False, lineterminator="\n")
    except PermissionError as error:
        raise OutputError(path, f"cannot be replaced ({error.strerror})",
                          "close it if it is open in a spreadsheet, then re-run; "
                          "the previous file is unchanged") from error


def write_tables(out_dir: Path, tracker: pd.DataFrame, documents: pd.DataFrame,
                 problems: pd.DataFrame, labels: pd.DataFrame,
                 responses: pd.DataFrame | None = None, classifier: str = "",
                 groups: pd.DataFrame | None = None) -> None:
    """Write the output tables into ``out_dir`` (created if needed) as one set: tracker, views, then the manifest.

    After ``tracker.csv`` come its views, ``tracker.xlsx`` and ``report.html``
    (:mod:`rectrack.extractors.views`); a workbook open in Excel is not
    replaced, and ``problems.csv`` is written again with a row saying so.

    ``responses.csv`` is written only when ``responses`` is given, ``groups.csv``
    only when ``groups`` is;
    ``classifier`` (the fingerprint of the model that labelled them) goes into
    the manifest (:mod:`rectrack.extractors.manifest`), which is removed before
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
              *((("groups.csv", groups),) if groups is not None else ()), ("tracker.csv", tracker))
    with _writing(out_dir / MANIFEST_FILE):
        remove_manifest(out_dir)
        for stale in stale_temporaries(out_dir, _WRITTEN):     # left by a run killed while writing
            stale.unlink(missing_ok=True)
    for name, frame in tables:
        with _writing(out_dir / name):
            write_csv_atomic(frame, out_dir / name)
    with _writing(out_dir / "tracker.xlsx"):        # and report.html: the views of the tables, before the manifest
        late = write_views(out_dir, tracker, documents, problems)
    if late:                                         # the workbook is open in Excel: say so in problems.csv
        with _writing(out_dir / "problems.csv"):
            write_csv_atomic(pd.concat([problems, problems_frame(late, list(problems.columns))], ignore_index=True),
                             out_dir / "problems.csv")
    with _writing(out_dir / MANIFEST_FILE):
        write_manifest(out_dir, [name for name, _ in tables], classifier)
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
    text, see :mod:`rectrack.extractors.classify.apply`) fill the label columns and
    ``labels.csv``; None leaves the model's part empty (matrix and analyst
    labels still apply). ``run_problems`` are added to ``problems.csv``
    (e.g. no classifier); ``classifier`` is the fingerprint of the model
    that made ``predictions``, kept in the manifest for
    :func:`unchanged_summary`. A previous tracker a spreadsheet re-saved (``;``,
    Windows-1252...) is read with every column and written back in rectrack's
    form, with a ``problems.csv`` row saying so; rec_ids of rectrack 0.1 are
    migrated (:func:`~rectrack.extractors.tracker.migrate_rec_ids`). Raises
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
    grouping = group_tracker(tracker, _previous_groups(previous))
    tracker["follow_up_group"] = grouping.groups
    merge_problems = [*merge_problems, *links.problems, *sync_problems, *grouping.problems]
    documents = documents_table(results, read_table(out_dir / "documents.csv", DOCUMENT_COLUMNS))
    problems = problems_table(results, [*workbook_problems, *merge_problems, *run_problems])
    tracker, labels = label_tracker(tracker, predictions, given_labels_by_id(read_ok),
                                    read_table(out_dir / "labels.csv", LABEL_COLUMNS))
    # responses.csv only once some addendum was seen: outputs of runs without one stay as they were.
    keep = bool(len(responses)) or (out_dir / "responses.csv").exists()
    write_tables(out_dir, tracker, documents, problems, labels, responses if keep else None, classifier,
                 groups_table(tracker))
    by_status = Counter(r.status.value for r in results)
    return RunSummary(
        out_dir=str(out_dir),
        by_status=tuple(sorted(by_status.items())),
        recommendations=sum(len(r.recommendations) for r in results),
        problems=len(problems),
        tracker_rows=len(tracker),
        missing_rows=int((tracker["missing"] != "").sum()),
    )


def unchanged_summary(out_dir: Path, files: dict[str, str], classifier: str = "") -> RunSummary | None:
    """The summary of the last run if ``files`` (document -> sha256) are exactly its inputs.

    When every input file is the one the last run read (same name, same
    content), the classifier is the same (fingerprint ``classifier``), no
    analyst review or edit of a linked row waits to be applied and the tables
    are the complete set the last run wrote (its manifest matches them),
    writing again would give the same bytes: the caller can skip the merge.
    Returns None when anything differs, a table is missing or changed, the
    last run was killed before its manifest, or a table cannot be read.
    """
    paths = {name: out_dir / f"{name}.csv" for name in ("tracker", "documents", "problems", "labels")}
    if not manifest_matches(out_dir, classifier, [path.name for path in paths.values()]) or not views_current(out_dir):
        return None
    try:
        documents = read_table(paths["documents"], DOCUMENT_COLUMNS)
        problems = read_table(paths["problems"], PROBLEM_COLUMNS)
        tracker = read_tracker(paths["tracker"])
    except RectrackError:
        return None
    if (documents["document_type"] == "upr_addendum").any() and not (out_dir / "responses.csv").exists():
        return None
    if not (out_dir / "groups.csv").exists():      # outputs of a version before follow-up groups
        return None
    if reviews_pending(tracker) or edits_pending(tracker):
        return None
    present = documents[documents["missing"] == ""]
    if dict(zip(present["document"], present["sha256"])) != files or len(present) != len(files):
        return None
    return RunSummary(
        out_dir=str(out_dir),
        by_status=tuple(sorted(Counter(present["status"]).items())),
        recommendations=int(pd.to_numeric(present["recommendations"], errors="coerce").fillna(0).sum()),
        problems=len(problems),
        tracker_rows=len(tracker),
        missing_rows=int((tracker["missing"] != "").sum()),
    )
