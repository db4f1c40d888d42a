"""Segment a State's own UPR report (national report ``A/HRC/WG.6/n/XXX/1``, mid-term report) into evidence.

A national report accounts for the previous cycle's recommendations in numbered paragraphs
("4. Since the previous review, ...") under headings that cite them by number ("A. International
obligations (Recommendations 1, 5, 7–9, 11–12, 158–160)"). Every numbered paragraph becomes one
:class:`~rectrack.extractors.records.EvidenceParagraph`, ``speaker`` "State":

- ``paragraph``, ``page``: the number as printed and the page the paragraph starts on; ``text`` its
  blocks joined (line-end hyphens repaired by :func:`~rectrack.extractors.text.normalize.join_lines`),
  footnote marks taken out (:class:`~rectrack.extractors.text.footnotes.InOrder`: the notes are
  numbered 1, 2, 3 ... through the document; numbers cited after "Recommendation(s)" are never marks),
  a heading run into its end ("... Notes") cut off (:func:`~rectrack.extractors.text.sentences.cut_run_in_heading`).
- ``heading``: the nearest heading above it, its citation left out ("A. International obligations").
  Outline levels: "II." 1, "A." 2, "1." 3, an unnumbered bold heading ("LGBTI") 4.
- ``cited``: the numbers the innermost citing heading above it cites (a heading's citation holds
  until the next heading of the same or a higher level; a citing sub-heading replaces its parent's),
  then those its own text cites ("Recommendation 15 on ...", "(Recommendations 95 and 96)",
  "recommendations 30–31, 54–57"), then those the footnotes it carries cite ("More information is
  provided in the Voluntary Mid-term Report (Recommendation 28)."). Ranges are expanded, numbers kept in
  the order they first appear. ``cited_by`` is "heading", "text" (the paragraph's own words or its
  footnotes), "heading+text", or "" when nothing is cited.

Footnote citations are attached through the marks the stripper took out of the paragraph's text;
a note that cites recommendations but whose mark was found in no numbered paragraph (in a heading, a
table, or lost by the reader) is reported, not guessed. So is every heading whose citation cannot be
read, and a paragraph number that skips ahead (``kind`` "citation", "paragraph_sequence").

The walk starts at the first enumerated heading or paragraph (the cover is left alone: its dates would
use up the first marks) and stops at "Notes", "Endnotes" or a bold "Annex". Unnumbered text is kept
only where it belongs to a paragraph: the rest of a paragraph broken by a page
or a table, list items ("• Council of Europe Convention ...", "(a)"), and unnumbered prose after a
paragraph are added to the paragraph before; table rows (mostly figures), captions ("Table 1: ...")
and short unpunctuated fragments (table headers) are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rectrack.extractors.records import Block, BlockKind, Document, DocumentInfo, EvidenceParagraph, Problem
from rectrack.extractors.segment import Segmented
from rectrack.extractors.segment.compilation.paragraphs import collect_footnotes
from rectrack.extractors.text.footnotes import InOrder, strip_marks
from rectrack.extractors.text.normalize import WordLookup, join_lines
from rectrack.extractors.text.sentences import cut_run_in_heading

SPEAKER = "State"
_NUMBERED = re.compile(r"(\d{1,3})\.\s+(\S.*)", re.DOTALL)
_WINDOW = 3                 # a paragraph number may skip this far (the reader lost one): still a paragraph
_ENUMERATOR = re.compile(r"(?:([IVX]{1,6})\.?|([A-Z])\.|(\d{1,2})\.)\s+(?=\S)")
_NOTES = re.compile(r"(?:notes|endnotes)", re.IGNORECASE)
_ANNEX = re.compile(r"annex(?:es)?\b", re.IGNORECASE)
_TERMINAL = re.compile(r"[.:;!?][”’\")]?$")
_LIST_ITEM = re.compile(r"(?:[•▪●◦·\uf0b7\uf0a7–-]|\(?[a-z]{1,4}\)|\(\d{1,2}\)|\d{1,3}\.)\s+")
_CAPTION = re.compile(r"(?:table|figure|chart|graph|source)\s*\d*\s*[:.]", re.IGNORECASE)
_PROSE_MIN_WORDS = 8

# Recommendation numbers: "15", "122.5"; never more than three digits a part, so years do not pass.
_NUMBER = r"\d{1,3}(?:\.\d{1,3})*(?![\d/])"
_ITEM = re.compile(rf"({_NUMBER})(?:\s*(?:[-–—]|\bto\b)\s*({_NUMBER}))?")
_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+)?|;\s*|&\s*|\band\s+)")
_MAX_RANGE = 400
# "Recommendation 15", "recommendations 30–31"; "General recommendation 35" is CEDAW's, not the UPR's.
_TEXT_CITATION = re.compile(rf"(?<!general )\brecommendations?\s+(?={_NUMBER})", re.IGNORECASE)
_HEADING_CITATION = re.compile(rf"(\(\s*)?\brecommendations?\s*(?:nos?\.?\s*)?:?\s*(?={_NUMBER})", re.IGNORECASE)
_CITING_PARENTHESIS = re.compile(r"\(\s*recommendations?\b", re.IGNORECASE)


def _expand(first: str, last: str | None) -> list[str] | None:
    """``"7", "9"`` -> 7, 8, 9; ``"115.1", "115.3"`` or ``"115.1", "3"`` -> 115.1 ... 115.3; None if not a range."""
    if last is None:
        return [first]
    head, _, low = first.rpartition(".")
    last_head, _, high = last.rpartition(".")
    if last_head and last_head != head:
        return None
    if not int(low) <= int(high) <= int(low) + _MAX_RANGE:
        return None
    prefix = f"{head}." if head else ""
    return [f"{prefix}{n}" for n in range(int(low), int(high) + 1)]


def parse_recommendation_numbers(text: str) -> tuple[tuple[str, ...], str]:
    """The numbers a list cites from the start of ``text``, and the rest of ``text`` after the list.

    ``"1, 5, 7–9 and 11 to 12)"`` -> ``(("1", "5", "7", "8", "9", "11", "12"), ")")``. Ranges use an en or
    em dash, a hyphen or "to"; items are separated by commas, semicolons, "and" or "&"; line breaks
    count as spaces. Numbers are kept in the order they first appear, without duplicates. A range that
    runs backwards or mixes prefixes ("9–7", "115.1–116.2") ends the list: it stays in the rest.
    """
    numbers: dict[str, None] = {}
    position = 0
    while item := _ITEM.match(text, position):
        expanded = _expand(item.group(1), item.group(2))
        if expanded is None:
            break
        numbers.update(dict.fromkeys(expanded))
        position = item.end()
        separator = _SEPARATOR.match(text, position)
        if not separator or not _ITEM.match(text, separator.end()):
            break
        position = separator.end()
    return tuple(numbers), text[position:].strip()


def text_citations(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every number ``text`` cites after "Recommendation(s)" (in order, without duplicates), and the
    citations whose list stops at a number it cannot read ("recommendations 4, 9–7": 4, and "9–7")."""
    found: dict[str, None] = {}
    unread = []
    for match in _TEXT_CITATION.finditer(text):
        numbers, rest = parse_recommendation_numbers(text[match.end():])
        found.update(dict.fromkeys(numbers))
        if stuck := _ITEM.match(rest):
            unread.append(f"{match.group(0)}{stuck.group(0)}")
    return tuple(found), tuple(unread)


def _unread_problem(where: str, unread: tuple[str, ...], page: int | None) -> Problem:
    return Problem(
        document="", page=page, kind="citation",
        reason=f"{where} cites recommendations that could not be read: {'; '.join(unread)}",
        action="check the citation in the document and add the recommendations it cites to that paragraph by hand",
    )


def _citation_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` cites recommendation numbers: those digits are not footnote marks."""
    spans = []
    for match in _TEXT_CITATION.finditer(text):
        numbers, rest = parse_recommendation_numbers(text[match.end():])
        if numbers:
            spans.append((match.start(), len(text) - len(rest)))
    return spans


@dataclass(frozen=True, slots=True)
class _Heading:
    level: int
    title: str                   # its citation left out
    cited: tuple[str, ...]
    text: str                    # as printed, for a problem's reason
    page: int
    problem: Problem | None = None

    @property
    def unclosed(self) -> bool:
        """Whether a bracket is still open at its end: "(recommendations 77–" goes on below."""
        return self.text.count("(") > self.text.count(")")


def split_citation(heading: str) -> tuple[str, tuple[str, ...], str]:
    """(title, numbers cited, what could not be read) of a heading.

    ``"A. Rule of law (recommendations 30–31, 54–57)"`` -> ``("A. Rule of law", ("30", "31", "54", ...), "")``.
    The citation runs from "(recommendations" to its closing bracket (or the heading's end); whatever in
    it is not a number list comes back third, and a bracket that names recommendations without numbers
    ("(recommendations see annex)") comes back whole.
    """
    match = _HEADING_CITATION.search(heading)
    if match is None:
        unread = _CITING_PARENTHESIS.search(heading)
        return heading, (), heading[unread.start():] if unread else ""
    close = heading.find(")", match.end()) if match.group(1) else -1
    end = close if close >= 0 else len(heading)
    numbers, rest = parse_recommendation_numbers(heading[match.end():end])
    rest = rest.rstrip(".;, ")
    if match.group(1) and close < 0:
        rest = rest or "(no closing bracket)"
    title = f"{heading[:match.start()]} {heading[end + 1:] if close >= 0 else ''}"
    return " ".join(title.split()).strip(" ,;:–-"), numbers, rest


def _level(text: str, last_letter: str) -> tuple[int, str]:
    """(outline level, the letter if it is a lettered heading) of a heading."""
    match = _ENUMERATOR.match(text)
    if match is None:
        return 4, ""
    roman, letter, _ = match.groups()
    if roman and len(roman) == 1 and last_letter and ord(roman) == ord(last_letter) + 1:
        return 2, roman      # "I. Persons with disabilities" after "H. Gender equality"
    if roman:
        return 1, ""
    return (2, letter) if letter else (3, "")


def _is_table_row(text: str) -> bool:
    """Mostly figures: "Courts 30.12.2008 31.12.2009 ...", "Local 262,656 239,477 ... -38.8%"."""
    tokens = text.split()
    return len(tokens) >= 4 and 2 * sum(any(c.isdigit() for c in token) for token in tokens) >= len(tokens)


@dataclass(slots=True)
class _Open:
    number: int
    page: int
    heading: str
    heading_cited: tuple[str, ...]
    parts: list[str]
    marks: list[int]             # the notes whose marks its text carried


@dataclass(slots=True)
class _Walk:
    """The state of :func:`segment_national_report` while it walks the blocks."""

    vocabulary: WordLookup
    outline: list[_Heading] = field(default_factory=list)
    paragraphs: list[_Open] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    last_letter: str = ""          # of the last lettered heading: "I." after "H." is a letter, not a Roman one
    letter_before: str = ""        # ``last_letter`` before the last heading, for a heading that goes on
    started: bool = False          # an enumerated heading or a paragraph seen: the cover is behind
    heading_open: bool = False     # the block before was a heading (its citation may follow)

    @property
    def current(self) -> _Open | None:
        return self.paragraphs[-1] if self.paragraphs else None

    def continues_heading(self, text: str) -> bool:
        """Whether ``text`` is the rest of the heading just before: broken over two blocks, or its
        "(Recommendations ...)" line apart."""
        return self.heading_open and bool(self.outline) and (
            text[:1].islower() or text.startswith("(") or (self.outline[-1].unclosed and not _ENUMERATOR.match(text)))

    def heading(self, text: str, page: int) -> None:
        if self.continues_heading(text):
            previous = self.outline.pop()
            if previous.problem in self.problems:
                self.problems.remove(previous.problem)     # read again, whole
            text, page, self.last_letter = f"{previous.text} {text}", previous.page, self.letter_before
        level, letter = _level(text, self.last_letter)
        if level == 4 and not self.started:
            return           # the cover's bold lines ("Human Rights Council", the State's name)
        self.started, self.letter_before = True, self.last_letter
        self.last_letter = letter or (self.last_letter if level > 2 else "")
        title, cited, unread = split_citation(text)
        problem = Problem(
            document="", page=page, kind="citation",
            reason=f"could not read the recommendation numbers cited by the heading \"{text[:200]}\" "
                   f"(not understood: \"{unread[:80]}\")",
            action="check the heading's citation in the document and add the recommendations it cites by hand",
        ) if unread else None
        if problem:
            self.problems.append(problem)
        self.outline = [kept for kept in self.outline if kept.level < level]
        self.outline.append(_Heading(level, title, cited, text, page, problem))
        self.heading_open = True

    def paragraph(self, number: int, text: str, page: int, marks: list[int]) -> None:
        last = self.current.number if self.current else 0
        if number != last + 1:
            self.problems.append(Problem(
                document="", page=page, kind="paragraph_sequence",
                reason=f"paragraph {number} follows paragraph {last}: "
                       f"{'paragraph' if number == last + 2 else 'paragraphs'} in between not found",
                action="check the document for the missing paragraph(s) and their text",
            ))
        cited = next((heading.cited for heading in reversed(self.outline) if heading.cited), ())
        heading = self.outline[-1].title if self.outline else ""
        self.paragraphs.append(_Open(number, page, heading, cited, [text], list(marks)))
        self.started, self.heading_open = True, False

    def other(self, text: str, marks: list[int]) -> None:
        """Unnumbered text that is not a heading: see the module docstring."""
        current = self.current
        self.heading_open = False
        if current is None or _is_table_row(text) or _CAPTION.match(text):
            return
        unfinished = not _TERMINAL.search(current.parts[-1])
        item = _LIST_ITEM.match(text)
        prose = len(text.split()) >= _PROSE_MIN_WORDS and _TERMINAL.search(text)
        if unfinished or item or prose:
            current.parts.append(text[item.end():] if item and not unfinished else text)
            current.marks.extend(marks)


def _paragraph_number(text: str, bold: bool, last: int) -> tuple[int, str] | None:
    numbered = _NUMBERED.fullmatch(text)
    if numbered and not bold and last < int(numbered.group(1)) <= last + _WINDOW:
        return int(numbered.group(1)), numbered.group(2)
    return None


def _is_heading(block: Block, text: str) -> bool:
    """Bold, or set like one: enumerated ("A. ...") or a citation line, short, not ending like a sentence."""
    if block.bold:
        return True
    if len(text) > 250 or _TERMINAL.search(text.rstrip(")")):
        return False
    return bool(_ENUMERATOR.match(text) or _CITING_PARENTHESIS.match(text))


def _walk(document: Document) -> tuple[_Walk, dict[int, int]]:
    """Walk the body blocks; also return footnote number -> the paragraph number whose text carries its mark."""
    walk = _Walk(WordLookup([line for page in document.pages for line in page.lines]))
    marks = InOrder(window=_WINDOW)
    for block in document.blocks:
        if block.kind is not BlockKind.BODY:
            continue
        raw = block.text.strip()
        if not walk.started and not (_ENUMERATOR.match(raw) or _NUMBERED.match(raw)):
            continue         # the cover: its dates ("20–31 January 2025") must not use up the first marks
        if walk.started and (_NOTES.fullmatch(raw) or (block.bold and _ANNEX.match(raw))):
            break
        text, found = strip_marks(raw, marks, keep=_citation_spans(raw))
        if not text:
            continue
        numbers = [number for _, number in found]
        last = walk.current.number if walk.current else 0
        if numbered := _paragraph_number(text, block.bold, last):
            walk.paragraph(numbered[0], numbered[1], block.page, numbers)
        elif _is_heading(block, text) or (walk.continues_heading(text) and not _TERMINAL.search(text.rstrip(")"))):
            walk.heading(text, block.page)
        else:
            walk.other(text, numbers)
    carriers = {mark: paragraph.number for paragraph in walk.paragraphs for mark in paragraph.marks}
    return walk, carriers


def _note_citations(document: Document, carriers: dict[int, int]) -> tuple[dict[int, tuple[str, ...]], list[Problem]]:
    """Paragraph number -> the numbers its footnotes cite; a problem for each citing note no paragraph carries."""
    cited: dict[int, tuple[str, ...]] = {}
    problems = []
    for note, text in collect_footnotes(document).items():
        numbers, unread = text_citations(text)
        if unread:
            problems.append(_unread_problem(f"footnote {note}", unread, None))
        if not numbers:
            continue
        if note in carriers:
            cited[carriers[note]] = tuple(dict.fromkeys((*cited.get(carriers[note], ()), *numbers)))
            continue
        problems.append(Problem(
            document="", kind="citation",
            reason=f"footnote {note} cites recommendations {', '.join(numbers)} but its mark was not found in "
                   f"a numbered paragraph: \"{text[:160]}\"",
            action=f"find the paragraph that carries note {note} and add these recommendations to its evidence by hand",
        ))
    return cited, problems


def _evidence(paragraph: _Open, note_cited: tuple[str, ...], vocabulary: WordLookup,
              problems: list[Problem]) -> EvidenceParagraph:
    # A list item may end a paragraph without its full stop: only numbered headings and "Notes" are cut.
    text = cut_run_in_heading(join_lines(paragraph.parts, vocabulary, normalized=True), titles=False)[0]
    cited, unread = text_citations(text)
    if unread:
        problems.append(_unread_problem(f"paragraph {paragraph.number}", unread, paragraph.page))
    own = tuple(dict.fromkeys((*cited, *note_cited)))
    by = "+".join(name for name, numbers in (("heading", paragraph.heading_cited), ("text", own)) if numbers)
    return EvidenceParagraph(
        paragraph=str(paragraph.number), page=paragraph.page, text=text,
        heading=paragraph.heading,
        cited=tuple(dict.fromkeys((*paragraph.heading_cited, *own))), cited_by=by, speaker=SPEAKER,
    )


def segment_national_report(document: Document, info: DocumentInfo) -> Segmented:
    """Every numbered paragraph of a national (or mid-term) report as evidence, in document order.

    Returns no recommendations. Problems: a heading whose citation cannot be read, a citing footnote
    no paragraph carries, a paragraph number that skips ahead; one problem and no evidence when the
    document has no numbered paragraphs at all.
    """
    walk, carriers = _walk(document)
    if not walk.paragraphs:
        return Segmented(problems=(Problem(
            document="", kind="no_paragraphs",
            reason="no numbered paragraphs (\"1. ...\", \"2. ...\") found in this national report",
            action="check that the file is the complete report; a report set out in tables needs its evidence "
                   "entered by hand",
        ),))
    note_cited, note_problems = _note_citations(document, carriers)
    problems = walk.problems
    evidence = tuple(_evidence(paragraph, note_cited.get(paragraph.number, ()), walk.vocabulary, problems)
                     for paragraph in walk.paragraphs)
    return Segmented(evidence=evidence, problems=(*problems, *note_problems))
