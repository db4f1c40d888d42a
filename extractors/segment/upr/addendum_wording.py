"""Tell a State's position from the words of a UPR addendum.

The wording lives in ``data/wording/addendum_positions.tsv`` (position, regular
expression), so an analyst can add a phrasing without touching code.
"Noted" phrasings are looked for first, and a "supported" phrasing inside one
("cannot accept") does not count; a text with both (accepts one part,
cannot accept another) is *partially supported*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rectrack.extractors.files import DATA_DIR
from rectrack.extractors.errors import RectrackError
from rectrack.extractors.records import Position

WORDING = DATA_DIR / "wording" / "addendum_positions.tsv"
_POSITIONS = {"supported": Position.SUPPORTED, "noted": Position.NOTED}


class InvalidWordingFile(RectrackError):
    """The wording file has a line that cannot be used."""

    kind = "invalid_data_file"


@dataclass(frozen=True, slots=True)
class Wording:
    """The position a text states: UNKNOWN when it states none; ``partial`` when it states both."""

    position: Position = Position.UNKNOWN
    partial: bool = False


@lru_cache(maxsize=4)
def load_wording(path: Path = WORDING) -> tuple[tuple[Position, re.Pattern[str]], ...]:
    """The (position, compiled pattern) pairs of the wording file, in file order.

    Raises :class:`InvalidWordingFile` naming the line when a position is not
    ``supported``/``noted`` or a pattern is not a valid regular expression.
    """
    rules = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#") or line.startswith("position\t"):
            continue
        name, _, pattern = line.partition("\t")
        if name.strip() not in _POSITIONS:
            raise InvalidWordingFile(path, f"line {number}: position {name!r} is not supported/noted",
                                     "write supported or noted, a TAB, then the pattern")
        try:
            rules.append((_POSITIONS[name.strip()], re.compile(pattern.strip(), re.IGNORECASE)))
        except re.error as error:
            raise InvalidWordingFile(path, f"line {number}: pattern is not a regular expression ({error})",
                                     "fix the pattern (Python `re` syntax) or delete the line") from error
    return tuple(rules)


def stated_position(text: str) -> Wording:
    """The position ``text`` states, by the wording file's rules.

    Returns ``Wording(SUPPORTED, partial=True)`` when the text both accepts
    and declines (the tracker keeps such a recommendation as supported and
    says "partially" in the response), UNKNOWN when it states nothing.
    """
    rules = load_wording()
    declined = [m.span() for position, rule in rules if position is Position.NOTED
                for m in rule.finditer(text)]
    accepted = [m.span() for position, rule in rules if position is Position.SUPPORTED
                for m in rule.finditer(text)
                if not any(start <= m.start() < end for start, end in declined)]
    if accepted and declined:
        return Wording(Position.SUPPORTED, partial=True)
    if accepted:
        return Wording(Position.SUPPORTED)
    if declined:
        return Wording(Position.NOTED)
    return Wording()
