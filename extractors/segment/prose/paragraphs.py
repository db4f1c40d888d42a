"""A prose document's paragraphs, headings and lists, ready for sentence-level reading.

:func:`prose_paragraphs` turns a :class:`~rectrack.extractors.records.Document`'s
blocks into :class:`Paragraph` records:

- headings (short blocks with no sentence-final punctuation, not list items)
  are not paragraphs; each paragraph carries the heading it stands under, and
  whether that heading opens a "Recommendations" section (its words are in
  ``data/patterns/recommendation_headings.txt``);
- list markers (``-``, ``•``, ``1.``, ``(a)``, ``IV.``) are cut off the text
  and make the paragraph a list item; so does following a paragraph that
  ends with ":" (HTML ``<li>`` and DOCX lists lose their markers);
- PDF only: footnote reference numbers glued to words ("Statelessness.6",
  "recommended4") are removed (:class:`rectrack.extractors.text.footnotes.Glued`), and a paragraph that a
  page or column break
  cut in two is joined again (the second part starts in lowercase, or the
  first part is long and ends mid-sentence);
- footnotes are left out. Paragraphs are numbered 1, 2, ... in reading order;
  a paragraph whose marker is a number ("12.", "(3)") also keeps that number
  as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rectrack.extractors.text.footnotes import Glued, strip_marks
from rectrack.extractors.text.word_lists import PATTERNS, read_word_list
from rectrack.extractors.records import Block, BlockKind, Document

_MARKER = re.compile(r"^\s*(?:[-*•◦▪–—]|\(?\d{1,3}[.)]|\(?[a-z][.)]|\([ivx]{1,5}\)|[IVX]{1,5}\.|[A-H]\.)\s+")
_BULLETS = "-*•◦▪–—"
_PRINTED_NUMBER = re.compile(r"\(?(\d{1,3})[.)]")
_TERMINAL = re.compile(r"[.!?:;…]$")
_QUOTE_CHARS = "\"“”'‘’«» "
_HEADING_MAX_WORDS = 15
_JOIN_MIN_WORDS = 15
_LIST_ITEM_MAX_WORDS = 60


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of prose.

    ``number`` is the paragraph's ordinal among the document's paragraphs
    (headings not counted). ``pages`` gives, for each page the paragraph
    runs on, the character offset in ``text`` where that page starts.
    """

    number: int
    text: str
    pages: tuple[tuple[int, int], ...]   # (offset in text, page), first offset 0
    heading: str = ""
    in_recommendations: bool = False      # under a "Recommendations" heading
    list_item: bool = False
    printed: str = ""                     # its number as printed ("12" of "12. ..."), "" when it has none

    def page_at(self, offset: int) -> int:
        """The page on which character ``offset`` of ``text`` stands."""
        page = self.pages[0][1]
        for start, number in self.pages:
            if start <= offset:
                page = number
        return page


@dataclass(slots=True)
class _Piece:
    text: str
    pages: list[tuple[int, int]]
    heading: bool
    list_item: bool
    marked: bool = False     # the block had its own list marker
    printed: str = ""        # the marker's number, when it is one


@lru_cache(maxsize=1)
def _section_words() -> tuple[str, ...]:
    return read_word_list(PATTERNS / "recommendation_headings.txt")


def is_recommendations_heading(heading: str) -> bool:
    """True when ``heading`` opens a section of recommendations."""
    words = " ".join(re.findall(r"[\w’']+", heading.casefold()))
    return any(re.search(rf"\b{re.escape(word)}\b", words) for word in _section_words())


@lru_cache(maxsize=1)
def imperative_verbs() -> frozenset[str]:
    """The verbs of ``data/patterns/imperative_verbs.txt`` (base form)."""
    return frozenset(read_word_list(PATTERNS / "imperative_verbs.txt"))


def _opens_with_imperative(text: str) -> bool:
    # Only the bare verb: "To protect human rights in practice" is a title.
    words = re.findall(r"[A-Za-z]+", text[:40].casefold())[:1]
    return bool(words) and words[0] in imperative_verbs()


def _is_heading(text: str) -> bool:
    bare = text.strip(_QUOTE_CHARS)
    return bool(bare) and len(bare.split()) <= _HEADING_MAX_WORDS and not _TERMINAL.search(bare)


def _piece(block: Block, is_pdf: bool, in_list: bool) -> _Piece:
    text = strip_marks(block.text, Glued())[0] if is_pdf else block.text
    marker = _MARKER.match(text)
    printed = ""
    if marker and len(text) > marker.end():
        text = text[marker.end():]
        number = _PRINTED_NUMBER.fullmatch(marker.group(0).strip())
        printed = number.group(1) if number else ""
    bullet = bool(marker) and marker.group(0).strip()[:1] in _BULLETS
    list_item = bool(marker) or in_list
    # "IV. Recommendations" and "1. Cross-cutting issues" are headings; a
    # bulleted line or an item of a list introduced by ":" is not.
    heading = not bullet and not in_list and _is_heading(text) and not _opens_with_imperative(text)
    list_item = list_item and not heading
    return _Piece(text.strip(), [(0, block.page)], heading, list_item, bool(marker), printed)


def _continues(previous: _Piece, piece: _Piece) -> bool:
    """True when ``piece`` is the rest of ``previous``, cut by a PDF page or column break."""
    if not piece.text:
        return False
    if previous.heading:  # a heading set on two lines: "... with international" / "human rights bodies"
        return piece.heading and piece.text[0].islower()
    if piece.text[0].islower():
        return True
    return (not piece.heading and len(previous.text.split()) > _JOIN_MIN_WORDS
            and not _TERMINAL.search(previous.text.rstrip(_QUOTE_CHARS)))


def _in_list(previous: _Piece, text: str) -> bool:
    """True when a block follows a list lead-in ("...:") or an unmarked list item.

    Marked lists (and numbered paragraphs) carry a marker on every item, so
    only lists whose markers the reader dropped are carried on here.
    """
    if previous.heading:
        return False
    return previous.text.endswith(":") or (previous.list_item and not previous.marked
                                           and len(text.split()) <= _LIST_ITEM_MAX_WORDS)


def _pieces(document: Document) -> list[_Piece]:
    """The document's body blocks as pieces, PDF continuations joined."""
    is_pdf = document.format == "pdf"
    pieces: list[_Piece] = []
    for block in document.blocks:
        if block.kind is BlockKind.FOOTNOTE or not block.text.strip():
            continue
        piece = _piece(block, is_pdf, bool(pieces) and _in_list(pieces[-1], block.text))
        if is_pdf and pieces and _continues(pieces[-1], piece):
            previous = pieces[-1]
            offset = len(previous.text) + 1
            previous.text = f"{previous.text} {piece.text}"
            if block.page != previous.pages[-1][1]:
                previous.pages.append((offset, block.page))
            continue
        pieces.append(piece)
    return pieces


def prose_paragraphs(document: Document) -> list[Paragraph]:
    """The document's paragraphs in reading order, with their headings."""
    paragraphs: list[Paragraph] = []
    heading, in_section = "", False
    for piece in _pieces(document):
        if piece.heading:
            heading = piece.text.strip(_QUOTE_CHARS)
            in_section = is_recommendations_heading(heading)
            continue
        paragraphs.append(Paragraph(
            number=len(paragraphs) + 1, text=piece.text, pages=tuple(piece.pages),
            heading=heading, in_recommendations=in_section, list_item=piece.list_item, printed=piece.printed,
        ))
    return paragraphs
