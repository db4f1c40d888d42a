"""Read DOCX files (python-docx): paragraphs and table rows in document order.

The body XML is walked directly so tables and paragraphs keep their order
(python-docx's ``document.paragraphs`` and ``document.tables`` are separate
lists). Headings are ordinary BODY blocks; a paragraph is bold when all its
text is bold. Each table row becomes a TABLE_ROW block; a merged cell that
python-docx repeats for every grid column it spans is kept once per row, and
a vertically merged cell repeats its text in each row it covers (what a
tracker row needs). A cell's paragraphs are kept apart by "\n" in
``Block.cells`` (matrices list one recommending State per paragraph) and
joined by spaces in ``Block.text``.

A DOCX has no pages, but Word stores where its last rendering broke them
(``w:lastRenderedPageBreak``) and where the author forced a break
(``w:br w:type="page"``). A block's ``page`` is the page it starts on in
that rendering: 1, plus the breaks before it (a break before any text of a
block moves the block itself). Breaks with no text between them count once
(Word marks a forced break twice); a table row counts the most breaks of one
of its cells (cells run side by side). A file no Word rendering saved
(written by a script, or LibreOffice) has no such marks: everything is on
page 1. The document keeps one :class:`Page` whatever the count. The page
header's text (where OHCHR matrices name the State: "UPR of Slovenia (3rd
Cycle - 34th Session)") leads ``Page.lines`` for detection, but is not a block.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from rectrack.extractors.errors import UnreadableFile
from rectrack.extractors.records import Block, BlockKind, Document, Page, Problem
from rectrack.extractors.text.normalize import normalize_text

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
# "Page 2 of 39" in a page header: the page count Word's NUMPAGES field showed when the file was saved.
_PAGE_OF = re.compile(r"\bPage\s+\d+\s+of\s+(\d+)\b", re.IGNORECASE)
_TEXT, _RENDERED_BREAK, _BREAK, _BREAK_TYPE, _TC = (
    qn("w:t"), qn("w:lastRenderedPageBreak"), qn("w:br"), qn("w:type"), qn("w:tc"))


def _body_items(parent, container) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables of ``container`` (an XML element) in order,
    looking inside content controls (``w:sdt``), which Word uses for
    e.g. tables of contents."""
    for child in container.iterchildren():
        if child.tag == _P:
            yield Paragraph(child, parent)
        elif child.tag == _TBL:
            yield Table(child, parent)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _body_items(parent, content)


def _is_bold(paragraph: Paragraph) -> bool:
    """All text-bearing runs bold, directly or through the paragraph style."""
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(run.bold or (run.bold is None and style_bold) for run in runs)


def _row_cells(row: _Row) -> tuple[str, ...]:
    """The row's cell texts, each merged cell once, paragraphs separated by "\n"."""
    seen: set[int] = set()
    cells: list[str] = []
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        # Keep a cell's paragraphs apart: in matrices they are list items
        # ("Chile", "Estonia", ...) that would run together as one name.
        paragraphs = (normalize_text(part) for part in cell.text.split("\n"))
        cells.append("\n".join(part for part in paragraphs if part))
    return tuple(cells)


def _page_breaks(element) -> tuple[bool, int]:
    """(whether a page break comes before any text, number of page breaks) inside ``element``.

    Rendered and forced breaks with no text between them count as one.
    """
    leading, count, text_since, seen_text = False, 0, True, False
    for node in element.iter(_TEXT, _RENDERED_BREAK, _BREAK):
        if node.tag == _TEXT:
            if node.text and node.text.strip():
                seen_text = text_since = True
            continue
        if node.tag == _BREAK and node.get(_BREAK_TYPE) != "page":
            continue
        if text_since or not count:
            count += 1
            leading = leading or not seen_text
        text_since = False
    return leading, count


def _row_breaks(row: _Row) -> tuple[bool, int]:
    """A row's page breaks: leading if its first cell with text starts on a new page; the most of one cell."""
    per_cell = [_page_breaks(tc) for tc in row._tr.iter(_TC)]
    first = next((breaks for breaks, tc in zip(per_cell, row._tr.iter(_TC))
                  if "".join(tc.itertext()).strip()), (False, 0))
    return first[0], max((count for _, count in per_cell), default=0)


def _blocks(document: DocxDocument) -> Iterator[Block]:
    """BODY blocks for non-empty paragraphs, TABLE_ROW blocks for non-empty rows, with their pages."""
    page = 1
    for item in _body_items(document, document.element.body):
        if isinstance(item, Paragraph):
            leading, breaks = _page_breaks(item._p)
            text = normalize_text(item.text)
            if text:
                yield Block(text=text, page=page + leading, bold=_is_bold(item))
            page += breaks
            continue
        for row in item.rows:
            leading, breaks = _row_breaks(row)
            cells = _row_cells(row)
            if any(cells):
                text = " | ".join(cell.replace("\n", " ") for cell in cells)
                yield Block(text=text, page=page + leading, kind=BlockKind.TABLE_ROW, cells=cells)
            page += breaks


def _header_lines(document: DocxDocument) -> list[str]:
    """The distinct non-empty paragraphs of the sections' page headers."""
    lines: list[str] = []
    for section in document.sections:
        for paragraph in section.header.paragraphs:
            text = normalize_text(paragraph.text)
            if text and text not in lines:
                lines.append(text)
    return lines


def read_docx(path: Path, data: bytes, sha256: str) -> Document:
    """Read DOCX bytes into a one-page :class:`Document`.

    Raises :class:`UnreadableFile` when the package or its XML is damaged.
    """
    try:
        package = docx.Document(io.BytesIO(data))
        blocks = tuple(_blocks(package))
        header = _header_lines(package)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, XMLSyntaxError) as error:
        raise UnreadableFile(
            path, f"the DOCX file is damaged ({error})",
            "open and re-save it in Word or LibreOffice, then add it again") from error
    page = Page(number=1, lines=(*header, *(block.text for block in blocks)))
    return Document(path=path, sha256=sha256, format="docx", pages=(page,), blocks=blocks,
                    warnings=_pagination_warnings(header, blocks))


def _pagination_warnings(header: list[str], blocks: tuple[Block, ...]) -> tuple[Problem, ...]:
    """A warning when the page header counts more pages than Word stored page breaks for.

    Word paginates long files in the background and saves only the breaks it
    had laid out: the blocks after the last stored break all get its page.
    """
    counted = max((int(m.group(1)) for line in header for m in _PAGE_OF.finditer(line)), default=0)
    stored = max((block.page for block in blocks), default=1)
    if counted <= stored:
        return ()
    return (Problem(
        document="", kind="pages_incomplete", page=stored,
        reason=f"the page header counts {counted} pages but Word saved page breaks for only {stored}: "
               f"the recommendations after page {stored - 1} all carry page {stored}",
        action="open the file in Word, let it finish paginating (scroll to the end), save it and re-run"),)
