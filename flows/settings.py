"""Prefect settings for rectrack, applied before prefect is imported anywhere.

Prefect reads its settings from the environment at import time, so every
module of ``flows`` imports this one first. Only variables that are unset are
given a default, so a user or test can still point Prefect elsewhere:

- ``PREFECT_HOME``: ``<cwd>/.prefect`` (created), so the database, logs and
  the persisted task results that make caching work across runs stay inside
  the project rather than in ``~/.prefect``;
- analytics and telemetry off (this machine has no network; the failed
  attempts only add noise to the log);
- a start-up timeout for the temporary local server that fits a 2-core
  machine creating its database for the first time (the default 20 s does not).

:func:`use_cluster` adds the two settings a Dask cluster needs: the scheduler's
address (``RECTRACK_DASK_ADDRESS``) and a result storage path every worker can
read (``PREFECT_RESULTS_LOCAL_STORAGE_PATH``).
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULTS: dict[str, str] = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
}


# For `rectrack run` only: its temporary server lives for one batch and nobody
# watches it, so the services that persist events, fire automations and ship
# logs to the API are pure cost. On 2 cores they took ~0.9 of a core and the
# documents phase of a 150-report batch from 7.2 s to 8.3-8.7 s (measured).
# The task run recorder (one database row and state history per document task)
# then still took about half a core from the two readers: without it the
# documents phase of 143 reports fell from 7.4-7.9 s to 5.8-6.0 s (three
# interleaved runs each, 2026-11-28). Flow runs, their states and the run summary are still recorded;
# caching does not use the database (results are files under .prefect/storage).
# `serve` keeps them all: its server has a UI.
BATCH_DEFAULTS: dict[str, str] = {
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_LOGGER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
}


def apply_batch_defaults(environ: dict[str, str] | None = None) -> None:
    """Add :data:`BATCH_DEFAULTS` where unset; call before prefect is imported."""
    env = os.environ if environ is None else environ
    for name, value in BATCH_DEFAULTS.items():
        env.setdefault(name, value)


def apply_defaults(environ: dict[str, str] | None = None) -> Path:
    """Set rectrack's Prefect defaults in ``environ`` (``os.environ``) where unset.

    Returns the Prefect home folder, created if needed. Results are stored
    under ``<PREFECT_HOME>/storage`` (Prefect's default), which is what lets a
    task cached in one process be found by the next.
    """
    env = os.environ if environ is None else environ
    home = Path(env.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect")))
    home.mkdir(parents=True, exist_ok=True)
    for name, value in DEFAULTS.items():
        env.setdefault(name, value)
    return home


# The Dask scheduler the batch flow's document tasks run on (`--dask-address`); unset: this machine.
DASK_ADDRESS = "RECTRACK_DASK_ADDRESS"
# Prefect's result storage (the document cache), a path every worker reads and writes.
RESULT_STORAGE = "PREFECT_RESULTS_LOCAL_STORAGE_PATH"


def dask_address(environ: dict[str, str] | None = None) -> str | None:
    """The Dask scheduler address in ``RECTRACK_DASK_ADDRESS``, or None to read on this machine."""
    env = os.environ if environ is None else environ
    return env.get(DASK_ADDRESS) or None


def use_cluster(address: str | None, result_storage: Path | None, environ: dict[str, str] | None = None) -> None:
    """Set the Dask address and the result storage path for this process and its children.

    Call before prefect is imported: the flows read both at import. The
    storage folder is created (as an absolute path, since workers have their own
    working directories).
    """
    env = os.environ if environ is None else environ
    if address:
        env[DASK_ADDRESS] = address
    if result_storage is not None:
        storage = result_storage.expanduser().resolve()
        storage.mkdir(parents=True, exist_ok=True)
        env[RESULT_STORAGE] = str(storage)


PREFECT_HOME = apply_defaults()
