"""Read HTML (BeautifulSoup + lxml) into paragraph blocks.

Scripts, styles, navigation and other non-content elements are dropped.
Block-level elements (``p``, headings, ``li``, ``blockquote``, ``div`` ...)
delimit blocks; inline text between them is gathered into one block; each
``<li>`` is its own block; each table row becomes a TABLE_ROW block. A block
is bold when all its text is inside ``b``/``strong``. ``<br>`` is a space.
Everything is on page 1.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from rectrack.extractors.records import Block, BlockKind, Document, Page
from rectrack.extractors.text.normalize import normalize_text

_DROP = ("script", "style", "nav", "noscript", "template", "head", "iframe", "svg",
         "form", "button", "select")
_BLOCK = frozenset(
    "address article aside blockquote body caption dd details div dl dt fieldset "
    "figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li main ol p pre section "
    "summary ul".split()
)
_BOLD = frozenset({"b", "strong"})


class _Collector:
    """Walks the tree, gathering inline text pieces into blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.pieces: list[tuple[str, bool]] = []  # (text, inside bold)

    def flush(self) -> None:
        """Close the block gathered so far (if it has any text)."""
        # Inline pieces join without a space: "<b>Ratify</b>ing" is one word.
        text = normalize_text("".join(piece for piece, _ in self.pieces))
        if text:
            bold = all(is_bold for piece, is_bold in self.pieces if piece.strip())
            self.blocks.append(Block(text=text, page=1, bold=bold))
        self.pieces = []

    def row(self, row: Tag) -> None:
        """A TABLE_ROW block for one ``<tr>`` (its own cells only)."""
        cells = tuple(normalize_text(cell.get_text(" "))
                      for cell in row.find_all(("td", "th"), recursive=False))
        if any(cells):
            self.blocks.append(Block(text=" | ".join(cells), page=1,
                                     kind=BlockKind.TABLE_ROW, cells=cells))

    def walk(self, node: Tag, bold: bool = False) -> None:
        """Gather the text under ``node``; ``bold`` if inside ``b``/``strong``."""
        for child in node.children:
            if isinstance(child, PreformattedString):
                continue  # comments, doctype, processing instructions: not text
            if isinstance(child, NavigableString):
                self.pieces.append((str(child), bold))
            elif isinstance(child, Tag):
                self.element(child, bold)

    def element(self, tag: Tag, bold: bool) -> None:
        """Handle one element: a table, a line break, a block or inline element."""
        if tag.name == "table":
            self.flush()
            # Rows of nested tables come out inside their outer cell's text.
            for row in tag.find_all("tr"):
                if row.find_parent("table") is tag:
                    self.row(row)
            return
        if tag.name == "br":
            self.pieces.append((" ", bold))
            return
        is_block = tag.name in _BLOCK
        if is_block:
            self.flush()
        self.walk(tag, bold or tag.name in _BOLD)
        if is_block:
            self.flush()


def read_html(path: Path, data: bytes, sha256: str) -> Document:
    """Read HTML bytes (encoding from BOM/meta, else detected) into a one-page Document."""
    soup = BeautifulSoup(data, "lxml")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    collector = _Collector()
    collector.walk(soup)
    collector.flush()
    blocks = tuple(collector.blocks)
    page = Page(number=1, lines=tuple(block.text for block in blocks))
    return Document(path=path, sha256=sha256, format="html", pages=(page,), blocks=blocks)
