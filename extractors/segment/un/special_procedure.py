"""Segment a special-procedure report (a country visit, a thematic report) into recommendations.

The recommendations stand in the report's last numbered section,
"Conclusions and recommendations" (or "Recommendations"), as numbered
paragraphs, often with lettered items. Which paragraphs of that section
recommend, in this order of evidence:

1. the section has a "Recommendations" sub-heading ("B. Recommendations",
   "Recommendations to the Government"): every paragraph under it;
2. the section sets some paragraphs in bold: the bold ones;
3. otherwise: the paragraphs whose wording recommends ("The Special
   Rapporteur recommends", "urges", "the Government should").

Sub-headings naming an addressee ("Recommendations to the international
community", "To civil society") give ``addressee``. The mandate (the body
detection found, e.g. "Special Rapporteur on the independence of judges and
lawyers") is the ``source``.
"""

from __future__ import annotations

from collections.abc import Callable

from rectrack.extractors.records import Document, DocumentInfo, Problem, Recommendation
from rectrack.extractors.segment import Segmented
from rectrack.extractors.segment.un import wording as un_wording
from rectrack.extractors.segment.un.numbered import Paragraph, group_paragraphs, paragraph_rows


def _in_section(paragraph: Paragraph) -> bool:
    return any(un_wording.is_section_heading(heading) for heading in paragraph.headings)


def _under_recommendations(paragraph: Paragraph) -> bool:
    return any(un_wording.is_recommendations_heading(heading) for heading in paragraph.headings)


def _chooser(section: list[Paragraph]) -> Callable[[Paragraph], bool]:
    """The rule (see the module docstring) that picks the recommending paragraphs of ``section``."""
    if any(_under_recommendations(paragraph) for paragraph in section):
        return _under_recommendations
    if any(paragraph.bold for paragraph in section):
        return lambda paragraph: paragraph.bold
    return lambda paragraph: un_wording.recommends(paragraph.text)


def _no_section() -> Problem:
    return Problem(
        document="", kind="no_recommendations_section",
        reason="no \"Conclusions and recommendations\" (or \"Recommendations\") heading followed by "
               "numbered paragraphs found in this special-procedure report",
        action="check that the file is the complete report (not a summary or a press release); "
               "add its recommendations by hand if its headings are unusual",
    )


def _empty_section(count: int) -> Problem:
    return Problem(
        document="", kind="no_recommendations",
        reason=f"the \"Conclusions and recommendations\" section has {count} numbered paragraphs "
               "but none recommends (no \"Recommendations\" sub-heading, no bold, no \"recommends\", "
               "\"urges\", \"should\" ...)",
        action="read the section and add its recommendations by hand if the wording is unusual",
    )


def segment_special_procedure(document: Document, info: DocumentInfo) -> Segmented:
    """Every recommendation of a special-procedure report's recommendations section, in order.

    Rows carry ``heading``, ``addressee`` (from addressee sub-headings),
    ``context`` (the lead-in of lettered items) and the mandate as
    ``source``; ``position`` stays empty. Returns no rows and one problem
    when the section is missing or recommends nothing.
    """
    paragraphs = group_paragraphs(document)
    section = [paragraph for paragraph in paragraphs if _in_section(paragraph)]
    if not section:
        return Segmented(problems=(_no_section(),))
    chosen = _chooser(section)
    rows: list[Recommendation] = []
    problems: list[Problem] = []
    for paragraph in section:
        if chosen(paragraph) and not un_wording.is_pointer(paragraph.text):
            rows.extend(paragraph_rows(paragraph, source=info.body, addressee=paragraph.addressee))
            problems.extend(paragraph.problems)
    if not rows:
        problems.append(_empty_section(len(section)))
    return Segmented(tuple(rows), tuple(problems))
