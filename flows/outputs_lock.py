"""One run at a time per output folder: a lock file that dies with its holder.

:func:`lock_outputs` takes an exclusive ``flock`` on ``<out>/.rectrack.lock``
for as long as a run reads and writes the folder's tables. A second run on
the same folder refuses at once with :class:`OutputsLocked`, naming the
process that holds it; it never interleaves its writes with the first. The
kernel drops the lock when the holder exits, however it exits (killed,
crashed), so a stale lock file never blocks the next run.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rectrack.extractors.errors import RectrackError

LOCK_NAME = ".rectrack.lock"


class OutputsLocked(RectrackError):
    """Another run is writing the same output folder."""

    kind = "locked"


@contextmanager
def lock_outputs(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock while inside; raises :class:`OutputsLocked` if another run holds it.

    Creates ``out_dir`` if needed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputsLocked(out_dir, f"another rectrack run ({holder}) is writing to this folder",
                                "wait for it to finish, or write to another folder with --out") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        yield
    finally:
        handle.close()     # closing releases the flock
