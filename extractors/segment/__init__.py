"""Segmenters: one module per document family, chosen by the detected type.

A segmenter is a function ``(Document, DocumentInfo) -> Segmented``. Adding a
family means writing one module and adding one entry to :data:`SEGMENTERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from extractors.records import Document, DocumentInfo, DocumentType, Problem, Recommendation


@dataclass(frozen=True, slots=True)
class Segmented:
    """What a segmenter found: recommendations, and passages it could not handle.

    ``problems`` carry an empty ``document``; the pipeline fills it in.
    """

    recommendations: tuple[Recommendation, ...] = ()
    problems: tuple[Problem, ...] = ()


Segmenter = Callable[[Document, DocumentInfo], Segmented]


def _registry() -> dict[DocumentType, Segmenter]:
    # Imported here so that a family's module is loaded only by the registry.
    from extractors.segment.upr_report import segment_upr_report

    return {DocumentType.UPR_REPORT: segment_upr_report}


SEGMENTERS: dict[DocumentType, Segmenter] = _registry()


def segment_document(document: Document, info: DocumentInfo) -> Segmented:
    """Run the segmenter registered for ``info.document_type``.

    A family with no segmenter yet gives no recommendations and one problem
    of kind ``unsupported_family`` saying so, so the gap is visible in
    ``problems.csv`` rather than silent.
    """
    segmenter = SEGMENTERS.get(info.document_type)
    if segmenter is None:
        problem = Problem(
            document="",
            reason=f"detected as {info.document_type.value}, a family rectrack cannot segment yet",
            action="extract its recommendations by hand, or wait for a rectrack release that supports it",
            kind="unsupported_family",
        )
        return Segmented(problems=(problem,))
    return segmenter(document, info)
