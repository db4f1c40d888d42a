"""Per-document limits, checked from the file itself before the expensive work.

A hostile or careless input (a PDF whose content stream inflates to
gigabytes, a DOCX zip bomb, a 200 MB text file, a PDF of 100,000 pages) is
refused with :class:`~rectrack.extractors.errors.LimitExceeded` (kind
``limit``) naming the limit and the environment variable that raises it; the
rest of the batch goes on. What is checked, and when:

- ``RECTRACK_MAX_FILE_MB`` (default 200): the file's size, from ``stat``, before it is read;
- ``RECTRACK_MAX_UNZIPPED_MB`` (default 500): a DOCX's declared uncompressed size
  (the zip directory, before python-docx opens it), and the inflated size of
  a PDF's Flate streams other than images (counted while inflating in 1 MB
  steps, before pdfium opens it);
- ``RECTRACK_MAX_ZIP_RATIO`` (default 100): a DOCX's declared uncompressed /
  compressed size (checked when it inflates to more than 10 MB);
- ``RECTRACK_MAX_PAGES`` (default 3000): a PDF's page count from pdfium, before any page is read;
- ``RECTRACK_MAX_TEXT_CHARS`` (default 10,000,000): text and HTML file size
  (4 bytes a character at most) before decoding, then the decoded length; a
  PDF's characters, counted page by page as pdfium reports them.

- ``RECTRACK_MAX_MEMORY_MB`` (default 1024): the address space of the process
  that reads a document (a real 300-page report needs under 300 MB);
- ``RECTRACK_MAX_SECONDS`` (default 300): the CPU seconds one document may take.

The last two cannot be checked from the file: the reader processes enforce
them (:mod:`rectrack.flows.readers`). A value that is not a positive number is
an error naming the variable.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from rectrack.extractors.errors import LimitExceeded

_MB = 1 << 20
# Below this declared size a zip's ratio is not checked: small XML parts compress 20-50x.
_RATIO_FLOOR = 10 * _MB
_STREAM = re.compile(rb">>\s*stream\r?\n")
# How far before ``stream`` its dictionary may start (a stream dictionary is a few hundred bytes).
_DICTIONARY_SPAN = 4096
# Deflate codes a 258-byte match in two bits at best: no stream inflates more than 1,032 times.
_MAX_DEFLATE_RATIO = 1032


@dataclass(frozen=True, slots=True)
class Limits:
    """The per-document limits; :meth:`from_env` reads them from ``RECTRACK_MAX_*`` variables."""

    max_file_mb: int = 200
    max_unzipped_mb: int = 500
    max_zip_ratio: int = 100
    max_pages: int = 3000
    max_text_chars: int = 10_000_000
    max_memory_mb: int = 1024
    max_seconds: int = 300

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """The defaults, each replaced by ``RECTRACK_<FIELD NAME IN CAPITALS>`` when set.

        Raises :class:`ValueError` naming the variable when a value is not a positive whole number.
        """
        env = os.environ if environ is None else environ
        values = {}
        for spec in fields(cls):
            name = f"RECTRACK_{spec.name.upper()}"
            if name in env:
                raw = env[name].replace("_", "").strip()
                if not raw.isdigit() or int(raw) <= 0:
                    raise ValueError(f"{name}={env[name]!r}: expected a positive whole number")
                values[spec.name] = int(raw)
        return cls(**values)

    def key(self) -> str:
        """A short text that changes when a limit does (part of the document cache key)."""
        return ",".join(f"{value}" for value in asdict(self).values())


def refuse(path: Path, what: str, field: str, value: int, unit: str = "") -> LimitExceeded:
    """The error for ``path`` being over the limit ``field`` (of ``value``), with how to raise it."""
    variable = f"RECTRACK_{field.upper()}"
    return LimitExceeded(path, f"{what}, over the limit of {value:,}{unit} ({variable})",
                         f"if the file is genuine, set {variable} higher (e.g. {variable}={value * 4}) "
                         "and run again; otherwise remove it from the input")


def check_file_size(path: Path, size: int, limits: Limits) -> None:
    """Refuse a file larger than ``max_file_mb`` (call before reading it)."""
    if size > limits.max_file_mb * _MB:
        raise refuse(path, f"the file is {size / _MB:,.1f} MB", "max_file_mb", limits.max_file_mb, " MB")


def check_zip(path: Path, archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a zip (DOCX) whose declared uncompressed size or ratio is over the limits.

    The declared sizes bound what Python's :mod:`zipfile` (and so python-docx)
    will inflate: it stops at an entry's declared size.
    """
    entries = archive.infolist()
    unzipped = sum(entry.file_size for entry in entries)
    zipped = max(1, sum(entry.compress_size for entry in entries))
    if unzipped > limits.max_unzipped_mb * _MB:
        raise refuse(path, f"the DOCX/ZIP declares {unzipped / _MB:,.0f} MB uncompressed",
                      "max_unzipped_mb", limits.max_unzipped_mb, " MB")
    if unzipped > _RATIO_FLOOR and unzipped / zipped > limits.max_zip_ratio:
        raise refuse(path, f"the DOCX/ZIP inflates {unzipped / zipped:,.0f} times "
                      f"({zipped / _MB:,.1f} MB to {unzipped / _MB:,.0f} MB): a zip bomb",
                      "max_zip_ratio", limits.max_zip_ratio)


class _OverBudget(Exception):
    """Raised inside :func:`_inflated_size` once the count passes the budget."""


def _inflated_size(data: bytes, start: int, end: int, budget: int, layers: int = 1) -> int:
    """How many bytes the stream at ``data[start:end]`` inflates to through ``layers`` Flate filters in a row,
    counting no further than past ``budget``; at most 1 MB of output is held at each layer."""
    inflaters = [zlib.decompressobj() for _ in range(layers)]
    total = 0

    def feed(level: int, piece: bytes) -> None:
        nonlocal total
        if level == layers:
            total += len(piece)
            if total > budget:
                raise _OverBudget
            return
        inflater = inflaters[level]
        while piece and not inflater.eof:
            feed(level + 1, inflater.decompress(piece, _MB))
            piece = inflater.unconsumed_tail

    view = memoryview(data)
    try:
        for position in range(start, end, 65536):
            if inflaters[0].eof:
                break
            feed(0, view[position:min(end, position + 65536)])
    except _OverBudget:
        pass
    except zlib.error:
        pass  # not zlib data, or damaged: pdfium will say so or repair it
    return total


def _text_streams(data: bytes) -> list[tuple[int, int, int]]:
    """(start, end, Flate layers) of every Flate stream that is not an image; a stream ends at its
    ``endstream`` (or the end of the file)."""
    streams = []
    for match in _STREAM.finditer(data):
        opening = data.rfind(b"obj", max(0, match.start() - _DICTIONARY_SPAN), match.start())
        dictionary = data[max(opening, match.start() - _DICTIONARY_SPAN):match.start()]
        layers = dictionary.count(b"/FlateDecode")   # [/FlateDecode /FlateDecode]: a bomb inside a bomb
        if layers and b"/Image" not in dictionary:
            end = data.find(b"endstream", match.end())
            streams.append((match.end(), len(data) if end < 0 else end, layers))
    return streams


def check_pdf_streams(path: Path, data: bytes, limits: Limits) -> None:
    """Refuse a PDF whose Flate streams (images aside) inflate to more than ``max_unzipped_mb``.

    A content stream that inflates to gigabytes (a "PDF bomb") would be held
    whole in memory by pdfium when the page loads. Streams are found by their
    ``<< ... >> stream`` dictionary; images are left out, as text extraction
    never decodes them. A stream deflated several times over (``/Filter
    [/FlateDecode /FlateDecode]``) is counted through every layer. Memory used
    here is one 1 MB buffer a layer at a time. Deflate turns a byte into at
    most 1,032: when the streams, that many times over, stay within the limit
    (most PDFs under a few MB), nothing needs inflating.
    """
    budget = limits.max_unzipped_mb * _MB
    streams = _text_streams(data)
    if (all(layers == 1 for _, _, layers in streams)
            and _MAX_DEFLATE_RATIO * sum(end - start for start, end, _ in streams) <= budget):
        return
    total = 0
    for start, end, layers in streams:
        total += _inflated_size(data, start, end, budget - total, layers)
        if total > budget:
            raise refuse(path, f"its compressed streams inflate to more than {limits.max_unzipped_mb:,} MB "
                          "(a PDF bomb?)", "max_unzipped_mb", limits.max_unzipped_mb, " MB")


def check_pages(path: Path, pages: int, limits: Limits) -> None:
    """Refuse a document of more than ``max_pages`` pages (call before reading any)."""
    if pages > limits.max_pages:
        raise refuse(path, f"the document has {pages:,} pages", "max_pages", limits.max_pages)


def check_text_length(path: Path, chars: int, limits: Limits, what: str = "text") -> None:
    """Refuse ``chars`` characters of text over ``max_text_chars``."""
    if chars > limits.max_text_chars:
        raise refuse(path, f"its {what} is {chars:,} characters or more", "max_text_chars",
                      limits.max_text_chars, " characters")
