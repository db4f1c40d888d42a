"""Shared fixtures: one Prefect test harness for the whole session, only for tests that ask.

Pure tests (the tracker core, the CLI's help) never start Prefect. Tests of
flows use ``pytestmark = pytest.mark.usefixtures("prefect_harness")``; the
harness (a temporary SQLite-backed API, ~6-15 s) starts once, on first use.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports prefect (rectrack.flows.settings keeps values already set):
# state of the test session stays in a temporary folder, not in the project.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="rectrack-test-prefect-"))
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)
os.environ.pop("PREFECT_API_URL", None)

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
