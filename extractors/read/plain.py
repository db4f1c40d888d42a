"""Read plain text and Markdown into paragraph blocks.

Paragraphs are separated by blank lines (lines of only whitespace count as
blank); inside a paragraph, each Markdown list item (``-``, ``*``, ``+``,
``1.``, ``1)``) and each ``#`` heading is its own block. Everything is on
page 1.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from pathlib import Path

from charset_normalizer import from_bytes

from rectrack.extractors.records import Block, Document, Page
from rectrack.extractors.text.normalize import WordLookup, join_lines, normalize_text

_BLANK = re.compile(r"\n[ \t\f\v\u00a0\u3000]*\n\s*")
_ITEM = re.compile(r"\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+\S")
_HEADING = re.compile(r"\s{0,3}#{1,6}\s+")


# A text in UTF-16 uses few distinct high bytes (0x00 for Latin, 0x04 for Cyrillic, 0x20 for
# punctuation...); binary data decoded as UTF-16 uses most of the 256.
_UTF16_HIGH_BYTES = 8
_UTF16_PRINTABLE = 0.95
# Letters outside Latin in a detected 8-bit decoding: at least this share and this many, or it is Western European.
_OTHER_SCRIPT_SHARE = 0.3
_OTHER_SCRIPT_LETTERS = 8


def utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` (a sample will do) reads as UTF-16 text without a BOM.

    True when one byte of each pair takes few values, one of them in most pairs, and the decoded
    characters are printable; None otherwise (ASCII and UTF-8 text never qualify:
    they have no NUL bytes and, in pairs, too many distinct "high" bytes).
    """
    sample = data[:4096 - 4096 % 2] if len(data) >= 4096 else data[:len(data) - len(data) % 2]
    if len(sample) < 16:
        return None
    for encoding, high in (("utf-16-le", 1), ("utf-16-be", 0)):
        highs = sample[high::2]
        if len(set(highs)) > _UTF16_HIGH_BYTES or Counter(highs).most_common(1)[0][1] * 2 < len(highs):
            continue
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(1 for char in text if char.isprintable() or char in "\t\n\r\f")
        if printable >= _UTF16_PRINTABLE * len(text):
            return encoding
    return None


def _other_script(text: str) -> bool:
    """True when a good share of ``text``'s letters are not Latin (Cyrillic, Greek, Arabic...)."""
    letters = [char for char in text if char.isalpha()]
    others = sum(1 for char in letters if not unicodedata.name(char, "LATIN").startswith("LATIN"))
    return others >= max(_OTHER_SCRIPT_LETTERS, _OTHER_SCRIPT_SHARE * len(letters))


def decode_text(data: bytes) -> str:
    """Decode text bytes; line ends are normalised to ``\\n``. Never raises.

    In order: a BOM (UTF-8, UTF-16); UTF-16 without a BOM
    (:func:`utf16_without_bom`); UTF-8; an 8-bit encoding of another script
    (cp1251, KOI8-R, ...) when charset-normalizer detects one and the text it
    gives is mostly non-Latin letters; else Western European: cp1252, then
    latin-1 (which decodes anything).
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding, errors="replace")
            break
    else:
        text = _decode_without_bom(data)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_without_bom(data: bytes) -> str:
    utf16 = utf16_without_bom(data)   # first: UTF-16 of ASCII or Cyrillic is valid UTF-8 too
    if utf16:
        return data[:len(data) - len(data) % 2].decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    detected = from_bytes(data).best()
    if detected is not None:
        text = data.decode(detected.encoding, errors="replace")
        if _other_script(text):
            return text
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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
    vocabulary = WordLookup(lines)
    blocks = [
        Block(text=joined, page=1)
        for paragraph in _BLANK.split(text)
        for group in _chunks(paragraph)
        if (joined := join_lines(group, vocabulary))
    ]
    page = Page(number=1, lines=tuple(kept for line in lines if (kept := normalize_text(line))))
    return Document(path=path, sha256=sha256, format="text", pages=(page,), blocks=tuple(blocks))
