"""Finding the input files of a batch (no Prefect here)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from rectrack.extractors.errors import InputNotFound
from rectrack.extractors.tracker import natural_key

IGNORED_PREFIXES = (".", "~$")  # hidden files, Office lock files


def _ignored(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES)


def _walk(folder: Path, exclude: Path | None) -> list[Path]:
    """Files under ``folder``, recursively, without hidden ones or anything under ``exclude``."""
    found = []
    for current, dirs, files in os.walk(folder):
        here = Path(current)
        dirs[:] = [d for d in dirs if not _ignored(d)
                   and (exclude is None or (here / d).resolve() != exclude)]
        found.extend(here / f for f in files if not _ignored(f))
    return found


def discover_files(paths: Sequence[Path], exclude: Path | None = None) -> list[Path]:
    """The files to process: given files as they are, folders searched recursively.

    Hidden files and folders (``.name``) and Office lock files (``~$name``)
    inside folders are skipped, as is the folder ``exclude`` (the output
    folder, when it sits inside the input). Returns unique paths in natural
    order. Raises :class:`InputNotFound` for a path that does not exist.
    """
    excluded = exclude.resolve() if exclude is not None else None
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            found.update(dict.fromkeys(_walk(path, excluded)))
        elif path.is_file():
            found[path] = None
        else:
            raise InputNotFound(path, "no such file or folder",
                                f"check the path (relative paths start from {Path.cwd()})")
    return sorted(found, key=lambda p: natural_key(p.as_posix()))


def common_root(paths: Sequence[Path]) -> Path:
    """The folder document names are relative to: the folder itself, or the files' common parent."""
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0]
    folders = [p if p.is_dir() else p.parent for p in paths]
    return Path(os.path.commonpath([str(f.resolve()) for f in folders]))
