"""rectrack: human-rights documents in, a recommendation tracker out.

The installed package holds ``rectrack.extractors`` (the pure core: read,
detect, segment, classify, build the tracker), ``rectrack.flows`` (Prefect
flows and the ``rectrack`` command line) and ``rectrack/data`` (gazetteers,
rules, taxonomies, the trained classifier, training data and the sample
documents). In the repository they are the top-level folders ``extractors/``,
``flows/`` and ``data/``; ``pyproject.toml`` maps them under this one name.
"""

__version__ = "0.2.0"
