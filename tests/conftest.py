"""Shared fixtures: one Prefect test harness for the whole session, only for tests that ask.

Pure tests (the tracker core, the CLI's help) never start Prefect. Tests of
flows use ``pytestmark = pytest.mark.usefixtures("prefect_harness")``; the
harness (a temporary SQLite-backed API, ~6-15 s) starts once, on first use.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

# Before anything imports prefect (rectrack.flows.settings keeps values already set):
# state of the test session stays in a temporary folder, not in the project.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="rectrack-test-prefect-"))
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)
os.environ.pop("PREFECT_API_URL", None)
# The migrated empty Prefect database new homes start from (flows/server.py): the session's own, not the user's.
_CACHE = Path(tempfile.mkdtemp(prefix="rectrack-test-cache-"))
os.environ["RECTRACK_CACHE_DIR"] = str(_CACHE)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "upr"
BAD_INPUTS = ROOT / "tests" / "fixtures" / "bad-inputs"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "serve: starts a real prefect server and `rectrack serve` (about a minute)")
    config.addinivalue_line(
        "markers", "slow: runs Prefect (a real temporary server), a subprocess run or a wheel build; "
                   "skip them locally with `-m 'not slow'` (CI runs everything)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that starts Prefect's harness or a real server is ``slow`` without saying so itself."""
    for item in items:
        if "prefect_harness" in getattr(item, "fixturenames", ()) or item.get_closest_marker("serve"):
            item.add_marker(pytest.mark.slow)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)
    shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect API for the whole session (started on first use)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def result_storage(tmp_path: Path) -> Iterator[Path]:
    """A fresh result store for one test, so no cache entry leaks between tests."""
    from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings

    storage = tmp_path / "prefect-storage"
    storage.mkdir()
    with temporary_settings(updates={PREFECT_RESULTS_LOCAL_STORAGE_PATH: storage}):
        yield storage


def living(pids: Iterable[int] = (), groups: Iterable[int] = (), wait: float = 15.0) -> list[str]:
    """Processes still running (not zombies) among ``pids`` and in the process ``groups``, after up to
    ``wait`` seconds: each as "pid command", for a test to assert that nothing it started is left."""
    pids, groups = set(pids), set(groups)
    deadline = time.monotonic() + wait
    while True:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            command, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
            pid, state, group = int(stat.parent.name), fields[0], int(fields[2])
            if state != "Z" and (pid in pids or group in groups):
                found.append(f"{pid} {command}")
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)
