"""Segment treaty-body concluding observations into recommendations.

Concluding observations (CERD, CAT, CCPR, CEDAW, CRC, CESCR, CRPD, CED, CMW,
SPT) alternate paragraphs that note, welcome or express concern with
paragraphs that recommend, under thematic headings. Since about 2010 the UN
sets the recommending paragraphs (and their lettered items) in bold: bold
is the main signal, the wording ("recommends", "urges", "should" ...) the
check. A document with no bold paragraph at all (older layouts, text or
HTML copies) is segmented on the wording alone.

A paragraph that only points at recommendations of other paragraphs (the
follow-up request, "paragraphs of particular importance") is not a row of
its own: the follow-up request marks the rows it names ``follow_up``.
Treaty bodies record no State position, so ``position`` stays empty.
"""

from __future__ import annotations

from rectrack.extractors.records import Document, DocumentInfo, Problem, Recommendation
from rectrack.extractors.segment import Segmented
from rectrack.extractors.segment.un import wording as un_wording
from rectrack.extractors.segment.un.numbered import Paragraph, group_paragraphs, paragraph_rows


def _follow_up_references(paragraphs: list[Paragraph]) -> tuple[str, dict[str, tuple[str, ...]]]:
    """(number of the follow-up paragraph, the paragraphs it names) or ("", {})."""
    for paragraph in paragraphs:
        if un_wording.is_follow_up(paragraph.text):
            return paragraph.number, un_wording.paragraph_references(paragraph.text)
    return "", {}


def _wording_problem(paragraph: Paragraph, bold: bool) -> Problem:
    """A paragraph whose typography and wording disagree, for a person to look at."""
    excerpt = paragraph.text[:160]
    if bold:
        return Problem(
            document="", page=paragraph.page, kind="bold_without_recommending_verb",
            reason=f"paragraph {paragraph.number} is set in bold like a recommendation but has no "
                   f"recommending wording (recommends, urges, calls upon, should ...): \"{excerpt}\"",
            action="check it in the document; it is in the tracker as a recommendation: delete the "
                   "rows if it is not one",
        )
    return Problem(
        document="", page=paragraph.page, kind="recommendation_not_bold",
        reason=f"paragraph {paragraph.number} reads like a recommendation but is not set in bold like "
               f"the others: \"{excerpt}\"",
        action="check it in the document; it is not in the tracker: add it by hand if it is a recommendation",
    )


def _unresolved(number: str, references: dict[str, tuple[str, ...]],
                rows: list[Recommendation]) -> list[Problem]:
    """Problems for follow-up references that match no row."""
    found = {row.paragraph for row in rows}
    numbers = {row.paragraph.split(" ")[0] for row in rows}
    missing = [name for ref, letters in references.items()
               for name in ([f"{ref} ({letter})" for letter in letters] or [ref])
               if name not in found and (letters or ref not in numbers)]
    if not missing:
        return []
    return [Problem(
        document="", kind="follow_up_reference",
        reason=f"the follow-up paragraph {number} names {', '.join(missing)}, not found among the "
               "recommendations of this document",
        action="check those paragraphs in the document and set follow_up on their rows by hand",
    )]


def _no_recommendations(paragraphs: list[Paragraph]) -> Problem:
    return Problem(
        document="", kind="no_recommendations",
        reason=f"no recommending paragraph found among the {len(paragraphs)} numbered paragraphs of "
               "these concluding observations (none in bold, none saying \"recommends\", \"urges\", "
               "\"should\" ...)",
        action="check that the file is the complete concluding observations (not the list of issues "
               "or an extract); add its recommendations by hand if the wording is unusual",
    )


def segment_treaty_body(document: Document, info: DocumentInfo) -> Segmented:
    """Every recommendation of a treaty body's concluding observations, in document order.

    Rows carry the section heading (``heading``), the lead-in of lettered
    items (``context``), the body as ``source`` and ``follow_up`` for the
    items the follow-up paragraph names. Problems: paragraphs whose bold and
    wording disagree, follow-up references that match nothing, lettered
    items out of sequence, and no recommendation at all.
    """
    paragraphs = group_paragraphs(document)
    problems: list[Problem] = []
    by_bold = any(paragraph.bold for paragraph in paragraphs)
    follow_up_number, references = _follow_up_references(paragraphs)
    rows: list[Recommendation] = []
    for paragraph in paragraphs:
        if un_wording.is_pointer(paragraph.text):
            continue
        recommending = un_wording.recommends(paragraph.text)
        chosen = paragraph.bold if by_bold else recommending
        if chosen:
            rows.extend(paragraph_rows(paragraph, source=info.body,
                                       follow_up=references.get(paragraph.number)))
            problems.extend(paragraph.problems)
        if by_bold and chosen != recommending:
            problems.append(_wording_problem(paragraph, bold=paragraph.bold))
    if not rows:
        problems.append(_no_recommendations(paragraphs))
    elif references:
        problems.extend(_unresolved(follow_up_number, references, rows))
    return Segmented(tuple(rows), tuple(problems))
