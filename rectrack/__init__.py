"""rectrack: human-rights documents in, a recommendation tracker out.

The installed package holds ``rectrack.extractors`` (the pure core: read,
detect, segment, classify, build the tracker), ``rectrack.flows`` (Prefect
flows and the ``rectrack`` command line) and ``rectrack/data`` (gazetteers,
rules, taxonomies, the trained classifier, training data and the sample
documents). In the repository they are the top-level folders ``extractors/``,
``flows/`` and ``data/``; ``pyproject.toml`` maps them under this one name.
"""

__version__ = "0.3.0"


def __getattr__(name: str):
    """``rectrack.read_tracker`` / ``rectrack.read_csv``: imported on first use (pandas takes a second)."""
    if name == "read_tracker":
        from rectrack.extractors.tracker.io import read_tracker

        return read_tracker
    if name == "read_csv":
        from rectrack.extractors.tracker.csv_files import read_csv

        return read_csv
    raise AttributeError(f"module 'rectrack' has no attribute {name!r}")
