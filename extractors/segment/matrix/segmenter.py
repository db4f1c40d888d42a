"""Segment an OHCHR thematic list / matrix of recommendations (a DOCX table).

A matrix is a table whose header row names its columns ("Recommendation",
"Recommending state/s", "Position", "Full list of themes", "Assessment/...").
Columns are found by that wording (:mod:`rectrack.extractors.segment.matrix.layout`),
so the 2013, 2014 and 2019 OHCHR layouts and future ones are read alike.
Below the header come theme rows ("Theme: A12 Acceptance of international
norms", "Right or area: 2.1. ...": one cell, no paragraph number), which
become the ``heading`` of the rows under them, and one row per numbered UPR
item::

    186.2. Ratify as soon as possible ICCPR (Brazil); Speed up ... (Bulgaria);
    Source of position: A/HRC/25/5/Add.1 - Para. 186.2.

An item that holds several recommendations, each with its own States, gives
one :class:`Recommendation` per recommendation, all with the item's
paragraph (as :mod:`rectrack.extractors.segment.upr.report` does). Positions are
normalised by the layout file; "Supported/Noted" (supported in part) counts
as noted and keeps its printed wording in ``response``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rectrack.extractors.records import (
    VIA_MATRIX, Block, BlockKind, Document, DocumentInfo, GivenLabel, Position, PositionUpdate, Problem,
    Recommendation,
)
from rectrack.extractors.segment import Segmented
from rectrack.extractors.segment.matrix.layout import (
    LABEL_ROLES,
    Layout,
    Role,
    header_roles,
    is_sdg_label,
    load_layout,
    normalise_position,
    section_taxonomy,
)
from rectrack.extractors.segment.upr.items import ItemPart, split_item
from rectrack.extractors.reference.states import canonical_state

# The item number as printed at the start of the cell: "186.28." -> "186.28", "121.1".
_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\.?(?:\s+|$)")
_BULLET = re.compile(r"^[-–—•*·]\s*")
_FINAL_STOP = re.compile(r"(?<=\d)\.$")
_LAYOUT_ACTION = "add the wording of its header to [columns] in data/matrix_layout.toml"


@dataclass(frozen=True, slots=True)
class _Table:
    """The header in force: column roles, number of cells, its table row number."""

    roles: dict[Role, int]
    width: int
    row: int


@dataclass(frozen=True, slots=True)
class _Item:
    """One numbered item of a recommendation cell: number as printed, text, notes."""

    paragraph: str
    text: str
    position_source: str
    notes: tuple[str, ...]


@dataclass(slots=True)
class _Walk:
    """What the walk over the table rows has found so far."""

    layout: Layout
    table: _Table | None = None
    heading: str = ""
    last_cell: str = ""
    recommendations: list[Recommendation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unnumbered: list[int] = field(default_factory=list)
    unpositioned: list[str] = field(default_factory=list)
    page: int = 1               # the page of the row being read

    def problem(self, kind: str, reason: str, action: str) -> None:
        self.problems.append(Problem(document="", reason=reason, action=action, page=self.page, kind=kind))


def _items(cell: str, layout: Layout) -> list[_Item]:
    """The numbered items of a recommendation cell: number, text and notes of each.

    A cell holds one item, unless cells were merged across rows: then each
    paragraph that starts with an item number starts another item. Notes are
    whole paragraphs that start with a note label: "Source of position: X"
    gives ``position_source`` X, any other note is kept with its label.
    """
    items: list[tuple[str, list[str], list[str], list[str]]] = []
    for line in (line.strip() for line in cell.split("\n")):
        number = _NUMBER.match(line)
        if number or not items:
            items.append((number.group(1) if number else "", [], [], []))
            line = line[number.end():] if number else line
        _, text, sources, notes = items[-1]
        if source := layout.position_source.match(line):
            # "Para. 186.28." as printed: the final full stop is punctuation.
            sources.append(_FINAL_STOP.sub("", source.group("value").strip()))
        elif note := layout.other_note.match(line):
            notes.append(f"{note.group('label').capitalize()}: {note.group('value').strip()}")
        elif line:
            text.append(line)
    return [_Item(number, " ".join(text), "; ".join(sources), tuple(notes))
            for number, text, sources, notes in items]


def cell_labels(cell: str, role: Role, layout: Layout) -> tuple[GivenLabel, ...]:
    """The labels of a themes / groups / SDGs cell, as printed, in order, once each.

    The cell starts in the column's own taxonomy; a line such as "SDGs:" or
    "Affected persons:" switches to another; list bullets are dropped. A
    label that names an SDG ("16 - PEACE, JUSTICE AND STRONG INSTITUTIONS")
    is an ``sdgs`` label wherever it stands, never a theme.
    """
    taxonomy = LABEL_ROLES[role]
    found: dict[GivenLabel, None] = {}
    for line in cell.split("\n"):
        switched = section_taxonomy(line, layout)
        if switched:
            taxonomy = switched
            continue
        label = " ".join(_BULLET.sub("", line.strip()).split())
        if label:
            found[GivenLabel("sdgs" if is_sdg_label(label) else taxonomy, label)] = None
    return tuple(found)


def _cells_by_role(cells: tuple[str, ...], table: _Table) -> dict[Role, str]:
    """The row's cells keyed by role (only roles whose column exists in the row)."""
    return {role: cells[index] for role, index in table.roles.items() if index < len(cells)}


def _column_states(walk: _Walk, cell: str, row: int) -> tuple[str, ...]:
    """States of a "Recommending state/s" cell (one per line), as UN short names."""
    states = []
    for name in (line.strip() for line in cell.split("\n")):
        if not name:
            continue
        canonical = canonical_state(name)
        if canonical is None:
            walk.problem("unknown_state", f"table row {row}: \"{name}\" in the recommending States column "
                         "is not a State name rectrack knows; it was kept as printed",
                         "if it is a State, add the variant to data/gazetteers/states.tsv")
        states.append(canonical or name)
    return tuple(dict.fromkeys(states))


def _states(walk: _Walk, parts: list[ItemPart], column: tuple[str, ...], where: str) -> list[tuple[str, ...]]:
    """The States of each part: from the States column for a single recommendation,
    else from the text; a disagreement between the two is reported."""
    from_text = [s for part in parts for s in part.states]
    if column and from_text and set(column) != set(from_text):
        walk.problem("states_mismatch",
                     f"{where}: the States column ({', '.join(column)}) and the States named in the "
                     f"text ({', '.join(dict.fromkeys(from_text))}) differ",
                     "check the recommending States of this paragraph in the tracker by hand")
    if len(parts) == 1 and column:
        return [column]
    return [part.states for part in parts]


def _position(walk: _Walk, cells: dict[Role, str], where: str) -> tuple[Position, str]:
    """The normalised position and, when it is partial, the printed wording for ``response``."""
    printed = " ".join(cells.get(Role.POSITION, "").split())
    if Role.POSITION in cells and not printed:
        walk.unpositioned.append(where)
    normalised = normalise_position(printed, walk.layout)
    if normalised is None:
        walk.problem("unknown_position", f"{where}: position \"{printed}\" is not a wording rectrack knows; "
                     "the position was left empty",
                     "add the wording to [[positions]] in data/matrix_layout.toml, or set the position by hand")
        return Position.UNKNOWN, ""
    position, partial = normalised
    return position, (f"Position as printed: {printed}" if partial else "")


def _given_labels(cells: dict[Role, str], layout: Layout) -> tuple[GivenLabel, ...]:
    found = [label for role in LABEL_ROLES if role in cells for label in cell_labels(cells[role], role, layout)]
    return tuple(dict.fromkeys(found))


def _row_context(walk: _Walk, cells: dict[Role, str], row: int, where: str
                 ) -> tuple[tuple[str, ...], Position, str, tuple[GivenLabel, ...]]:
    """What the row's other columns say: States, position, response, labels."""
    column = _column_states(walk, cells[Role.STATES], row) if Role.STATES in cells else ()
    position, printed = _position(walk, cells, where)
    assessment = " ".join(cells.get(Role.ASSESSMENT, "").split())
    response = "; ".join(filter(None, (printed, assessment and f"Assessment: {assessment}")))
    return column, position, response, _given_labels(cells, walk.layout)


def _recommendations(walk: _Walk, block: Block, cells: dict[Role, str], row: int) -> None:
    """Add the recommendations of one row (or report why there are none)."""
    items = _items(cells[Role.RECOMMENDATION], walk.layout)
    numbers = [item.paragraph for item in items if item.paragraph]
    where = f"table row {row} (paragraph {', '.join(numbers)})" if numbers else f"table row {row}"
    if len(items) > 1:
        walk.problem("merged_items", f"{where} holds {len(items)} numbered items in one cell (cells merged "
                     "across rows?); each was kept, all with this row's position, States and labels",
                     "check the positions of these paragraphs in the tracker by hand")
    column, position, response, given = _row_context(walk, cells, row, where)
    for item in items:
        parts = split_item(item.text)
        if not parts:
            walk.problem("empty_recommendation", f"{where} has no recommendation text",
                         "check the row in the document; add the recommendation by hand if there is one")
            continue
        if not item.paragraph:
            walk.unnumbered.append(row)
        states = column if len(items) == 1 else ()
        for part, part_states in zip(parts, _states(walk, parts, states, where)):
            walk.recommendations.append(Recommendation(
                paragraph=item.paragraph, text=part.text, page=block.page, recommending_states=part_states,
                position=position, heading=walk.heading,
                response="; ".join(filter(None, (response, *item.notes))),
                position_source=item.position_source, given_labels=given,
            ))


def _merged_row(walk: _Walk, cells: tuple[str, ...], table: _Table, row: int) -> dict[Role, str]:
    """A row with more or fewer cells than its header (merged or split cells).

    Only the recommendation cell can be placed (the one that starts with a
    paragraph number); the other columns are not read and a problem says so.
    """
    index = table.roles[Role.RECOMMENDATION]
    # The header's recommendation column first: a themes cell may start with a number too.
    candidates = ([cells[index]] if index < len(cells) else []) + list(cells)
    cell = next((cell for cell in candidates if _NUMBER.match(cell)), candidates[0])
    paragraph = ", ".join(item.paragraph for item in _items(cell, walk.layout) if item.paragraph) or "?"
    walk.problem("merged_cells",
                 f"table row {row} (paragraph {paragraph}) has {len(cells)} cells where the header "
                 f"(table row {table.row}) has {table.width}: merged cells; only the recommendation "
                 "was read, its position, States and labels were not",
                 "unmerge the cells in the document, or fill in position and States by hand")
    return {Role.RECOMMENDATION: cell}


def _row(walk: _Walk, block: Block, row: int) -> None:
    """Handle one table row under a header: theme row, recommendation row or repeat."""
    table = walk.table
    filled = [cell for cell in block.cells if cell.strip()]
    # A theme row: one cell of text, unnumbered ("Theme: A12 ...") or merged
    # across the table ("2.1. Acceptance of international norms" alone).
    spans_table = len(block.cells) == 1 < table.width
    if len(filled) == 1 and (spans_table or not _NUMBER.match(filled[0])):
        walk.heading = " ".join(filled[0].split())
        return
    if len(block.cells) == table.width:
        cells = _cells_by_role(block.cells, table)
    else:
        cells = _merged_row(walk, block.cells, table, row)
    if cells[Role.RECOMMENDATION].strip() and cells[Role.RECOMMENDATION] == walk.last_cell:
        walk.problem("repeated_row",
                     f"table row {row} repeats the recommendation of the row above (a cell merged "
                     "over several rows?); it was kept once, with the first row's position",
                     "check the position of that recommendation in the tracker by hand")
        return
    walk.last_cell = cells[Role.RECOMMENDATION]
    _recommendations(walk, block, cells, row)


def _header(walk: _Walk, roles: dict[Role, int], block: Block, row: int) -> None:
    """A header row: it sets the columns for the rows below it."""
    walk.table = _Table(roles, len(block.cells), row)
    walk.heading, walk.last_cell = "", ""
    if Role.POSITION not in roles:
        walk.problem("no_position_column",
                     f"the header of table row {row} ({' | '.join(block.cells)}) names no position "
                     "column: the positions of the recommendations below it are left empty",
                     "take the positions from the State's addendum (e.g. A/HRC/.../Add.1), or "
                     + _LAYOUT_ACTION + " under position if the column has another name")


def _summary_problems(walk: _Walk, rows: int) -> None:
    """Problems about the whole document: no table, no header, unnumbered rows."""
    if rows == 0:
        walk.problem("no_matrix_table", "the document has no table rows with text: no recommendation was found",
                     "check that this is a matrix of recommendations; if its table is an image, add a text version")
    elif walk.table is None:
        walk.problem("no_matrix_header",
                     f"none of the {rows} table rows is a header naming a Recommendation column "
                     "and another column (Position, Recommending States, themes ...)",
                     _LAYOUT_ACTION + ", or extract the recommendations by hand")
    elif not walk.recommendations:
        walk.problem("no_recommendations", "the matrix has a header but no recommendation rows below it",
                     "check the document; if its rows are there, report the layout so it can be supported")
    if walk.unpositioned:
        shown = "; ".join(walk.unpositioned[:5]) + (" ..." if len(walk.unpositioned) > 5 else "")
        walk.problem("empty_position", f"{len(walk.unpositioned)} recommendation rows have an empty "
                     f"position cell ({shown}); their position was left empty",
                     "take the positions from the State's addendum and fill them in by hand")
    if walk.unnumbered:
        shown = ", ".join(map(str, walk.unnumbered[:5])) + (" ..." if len(walk.unnumbered) > 5 else "")
        walk.problem("unnumbered_recommendation",
                     f"{len(walk.unnumbered)} recommendation rows have no paragraph number (table rows {shown}); "
                     "they were kept with an empty paragraph",
                     "check that these rows are recommendations and not headings or comments")


def segment_matrix(document: Document, info: DocumentInfo) -> Segmented:
    """Every recommendation of the matrix's tables, in document order.

    Returns one :class:`Recommendation` per recommendation (several per row
    when an item holds several, each with its own States), with paragraph,
    clean text, recommending States, normalised position, ``position_source``,
    ``heading`` (the theme row above), ``response`` (partial position,
    comments, assessment) and ``given_labels`` (themes, groups, sdgs as
    printed). ``info`` is not needed: a matrix says everything in its table.
    ``page`` is the row's page in Word's last rendering (see
    :mod:`rectrack.extractors.read.docx`). Problems (the row's page, empty
    ``document``; summaries on the last row's page) report rows that could not be read
    fully; the segmenter never raises for a malformed table.
    """
    walk = _Walk(load_layout())
    rows = 0
    for block in document.blocks:
        if block.kind is not BlockKind.TABLE_ROW:
            continue
        rows += 1
        walk.page = block.page
        roles = header_roles(block.cells, walk.layout)
        if roles is not None:
            _header(walk, roles, block, rows)
        elif walk.table is not None:
            _row(walk, block, rows)
    _summary_problems(walk, rows)
    return Segmented(recommendations=tuple(walk.recommendations), problems=tuple(walk.problems),
                     position_updates=_report_positions(walk.recommendations))


_ADDENDUM_SYMBOL = re.compile(r"(A\s*/\s*HRC\s*/\s*\d+\s*/\s*\d+)\s*/\s*Add\.\s*\d+", re.IGNORECASE)


def _report_positions(recommendations: list[Recommendation]) -> tuple[PositionUpdate, ...]:
    """The matrix's positions that come from an addendum, as updates of the report's rows.

    A matrix row whose "Source of position" is the report's Add.n carries the
    State's position on that report paragraph: the report's pending rows get
    it too when the report is in the tracker (one update per paragraph).
    """
    updates: dict[tuple[str, str], PositionUpdate] = {}
    for rec in recommendations:
        match = _ADDENDUM_SYMBOL.search(rec.position_source)
        if match and rec.paragraph and rec.position in (Position.SUPPORTED, Position.NOTED):
            report = re.sub(r"\s+", "", match.group(1))
            updates.setdefault((report, rec.paragraph), PositionUpdate(
                report_symbol=report, paragraph=rec.paragraph, position=rec.position, response=rec.response,
                source=f"{rec.position_source} {VIA_MATRIX}"))
    return tuple(updates.values())
