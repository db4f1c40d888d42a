"""Exceptions the core raises for input a person has to fix.

Each carries what is wrong (``reason``), what to do about it (``action``) and
a short category (``kind``) so the pipeline can turn it into a
:class:`~rectrack.extractors.records.Problem` row without losing detail.
"""

from __future__ import annotations

from pathlib import Path


class RectrackError(Exception):
    """Base class: a file could not be handled, for a reason a person can act on."""

    kind = "error"

    def __init__(self, path: Path | str, reason: str, action: str, page: int | None = None):
        self.path = Path(path)
        self.reason = reason
        self.action = action
        self.page = page
        where = f"{self.path.name}" + (f", page {page}" if page else "")
        super().__init__(f"{where}: {reason}; {action}")


class UnreadableFile(RectrackError):
    """The file is empty, truncated, corrupt or not what its extension says."""

    kind = "unreadable"


class EncryptedFile(RectrackError):
    """The file is password-protected."""

    kind = "encrypted"


class NoTextLayer(RectrackError):
    """A PDF with no extractable text: a scan."""

    kind = "scan"


class UnsupportedFormat(RectrackError):
    """A format rectrack does not read (legacy .doc, images, spreadsheets...)."""

    kind = "unsupported"


class UnexpectedLanguage(RectrackError):
    """The text is not in English, which the segmenters and models expect."""

    kind = "language"


class OutputError(RectrackError):
    """The output folder or one of its files cannot be written."""

    kind = "output"


class InvalidTracker(RectrackError):
    """A ``tracker.csv`` read back from disk breaks the contract."""

    kind = "tracker"


class InputNotFound(RectrackError):
    """A path given on the command line does not exist."""

    kind = "input"


class ServerError(RectrackError):
    """The Prefect server could not be started or reached."""

    kind = "server"


class ModelNotFound(RectrackError):
    """No trained classifier where one was expected."""

    kind = "model"


class InvalidTable(RectrackError):
    """A user's CSV given to ``rectrack classify`` / ``evaluate`` cannot be used as it is."""

    kind = "table"


class TaxonomyError(RectrackError):
    """A taxonomy or mapping file under data/taxonomies/ is malformed or names an unknown label."""

    kind = "taxonomy"


class RunNotFound(RectrackError):
    """No run of the history, or more than one, has the id asked for."""

    kind = "history"


class LimitExceeded(RectrackError):
    """A document is over one of the per-document limits (:mod:`rectrack.extractors.read.limits`)."""

    kind = "limit"


class InvalidReview(RectrackError):
    """A ``reviewed_*`` cell given to ``rectrack train`` cannot be used as training data (e.g. an unknown label)."""

    kind = "review"
