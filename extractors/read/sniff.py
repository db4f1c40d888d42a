"""Tell a file's real format from its bytes (magic numbers), not its name.

:func:`sniff_format` returns one of ``"pdf"``, ``"docx"``, ``"html"``,
``"text"`` or raises with what to do: :class:`UnreadableFile` for an empty
file, :class:`UnsupportedFormat` for formats rectrack does not read (legacy
Word, other Office files, RTF, images, archives, unknown binaries).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from rectrack.extractors.errors import UnreadableFile, UnsupportedFormat
from rectrack.extractors.read.plain import utf16_without_bom

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_TO_DOCX = "convert it to .docx, e.g. `libreoffice --headless --convert-to docx FILE`, and add that"
_OCR = "run OCR on it or add the source document"
_HTML_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                         rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)

# (magic prefix, what it is, what to do)
_UNSUPPORTED_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"{\\rtf", "an RTF document", _TO_DOCX),
    (b"\x89PNG\r\n\x1a\n", "a PNG image, not a document", _OCR),
    (b"\xff\xd8\xff", "a JPEG image, not a document", _OCR),
    (b"II*\x00", "a TIFF image, not a document", _OCR),
    (b"MM\x00*", "a TIFF image, not a document", _OCR),
    (b"GIF8", "a GIF image, not a document", "add the source document instead"),
    (b"\x1f\x8b", "a gzip archive", "unpack it and add the documents inside"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it and add the documents inside"),
    (b"Rar!", "a RAR archive", "unpack it and add the documents inside"),
)


def is_legacy_word(data: bytes) -> bool:
    """True for a Word 97-2003 ``.doc`` (an OLE2 compound file with a WordDocument stream)."""
    return data.startswith(_OLE2) and _WORD_STREAM in data


def _sniff_ole2(path: Path, data: bytes) -> str:
    """Legacy Office (OLE2 compound file): always unsupported, say which."""
    if is_legacy_word(data):
        raise UnsupportedFormat(path, "this is a legacy Word 97-2003 .doc file, "
                                "which rectrack does not read", _TO_DOCX)
    raise UnsupportedFormat(path, "this is a legacy Office 97-2003 file (.xls/.ppt), "
                            "not a document rectrack reads",
                            "save it as .docx or PDF and add that")


def _sniff_zip(path: Path, data: bytes) -> str:
    """A ZIP container: DOCX is read, other packages are not."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile as error:
        raise UnreadableFile(path, f"the ZIP/DOCX container is damaged or truncated ({error})",
                             "re-download it or re-save it from the source") from error
    if "word/document.xml" in names:
        return "docx"
    kind = ("a spreadsheet (.xlsx)" if "xl/workbook.xml" in names
            else "a presentation (.pptx)" if "ppt/presentation.xml" in names
            else "an OpenDocument file" if "mimetype" in names
            else "a ZIP archive")
    raise UnsupportedFormat(
        path, f"this is {kind}, not a document rectrack reads",
        "save the document as .docx or PDF, or unpack the archive, and add that")


def _looks_like_text(head: bytes) -> bool:
    """No NUL bytes and few control characters: plain text in some 8-bit or UTF encoding."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head):
        return True  # UTF-16, with or without a BOM
    if b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f")
    return controls <= len(head) // 100


def sniff_format(path: Path, data: bytes) -> str:
    """The format of ``data``: "pdf", "docx", "html" or "text".

    Raises :class:`UnreadableFile` if ``data`` is empty or a damaged
    container, :class:`UnsupportedFormat` for any other format.
    """
    if not data:
        raise UnreadableFile(path, "the file is empty (0 bytes)",
                             "re-download it or copy it again from the source")
    head = data[:4096]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE2):
        return _sniff_ole2(path, data)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path, data)
    for magic, what, action in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise UnsupportedFormat(path, f"this is {what}", action)
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")) or b"<html" in head[:1024].lower():
        return "html"
    if _looks_like_text(head):
        return "text"
    raise UnsupportedFormat(path, f"unknown binary format (starts with {head[:8].hex(' ')})",
                            "convert it to PDF, .docx, HTML or text and add that")
