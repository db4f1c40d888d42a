"""Real runs of the core on the bundled samples, shared by the tests of the tracker's cross-document features."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from rectrack.extractors.files import SAMPLES_DIR
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import DocumentResult
from rectrack.extractors.outputs import update_outputs
from rectrack.extractors.tracker.io import read_tracker


@lru_cache(maxsize=None)
def sample_result(name: str) -> DocumentResult:
    """``data/samples/<name>`` read, detected and segmented (once per test session)."""
    return process_document(SAMPLES_DIR / name, SAMPLES_DIR)


def run_samples(out: Path, *names: str) -> pd.DataFrame:
    """Update the tables in ``out`` with these samples, as a run would; the tracker read back."""
    update_outputs(out, [sample_result(name) for name in names])
    return read_tracker(out / "tracker.csv")
