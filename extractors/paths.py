"""Where rectrack's own data lives: ``data/`` beside ``extractors/`` in the repository, and
``rectrack/data`` inside the installed package (the same relative place)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SAMPLES_DIR = DATA_DIR / "samples"
