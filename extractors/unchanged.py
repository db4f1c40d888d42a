"""Whether a run would write the tables it finds, from the manifest alone (no pandas, no table read).

A run records beside its manifest the facts a later run needs to decide that nothing changed
(:func:`table_facts`): each present document's sha256, the counts of its summary, whether a review or
an edit of a linked row waits, whether the tracker still has rec_ids of the old scheme. The
manifest is trusted only when every table it lists has the bytes it recorded, so the facts are
those of the tables as they are: the tracker an analyst edited since, or a table a run killed
half-way, has other bytes and the run merges as usual. Outputs of a version that wrote no facts
are read with pandas once (:func:`rectrack.extractors.outputs.facts_from_tables`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rectrack.extractors.records import RunSummary
from rectrack.extractors.tracker.manifest import lists_as_written, matching_manifest
from rectrack.extractors.views.workbook_record import workbook_current

REPORT_FILE = "report.html"
REQUIRED = ("tracker.csv", "documents.csv", "problems.csv", "labels.csv")


def views_current(out_dir: Path) -> bool:
    """Whether both views are there and the workbook is what rectrack wrote from the current ``tracker.csv``."""
    return (out_dir / REPORT_FILE).is_file() and workbook_current(out_dir)


def tracker_as_written(out_dir: Path) -> bool:
    """Whether ``tracker.csv`` has the bytes the last complete run wrote (so it is in rectrack's own form)."""
    return lists_as_written(out_dir, "tracker.csv")


def table_facts(documents: list[dict[str, str]], problems: int, tracker_rows: int, missing_rows: int,
                pending: bool, legacy_ids: bool) -> dict:
    """The facts :func:`unchanged_summary` reads, from the rows of ``documents.csv`` (as strings) and counts."""
    present = [row for row in documents if row["missing"] == ""]
    return {
        "documents": {row["document"]: row["sha256"] for row in present},
        "present": len(present),
        "by_status": dict(sorted(Counter(row["status"] for row in present).items())),
        "recommendations": sum(int(row["recommendations"]) for row in present
                               if str(row["recommendations"]).strip().lstrip("-").isdigit()),
        "addendum": any(row["document_type"] == "upr_addendum" for row in documents),
        "problems": problems,
        "tracker_rows": tracker_rows,
        "missing_rows": missing_rows,
        "pending": pending,
        "legacy_ids": legacy_ids,
    }


def unchanged_summary(out_dir: Path, files: dict[str, str], classifier: str = "") -> RunSummary | None:
    """The summary of the last run if ``files`` (document -> sha256) are exactly its inputs.

    When every input file is the one the last run read (same name, same
    content), the classifier is the same (fingerprint ``classifier``), no
    analyst review or edit of a linked row waits to be applied, the tracker has
    no rec_id of the old scheme and the tables are the complete set the last run
    wrote (its manifest matches them), writing again would give the same bytes:
    the caller can skip the merge. Returns None when anything differs, a table
    is missing or changed, the last run was killed before its manifest, or a
    table cannot be read.
    """
    record = matching_manifest(out_dir, classifier, REQUIRED)
    if record is None or not views_current(out_dir):
        return None
    facts = record.get("facts")
    if not isinstance(facts, dict):
        from rectrack.extractors.outputs import facts_from_tables     # outputs of a version without facts

        facts = facts_from_tables(out_dir)
    try:
        if facts is None or facts["pending"] or facts["legacy_ids"]:
            return None
        if facts["addendum"] and not (out_dir / "responses.csv").exists():
            return None
        if not (out_dir / "groups.csv").exists():      # outputs of a version before follow-up groups
            return None
        if dict(facts["documents"]) != files or facts["present"] != len(files):
            return None
        by_status = tuple(sorted((str(status), int(count)) for status, count in facts["by_status"].items()))
        return RunSummary(out_dir=str(out_dir), by_status=by_status,
                          recommendations=int(facts["recommendations"]), problems=int(facts["problems"]),
                          tracker_rows=int(facts["tracker_rows"]), missing_rows=int(facts["missing_rows"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
