"""Read any supported file into a :class:`~rectrack.extractors.records.Document`.

:func:`read_document` is the one entry point: it reads the bytes, tells the
real format from them (not from the extension), dispatches to the reader for
PDF, DOCX, HTML or text/Markdown (legacy Word .doc through LibreOffice when it
is installed: :mod:`rectrack.extractors.read.convert`), and checks the language. Everything a
person has to fix is raised as a :class:`~rectrack.extractors.errors.RectrackError`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import stat
import zipfile
from dataclasses import replace
from collections.abc import Callable
from pathlib import Path

from rectrack.extractors.errors import RectrackError, UnreadableFile
from rectrack.extractors.read.limits import Limits, check_file_size, check_pdf_streams, check_text_length, check_zip
from rectrack.extractors.read.convert import read_legacy_word
from rectrack.extractors.read.docx import read_docx
from rectrack.extractors.read.html import read_html
from rectrack.extractors.read.language import check_english
from rectrack.extractors.read.pdf import read_pdf
from rectrack.extractors.read.sniff import is_legacy_word, sniff_format
from rectrack.extractors.read.plain import read_text
from rectrack.extractors.records import Document, Problem

__all__ = ["read_document", "sniff_format"]

log = logging.getLogger(__name__)

_READERS: dict[str, Callable[[Path, bytes, str], Document]] = {
    "pdf": read_pdf,
    "docx": read_docx,
    "html": read_html,
    "text": read_text,
    "doc": read_legacy_word,  # through LibreOffice when installed
}
_EXTENSIONS = {"pdf": {".pdf"}, "docx": {".docx"}, "html": {".html", ".htm", ".xhtml"},
               "text": {".txt", ".md", ".markdown", ".text"}, "doc": {".doc"}}
_ALL_EXTENSIONS = set().union(*_EXTENSIONS.values())
_SUFFIX_FOR = {"pdf": "pdf", "docx": "docx", "html": "html", "text": "txt", "doc": "doc"}


def _check_limits(path: Path, kind: str, data: bytes, limits: Limits) -> None:
    """The limits that can be checked on the bytes, before the format's reader starts."""
    if kind == "pdf":
        check_pdf_streams(path, data, limits)
    elif kind == "docx":
        check_zip(path, zipfile.ZipFile(io.BytesIO(data)), limits)
    elif kind in ("text", "html") and len(data) > 4 * limits.max_text_chars:
        # No encoding takes more than 4 bytes a character: over this, the text is surely too long.
        check_text_length(path, len(data) // 4, limits, "text")


def _refuse_long_text(path: Path, size: int, limits: Limits) -> None:
    """Refuse a text or HTML file too large for ``max_text_chars`` from its first 4 KB, before reading it all."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if b"%PDF-" in head[:1024] or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return
    try:
        kind = sniff_format(path, head)
    except RectrackError:
        return  # the whole file will say what it is
    if kind in ("text", "html"):
        check_text_length(path, size // 4, limits, kind)


def read_document(path: Path, sha256: str | None = None, limits: Limits | None = None) -> Document:
    """Read the file at ``path`` into clean pages and paragraph blocks.

    ``sha256`` is the hex sha256 of the file's bytes; it is computed when not
    given. The format is sniffed from the bytes; a file whose extension says
    otherwise (a ``.pdf`` that is really HTML) is read as what it is, with a
    warning logged; ``Document.format`` tells the caller what was read.

    Raises :class:`~rectrack.extractors.errors.UnreadableFile` (missing, empty,
    damaged), :class:`~rectrack.extractors.errors.EncryptedFile`,
    :class:`~rectrack.extractors.errors.NoTextLayer`,
    :class:`~rectrack.extractors.errors.UnsupportedFormat`,
    :class:`~rectrack.extractors.errors.UnexpectedLanguage` and
    :class:`~rectrack.extractors.errors.LimitExceeded` (``limits``, default
    :meth:`Limits.from_env`, checked before the expensive work), each with the action to take.
    """
    path = Path(path)
    limits = limits or Limits.from_env()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise UnreadableFile(path, "not a regular file (a pipe, device or socket)",
                                 "remove it from the input folder")
        check_file_size(path, info.st_size, limits)
        if info.st_size > 4 * limits.max_text_chars:
            _refuse_long_text(path, info.st_size, limits)
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(path, f"the file cannot be opened ({error.strerror})",
                             "check that it exists and is readable") from error
    digest = sha256 or hashlib.sha256(data).hexdigest()
    kind = "doc" if is_legacy_word(data) else sniff_format(path, data)
    suffix = path.suffix.lower()
    if suffix and suffix not in _ALL_EXTENSIONS:
        log.info("%s: unusual extension, read as %s", path, kind)
    _check_limits(path, kind, data, limits)
    if kind == "pdf":
        document = read_pdf(path, data, digest, limits)
    else:
        document = _READERS[kind](path, data, digest)
    check_text_length(path, len(document.body_text), limits)
    check_english(path, document.body_text)
    if suffix and suffix in _ALL_EXTENSIONS and suffix not in _EXTENSIONS[kind]:
        log.warning("%s: the file is %s despite its %s extension; read it as %s",
                    path, kind.upper(), suffix, kind)
        mislabelled = Problem(
            document="", kind="mislabelled",
            reason=f"the file is {kind.upper()} despite its {suffix} extension; it was read as {kind}",
            action=f"rename it with the extension of what it is (e.g. .{_SUFFIX_FOR[kind]}) so other tools open it too",
        )
        document = replace(document, warnings=(*document.warnings, mislabelled))
    return document
