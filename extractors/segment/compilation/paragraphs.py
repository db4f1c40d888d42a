"""Numbered paragraphs of an OHCHR compilation or stakeholders' summary.

Both families are prose in numbered paragraphs ("14. The same Committee
recommended that ...") under section headings ("1. Women", "Children"), with
footnote markers glued to the text ("... detention.12", "Slovenia 5",
"JS384"). This module turns the reader's blocks into :class:`Paragraph`
records: the paragraph number as printed, the page it starts on, its text
with the footnote markers taken out (kept aside, with their offsets, so a
sentence can still be tied to its sources), the innermost heading above
it, and the outline of headings it stands under with the footnotes marked on
each (a compilation cites the previous review's recommendations in a note to
a heading: :mod:`~rectrack.extractors.segment.compilation.citations`). It
also collects the footnote texts by number.

Outline levels: "II." 1, "A." 2, "1." 3, an unnumbered heading ("Women",
set in italics in summaries) 4; a single "I", "V" or "X" right after the
letter before it ("H.", "I.") is a letter. A heading holds until the next
heading of the same or a higher level.

Footnote markers are recognised by their order, not their look
(:class:`rectrack.extractors.text.footnotes.InOrder`, the code base's one stripper):
footnotes are numbered 1, 2, 3 ... through the document, so only the number
expected next (or one a little further, if a marker was lost) is taken out.
That is what keeps "Convention No. 189", "2016-2021" and "under the age of
15" intact.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from rectrack.extractors.text.footnotes import InOrder, strip_marks
from rectrack.extractors.text.sentences import cut_run_in_heading
from rectrack.extractors.records import Block, BlockKind, Document

# The page-1 masthead that pdfium returns in the middle of the first
# paragraph ("United Nations A/HRC/WG.6/34/SVN/2", "General Assembly Distr.:
# General", "30 August 2019", "Original: English <text of paragraph 5>").
_MASTHEAD = re.compile(
    r"^(?:united\s+nations(?:\s+a\b.*)?|general\s+assembly\b.*|general|distr\.?.*|"
    r"a/hrc/\S+(?:\s+\d{1,2}\s+\w+\s+\d{4})?|\d{1,2}\s+[A-Z][a-z]+\s+\d{4})$", re.IGNORECASE)
_ORIGINAL = re.compile(r"^original:\s*[A-Za-z]+\s*", re.IGNORECASE)
_NOTES = re.compile(r"^(?:notes|endnotes)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d{1,3})\.\s+(\S.*)$", re.DOTALL)
_ENUMERATOR = re.compile(r"^(?:[IVX]+|[A-Z]|\d{1,2})\.\s+")
_LEVELS = re.compile(r"^(?:(?P<roman>[IVX]+)|(?P<letter>[A-Z])|\d{1,2})\.\s+")
_TERMINAL = re.compile(r"[.:;!?][”’\")]?$")
_SENTENCE_INSIDE = re.compile(r"[a-z)”’][.;]\s+[A-Z]")

_MARKER_WINDOW = 3           # a marker may follow the expected one by this much (lost markers)
_FOOTNOTE_START = re.compile(r"(?:(?<=\s)|^)(\d{1,3})(?=\s*[A-Z(“\"*])")


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading a paragraph stands under: its title (enumerator left out), outline level
    (module docstring), the page it is on, and the numbers of the footnotes marked on it."""

    title: str
    level: int
    page: int
    notes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One numbered paragraph with its footnote markers taken out.

    ``markers`` holds ``(offset, number)``: the footnote ``number`` stood at
    ``offset`` of ``text`` (just after the word it was glued to). ``outline``
    is the headings it stands under, outermost first.
    """

    number: str
    page: int
    text: str
    heading: str
    markers: tuple[tuple[int, int], ...] = ()
    outline: tuple[Heading, ...] = ()


@dataclass(slots=True)
class _Outline:
    """The headings open at a point of the walk, outermost first, and as they stood at the anchor."""

    open: list[Heading] = field(default_factory=list)
    anchored: list[Heading] = field(default_factory=list)
    letter: str = ""           # the letter of the last lettered heading since the last roman one

    def enter(self, text: str, page: int, notes: list[tuple[int, int]], anchor: bool) -> None:
        """A new heading: those of its level or lower end; an anchor is what table text returns to."""
        level = self._level(text)
        self.open = [kept for kept in self.open if kept.level < level]
        self.open.append(Heading(_clean_heading(text), level, page, tuple(n for _, n in notes)))
        if anchor:
            self.anchored = list(self.open)

    def extend(self, text: str, notes: list[tuple[int, int]]) -> None:
        """The rest of a heading broken over two blocks, with the footnotes marked on it."""
        if self.open:
            last = self.open[-1]
            self.open[-1] = Heading(f"{last.title} {text}", last.level, last.page,
                                    (*last.notes, *(n for _, n in notes)))
            if self.anchored and self.anchored[-1] is last:
                self.anchored[-1] = self.open[-1]

    def restore(self) -> None:
        self.open = list(self.anchored)

    def _level(self, text: str) -> int:
        match = _LEVELS.match(text)
        if match is None:
            return 4
        roman, letter = match.group("roman"), match.group("letter")
        if roman and len(roman) == 1 and self.letter and ord(roman) == ord(self.letter) + 1:
            roman, letter = None, roman      # "I. ..." after "H. ...": the ninth letter
        if roman:
            self.letter = ""
            return 1
        if letter:
            self.letter = letter
            return 2
        return 3


@dataclass(slots=True)
class _Open:
    number: str
    page: int
    heading: str
    outline: tuple[Heading, ...]
    parts: list[str] = field(default_factory=list)
    markers: list[tuple[int, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def _clean_heading(text: str) -> str:
    """"1. Equality and non-discrimination" -> "Equality and non-discrimination"."""
    return _ENUMERATOR.sub("", text).strip()


def _looks_like_heading(text: str, bold: bool) -> bool:
    """A short title: no sentence inside, no final full stop, not a continuation."""
    body = _ENUMERATOR.sub("", text)
    if not body[:1].isupper() or _SENTENCE_INSIDE.search(text) or _TERMINAL.search(body):
        return False
    if re.search(r"\d", body):
        return False      # table cells ("Refugees and stateless persons Yes, except the 1961 Convention")
    return bold or (len(body) <= 120 and "." not in body)


def _body_blocks(document: Document) -> list[Block]:
    """Body blocks up to the endnotes, without the page-1 masthead."""
    blocks: list[Block] = []
    for block in document.blocks:
        if block.kind is BlockKind.FOOTNOTE:
            continue
        if _NOTES.match(block.text.strip()):
            break
        if _MASTHEAD.match(block.text.strip()):
            continue
        text = _ORIGINAL.sub("", block.text.strip())
        if text:
            blocks.append(Block(text, block.page, block.kind, block.bold, block.cells))
    return blocks


def _new_paragraph(text: str, bold: bool, last: int) -> re.Match[str] | None:
    numbered = _NUMBERED.match(text)
    if numbered and not bold and last < int(numbered.group(1)) <= last + _MARKER_WINDOW:
        return numbered
    return None


def collect_paragraphs(document: Document) -> list[Paragraph]:
    """The numbered paragraphs of ``document``, in order, with their headings.

    A block that does not start the next paragraph number continues the open
    paragraph when that paragraph has not ended a sentence, or when it does
    not look like a heading; a heading closes the open paragraph, and so does
    the next paragraph number, cutting off any heading run into the closed
    paragraph's end (it heads what follows). Text that belongs to no
    paragraph (tables, the introduction) is left out.
    """
    markers = InOrder(window=_MARKER_WINDOW)
    paragraphs: list[Paragraph] = []
    current: _Open | None = None
    outline = _Outline()
    heading, heading_open = "", False
    anchor = ""           # the last heading set in bold or numbered: tables do not replace it
    for block in _body_blocks(document):
        text, found = strip_marks(block.text, markers)
        last = int(current.number) if current else (int(paragraphs[-1].number) if paragraphs else 0)
        numbered = _new_paragraph(text, block.bold, last)
        if numbered:
            heading, anchor = _close(current, paragraphs, outline, block.page, heading, anchor)
            prefix = len(text) - len(numbered.group(2))
            current = _Open(numbered.group(1), block.page, heading, tuple(outline.open), [numbered.group(2)],
                            [(max(0, offset - prefix), n) for offset, n in found])
            heading_open = False
        elif current and not _TERMINAL.search(current.text):
            _extend(current, text, found)
        elif heading_open and text[:1].islower():
            heading = f"{heading} {text}"          # a heading broken over two blocks
            outline.extend(text, found)
        elif _looks_like_heading(text, block.bold):
            heading, anchor = _close(current, paragraphs, outline, block.page, heading, anchor)
            current, heading_open = None, True
            heading, anchor = _enter(outline, text, found, block.page, block.bold, anchor)
        elif current:
            _extend(current, text, found)
        else:
            heading, heading_open = anchor, False   # table text under a heading: the headings above it were its cells
            outline.restore()
    _close(current, paragraphs, outline, 0, heading, anchor)
    return paragraphs


def _enter(outline: _Outline, text: str, found: list[tuple[int, int]], page: int, bold: bool,
           anchor: str) -> tuple[str, str]:
    """A heading enters ``outline``: (the heading paragraphs now stand under, the anchor)."""
    heading = _clean_heading(text)
    is_anchor = bool(bold or _ENUMERATOR.match(text))
    outline.enter(text, page, found, is_anchor)
    return heading, heading if is_anchor else anchor


def _extend(current: _Open, text: str, found: list[tuple[int, int]]) -> None:
    if re.search(r"[^\W\d]-$", current.parts[-1]):
        # "to re-" / "establish": a word broken at a block end keeps its hyphen, loses the space.
        current.parts[-1] += text
        offset = len(current.text) - len(text)
    else:
        offset = len(current.text) + 1
        current.parts.append(text)
    current.markers.extend((offset + at, n) for at, n in found)


def _close(current: _Open | None, paragraphs: list[Paragraph], outline: _Outline, page: int, heading: str,
           anchor: str) -> tuple[str, str]:
    """Add ``current`` to ``paragraphs``; (heading, anchor) for what follows.

    A heading run into its end (:func:`~rectrack.extractors.text.sentences.cut_run_in_heading`:
    "... were guaranteed. B. National human rights framework") is cut off and enters ``outline`` on
    ``page`` with the footnote markers it carried; else ``heading`` and ``anchor`` stay.
    """
    if current is None:
        return heading, anchor
    text, run_in = cut_run_in_heading(current.text)
    paragraphs.append(Paragraph(current.number, current.page, text, current.heading,
                                tuple(m for m in current.markers if m[0] <= len(text)), current.outline))
    if not run_in:
        return heading, anchor
    start = len(current.text) - len(run_in)
    return _enter(outline, run_in, [(at - start, n) for at, n in current.markers if at > len(text)], page,
                  False, anchor)


def collect_footnotes(document: Document) -> dict[int, str]:
    """Footnote number -> text, from the footnote blocks or the endnotes.

    Notes are split on their numbers in order (1, 2, 3 ...), so a number
    inside a note ("para. 6 and ...") does not start a new one. A number
    that opens a block is the surer start: the same number inside an
    earlier block ("... from 28 March to 4 April, 2017" in a long note 1,
    when a block opens with note 4) does not start a note, or it would
    swallow the notes between.
    """
    texts = [b.text for b in document.blocks if b.kind is BlockKind.FOOTNOTE]
    body = [b for b in document.blocks if b.kind is not BlockKind.FOOTNOTE]
    notes_at = next((i for i, b in enumerate(body) if _NOTES.match(b.text.strip())), None)
    if notes_at is not None:
        texts.extend(b.text for b in body[notes_at + 1:])
    stream = " ".join(texts)
    opening = {int(m.group(1)) for m in map(_FOOTNOTE_START.match, texts) if m}
    block_starts = set(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    starts: list[tuple[int, int, int]] = []
    expected = 1
    for match in _FOOTNOTE_START.finditer(stream):
        number = int(match.group(1))
        if number in opening and match.start() not in block_starts:
            continue            # the note opens a block of its own further on
        if expected <= number < expected + _MARKER_WINDOW:     # a note may have lost its number
            starts.append((number, match.start(), match.end()))
            expected = number + 1
    notes: dict[int, str] = {}
    for index, (number, _, text_start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(stream)
        notes[number] = " ".join(stream[text_start:end].split())
    return notes
