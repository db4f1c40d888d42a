"""UPR Info's database of recommendations as training data for issues and action categories.

Two entry points:

- :func:`build_training_table` reads the original exports (Mac Roman, lines
  ended by a bare CR, one row per recommending State) and returns one row per
  distinct text: the table ``data/training/upr_info.csv`` is made with it
  (``python -m rectrack.extractors.classify.upr_info SRC_DIR OUT.csv``).
- :func:`load_upr_info` reads that table back as :class:`UprText` records and
  :func:`split_by_session` makes the temporal split every model is measured on.

Pure functions: no spaCy, no Prefect. pandas only reads and writes the CSV.
"""

from __future__ import annotations

import io
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rectrack.extractors.files import DATA_DIR

TRAINING_CSV = DATA_DIR / "training" / "upr_info.csv"
COLUMNS = ("text", "session", "issues", "action", "response", "from_states")
SEPARATOR = "|"
# The exports, in session order; "17-20.csv" holds sessions 18-20 only.
ORIGINAL_FILES = ("1-5.csv", "6-9.csv", "10-13.csv", "14-17.csv", "17-20.csv")
TEST_FIRST_SESSION = 18

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class UprText:
    """One distinct recommendation text of the UPR Info database.

    ``session`` is the first UPR session the text was made in; ``issues`` the
    union of the issue labels of all its rows; ``action`` the most frequent
    action category (1-5) of its rows; ``from_states`` how many rows (one per
    recommending State) carried it.
    """

    text: str
    session: int
    issues: tuple[str, ...]
    action: int
    response: str
    from_states: int


@dataclass(frozen=True, slots=True)
class Split:
    """The temporal split: train/validation from sessions < 18, test from 18-20."""

    train: tuple[UprText, ...]
    validation: tuple[UprText, ...]
    test: tuple[UprText, ...]


def text_key(text: str) -> str:
    """The deduplication key of a text: whitespace collapsed, case folded."""
    return _SPACES.sub(" ", text).strip().casefold()


def read_original(path: Path) -> pd.DataFrame:
    """One UPR Info export as a table of strings (Mac Roman, CR-only line ends).

    Raises ``ValueError`` naming the file when a column the database always
    has is missing.
    """
    raw = path.read_bytes().decode("mac_roman")
    # The exports end lines with a bare CR; quoted texts contain no line breaks.
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    frame = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)
    missing = {"Text", "Issue", "Action", "Response", "Session"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: not a UPR Info export, missing columns {sorted(missing)}")
    return frame


def _split_labels(cell: str) -> list[str]:
    return [label.strip() for label in cell.split(",") if label.strip()]


def dedupe_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct text (see :class:`UprText` for how rows are merged).

    ``rows`` has the export's columns ``Text, Session, Issue, Action,
    Response``. The text kept is the first row's, whitespace collapsed. Ties
    in action or response go to the first row's value.
    """
    groups: dict[str, dict] = {}
    for text, session, issue, action, response in zip(
            rows["Text"], rows["Session"], rows["Issue"], rows["Action"], rows["Response"]):
        clean = _SPACES.sub(" ", text).strip()
        if not clean:
            continue
        group = groups.setdefault(text_key(clean), {
            "text": clean, "session": int(session), "issues": [], "actions": Counter(),
            "responses": Counter(), "from_states": 0})
        group["session"] = min(group["session"], int(session))
        group["issues"] += [label for label in _split_labels(issue) if label not in group["issues"]]
        if action.strip():
            group["actions"][int(action)] += 1
        group["responses"][response.strip()] += 1
        group["from_states"] += 1
    records = [{
        "text": group["text"], "session": group["session"],
        "issues": SEPARATOR.join(sorted(group["issues"])),
        "action": group["actions"].most_common(1)[0][0] if group["actions"] else "",
        "response": group["responses"].most_common(1)[0][0],
        "from_states": group["from_states"],
    } for group in groups.values()]
    table = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    return table.sort_values(["session"], kind="stable").reset_index(drop=True)


def build_training_table(src_dir: Path) -> pd.DataFrame:
    """Read every original export in ``src_dir`` and deduplicate their rows."""
    frames = [read_original(src_dir / name) for name in ORIGINAL_FILES]
    return dedupe_rows(pd.concat(frames, ignore_index=True))


def load_upr_info(path: Path = TRAINING_CSV) -> list[UprText]:
    """The deduplicated training table as records (raises ``FileNotFoundError``)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return [UprText(text=row.text, session=int(row.session),
                    issues=tuple(label for label in row.issues.split(SEPARATOR) if label),
                    action=int(row.action), response=row.response,
                    from_states=int(row.from_states))
            for row in frame.itertuples(index=False)]


def split_by_session(texts: Sequence[UprText], *, test_from: int = TEST_FIRST_SESSION,
                     validation_fraction: float = 0.1, seed: int = 0) -> Split:
    """Train on sessions before ``test_from`` (minus a random validation slice), test on the rest.

    Texts are already unique and dated by their first session, so no test
    text also occurs in training.
    """
    earlier = [text for text in texts if text.session < test_from]
    test = tuple(text for text in texts if text.session >= test_from)
    order = list(range(len(earlier)))
    random.Random(seed).shuffle(order)
    cut = round(len(earlier) * validation_fraction)
    held_out = set(order[:cut])
    return Split(train=tuple(t for i, t in enumerate(earlier) if i not in held_out),
                 validation=tuple(t for i, t in enumerate(earlier) if i in held_out),
                 test=test)


def issue_labels(texts: Iterable[UprText]) -> list[str]:
    """Every issue label used by ``texts``, sorted."""
    return sorted({label for text in texts for label in text.issues})


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rectrack.extractors.classify.upr_info SRC_DIR OUT.csv``: rebuild the training table."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print(main.__doc__, file=sys.stderr)
        return 2
    table = build_training_table(Path(args[0]))
    table.to_csv(args[1], index=False, encoding="utf-8", lineterminator="\n")
    print(f"{len(table)} distinct texts written to {args[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
