"""Stable identities of recommendations: ``rec_id`` from natural keys, and the migration of 0.1 IDs.

:func:`rec_id` is ``r`` + 16 hex of sha256 over the document's UN symbol (its content hash if it has
none), the paragraph and the normalised text, joined with a separator that cannot occur in them;
:func:`migrate_rec_ids` gives the rows of a 0.1 tracker (IDs over the content hash) their current
IDs by exact match, so every edit is kept.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from rectrack.extractors.records import DocumentResult

ID_PREFIX = "r"
_CURRENT_ID = re.compile(r"r[0-9a-f]{16}")


def normalise_text(text: str) -> str:
    """The text as it counts for identity: NFKC, casefolded, whitespace collapsed.

    NFKC folds ligatures and compatibility forms that different PDF text
    layers produce for the same printed text ("ﬁ" and "fi").
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(unicodedata.normalize("NFKC", folded).split())


def document_key(sha256: str, symbol: str) -> str:
    """What stands for a document in its rec_ids: its UN symbol if it has one, else its content hash.

    A UN document is the same document whatever the bytes of the copy (a
    re-download, a re-saved PDF): keyed by symbol, its rec_ids and the edits
    attached to them survive a new copy. Other documents are keyed by content.
    """
    symbol = "".join(symbol.split())
    return f"symbol\x1e{symbol}" if symbol else sha256


def rec_id(document: str, paragraph: str, text: str, occurrence: int = 0) -> str:
    """The stable ID of a recommendation: ``r`` then 16 hex chars of a sha256 over its natural key.

    The key is ``document`` (:func:`document_key`: the UN symbol, else the
    content hash), the paragraph as printed (stripped) and
    :func:`normalise_text` of the text, joined with ``\\x1f``. ``occurrence``
    (0 for the first) tells apart identical recommendations under the same
    paragraph of one document; it is only added from 1 up, so the first keeps
    the plain key. The ``r`` keeps spreadsheets from reading an ID as a number
    ("1234567890123456", "12e45").
    """
    return ID_PREFIX + _hashed_id(document, paragraph.strip(), normalise_text(text), occurrence)


def _hashed_id(document: str, paragraph: str, normalised: str, occurrence: int) -> str:
    parts = [document, paragraph, normalised]
    if occurrence:
        parts.append(str(occurrence))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _natural_keys(result: DocumentResult) -> list[tuple[str, str, int]]:
    """(paragraph, normalised text, occurrence) of each recommendation of ``result``, in order."""
    seen: Counter[tuple[str, str]] = Counter()
    keys = []
    for rec in result.recommendations:
        key = (rec.paragraph.strip(), normalise_text(rec.text))
        keys.append((*key, seen[key]))
        seen[key] += 1
    return keys


def recommendation_ids(result: DocumentResult) -> list[str]:
    """The ``rec_id`` of each recommendation of ``result``, in order, unique within it."""
    document = document_key(result.sha256, result.info.symbol if result.info else "")
    return [ID_PREFIX + _hashed_id(document, *key) for key in _natural_keys(result)]


def legacy_ids(result: DocumentResult) -> list[str]:
    """Old-scheme rec_ids (16 hex chars over the content hash), aligned with :func:`recommendation_ids`."""
    return [_hashed_id(result.sha256, *key) for key in _natural_keys(result)]


def migrate_rec_ids(previous: pd.DataFrame, results: Sequence[DocumentResult]) -> pd.DataFrame:
    """``previous`` with rec_ids of the old scheme replaced by this run's IDs of the same recommendations.

    A tracker written by rectrack 0.1 keys rows by 16 hex chars over the content
    hash; a row whose ID is exactly the old ID of a recommendation in
    ``results`` takes its new ID, so every edit stays attached. Rows of
    documents not in ``results`` keep their old ID until their document is
    read again (they are merged as missing meanwhile). An old ID whose new ID
    is already in ``previous`` is left alone (no duplicate). Returns a copy.
    """
    renames = {old: new for result in results
               for old, new in zip(legacy_ids(result), recommendation_ids(result))}
    present = set(previous["rec_id"])
    renames = {old: new for old, new in renames.items() if old in present and new not in present}
    out = previous.copy()
    if renames:
        out["rec_id"] = out["rec_id"].map(lambda ident: renames.get(ident, ident))
    return out


def has_legacy_ids(tracker: pd.DataFrame) -> bool:
    """Whether some row with a source still has a rec_id of the old scheme (see :func:`migrate_rec_ids`)."""
    current = tracker["rec_id"].str.fullmatch(_CURRENT_ID.pattern)
    return bool((~current & (tracker["missing"] == "")).any())
