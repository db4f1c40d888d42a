"""Numbered paragraphs and their lettered items: the structure of UN documents.

Treaty-body concluding observations and special-procedure reports number
their paragraphs ("17.") and letter the items of a paragraph ("(a)"); the
readers give each its own block. :func:`group_paragraphs` groups a
document's blocks into :class:`Paragraph` records under the headings they
stand under; :func:`paragraph_rows` turns one recommending paragraph into
tracker rows: one per lettered item (``17 (a)``, the lead-in in
``context``), or one for a paragraph without items (``6``).

Which paragraphs recommend is the families' decision (bold, wording,
headings); this module only knows the layout.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from rectrack.extractors.text.footnotes import Printed, strip_marks
from rectrack.extractors.records import BlockKind, Document, Problem, Recommendation
from rectrack.extractors.segment.un import wording as un_wording
from rectrack.extractors.text.sentences import split_sentences

_NUMBERED = re.compile(r"(\d{1,3})\.\s+(\S.*)", re.DOTALL)
_LETTERED = re.compile(r"\(([a-z]{1,4})\)\s+(\S.*)", re.DOTALL)
_ROMAN = re.compile(r"(?:i{1,3}|iv|vi{0,3}|ix|xi{0,3})")
# Outline levels: "IV." 1, "B." 2, "1." 3, a heading without enumerator 4; an annex closes everything.
_ENUMERATOR = re.compile(r"(?:([IVX]{1,6})|([A-Z])|(\d{1,2}))\.\s+")
_ANNEX = re.compile(r"(?:annex|appendix)\b", re.IGNORECASE)
_HEADING_MAX = 200
_NUMBERED_HEADING_MAX = 120
_UNFINISHED = (".", ";", ":", ",")
_FOOTNOTE_NUMBER = re.compile(r"(\d{1,3})\s")
# Sentence ends inside a lead-in: "... structures. It should also ... . The State party should also:"
_ITEM_TAIL = re.compile(r"\s*(?:[;,]\s*(?:and|or)?|\band|\bor)\s*$")


@dataclass(frozen=True, slots=True)
class Item:
    """One lettered item of a paragraph: ``letter`` "a", text without "(a)"."""

    letter: str
    text: str
    page: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One numbered paragraph as printed, footnote marks removed.

    ``text`` is the paragraph without its number; when it has ``items``, it
    is their lead-in ("The Committee recommends that the State party:").
    ``headings`` is the outline it stands under, outermost first, without
    enumerators ("Concerns and recommendations", "Access to justice").
    ``problems`` matter only if the paragraph is a recommendation: the
    families report them for the paragraphs they keep.
    """

    number: str
    text: str
    page: int
    bold: bool
    headings: tuple[str, ...] = ()
    items: tuple[Item, ...] = ()
    problems: tuple[Problem, ...] = ()   # its layout's oddities (an item out of sequence)

    @property
    def heading(self) -> str:
        """The nearest heading above the paragraph ("" if none)."""
        return self.headings[-1] if self.headings else ""

    @property
    def addressee(self) -> str:
        """Whom the nearest addressee heading names ("the Government"); "" if none does."""
        for heading in reversed(self.headings):
            if found := un_wording.addressee(heading):
                return found
        return ""


@dataclass(slots=True)
class _Grouping:
    """The state of :func:`group_paragraphs` while it walks the blocks."""

    outline: list[tuple[int, str]] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)

    def heading(self, text: str) -> None:
        level, title = _outline_entry(text)
        self.outline = [(lvl, kept) for lvl, kept in self.outline if lvl < level]
        if level:
            self.outline.append((level, title))

    def paragraph(self, number: str, text: str, page: int, bold: bool) -> None:
        headings = tuple(title for _, title in self.outline)
        self.paragraphs.append(Paragraph(number, text, page, bold, headings))

    def item(self, letter: str, text: str, page: int) -> None:
        current = self.paragraphs[-1]
        items, expected = current.items, _next_letter(current.items)
        if letter != expected and items and _ROMAN.fullmatch(letter):
            # "(i)", "(ii)" under an item: sub-items, part of that item's text.
            last = replace(items[-1], text=f"{items[-1].text} ({letter}) {text}")
            self.paragraphs[-1] = replace(current, items=(*items[:-1], last))
            return
        problems = current.problems
        if letter != expected:
            problems = (*problems, _sequence_problem(current, letter, expected, page))
        self.paragraphs[-1] = replace(current, items=(*items, Item(letter, text, page)), problems=problems)

    def continuation(self, text: str) -> None:
        """An unnumbered block after a paragraph: it runs on from the paragraph or its last item."""
        current = self.paragraphs[-1]
        if current.items:
            last = current.items[-1]
            items = (*current.items[:-1], replace(last, text=f"{last.text} {text}"))
            self.paragraphs[-1] = replace(current, items=items)
        else:
            self.paragraphs[-1] = replace(current, text=f"{current.text} {text}")


def _sequence_problem(paragraph: Paragraph, letter: str, expected: str, page: int) -> Problem:
    after = f"({paragraph.items[-1].letter})" if paragraph.items else "the lead-in"
    return Problem(
        document="", page=page, kind="item_sequence",
        reason=f"paragraph {paragraph.number}: item ({letter}) follows {after}, expected ({expected})",
        action="check the paragraph's items in the document: one may be missing or misread",
    )


def _outline_entry(text: str) -> tuple[int, str]:
    """(level, title without enumerator) of a heading."""
    if _ANNEX.match(text):
        return 0, text
    match = _ENUMERATOR.match(text)
    if not match:
        return 4, text
    roman, letter, _ = match.groups()
    return (1 if roman else 2 if letter else 3), text[match.end():]


def _next_letter(items: tuple[Item, ...]) -> str:
    if not items:
        return "a"
    last = items[-1].letter
    return chr(ord(last) + 1) if len(last) == 1 and last != "z" else last + "a"


def _is_heading(text: str) -> bool:
    """A short block that does not end like a sentence: a title, not a paragraph."""
    limit = _NUMBERED_HEADING_MAX if _NUMBERED.match(text) else _HEADING_MAX
    return len(text) <= limit and not text.rstrip().endswith(_UNFINISHED) and not _LETTERED.match(text)


def footnote_marks(document: Document) -> dict[int, set[str]]:
    """Page -> the footnote marks that may appear in a paragraph starting on it.

    Those are the numbers of the footnotes printed on the page and the next
    (a paragraph may run on), plus the number after the last footnote seen so
    far: a reader may lose a footnote that looks like a running footer
    ("12 CERD/C/2007/1." at the foot of the last page of CERD/C/BRA/CO/18-20).
    A document without footnote blocks has no marks.
    """
    printed: dict[int, set[str]] = defaultdict(set)
    for block in document.blocks:
        if block.kind is BlockKind.FOOTNOTE and (match := _FOOTNOTE_NUMBER.match(block.text)):
            printed[block.page].add(match.group(1))
    marks: dict[int, set[str]] = defaultdict(set)
    if not printed:  # no footnotes (text, HTML): a number after a word is the text's own ("No.1")
        return marks
    highest = 0
    for page in range(1, document.page_count + 1):
        highest = max([highest, *(int(number) for number in printed[page - 1])])
        marks[page] = printed[page] | printed[page + 1] | {str(highest + 1)}
    return marks


def group_paragraphs(document: Document) -> list[Paragraph]:
    """The numbered paragraphs of ``document`` in order, with their items and headings.

    Footnote marks are removed from the text (see :func:`footnote_marks`). Never raises on
    odd layouts: blocks before the first paragraph that are not headings are
    skipped; an item out of sequence is kept and noted in its paragraph's
    ``problems``.
    """
    marks = footnote_marks(document)
    state = _Grouping()
    for block in document.blocks:
        if block.kind is not BlockKind.BODY:
            continue
        text = strip_marks(block.text, Printed(frozenset(marks[block.page])))[0] if marks[block.page] else block.text
        if _is_heading(text):
            state.heading(text)
        elif numbered := _NUMBERED.fullmatch(text):
            state.paragraph(numbered.group(1), numbered.group(2), block.page, block.bold)
        elif not state.paragraphs:
            continue
        elif lettered := _LETTERED.fullmatch(text):
            state.item(lettered.group(1), lettered.group(2), block.page)
        else:
            state.continuation(text)
    return state.paragraphs


def _item_text(text: str) -> str:
    """An item as a sentence of its own: the list's "; and" becomes a full stop."""
    text = _ITEM_TAIL.sub("", text.rstrip())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def own_recommendation(lead: str) -> str:
    """What a lead-in recommends before introducing its items ("" if nothing).

    Paragraph 17 of CERD/C/BRA/CO/18-20 recommends two things, then says
    "The State party should also:" and lists (a)-(f): the first two
    sentences are a recommendation of their own. A lead-in that is one
    sentence ("... recommends that the State party:") gives nothing.
    """
    sentences = [sentence.text for sentence in split_sentences(lead.strip())]
    if len(sentences) < 2 or not sentences[-1].endswith(":"):
        return ""
    head = " ".join(sentences[:-1])
    return head if un_wording.recommends(head) else ""


def paragraph_rows(paragraph: Paragraph, *, source: str, addressee: str = "",
                   follow_up: tuple[str, ...] | None = None) -> list[Recommendation]:
    """The tracker rows of one recommending paragraph.

    A paragraph without items is one row (``"6"``); with items, one row per
    item (``"17 (a)"``, lead-in in ``context``) plus a row ``"17"`` for what
    the lead-in recommends on its own (:func:`own_recommendation`).
    ``follow_up`` is None when the follow-up paragraph does not name this
    paragraph, ``()`` when it names all of it, else the letters it names.
    """
    common = {"source": source, "heading": paragraph.heading, "addressee": addressee}
    whole = follow_up == ()
    if not paragraph.items:
        return [Recommendation(paragraph=paragraph.number, text=paragraph.text, page=paragraph.page,
                               follow_up=follow_up is not None, **common)]
    rows = []
    if own := own_recommendation(paragraph.text):
        rows.append(Recommendation(paragraph=paragraph.number, text=own, page=paragraph.page,
                                   follow_up=whole, **common))
    for item in paragraph.items:
        named = whole or (follow_up is not None and item.letter in follow_up)
        rows.append(Recommendation(
            paragraph=f"{paragraph.number} ({item.letter})", text=_item_text(item.text), page=item.page,
            context=paragraph.text, follow_up=named, **common))
    return rows
