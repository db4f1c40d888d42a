"""Segmenters: one module per document family, chosen by the detected type.

A segmenter is a function ``(Document, DocumentInfo) -> Segmented``. Each family has a folder
(``upr/``, ``un/``, ``compilation/``, ``matrix/``, ``prose/``); adding a family means writing one module
(or folder) and adding one entry to :data:`SEGMENTERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from rectrack.extractors.records import (
    Document, DocumentInfo, DocumentType, EvidenceParagraph, PositionUpdate, Problem, Recommendation,
)


@dataclass(frozen=True, slots=True)
class Segmented:
    """What a segmenter found: recommendations, and passages it could not handle.

    ``problems`` carry an empty ``document``; the pipeline fills it in.
    """

    recommendations: tuple[Recommendation, ...] = ()
    problems: tuple[Problem, ...] = ()
    position_updates: tuple[PositionUpdate, ...] = ()
    evidence: tuple[EvidenceParagraph, ...] = ()


Segmenter = Callable[[Document, DocumentInfo], Segmented]


# Family -> "module:function" under rectrack.extractors.segment, imported on first use.
SEGMENTERS: dict[DocumentType, str] = {
    DocumentType.UPR_REPORT: "upr.report:segment_upr_report",
    DocumentType.UN_COMPILATION: "compilation.segmenter:segment_compilation",
    DocumentType.STAKEHOLDER_SUMMARY: "compilation.segmenter:segment_stakeholder_summary",
    DocumentType.TREATY_BODY_OBSERVATIONS: "un.treaty_body:segment_treaty_body",
    DocumentType.SPECIAL_PROCEDURE_REPORT: "un.special_procedure:segment_special_procedure",
    DocumentType.UPR_ADDENDUM: "upr.addendum:segment_upr_addendum",
    DocumentType.RECOMMENDATIONS_MATRIX: "matrix.segmenter:segment_matrix",
    DocumentType.CIVIL_SOCIETY_REPORT: "prose.civil_society:segment_civil_society",
    DocumentType.NATIONAL_REPORT: "upr.national:segment_national_report",
}


def segmenter_for(document_type: DocumentType) -> Segmenter | None:
    """The segmenter registered for ``document_type``, or None."""
    target = SEGMENTERS.get(document_type)
    if target is None:
        return None
    module, _, function = target.partition(":")
    return getattr(import_module(f"rectrack.extractors.segment.{module}"), function)


def segment_document(document: Document, info: DocumentInfo) -> Segmented:
    """Run the segmenter registered for ``info.document_type``.

    A family with no segmenter yet gives no recommendations and one problem
    of kind ``unsupported_family`` saying so, so the gap is visible in
    ``problems.csv`` rather than silent.
    """
    segmenter = segmenter_for(info.document_type)
    if segmenter is None:
        problem = Problem(
            document="",
            reason=f"detected as {info.document_type.value}, a family rectrack cannot segment yet",
            action="extract its recommendations by hand, or wait for a rectrack release that supports it",
            kind="unsupported_family",
        )
        return Segmented(problems=(problem,))
    return segmenter(document, info)
