"""Read plain text and Markdown into paragraph blocks.

Paragraphs are separated by blank lines (lines of only whitespace count as
blank); inside a paragraph, each Markdown list item (``-``, ``*``, ``+``,
``1.``, ``1)``) and each ``#`` heading is its own block. Everything is on
page 1.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from rectrack.extractors.records import Block, Document, Page
from rectrack.extractors.text import join_lines, normalize_text, word_vocabulary

_BLANK = re.compile(r"\n[ \t\f\v\u00a0\u3000]*\n\s*")
_ITEM = re.compile(r"\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S")
_HEADING = re.compile(r"\s{0,3}#{1,6}\s+")


def decode_text(data: bytes) -> str:
    """Decode text bytes: BOM first, then UTF-8, then cp1252, then latin-1.

    Line ends are normalised to ``\\n``. Never raises: latin-1 decodes anything.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding, errors="replace")
            break
    else:
        for encoding in ("utf-8", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _chunks(paragraph: str) -> list[list[str]]:
    """The lines of one blank-line paragraph, grouped into list items and headings."""
    groups: list[list[str]] = []
    after_heading = False
    for line in paragraph.split("\n"):
        heading = _HEADING.match(line)
        if not groups or after_heading or heading or _ITEM.match(line):
            groups.append([])
        groups[-1].append(line[heading.end():] if heading else line)
        after_heading = heading is not None
    return groups


def read_text(path: Path, data: bytes, sha256: str) -> Document:
    """Read text/Markdown bytes into a one-page :class:`Document`."""
    text = decode_text(data)
    lines = text.split("\n")
    vocabulary = word_vocabulary(lines)
    blocks = [
        Block(text=joined, page=1)
        for paragraph in _BLANK.split(text)
        for group in _chunks(paragraph)
        if (joined := join_lines(group, vocabulary))
    ]
    page = Page(number=1, lines=tuple(kept for line in lines if (kept := normalize_text(line))))
    return Document(path=path, sha256=sha256, format="text", pages=(page,), blocks=tuple(blocks))
