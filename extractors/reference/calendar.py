"""UN session calendar: which year a UPR Working Group or Human Rights Council session was held.

Read from ``data/calendar/upr_sessions.tsv`` (UPR session -> year, and the
HRC session that adopted its outcomes) and ``data/calendar/hrc_sessions.tsv``
(HRC session -> year); a new session is a new row there, no code change.
Used by :mod:`rectrack.extractors.detect` to date a document that prints no date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rectrack.extractors.files import DATA_DIR

CALENDAR_DIR = DATA_DIR / "calendar"
_HRC_SESSION = re.compile(r"^A/HRC/(\d+)/", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Calendar:
    """The two tables, as strings: UPR session -> (year, HRC session), HRC session -> year."""

    upr: dict[str, tuple[str, str]]
    hrc: dict[str, str]

    def upr_session_of_hrc(self, hrc_session: str) -> str:
        """The UPR session whose reports the HRC session adopted, "" if none or several."""
        found = [upr for upr, (_, hrc) in self.upr.items() if hrc == hrc_session]
        return found[0] if len(found) == 1 else ""


def _rows(path: Path, width: int) -> list[list[str]]:
    """Data rows of a tab-separated calendar file ('#' comments and the header skipped)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#") or not line[0].isdigit():
            continue
        cells = line.split("\t")
        if len(cells) != width or not all(cell.strip().isdigit() for cell in cells):
            raise ValueError(f"{path}, line {number}: expected {width} numbers separated by tabs; "
                             "fix the line (it ships with rectrack: restore it from the repository)")
        rows.append([cell.strip() for cell in cells])
    return rows


@lru_cache(maxsize=2)
def load_calendar(directory: Path = CALENDAR_DIR) -> Calendar:
    """The calendar of ``directory``, read once per process.

    Raises ``FileNotFoundError`` or ``ValueError`` (naming the file and line)
    when a file is absent or malformed: they ship with the product.
    """
    upr = {s: (y, h) for s, y, h in _rows(directory / "upr_sessions.tsv", 3)}
    hrc = {s: y for s, y in _rows(directory / "hrc_sessions.tsv", 2)}
    return Calendar(upr, hrc)


def upr_session_year(session: str) -> str:
    """The year UPR Working Group session ``session`` ("12") was held; "" if unknown."""
    return load_calendar().upr.get(session.strip(), ("", ""))[0]


def upr_session_of_symbol(symbol: str) -> str:
    """The UPR session whose report has this symbol (A/HRC/19/3 -> "12"); "" if unknown.

    The HRC session in the symbol adopted the outcomes of exactly one UPR
    session in most years; when it adopted two (HRC 8: UPR 1 and 2), "".
    """
    match = _HRC_SESSION.match(symbol.strip())
    return load_calendar().upr_session_of_hrc(match.group(1)) if match else ""


def symbol_year(symbol: str, upr: bool) -> str:
    """The year a document with this A/HRC symbol was written; "" if the symbol says nothing.

    A UPR document (``upr``) was written when its review was held: the year of
    the UPR session its HRC session adopted, else the HRC session's own year
    (the session where it was presented, the same or the next year). Other
    A/HRC documents: the HRC session's year.
    """
    match = _HRC_SESSION.match(symbol.strip())
    if not match:
        return ""
    calendar = load_calendar()
    if upr:
        years = {year for year, hrc in calendar.upr.values() if hrc == match.group(1)}
        if len(years) == 1:
            return years.pop()
    return calendar.hrc.get(match.group(1), "")
