"""The record of one complete set of output tables, written after the tables.

A run writes its tables one by one (each replaced atomically, ``tracker.csv``
last), so a run killed between two of them would leave some tables new and
some old. :func:`write_tables` in :mod:`rectrack.extractors.tracker.tables` therefore
removes the manifest before it writes the first table and writes it again,
with every table's sha256 and the classifier's fingerprint, after the last.
The next run trusts the tables it finds ("nothing changed: leave them as they
are") only when :func:`manifest_matches`: the manifest is there and every
table it lists has exactly the bytes it recorded. Otherwise it merges and
writes the whole set again from the tracker it finds (old or new, both hold
every edit the analyst made) and the cached results, so a kill at any point
never leaves a short tracker for good.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from rectrack.extractors.files import file_sha256, write_text_atomic

MANIFEST_FILE = ".rectrack-manifest.json"
_VERSION = 1


def remove_manifest(out_dir: Path) -> None:
    """Forget the last complete set: called before the first table of a new set is written."""
    (out_dir / MANIFEST_FILE).unlink(missing_ok=True)


def write_manifest(out_dir: Path, tables: Iterable[str], classifier: str, facts: dict | None = None) -> None:
    """Record ``tables`` (file names in ``out_dir``) as one complete set made with ``classifier``.

    ``facts``: what a run where nothing changed needs to know of those tables (see
    :mod:`rectrack.extractors.unchanged`), true of exactly these bytes.
    """
    record = {"version": _VERSION, "classifier": classifier,
              "tables": {name: file_sha256(out_dir / name) for name in sorted(tables)}}
    if facts is not None:
        record["facts"] = facts
    write_text_atomic(out_dir / MANIFEST_FILE, json.dumps(record, indent=1, sort_keys=True) + "\n")


def manifest_matches(out_dir: Path, classifier: str, required: Iterable[str]) -> bool:
    """Whether the tables in ``out_dir`` are the complete set the last run wrote, with ``classifier``.

    False when there is no (readable) manifest, it names another classifier,
    a ``required`` table is not in it, or any table it lists is missing or has
    other bytes (a run killed half-way, a table edited or deleted since).
    """
    return matching_manifest(out_dir, classifier, required) is not None


def matching_manifest(out_dir: Path, classifier: str, required: Iterable[str]) -> dict | None:
    """The manifest when :func:`manifest_matches` (its ``facts`` describe the tables as they are), else None."""
    try:
        record = json.loads((out_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        tables = dict(record["tables"])
        if record.get("version") != _VERSION or record.get("classifier") != classifier:
            return None
        if not set(required) <= set(tables):
            return None
        if all((out_dir / name).is_file() and file_sha256(out_dir / name) == digest for name, digest in tables.items()):
            return record
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def lists_as_written(out_dir: Path, name: str) -> bool:
    """Whether the manifest lists table ``name`` with the bytes it has now (whatever the classifier)."""
    try:
        record = json.loads((out_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        digest = record["tables"][name]
        return record.get("version") == _VERSION and file_sha256(out_dir / name) == digest
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
