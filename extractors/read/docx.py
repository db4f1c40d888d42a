"""Read DOCX files (python-docx): paragraphs and table rows in document order.

The body XML is walked directly so tables and paragraphs keep their order
(python-docx's ``document.paragraphs`` and ``document.tables`` are separate
lists). Headings are ordinary BODY blocks; a paragraph is bold when all its
text is bold. Each table row becomes a TABLE_ROW block; a merged cell that
python-docx repeats for every grid column it spans is kept once per row, and
a vertically merged cell repeats its text in each row it covers (what a
tracker row needs). A cell's paragraphs are kept apart by "\n" in
``Block.cells`` (matrices list one recommending State per paragraph) and
joined by spaces in ``Block.text``. Everything is on page 1. The page
header's text (where OHCHR matrices name the State: "UPR of Slovenia (3rd
Cycle - 34th Session)") leads ``Page.lines`` for detection, but is not a block.
"""

from __future__ import annotations

import io
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

from extractors.errors import UnreadableFile
from extractors.records import Block, BlockKind, Document, Page
from extractors.text import normalize_text

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")


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


def _blocks(document: DocxDocument) -> Iterator[Block]:
    """BODY blocks for non-empty paragraphs, TABLE_ROW blocks for non-empty rows."""
    for item in _body_items(document, document.element.body):
        if isinstance(item, Paragraph):
            text = normalize_text(item.text)
            if text:
                yield Block(text=text, page=1, bold=_is_bold(item))
            continue
        for row in item.rows:
            cells = _row_cells(row)
            if any(cells):
                text = " | ".join(cell.replace("\n", " ") for cell in cells)
                yield Block(text=text, page=1, kind=BlockKind.TABLE_ROW, cells=cells)


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
    return Document(path=path, sha256=sha256, format="docx", pages=(page,), blocks=blocks)
