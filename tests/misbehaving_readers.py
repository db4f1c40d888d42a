"""What a reader does with a file, misbehaving on purpose by file name (``tests/test_readers.py``).

A module of its own: reader processes are spawned, so the function they run must be importable.
Files whose names say nothing special are read for real (:func:`process_document`).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import DocumentResult


def misbehave(path: Path, root: Path, sha256: str) -> DocumentResult:
    """Crash (``crash-*``), spin (``spin-*``), eat memory (``hog-*``), wait (``slow-*``), sleep for ever
    deaf to SIGTERM (``stuck-*``), or read the file."""
    if path.name.startswith("crash-"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if path.name.startswith("spin-"):
        while True:
            pass
    if path.name.startswith("hog-"):
        hoard = [bytearray(64 << 20) for _ in range(1024)]  # 64 GiB, a block at a time
        del hoard
    if path.name.startswith("stuck-"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True:
            time.sleep(60)
    if path.name.startswith("slow-"):
        time.sleep(3)
    return process_document(path, root, sha256)
