"""Every table's header, in one place: the tracker contract and its companions' columns.

Tracker columns (:data:`COLUMNS`) follow the tracker contract in ``DESIGN.md``: the 18
pipeline columns ``rec_id`` ... ``priority_areas``, then the analyst columns
``status``, ``responsible``, ``notes`` and ``reviewed_issues`` ...
``reviewed_priority_areas`` (:data:`ANALYST_COLUMNS`; a filled review cell
replaces the labels of its taxonomy, see :mod:`rectrack.extractors.tracker.labels`)
and ``reviewed_group`` (the analyst's follow-up group, see :mod:`rectrack.extractors.tracker.grouping`),
then columns the contract does not name: ``recommendation_key`` and ``same_as``
(one identity for the rows of one recommendation, see :mod:`rectrack.extractors.tracker.links`),
``follow_up_group`` (recommendations asking the same of one country),
``evidence_count``, ``latest_evidence``, ``reported_progress`` (what later documents say became of it,
see :mod:`rectrack.extractors.tracker.evidence`),
``source``, ``heading``, ``context`` ... (from
:class:`~rectrack.extractors.records.Recommendation`), ``missing`` (why a row kept
from an earlier run has no source in the last one; empty otherwise) and
``synced_edits`` (what :mod:`rectrack.extractors.tracker.links` last wrote in the analyst
columns of a linked row). Columns an analyst adds to ``tracker.csv`` are kept after those, in their order.

The pipeline owns every column except the analyst columns and the analyst's
own columns: those are carried over by ``rec_id`` on every run and never
written by the pipeline. All cells are strings; multi-valued cells are
``|``-joined (:data:`MULTI_SEPARATOR`).
"""

from __future__ import annotations

import pandas as pd

PIPELINE_COLUMNS: tuple[str, ...] = (
    "rec_id", "document", "document_symbol", "document_type", "body", "country",
    "year", "paragraph", "page", "text", "recommending_states", "position",
    "issues", "themes", "groups", "sdgs", "action_category", "priority_areas",
)
LABEL_TAXONOMIES: tuple[str, ...] = PIPELINE_COLUMNS[-6:]    # issues ... priority_areas
# An analyst's own labels: a filled cell replaces the taxonomy's column (see tracker.labels).
REVIEW_COLUMNS: tuple[str, ...] = tuple(f"reviewed_{taxonomy}" for taxonomy in LABEL_TAXONOMIES)
# reviewed_group: the analyst's follow-up group for the row (a group id or "new"), see tracker.grouping.
GROUP_REVIEW_COLUMN = "reviewed_group"
ANALYST_COLUMNS: tuple[str, ...] = ("status", "responsible", "notes") + REVIEW_COLUMNS + (GROUP_REVIEW_COLUMN,)
# What a tracker read back must have; the review columns came later and are added if absent.
CONTRACT_COLUMNS: tuple[str, ...] = PIPELINE_COLUMNS + ANALYST_COLUMNS[:3]
EXTRA_COLUMNS: tuple[str, ...] = (
    "recommendation_key", "same_as", "follow_up_group", "evidence_count", "latest_evidence", "reported_progress",
    "source", "heading", "context", "addressee", "follow_up", "response", "position_source", "missing",
    "synced_edits")
# Written by tracker.links on the rows of one recommendation; carried from the last run like the analyst's.
SYNC_COLUMN = "synced_edits"
COLUMNS: tuple[str, ...] = PIPELINE_COLUMNS + ANALYST_COLUMNS + EXTRA_COLUMNS
MULTI_SEPARATOR = "|"

# documents.csv, problems.csv, labels.csv, responses.csv, groups.csv
DOCUMENT_COLUMNS: tuple[str, ...] = (
    "document", "sha256", "status", "document_type", "body", "document_symbol",
    "country", "year", "pages", "recommendations", "detected_as", "problem", "missing",
)
PROBLEM_COLUMNS: tuple[str, ...] = ("document", "page", "kind", "reason", "action")
LABEL_COLUMNS: tuple[str, ...] = ("rec_id", "taxonomy", "label", "score", "source")
RESPONSE_COLUMNS: tuple[str, ...] = ("report_symbol", "paragraph", "position", "response", "source", "document")
# evidence.csv: one row per (recommendation, evidence paragraph), see tracker.evidence.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "evidence_id", "rec_id", "country", "link", "score", "linked_by", "cited_as", "evidence_document",
    "evidence_symbol", "evidence_type", "evidence_year", "paragraph", "page", "heading", "text", "speaker",
    "reviewed_link")
GROUP_COLUMNS: tuple[str, ...] = (
    "follow_up_group", "country", "representative_text", "recommendations", "first_year", "latest_year",
    "first_document", "latest_document", "made_by", "bodies", "latest_position")


def order_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """:data:`COLUMNS` first, then any analyst-added columns in their order."""
    extra = [c for c in frame.columns if c not in COLUMNS]
    return frame[list(COLUMNS) + extra]
