"""Files rectrack owns: where its data lives, the one content hash, names safe for any table, the one atomic write.

``DATA_DIR`` is ``data/`` beside ``extractors/`` in the repository and ``rectrack/data`` inside the
installed package (the same relative place); every module finds its rule files from it, so a module
that moves to another folder still finds them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SAMPLES_DIR = DATA_DIR / "samples"
TEMPORARY_SUFFIX = ".tmp"


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes (the cache, ID and manifest key)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_name(name: str) -> str:
    """``name`` with the bytes of a file name that is not valid UTF-8 written as ``\\xNN`` escapes.

    Python keeps such bytes as lone surrogates (``surrogateescape``), which no
    UTF-8 table, log or API call can carry; the escapes can.
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def relative_name(path: Path, root: Path) -> str:
    """``path`` relative to the input folder, with forward slashes, bytes-safe (:func:`safe_name`).

    Relative to the folder as given first (a file reached through a link keeps
    the link's name), then with links resolved, else the file's own name.
    """
    for resolve in (lambda p: Path(os.path.abspath(p)), Path.resolve):
        try:
            return safe_name(resolve(path).relative_to(resolve(root)).as_posix())
        except (ValueError, RuntimeError, OSError):  # outside the root; RuntimeError: a link loop
            continue
    return safe_name(path.name)


def _new_file_mode() -> int:
    """0o666 less the process umask: the mode ``open()`` gives a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def temporary_prefix(path: Path) -> str:
    """How the temporary files of :func:`atomic_write` for ``path`` begin (hidden, in the same folder)."""
    return f".{path.name.lstrip('.')}."


def stale_temporaries(folder: Path, names: Iterable[str]) -> list[Path]:
    """The temporary files :func:`atomic_write` left in ``folder`` for these file ``names`` (glob patterns
    allowed) when its process was killed mid-write."""
    return sorted({p for name in names for p in folder.glob(f"{temporary_prefix(Path(name))}*{TEMPORARY_SUFFIX}")})


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); a system that cannot open folders skips it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_write(path: Path, *, binary: bool = False, encoding: str = "utf-8", newline: str | None = "",
                 durable: bool = True) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on a clean exit it replaces ``path`` in one rename.

    A reader, or a run killed at any moment, sees the old file or the new one, never a part. The new
    file keeps the mode of the file it replaces (else a new file's mode: analysts share these files,
    so not mkstemp's owner-only 0600). ``durable`` fsyncs the file before the rename and the folder
    after it, so a power cut cannot leave an empty file under the name; a cache, which only costs a
    recomputation when an entry is lost, passes False. ``newline=""`` writes ``\\n`` as given.

    On any exception the temporary file is removed, ``path`` is unchanged and the exception propagates
    (``PermissionError`` included: a file open in Excel on Windows cannot be replaced; callers say so).
    """
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = _new_file_mode()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(path), suffix=TEMPORARY_SUFFIX)
    try:
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_folder(path.parent)


def write_text_atomic(path: Path, text: str, *, durable: bool = True) -> None:
    """Write ``text`` (UTF-8, line ends as given) to ``path`` with :func:`atomic_write`."""
    with atomic_write(path, durable=durable) as handle:
        handle.write(text)


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` with :func:`atomic_write`."""
    with atomic_write(path, binary=True, durable=durable) as handle:
        handle.write(data)
