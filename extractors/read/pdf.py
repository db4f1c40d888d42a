"""Read a PDF's text layer with pypdfium2, fast.

Text comes from ``FPDFText_GetText`` (what pypdfium2's ``get_text_range``
calls), the fast path (~1,000 pages/s here, against ~10 for pdfplumber's
geometry), through pypdfium2 5.x's raw ctypes API.
Layout decisions need a little geometry, bought cheaply: for each line, one
probe of one character near its middle, three pdfium calls (origin: the
baseline; font size; font weight: bold). Everything else is
:mod:`rectrack.extractors.read.layout`.

PDFium is not thread-safe, not even across documents: all pdfium work here
runs under one process-wide lock. Parallelise reading with processes.
"""

from __future__ import annotations

import ctypes
import math
import re
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from rectrack.extractors.errors import EncryptedFile, NoTextLayer, UnreadableFile
from rectrack.extractors.read.limits import Limits, check_pages, check_text_length
from rectrack.extractors.read import layout
from rectrack.extractors.read.layout import Line
from rectrack.extractors.records import Document, Problem
from rectrack.extractors.text.normalize import DocumentWords, normalize_text

_PDFIUM_LOCK = threading.Lock()
_BOLD_WEIGHT = 600
_UNSCALED_SIZE = 1.5
_PDFIUM_DETAIL = re.compile(r"PDFium: ([^)]*)")


def _unconverted(function, restype):
    """``function`` without ctypes' per-argument conversion: a call costs ~0.3 instead of ~0.8 µs.

    The probe makes three or four calls per line, so this is a fifth of the
    Python side of reading. With no argument types declared, ctypes passes a
    Python int as a C int and a ctypes pointer as a pointer, which is what the
    callers must give (a structure must go as ``ctypes.pointer(...)``).
    """
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


_ORIGIN = _unconverted(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_int)
_FONT_SIZE = _unconverted(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)
_FONT_WEIGHT = _unconverted(pdfium_c.FPDFText_GetFontWeight, ctypes.c_int)
_MATRIX = _unconverted(pdfium_c.FPDFText_GetMatrix, ctypes.c_int)
_LINE_BREAK = "\r\n"
# Fewer characters of text than this on every page: no usable text layer.
_MIN_PAGE_CHARS = 10


def _open(path: Path, data: bytes) -> pdfium.PdfDocument:
    """Open the PDF, turning pdfium's load errors into actionable ones.

    pdfium rebuilds a damaged cross-reference table by itself, so a PDF
    that other readers reject (e.g. "no root object") may still open here.
    """
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedFile(
                path, "the PDF is password-protected",
                "ask the sender for an unprotected copy, or remove the password "
                "(e.g. `qpdf --password=PASSWORD --decrypt in.pdf out.pdf`) and add it again",
            ) from error
        detail = _PDFIUM_DETAIL.search(str(error))
        raise UnreadableFile(
            path, f"the PDF is damaged or truncated ({detail.group(1) if detail else error})",
            "re-download it or re-save it from the source, then add it again",
        ) from error
    if len(document) == 0:
        document.close()
        raise UnreadableFile(path, "the PDF is damaged or truncated (it has no pages)",
                             "re-download it or re-save it from the source, then add it again")
    return document


def _segments(text: str) -> list[tuple[str, int]]:
    """Split pdfium's page text into visual lines: (text, index of first char).

    pdfium separates lines with CRLF, but when a line ends in a hyphen it
    emits a marker instead and runs the next line on; the marker becomes a
    "-" ending the first line.
    """
    segments: list[tuple[str, int]] = []
    start = 0
    for piece in text.split(_LINE_BREAK):
        if "\ufffe" in piece or "\x02" in piece:
            offset = start
            for part in piece.replace("\x02", "\ufffe").split("\ufffe")[:-1]:
                segments.append((part + "-", offset))
                offset += len(part) + 1
            segments.append((piece[offset - start:], offset))
        else:
            segments.append((piece, start))
        start += len(piece) + 2
    return segments


class _Probe:
    """Reads a page's text and one character's geometry per line, via pdfium's C API.

    The raw API is used instead of pypdfium2's page helpers: their per-page
    Python objects cost about as much as the layout work. Buffers are reused
    across pages; one probe serves one document at a time.
    """

    def __init__(self) -> None:
        self.y = ctypes.c_double()
        # Pointer objects of the exact argument type skip ctypes' conversion.
        self.x_ptr = ctypes.pointer(ctypes.c_double())
        self.y_ptr = ctypes.pointer(self.y)
        self.matrix = pdfium_c.FS_MATRIX()
        self.matrix_ptr = ctypes.pointer(self.matrix)
        self.buffer = (ctypes.c_ushort * 8192)()

    def text(self, textpage) -> str:
        """The page's text as pdfium lays it out (CRLF between lines)."""
        count = pdfium_c.FPDFText_CountChars(textpage)
        if count <= 0:
            return ""
        if len(self.buffer) <= count:
            self.buffer = (ctypes.c_ushort * (2 * count))()
        pdfium_c.FPDFText_GetText(textpage, 0, count, self.buffer)
        return ctypes.string_at(self.buffer, 2 * count).decode("utf-16-le", errors="ignore")

    def scaled_size(self, textpage, index: int, size: float) -> float:
        """Some producers set "Tf 1" and scale glyphs with the text matrix:
        the real size is then the matrix's vertical scale."""
        _MATRIX(textpage, index, self.matrix_ptr)
        return round(size * math.hypot(self.matrix.c, self.matrix.d), 2)

    def lines(self, textpage) -> list[Line]:
        """The page's visual lines with one geometry probe each, in pdfium order."""
        x_ptr, y_ptr, y = self.x_ptr, self.y_ptr, self.y
        origin, font_size, font_weight = _ORIGIN, _FONT_SIZE, _FONT_WEIGHT
        new_line = tuple.__new__  # Line(...) costs 4x more in this hot loop
        lines: list[Line] = []
        for piece, start in _segments(self.text(textpage)):
            text = normalize_text(piece)
            if not text:
                continue
            # Probe a non-space character near the middle: the start may be a
            # regular-weight paragraph number or a raised footnote mark.
            middle = len(piece) // 2
            while middle > 0 and piece[middle] == " ":
                middle -= 1
            index = start + middle
            origin(textpage, index, x_ptr, y_ptr)
            size = font_size(textpage, index)
            if size < _UNSCALED_SIZE:
                size = self.scaled_size(textpage, index, size)
            bold = font_weight(textpage, index) >= _BOLD_WEIGHT
            lines.append(new_line(Line, (text, y.value, size, bold)))
        return lines


def _repair_warning(pages: int) -> Problem:
    return Problem(
        document="", kind="damaged",
        reason=f"the PDF is damaged (its cross-reference table is broken; other readers fail with "
               f"\"no root object\"): pdfium rebuilt it and read {pages} pages, but text may be missing",
        action="compare the extracted recommendations with the original, or re-download the file and add it again",
    )


def _extract(path: Path, data: bytes, limits: Limits | None = None) -> tuple[list[list[Line]], bool]:
    """All pages' lines, and whether pdfium had to rebuild the file, under the pdfium lock.

    The page count is checked against ``limits`` (default :meth:`Limits.from_env`) before any
    page is loaded, the running character count after each page's text layer is (before its text is copied).
    """
    limits = limits or Limits.from_env()
    with _PDFIUM_LOCK:
        document = _open(path, data)
        repaired = not pdfium_c.FPDF_DocumentHasValidCrossReferenceTable(document.raw)
        probe = _Probe()
        pages: list[list[Line]] = []
        chars = 0
        try:
            check_pages(path, len(document), limits)
            for index in range(len(document)):
                page = pdfium_c.FPDF_LoadPage(document.raw, index)
                if not page:  # a broken page object: keep the numbering, no text
                    pages.append([])
                    continue
                textpage = pdfium_c.FPDFText_LoadPage(page)
                try:
                    chars += pdfium_c.FPDFText_CountChars(textpage) if textpage else 0
                    check_text_length(path, chars, limits, f"text layer (to page {index + 1})")
                    pages.append(probe.lines(textpage) if textpage else [])
                finally:
                    if textpage:
                        pdfium_c.FPDFText_ClosePage(textpage)
                    pdfium_c.FPDF_ClosePage(page)
        finally:
            document.close()
    return pages, repaired


def _check_text_layer(path: Path, pages: list[list[Line]]) -> None:
    """Raise :class:`NoTextLayer` when no page has real text (a scan)."""
    if any(sum(len(line.text) for line in lines) >= _MIN_PAGE_CHARS for lines in pages):
        return
    count = len(pages)
    raise NoTextLayer(
        path, f"no text layer on any of its {count} page{'s' if count != 1 else ''}: "
        "this looks like a scan",
        "run OCR (e.g. `ocrmypdf in.pdf out.pdf`) and add the result",
    )


def read_pdf(path: Path, data: bytes, sha256: str, limits: Limits | None = None) -> Document:
    """Read a PDF's bytes into a :class:`Document` of clean pages and paragraphs.

    Raises :class:`UnreadableFile` (damaged or truncated), :class:`EncryptedFile`
    (needs a password), :class:`NoTextLayer` (a scan) or :class:`LimitExceeded`
    (more pages or text than ``limits``, default :meth:`Limits.from_env`, allow).
    Language is left to the caller.
    """
    raw_pages, repaired = _extract(path, data, limits)
    _check_text_layer(path, raw_pages)
    metrics = layout.document_metrics(raw_pages)
    split = [layout.split_page(lines, metrics) for lines in raw_pages]
    vocabulary = DocumentWords([line.text for body, notes in split for line in (*body, *notes)])
    pages = tuple(layout.make_page(number, body, notes)
                  for number, (body, notes) in enumerate(split, start=1))
    blocks = tuple(layout.build_blocks(split, metrics, vocabulary))
    warnings = (_repair_warning(len(pages)),) if repaired else ()
    return Document(path=path, sha256=sha256, format="pdf", pages=pages, blocks=blocks, warnings=warnings)
