"""A cache of results as JSON files: nothing read back from it can run code.

Each entry is one file ``<key>.json`` holding an envelope: the format name,
the :data:`SCHEMA` version, the key, the sha256 of the payload and the
payload (:func:`rectrack.flows.serialize.to_data`). Reading parses plain
JSON (no object hooks, no class names taken from the file) and rebuilds the
type the caller names, checking every field. An entry of another schema
version is a miss (the next write replaces it); an entry that does not parse,
whose key or checksum does not match or whose payload does not fit the type
is a miss *and* is reported in :attr:`ResultCache.rejected`, so the caller can
warn and recompute. The checksum catches an edited or damaged file; it is not
a signature: someone who can write the folder can still forge an entry, but
only data, never code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rectrack.extractors.files import write_text_atomic
from rectrack.flows.serialize import from_data, to_data

FORMAT = "rectrack-result"
SCHEMA = 1
log = logging.getLogger(__name__)
_KEY = re.compile(r"[A-Za-z0-9_.-]{1,200}")


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class Rejected:
    """A cache entry that was refused: its file and why."""

    path: Path
    reason: str


@dataclass
class ResultCache:
    """JSON results under ``folder``, one file per key (see the module docstring)."""

    folder: Path
    rejected: list[Rejected] = field(default_factory=list)

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.folder / f"{key}.json"

    def read(self, key: str, kind: Any) -> Any | None:
        """The value of type ``kind`` stored under ``key``, or None (missing, old schema, rejected)."""
        payload = self._payload(key)
        if payload is None:
            return None
        try:
            return from_data(kind, payload)
        except (ValueError, TypeError) as error:
            return self._reject(self.path(key), f"does not hold a valid result ({error})")

    def holds(self, key: str) -> bool:
        """Whether an entry of this schema, whole and unedited, is stored under ``key`` (not decoded)."""
        return self._payload(key) is not None

    def _payload(self, key: str) -> Any | None:
        path = self.path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            return self._reject(path, f"cannot be read ({error.strerror})")
        try:
            envelope = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            return self._reject(path, f"is not valid JSON ({error})")
        if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
            return self._reject(path, "is not a rectrack result")
        if envelope.get("schema") != SCHEMA:
            return None
        if envelope.get("key") != key:
            return self._reject(path, "is stored under another key")
        payload = envelope.get("payload")
        if envelope.get("sha256") != _digest(payload):
            return self._reject(path, "was edited or damaged (its checksum does not match)")
        return payload

    def write(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` (atomically: a reader sees the old entry or the new one).

        A folder that cannot be written is logged as a warning, not raised: the
        run's results do not depend on the cache, the next run only reads the file again.
        """
        payload = to_data(value)
        envelope = {"format": FORMAT, "schema": SCHEMA, "key": key, "sha256": _digest(payload), "payload": payload}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Not durable: a lost entry costs one re-read, an fsync per document would cost every run.
            # ASCII JSON: a lone surrogate in a text cannot break it.
            write_text_atomic(self.path(key), json.dumps(envelope), durable=False)
        except OSError as error:
            log.warning("cannot write the result cache %s (%s): the next run reads this file again",
                        self.folder, error.strerror)

    def _reject(self, path: Path, reason: str) -> None:
        self.rejected.append(Rejected(path, reason))
        return None
