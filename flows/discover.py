"""Finding the input files of a batch (no Prefect here), without hanging or crashing.

Only regular files are input. Folders are walked with ``os.scandir`` and
``lstat``-free ``stat`` calls that never open anything, so a FIFO, a device
(a link to ``/dev/zero``) or a socket is seen for what it is and skipped,
never read. Symbolic links are followed to a regular file or a folder,
inside or outside the input (a link is how people gather documents), each
folder once: a link back to a folder already walked (a loop) is skipped, as
is a broken link or a folder that cannot be listed. Every skipped item comes
back as a :class:`Skipped` with a reason and an action, for ``documents.csv``
and ``problems.csv``. Hidden files and folders (``.name``) and Office lock
files (``~$name``) are left out silently; so is the ``exclude`` folder (the
output folder, when it is inside the input), however it was given
(relative, absolute, through a link).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rectrack.extractors.errors import InputNotFound
from rectrack.extractors.text.normalize import natural_key

IGNORED_PREFIXES = (".", "~$")  # hidden files, Office lock files
_NOT_A_FILE = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item of the input that is not read: where, why, what to do, and a ``problems.csv`` kind."""

    path: Path
    reason: str
    action: str
    kind: str = "skipped"


@dataclass(frozen=True, slots=True)
class Discovery:
    """What :func:`discover` found: the files to read, in natural order, and what it skipped."""

    files: list[Path]
    skipped: list[Skipped] = field(default_factory=list)


def _ignored(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES)


def _not_a_file(path: Path, mode: int) -> Skipped:
    what = next((name for test, name in _NOT_A_FILE if test(mode)), "not a regular file")
    return Skipped(path, f"{what}, not a document file: not read", "remove it from the input folder")


def _stat_error(path: Path, error: OSError) -> Skipped:
    if os.path.islink(path):
        return Skipped(path, f"a symbolic link that leads nowhere usable ({error.strerror})",
                       "fix or remove the link (a link to itself or a loop of links never ends)")
    return Skipped(path, f"cannot be examined ({error.strerror})", "check its permissions", "unreadable")


class _Walker:
    """Walks folders once each (by device and inode), collecting files and skipped items."""

    def __init__(self, exclude: Path | None) -> None:
        self.exclude = exclude
        self.seen: set[tuple[int, int]] = set()
        self.files: list[Path] = []
        self.skipped: list[Skipped] = []

    def folder(self, path: Path, info: os.stat_result) -> None:
        pending = [(path, info)]
        while pending:
            current, info = pending.pop()
            if (info.st_dev, info.st_ino) in self.seen:
                if os.path.islink(current):
                    self.skipped.append(Skipped(current, "a link to a folder already searched (a loop, "
                                                "or the same folder twice): not searched again",
                                                "nothing to do if that is intended; otherwise remove the link"))
                continue
            self.seen.add((info.st_dev, info.st_ino))
            pending.extend(self._entries(current))

    def _entries(self, folder: Path) -> list[tuple[Path, os.stat_result]]:
        """The sub-folders of ``folder`` to walk; its files and skipped items are recorded on the way."""
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            self.skipped.append(Skipped(folder, f"the folder cannot be listed ({error.strerror}); "
                                        "its documents were not read", "check its permissions", "unreadable"))
            return []
        folders = []
        for entry in entries:
            path = Path(entry.path)
            if _ignored(entry.name):
                continue
            try:
                info = os.stat(path)  # follows links; never opens the file
            except OSError as error:
                self.skipped.append(_stat_error(path, error))
                continue
            if stat.S_ISDIR(info.st_mode):
                if self.exclude is None or not _same(path, self.exclude):
                    folders.append((path, info))
            elif stat.S_ISREG(info.st_mode):
                self.files.append(path)
            else:
                self.skipped.append(_not_a_file(path, info.st_mode))
        return folders[::-1]


def _same(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


def discover(paths: Sequence[Path], exclude: Path | None = None) -> Discovery:
    """The files to process and the items skipped: given files as they are, folders searched recursively.

    A path given on the command line that is a FIFO, device or socket is
    skipped like one found in a folder. Returns unique files in natural
    order. Raises :class:`InputNotFound` for a path that does not exist.
    Never opens a file; never follows a link to anything but a file or folder.
    """
    walker = _Walker(exclude)
    for path in paths:
        try:
            info = os.stat(path)
        except FileNotFoundError as error:
            raise InputNotFound(path, "no such file or folder",
                                f"check the path (relative paths start from {Path.cwd()})") from error
        except OSError as error:
            walker.skipped.append(_stat_error(path, error))
            continue
        if stat.S_ISDIR(info.st_mode):
            walker.folder(path, info)
        elif stat.S_ISREG(info.st_mode):
            walker.files.append(path)
        else:
            walker.skipped.append(_not_a_file(path, info.st_mode))
    files = dict.fromkeys(walker.files)
    return Discovery(sorted(files, key=lambda p: natural_key(p.as_posix())), walker.skipped)


def discover_files(paths: Sequence[Path], exclude: Path | None = None) -> list[Path]:
    """The files of :func:`discover`, without the skipped items."""
    return discover(paths, exclude).files


def common_root(paths: Sequence[Path]) -> Path:
    """The folder document names are relative to: the folder itself, or the files' common parent."""
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0]
    folders = [p if p.is_dir() else p.parent for p in paths]
    return Path(os.path.commonpath([str(f.resolve()) for f in folders]))
