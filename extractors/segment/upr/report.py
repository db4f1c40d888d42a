"""Segment a UPR Working Group report into recommendations.

The recommendations stand in the section "Conclusions and/or
recommendations". It is made of lead-in paragraphs ("88. The recommendations
... enjoy the support of Tajikistan:", "90. The following recommendations will
be examined by ...", "91. The recommendations below did not enjoy the
support ...") each followed by its items. Items are numbered under the lead-in
either with a dotted number (``88.1.``, ``136.24``) or, in the 2008-2010
layout, with a plain sub-number (``1.``, ``2.`` under paragraph 111). The
lead-in gives every item under it its position.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field

from rectrack.extractors.records import Document, DocumentInfo, Position, Problem, Recommendation
from rectrack.extractors.segment import Segmented
from rectrack.extractors.segment.upr.items import split_item
from rectrack.extractors.segment.upr.references import dialogue_paragraphs, parse_references, resolve_references
from rectrack.extractors.text.normalize import WordLookup, join_lines

_SECTION = re.compile(r"^\s*(?:[IVX]+\.\s*)?conclusions\s+and(?:/or)?\s+recommendations\b(?!.*\.{4})",
                      re.IGNORECASE)
_TOP = re.compile(r"^\s*(\d{1,3})\.\s+(\S.*)$")
_DOTTED = re.compile(r"^\s*(\d{1,3})\.(\d{1,3})\.?\s+(\S.*)$")
_END = re.compile(r"^\s*(?:annex\b|composition of the delegation|[IVX]+\.\s+voluntary pledges)",
                  re.IGNORECASE)
_LEAD_WORDS = re.compile(r"recommendation|conclusion|comments|following|pledges", re.IGNORECASE)

# Lead-in wording -> position; checked in this order ("will be examined" must
# win over "examined by ... and enjoy the support" and "has noted these
# recommendations for consideration and response in due time", "did not enjoy
# the support" over "enjoy the support").
_POSITIONS = (
    (re.compile(r"will be examined|will (?:provide|respond)|responses? in due|"
                r"response .{0,80}\bwill be included", re.IGNORECASE), Position.PENDING),
    (re.compile(r"did not (?:enjoy|receive)|not (?:enjoy|accepted|supported)|\bnoted\b(?!\s+in\s+the\s+report)|"
                r"\btakes?\s+note\b|"
                r"do not (?:enjoy|accept)|cannot (?:accept|support)", re.IGNORECASE), Position.NOTED),
    (re.compile(r"enjoy(?:s|ed)? (?:the|its) support|\bsupported\b|\baccepted\b|already (?:being )?implemented|"
                r"in the process of implementation", re.IGNORECASE), Position.SUPPORTED),
)
# "The response of Pakistan to these recommendations will be included ...": the position of the list above.
_ABOUT_THE_LIST_ABOVE = re.compile(r"\bthese\s+recommendations\b", re.IGNORECASE)
_REFERS_TO_PARAGRAPHS = re.compile(r"in (?:the report in )?paragraphs?\s+\d", re.IGNORECASE)


@dataclass(slots=True)
class _Dialogue:
    """The report's numbered paragraphs before its conclusions, read when a lead-in first refers to them."""

    document: Document
    heading: _Line
    country: str
    vocabulary: Container[str]
    _paragraphs: dict | None = None

    def resolve(self, lead: str, position: Position, page: int) -> tuple[list[Recommendation], list[Problem]]:
        if self._paragraphs is None:
            self._paragraphs = dialogue_paragraphs(self.document, self.heading.page, self.heading.text)
        return resolve_references(parse_references(lead), self._paragraphs, position=position,
                                  country=self.country, page=page)


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    page: int


@dataclass(slots=True)
class _Item:
    paragraph: str
    page: int
    lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Section:
    number: int
    page: int
    lead: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)


def _body_lines(document: Document) -> list[_Line]:
    return [_Line(text, page.number) for page in document.pages for text in page.lines if text.strip()]


def _section_start(lines: list[_Line]) -> int | None:
    """Index of the line after the last "Conclusions and/or recommendations" heading."""
    starts = [i for i, line in enumerate(lines) if _SECTION.match(line.text)]
    return starts[-1] + 1 if starts else None


def _is_new_section(number: int, text: str, current: _Section | None) -> bool:
    if current is None:
        return True
    if number != current.number + 1:
        return False
    # "112." after sub-item 111 is sub-item 112 unless it reads like a lead-in.
    next_sub = len(current.items) + 1
    return number != next_sub or bool(_LEAD_WORDS.search(text))


def _collect_sections(lines: list[_Line]) -> list[_Section]:
    """Group the section's lines into lead-ins and numbered items."""
    sections: list[_Section] = []
    current: _Section | None = None
    for line in lines:
        if _END.match(line.text):
            break
        dotted = _DOTTED.match(line.text)
        if current and dotted and int(dotted.group(1)) == current.number:
            item = _Item(f"{current.number}.{int(dotted.group(2))}", line.page, [dotted.group(3)])
            current.items.append(item)
            continue
        top = _TOP.match(line.text)
        if top and _is_new_section(int(top.group(1)), top.group(2), current):
            current = _Section(int(top.group(1)), line.page, [top.group(2)])
            sections.append(current)
            continue
        if current and top and int(top.group(1)) == len(current.items) + 1:
            current.items.append(_Item(f"{current.number}.{top.group(1)}", line.page, [top.group(2)]))
            continue
        if current is None:
            continue
        (current.items[-1].lines if current.items else current.lead).append(line.text)
    return sections


def _position(lead: str) -> Position:
    for pattern, position in _POSITIONS:
        if pattern.search(lead):
            return position
    return Position.UNKNOWN


def _section_position(sections: list[_Section], leads: list[str], index: int) -> Position:
    """The position a section's lead-in gives, else the one the paragraph after its list gives."""
    position = _position(leads[index])
    following = index + 1
    if (position is Position.UNKNOWN and sections[index].items and following < len(sections)
            and not sections[following].items and _ABOUT_THE_LIST_ABOVE.search(leads[following])):
        return _position(leads[following])
    return position


def _section_recommendations(section: _Section, lead: str, position: Position,
                             dialogue: _Dialogue) -> tuple[list[Recommendation], list[Problem]]:
    problems: list[Problem] = []
    referred: list[Recommendation] = []
    if position is not Position.UNKNOWN and _REFERS_TO_PARAGRAPHS.search(lead):
        # First-cycle reports: "the recommendations contained in paragraphs 23 (b), 27 ... did not enjoy ..."
        referred, problems = dialogue.resolve(lead, position, section.page)
    recommendations = []
    for item in section.items:
        parts = split_item(join_lines(item.lines, dialogue.vocabulary))
        if position is Position.UNKNOWN and not any(part.states for part in parts):
            continue  # comments by the State ("92.1. Regarding recommendation 91.1 ...")
        for part in parts:
            recommendations.append(Recommendation(
                paragraph=item.paragraph, text=part.text, page=item.page,
                recommending_states=part.states, position=position,
            ))
    recommendations.extend(referred)
    if position is Position.UNKNOWN and recommendations:
        problems.append(Problem(
            document="", page=section.page, kind="unknown_position",
            reason=f"could not tell the State's position from paragraph {section.number}: \"{lead[:160]}\"",
            action="check the position of its recommendations in the tracker by hand",
        ))
    return recommendations, problems


def segment_upr_report(document: Document, info: DocumentInfo) -> Segmented:
    """Every recommendation of a UPR Working Group report, in document order.

    Returns no recommendations and one problem when the report has no
    "Conclusions and/or recommendations" section.
    """
    lines = _body_lines(document)
    start = _section_start(lines)
    if start is None:
        return Segmented(problems=(Problem(
            document="", kind="no_recommendations_section",
            reason="no \"Conclusions and/or recommendations\" section found in this UPR report",
            action="check that the file is the complete Working Group report (not an extract or a draft)",
        ),))
    vocabulary = WordLookup([line.text for line in lines])
    recommendations: list[Recommendation] = []
    problems: list[Problem] = []
    dialogue = _Dialogue(document, lines[start - 1], info.country, vocabulary)
    sections = _collect_sections(lines[start:])
    leads = [join_lines(section.lead, vocabulary) for section in sections]
    for index, section in enumerate(sections):
        found, trouble = _section_recommendations(section, leads[index], _section_position(sections, leads, index),
                                                  dialogue)
        recommendations.extend(found)
        problems.extend(trouble)
    return Segmented(tuple(recommendations), tuple(problems))
