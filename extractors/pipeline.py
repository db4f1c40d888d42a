"""One input file through read -> detect -> segment, with failures as data.

:func:`process_document` is what the flow's per-document task calls. It never
raises for bad input: a file that cannot be handled becomes a
:class:`~rectrack.extractors.records.DocumentResult` with status ``failed`` and a
:class:`~rectrack.extractors.records.Problem` saying what to do.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rectrack.extractors.detect import detect_document
from rectrack.extractors.errors import RectrackError
from rectrack.extractors.files import file_sha256, relative_name
from rectrack.extractors.read import read_document
from rectrack.extractors.records import DocumentResult, Problem, Status, failed_result  # noqa: F401
from rectrack.extractors.segment import segment_document


def error_result(name: str, sha256: str, error: RectrackError) -> DocumentResult:
    """:func:`failed_result` for ``error``, with its reason, action, page and kind."""
    return failed_result(name, sha256, error.reason, error.action, error.kind, page=error.page)


def process_document(path: Path, root: Path, sha256: str | None = None) -> DocumentResult:
    """Read, detect and segment one file.

    Returns a result whose ``status`` is ``ok`` (recommendations found or
    not), ``partial`` (some passages reported in ``problems``) or ``failed``
    (nothing could be read; ``problems`` says why and what to do).
    """
    name = relative_name(path, root)
    sha = sha256 or file_sha256(path)
    try:
        document = read_document(path, sha256=sha)
    except RectrackError as error:
        return error_result(name, sha, error)
    info = detect_document(document)
    segmented = segment_document(document, info)
    problems = tuple(replace(p, document=name) for p in (*document.warnings, *segmented.problems))
    return DocumentResult(
        document=name,
        sha256=sha,
        status=Status.PARTIAL if problems else Status.OK,
        info=info,
        pages=document.page_count,
        recommendations=segmented.recommendations,
        problems=problems,
        position_updates=segmented.position_updates,
        evidence=segmented.evidence,
    )
