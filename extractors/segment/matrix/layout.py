"""The wording rules of recommendation matrices, read from ``data/matrix_layout.toml``.

A matrix is recognised by what its header cells say, never by column order:
:func:`header_roles` maps "Recommendation", "Recommending state/s",
"Position", "Full list of themes" ... to :class:`Role` values. The same file
says how a printed position is normalised and which lines of a
recommendation cell are notes ("Source of position: ..."). Editing the file
teaches rectrack a new layout without a code change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

from rectrack.extractors.files import DATA_DIR
from rectrack.extractors.records import Position

LAYOUT_FILE = DATA_DIR / "matrix_layout.toml"
SDG_FILE = DATA_DIR / "taxonomies" / "sdgs.tsv"
# "SDG 16", "Goal 5: ...", or a goal number and a title ("16 - PEACE, JUSTICE AND STRONG INSTITUTIONS").
_SDG_LABEL = re.compile(r"^(?:SDGs?|Goal)\s*(\d{1,2})\b|^(\d{1,2})\s*[-–—.:]\s*(.+)$", re.IGNORECASE)


class Role(str, Enum):
    """What a matrix column holds (the keys of ``[columns]`` in the layout file)."""

    RECOMMENDATION = "recommendation"
    POSITION = "position"
    STATES = "states"
    SDGS = "sdgs"
    THEMES = "themes"
    GROUPS = "groups"
    ASSESSMENT = "assessment"


# Columns whose cells are lists of labels, and the taxonomy a list starts in.
LABEL_ROLES: dict[Role, str] = {Role.THEMES: "themes", Role.GROUPS: "groups", Role.SDGS: "sdgs"}


@dataclass(frozen=True, slots=True)
class PositionRule:
    pattern: re.Pattern[str]
    position: Position
    partial: bool


@dataclass(frozen=True, slots=True)
class Layout:
    """The compiled rules of the layout file."""

    columns: tuple[tuple[Role, re.Pattern[str]], ...]
    sections: tuple[tuple[re.Pattern[str], str], ...]
    positions: tuple[PositionRule, ...]
    position_source: re.Pattern[str]
    other_note: re.Pattern[str]


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _note(label: str) -> re.Pattern[str]:
    """A note line: the label, a colon, the value (group "value")."""
    return _compile(rf"^\s*(?P<label>(?:{label}))\s*:\s*(?P<value>.*)$")


@lru_cache(maxsize=4)
def load_layout(path: Path = LAYOUT_FILE) -> Layout:
    """The layout rules of ``path``, compiled once per process.

    Raises ``KeyError``/``ValueError``/``re.error`` (with the offending key)
    when the file lacks a section or names an unknown role or position: it
    ships with the product, so a broken file is a bug to fix, not input.
    """
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return Layout(
        columns=tuple((Role(role), _compile(pattern)) for role, pattern in raw["columns"].items()),
        sections=tuple((_compile(pattern), taxonomy) for pattern, taxonomy in raw["sections"].items()),
        positions=tuple(PositionRule(_compile(rule["pattern"]), Position(rule["position"]),
                                     bool(rule.get("partial", False))) for rule in raw["positions"]),
        position_source=_note(raw["notes"]["position_source"]),
        other_note=_note(raw["notes"]["other"]),
    )


def header_roles(cells: tuple[str, ...], layout: Layout) -> dict[Role, int] | None:
    """Column index of each role named by a header row, or None if it is no header.

    A row is a header when one cell names the recommendation and another
    cell names some other role. A cell takes the first role of the layout
    that it matches; a role named twice keeps its first column.
    """
    roles: dict[Role, int] = {}
    for index, cell in enumerate(cells):
        text = " ".join(cell.split())
        role = next((role for role, pattern in layout.columns if pattern.search(text)), None)
        if role is not None and role not in roles:
            roles[role] = index
    if Role.RECOMMENDATION not in roles or len(roles) < 2:
        return None
    return roles


def normalise_position(printed: str, layout: Layout) -> tuple[Position, bool] | None:
    """(position, partial) for a printed position, None if no rule knows it.

    An empty cell is ``(Position.UNKNOWN, False)``.
    """
    text = " ".join(printed.split())
    if not text:
        return Position.UNKNOWN, False
    for rule in layout.positions:
        if rule.pattern.search(text):
            return rule.position, rule.partial
    return None


def section_taxonomy(line: str, layout: Layout) -> str | None:
    """The taxonomy a section line ("SDGs:", "Affected persons:") starts, else None."""
    text = " ".join(line.split())
    return next((taxonomy for pattern, taxonomy in layout.sections if pattern.search(text)), None)


def _title_key(title: str) -> str:
    return "".join(ch for ch in title.casefold().replace("&", "and") if ch.isalnum())


@lru_cache(maxsize=1)
def _sdg_titles(path: Path = SDG_FILE) -> dict[str, str]:
    """Goal number -> title key, from the SDG taxonomy file (label, title, keywords; '#' comments)."""
    titles = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) >= 2 and cells[0].strip().isdigit():
            titles[cells[0].strip()] = _title_key(cells[1])
    return titles


def is_sdg_label(label: str) -> bool:
    """Whether a printed label names a Sustainable Development Goal, whatever column it stands in.

    "SDG 16" and "Goal 5" do; a number and a title do when the title is the
    goal's own (``data/taxonomies/sdgs.tsv``): "16 - PEACE, JUSTICE AND
    STRONG INSTITUTIONS" does, a numbered theme ("10. Discrimination against
    women") does not.
    """
    match = _SDG_LABEL.match(" ".join(label.split()))
    if not match:
        return False
    if match.group(1):
        return 1 <= int(match.group(1)) <= 17
    return _sdg_titles().get(str(int(match.group(2)))) == _title_key(match.group(3))
