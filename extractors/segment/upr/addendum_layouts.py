"""The layouts of UPR addenda, read into entries: numbers, and what is said about them.

An :class:`Entry` is one place where the addendum speaks about some
recommendation numbers: a listing paragraph ("3. The Government accepts the
following recommendations 122.1, ..."), an explanation under a number
heading ("122.11" then the State's words), an item of the 2008-2010 layout
("5., 6. Slovenia accepts these recommendations."), or a table row. Deciding
positions from entries is :mod:`rectrack.extractors.segment.upr.addendum`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rectrack.extractors.records import Block, BlockKind, Document
from rectrack.extractors.segment.upr.addendum_refs import (
    is_reference_heading,
    parse_references,
    split_headings,
)


@dataclass(slots=True)
class Entry:
    """Recommendation numbers and what the addendum says about them there.

    ``statement`` is the text of a listing paragraph (it states the position
    of every number it lists), empty for explanations and items, whose
    ``words`` are the State's response. ``paragraph`` is the addendum's own
    paragraph number of a listing; ``heading`` the section heading in force.
    """

    numbers: list[str]
    page: int
    words: list[str] = field(default_factory=list)
    statement: str = ""
    paragraph: str = ""
    heading: str = ""
    unreadable: tuple[str, ...] = ()


_NUMBERED = re.compile(r"^\s*(\d{1,3})\.\s+(\S.*)$", re.DOTALL)
_DOTTED_NUMBER = re.compile(r"(?<![\d.])\d{1,3}\.\d{1,3}(?![\d])")
# A block naming this many dotted numbers is a listing (prose rarely has "15.1" thrice).
_LISTING_MIN = 3
_HEADING_MAX = 200


def _body_blocks(document: Document) -> list[Block]:
    return [b for b in document.blocks if b.kind is BlockKind.BODY and b.text.strip()]


def is_dotted_layout(blocks: list[Block]) -> bool:
    """Whether the addendum cites dotted numbers ("122.17") rather than plain items ("17.")."""
    return any(is_reference_heading(b.text) or len(_DOTTED_NUMBER.findall(b.text)) >= _LISTING_MIN
               for b in blocks)


def _pieces(blocks: list[Block]) -> list[tuple[str, Block, bool]]:
    """(text, block, may be a section heading) with number headings the reader ran in cut out.

    A number heading at the foot of a page runs on to the answer at the top
    of the next ("122.79–81 Slovenia will ..."), one set without a paragraph
    gap runs on to the answer before it ("... the defendant. 122.79–81"):
    each piece is read on its own. Only a block left whole may be a bold
    section heading.
    """
    pieces = []
    for block in blocks:
        texts = split_headings(block.text)
        pieces.extend((text, block, len(texts) == 1 and block.bold) for text in texts)
    return pieces


def dotted_entries(blocks: list[Block]) -> list[Entry]:
    """Entries of the clustered layout: listing paragraphs, then number headings with explanations."""
    entries: list[Entry] = []
    heading = ""
    current: Entry | None = None
    for text, block, bold in _pieces(blocks):
        numbered = _NUMBERED.match(text)
        if is_reference_heading(text):
            refs = parse_references(text)
            current = Entry(list(refs.numbers), block.page, heading=heading, unreadable=refs.unreadable)
            entries.append(current)
        elif numbered:
            current = None
            refs = parse_references(numbered.group(2))
            if refs.numbers or refs.unreadable:
                entries.append(Entry(list(refs.numbers), block.page, statement=numbered.group(2),
                                     paragraph=numbered.group(1), heading=heading,
                                     unreadable=refs.unreadable))
        elif bold and len(text) <= _HEADING_MAX:
            heading, current = text, None
        elif current is not None:
            if not current.words:
                current.page = block.page  # a heading run on from the page before
            current.words.append(text)
    return entries


# 2008-2010 items: "5., 6., 7. The ..." at a paragraph start; "43., 44." or
# "83., 85., 86., 87. decision" inside one (the numbers stood in a left column).
_ITEMS_AT_START = re.compile(r"^\s*((?:\d{1,3}\.,?\s+)*\d{1,3}\.,?)(?:\s+|$)")
_ITEMS_INSIDE = re.compile(r"(?<=\s)((?:\d{1,3}\.,\s*)+(?:\d{1,3}\.(?=\s|$))?)")


def item_pieces(text: str) -> list[tuple[str, str]]:
    """Split a block into ("start", numbers), ("more", numbers) and ("text", words) pieces.

    Numbers followed by a capital start a new item; numbers followed by
    lower-case words or by nothing belong to the item already open.
    """
    pieces: list[tuple[str, str]] = []
    position = 0
    start = _ITEMS_AT_START.match(text)
    if start:
        pieces.append(("start", start.group(1)))
        position = start.end()
    for match in _ITEMS_INSIDE.finditer(text, position):
        pieces.append(("text", text[position:match.start()]))
        after = text[match.end():].lstrip()
        pieces.append(("start" if after[:1].isupper() else "more", match.group(1)))
        position = match.end()
    pieces.append(("text", text[position:]))
    return [(kind, value.strip()) for kind, value in pieces if value.strip()]


def item_entries(blocks: list[Block]) -> list[Entry]:
    """Entries of the 2008-2010 layout: one per run of item numbers, with the words after it."""
    entries: list[Entry] = []
    current: Entry | None = None
    for block in blocks:
        for kind, value in item_pieces(block.text):
            if kind == "text":
                if current is not None:
                    current.words.append(value)
                continue
            refs = parse_references(value, plain=True)
            if kind == "start" or current is None:
                current = Entry(list(refs.numbers), block.page, unreadable=refs.unreadable)
                entries.append(current)
            else:
                current.numbers.extend(n for n in refs.numbers if n not in current.numbers)
    return entries


_PLAIN_CELL = re.compile(r"\s*\d{1,3}\.?\s*(?:(?:[,;]|\band\b)\s*\d{1,3}\.?\s*)*")
_POSITION_HEADER = re.compile(r"\b(?:position|response of|accepted|supported)\b", re.IGNORECASE)
_WORDS_HEADER = re.compile(r"\b(?:comments?|explanations?|replies|reply|remarks|response)\b", re.IGNORECASE)
_POSITION_CELL_MAX = 60


def _numbers_cell(cells: list[str]) -> int | None:
    """Index of the first cell holding only recommendation numbers, or None."""
    for index, cell in enumerate(cells):
        if cell and (is_reference_heading(cell) or _PLAIN_CELL.fullmatch(cell)):
            return index
    return None


def _header_columns(cells: list[str]) -> tuple[int | None, int | None] | None:
    """(position column, words column) of a header row, None if ``cells`` is not one."""
    position = next((i for i, c in enumerate(cells) if _POSITION_HEADER.search(c)), None)
    # A section row ("Accepted recommendations", one merged cell) is not a header.
    if position is None or len({c for c in cells if c}) < 2 or any(len(c) > _POSITION_CELL_MAX for c in cells):
        return None
    words = next((i for i, c in enumerate(cells) if i != position and _WORDS_HEADER.search(c)), None)
    return position, words


def _row_entry(cells: list[str], page: int, columns: tuple[int | None, int | None] | None) -> Entry | None:
    """The entry of a table row whose first numbers-only cell cites recommendations, else None."""
    numbers_at = _numbers_cell(cells)
    if numbers_at is None:
        return None
    cell = cells[numbers_at]
    refs = parse_references(cell) if is_reference_heading(cell) else parse_references(
        re.sub(r"(\d)\.?(?=\s|,|;|$)", r"\1.", cell), plain=True)
    position_at, words_at = columns or (None, None)
    if position_at is None:
        # No header: the short cell that states a position ("Supported", "Noted").
        short = [i for i, c in enumerate(cells) if i > numbers_at and len(c) <= _POSITION_CELL_MAX]
        position_at = short[0] if short else None
    statement = cells[position_at] if position_at is not None and position_at < len(cells) else ""
    words = [cells[words_at]] if words_at is not None and words_at < len(cells) and cells[words_at] else []
    return Entry(list(refs.numbers), page, words=words, statement=statement,
                 unreadable=refs.unreadable)


def table_entries(document: Document) -> list[Entry]:
    """One entry per table row that starts with recommendation numbers.

    A header row naming a position column (and a comments column) says
    where to look; without one, the first short cell after the numbers is
    taken as the position.
    """
    entries: list[Entry] = []
    columns = None
    for block in document.blocks:
        if block.kind is not BlockKind.TABLE_ROW:
            continue
        cells = [" ".join(c.split()) for c in block.cells]
        header = _header_columns(cells) if _numbers_cell(cells) is None else None
        if header is not None:
            columns = header
            continue
        entry = _row_entry(cells, block.page, columns)
        if entry is not None:
            entries.append(entry)
    return entries


def document_entries(document: Document) -> list[Entry]:
    """Every entry of an addendum, in document order, whatever its layout.

    Table rows (DOCX/HTML) are read by :func:`table_entries`; the body text
    by the clustered or the itemised reader, whichever the numbers it cites
    call for (:func:`is_dotted_layout`).
    """
    blocks = _body_blocks(document)
    text_entries = dotted_entries(blocks) if is_dotted_layout(blocks) else item_entries(blocks)
    return text_entries + table_entries(document)
