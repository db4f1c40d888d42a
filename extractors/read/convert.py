"""Read legacy Word 97-2003 ``.doc`` files by converting them to DOCX with LibreOffice.

rectrack has no ``.doc`` parser of its own. When LibreOffice is installed
(``soffice`` or ``libreoffice`` on ``PATH``), :func:`read_legacy_word` runs
``soffice --headless --convert-to docx`` in a temporary folder and reads the
result with the DOCX reader; the document carries a warning saying so. Without
LibreOffice the file is refused with the command to convert it by hand.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rectrack.extractors.errors import UnsupportedFormat
from rectrack.extractors.read.docx import read_docx
from rectrack.extractors.records import Document, Problem

log = logging.getLogger(__name__)

CONVERTERS = ("soffice", "libreoffice")
# The 39-page Egypt matrix converts in ~2 s; the first start of LibreOffice on a machine
# (profile creation) takes longer. A hung conversion must not stall the batch.
TIMEOUT_SECONDS = 120
_MANUAL = "convert it to .docx by hand, e.g. `libreoffice --headless --convert-to docx FILE`, and add that"


def find_converter() -> str | None:
    """The path of LibreOffice's ``soffice`` (or ``libreoffice``) on PATH, or None."""
    for name in CONVERTERS:
        if found := shutil.which(name):
            return found
    return None


def _run(path: Path, command: list[str], timeout: float) -> tuple[int, bytes]:
    """Run the converter; on timeout kill its whole process group and raise.

    ``soffice`` is a wrapper that starts ``soffice.bin``: killing only the
    wrapper would leave the real converter running, hence the new session.
    """
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
    except OSError as error:
        raise UnsupportedFormat(path, f"LibreOffice ({command[0]}) could not be started ({error.strerror})",
                                _MANUAL) from error
    with process:
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise UnsupportedFormat(path, f"LibreOffice did not convert this legacy Word .doc within {timeout:g} s",
                                    _MANUAL) from error
    return process.returncode, stderr


def convert_to_docx(path: Path, data: bytes, converter: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The DOCX bytes LibreOffice makes of the ``.doc`` bytes ``data``.

    Runs in a temporary folder with its own LibreOffice profile, so parallel
    conversions (one per batch worker) do not fight over the user's profile.
    Raises :class:`UnsupportedFormat` (naming ``path``) when LibreOffice
    fails, times out or writes nothing.
    """
    with tempfile.TemporaryDirectory(prefix="rectrack-doc-") as folder:
        work = Path(folder)
        source, out = work / "input.doc", work / "out"
        source.write_bytes(data)
        command = [converter, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--headless", "--convert-to", "docx", "--outdir", str(out), str(source)]
        returncode, stderr = _run(path, command, timeout)
        result = out / "input.docx"
        if returncode != 0 or not result.is_file():
            detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise UnsupportedFormat(path, f"LibreOffice could not convert this legacy Word .doc ({detail[0]})",
                                    _MANUAL)
        return result.read_bytes()


def read_legacy_word(path: Path, data: bytes, sha256: str) -> Document:
    """Read a Word 97-2003 ``.doc`` through LibreOffice, with a ``converted`` warning.

    ``sha256`` stays the hash of the ``.doc`` bytes (the cache key is the
    file as given). Raises :class:`UnsupportedFormat` with the manual
    conversion command when no converter is installed or it fails, and what
    :func:`~rectrack.extractors.read.docx.read_docx` raises for a bad result.
    """
    converter = find_converter()
    if converter is None:
        raise UnsupportedFormat(
            path, "this is a legacy Word 97-2003 .doc file, which rectrack reads only through "
            "LibreOffice, and LibreOffice (soffice) is not installed",
            "convert it to .docx, e.g. `libreoffice --headless --convert-to docx FILE`, and add that; "
            "or install LibreOffice (e.g. `apt-get install libreoffice-writer-nogui`) so rectrack converts it")
    started = time.perf_counter()
    converted = convert_to_docx(path, data, converter)
    log.info("%s: converted from .doc to .docx in %.1f s", path, time.perf_counter() - started)
    document = read_docx(path, converted, sha256)
    warning = Problem(
        document="", kind="converted",
        reason="legacy Word 97-2003 .doc file: converted to .docx with LibreOffice before reading",
        action="nothing to do if its rows look right; to avoid the conversion, save it as .docx and add that",
    )
    return replace(document, warnings=(*document.warnings, warning))
