"""Typed records passed between the stages of the pipeline.

Every stage of ``extractors`` converts one of these records into the next:
``read_document`` gives a :class:`Document`, ``detect_document`` a
:class:`DocumentInfo`, a segmenter a tuple of :class:`Recommendation`, and
``process_document`` wraps them all in a :class:`DocumentResult` that also
carries what went wrong (:class:`Problem`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class DocumentType(str, Enum):
    """The document families of the tracker contract (column ``document_type``)."""

    UPR_REPORT = "upr_report"
    UPR_ADDENDUM = "upr_addendum"
    TREATY_BODY_OBSERVATIONS = "treaty_body_observations"
    SPECIAL_PROCEDURE_REPORT = "special_procedure_report"
    UN_COMPILATION = "un_compilation"
    STAKEHOLDER_SUMMARY = "stakeholder_summary"
    RECOMMENDATIONS_MATRIX = "recommendations_matrix"
    CIVIL_SOCIETY_REPORT = "civil_society_report"
    NATIONAL_REPORT = "national_report"      # a State's own report to the UPR (A/HRC/WG.6/n/XXX/1, mid-term reports)


class Position(str, Enum):
    """The State's position on a recommendation (empty string when unknown)."""

    SUPPORTED = "supported"
    NOTED = "noted"
    PENDING = "pending"
    UNKNOWN = ""


class Status(str, Enum):
    """How the handling of one input file ended (``documents.csv``)."""

    OK = "ok"                  # read and segmented; recommendations may be 0
    PARTIAL = "partial"        # read, but some passages could not be handled
    FAILED = "failed"          # could not be read at all; see problems.csv
    SKIPPED = "skipped"        # deliberately not processed (e.g. unknown format)


class BlockKind(str, Enum):
    """What a block of text is on its page."""

    BODY = "body"
    FOOTNOTE = "footnote"
    TABLE_ROW = "table_row"   # DOCX/HTML table row, cells joined with " | "


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph (or table row) of a document, as a reader found it.

    ``text`` has line breaks inside the paragraph joined and line-end
    hyphenation repaired. ``page`` is 1-based; DOCX gives the page of Word's
    last saved rendering (page 1 when none was saved, see
    :mod:`rectrack.extractors.read.docx`); HTML and text use page 1 for everything.
    """

    text: str
    page: int
    kind: BlockKind = BlockKind.BODY
    bold: bool = False         # the whole block is set in a bold font
    cells: tuple[str, ...] = ()  # TABLE_ROW only: the cells, in order


@dataclass(frozen=True, slots=True)
class Page:
    """The clean lines of one page: running headers/footers removed.

    ``lines`` are body lines in reading order; ``footnotes`` the lines of the
    footnote area, kept apart. Lines keep their line-end hyphens; joining is
    :func:`rectrack.extractors.text.normalize.join_lines`'s job.
    """

    number: int
    lines: tuple[str, ...]
    footnotes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """A file read into clean text.

    ``pages`` holds the per-page clean lines (PDF; other formats have one
    page), ``blocks`` the paragraphs in reading order. ``sha256`` is the hash
    of the file's bytes, the key of every cache. ``warnings`` are things a
    person should know although the file was read (a damaged PDF that was
    repaired, a file whose extension lies); their ``document`` is empty.
    """

    path: Path
    sha256: str
    format: str                # "pdf", "docx", "html", "text"
    pages: tuple[Page, ...]
    blocks: tuple[Block, ...]
    warnings: tuple[Problem, ...] = ()

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def body_text(self) -> str:
        """The body blocks joined by blank lines (footnotes left out)."""
        return "\n\n".join(b.text for b in self.blocks if b.kind is not BlockKind.FOOTNOTE)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What ``detect_document`` learnt about a document."""

    document_type: DocumentType
    symbol: str = ""           # e.g. "A/HRC/19/3"; "" if none
    body: str = ""             # "UPR", "CERD", ..., "civil society"
    country: str = ""          # State under review / concerned, UN short name
    date: str = ""             # ISO date "2011-12-12" when printed, else ""
    year: str = ""             # "2011"
    session: str = ""          # UPR Working Group session, e.g. "12"
    reason: str = ""           # why this type was chosen (shown in documents.csv)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One recommendation as found in a document, before classification.

    ``paragraph`` is as printed ("122.13", "111.7", "42 (b)"). ``text`` is
    clean: no paragraph number, no recommending-State suffix.
    """

    paragraph: str
    text: str
    page: int
    recommending_states: tuple[str, ...] = ()
    position: Position = Position.UNKNOWN
    # Filled by the families that have them; empty for UPR reports.
    body: str = ""             # the body that made it when not the document's (compilations)
    source: str = ""           # who made it: committee, rapporteur, "JS3", a speaker
    heading: str = ""          # the section heading it stands under
    context: str = ""          # the lead-in of a lettered item ("The Committee recommends ...:")
    addressee: str = ""        # "the Government", "the international community", ...
    follow_up: bool = False    # named in a treaty body's follow-up paragraph
    response: str = ""         # the State's own words on it (addenda, matrices)
    position_source: str = ""  # where the position comes from ("A/HRC/43/15/Add.1 - Para. 3")
    given_labels: tuple[GivenLabel, ...] = ()  # labels the document itself carries (matrices)
    country: str = ""          # State concerned, when the document's info has none (civil-society reports)


@dataclass(frozen=True, slots=True)
class GivenLabel:
    """A label a document assigns to a recommendation (a matrix's theme column)."""

    taxonomy: str              # "themes", "groups", "sdgs", ...
    label: str                 # as printed, e.g. "A12 Acceptance of international norms"


# Ends the ``source`` of a PositionUpdate taken from an OHCHR matrix. Its own rows
# already carry the positions, so an update that matches no pending report row
# (report absent, or position already in the report) is not a problem.
VIA_MATRIX = "(via OHCHR matrix)"


@dataclass(frozen=True, slots=True)
class PositionUpdate:
    """A State's position on a recommendation of another document (a UPR addendum).

    Matched to the recommendations of the report ``report_symbol`` by
    ``paragraph`` when the tracker is merged, whichever arrived first.
    """

    report_symbol: str         # e.g. "A/HRC/43/15"
    paragraph: str             # e.g. "122.17"
    position: Position
    response: str = ""         # the State's own words, if the addendum gives them
    source: str = ""           # e.g. "A/HRC/43/15/Add.1 para. 3"


@dataclass(frozen=True, slots=True)
class EvidenceParagraph:
    """A paragraph of a later document that may say what became of earlier recommendations.

    A national report accounts for the previous cycle's recommendations under headings that cite
    them by number ("(Recommendations 1, 5, 7–9)"), or in its text ("Recommendation 15"): ``cited``
    holds those numbers as printed, ranges expanded, in order, and ``cited_by`` where they were
    found. Paragraphs that cite nothing are kept too: they are matched by meaning
    (:mod:`rectrack.extractors.tracker.evidence`).
    """

    paragraph: str             # as printed ("8"), "" when unnumbered
    page: int
    text: str
    heading: str = ""          # the section heading it stands under, its citation left out
    cited: tuple[str, ...] = ()  # recommendation numbers of the previous cycle, e.g. ("1", "5", "7", "8", "9")
    cited_by: str = ""         # "heading", "text" or "heading+text"; "" when nothing is cited
    # The report whose paragraphs ``cited`` names as printed ("A/HRC/28/15": ("115.44", ...)), when the
    # document says which (a compilation's "For relevant recommendations, see A/HRC/28/15, paras. ...");
    # "" when the numbers count the previous cycle's recommendations (a national report).
    cited_report: str = ""
    speaker: str = ""          # who says it: "State" in a national report; a compilation's named source


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a person has to act on: which file, where, why, what to do."""

    document: str              # path relative to the input folder
    reason: str                # what is wrong, in plain words
    action: str                # what to do about it
    page: int | None = None
    kind: str = "error"        # short machine-readable category, e.g. "scan"


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything one input file produced: the unit a Prefect task returns."""

    document: str              # path relative to the input folder
    sha256: str
    status: Status
    info: DocumentInfo | None = None
    pages: int = 0
    recommendations: tuple[Recommendation, ...] = ()
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    position_updates: tuple[PositionUpdate, ...] = ()
    evidence: tuple[EvidenceParagraph, ...] = ()


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


def failed_result(name: str, sha256: str, reason: str, action: str, kind: str,
                  status: Status = Status.FAILED, page: int | None = None) -> DocumentResult:
    """The result of a file that could not be handled: no rows, one problem saying why and what to do."""
    problem = Problem(document=name, reason=reason, action=action, page=page, kind=kind)
    return DocumentResult(document=name, sha256=sha256, status=status, problems=(problem,))


def with_document_name(result: DocumentResult, name: str) -> DocumentResult:
    """``result`` relabelled as coming from ``name`` (a cached result of a moved or copied file)."""
    if result.document == name:
        return result
    problems = tuple(dataclasses.replace(p, document=name) for p in result.problems)
    return dataclasses.replace(result, document=name, problems=problems)
