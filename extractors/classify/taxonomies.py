"""The taxonomy files of ``data/taxonomies/`` as typed records, validated on load.

Files (each one a person edits in a text editor or a spreadsheet):

- ``uhri_themes.tsv``, ``uhri_groups.tsv``, ``sdgs.tsv``: one label per row with
  the SDG goals it implies and its keywords;
- ``uhri_wordings.tsv``: older UHRI wordings (2014 coded, numbered, 2019) -> 2025 labels;
- ``upr_info_issues_map.tsv``: UPR Info issue -> themes, groups and SDGs it implies;
- ``priority_areas.toml``: the user's own focus areas (:func:`load_priority_areas`);
- ``upr_info_issues.*`` (Engineer A's file): the issue vocabulary, used to check the
  issue names of the mapping files when it is there.

Every loader raises :class:`~rectrack.extractors.errors.TaxonomyError` naming the file and
line of a malformed row or an unknown label. Pure: no spaCy, no Prefect.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rectrack.extractors.files import DATA_DIR
from rectrack.extractors.errors import TaxonomyError
from rectrack.extractors.records import GivenLabel

TAXONOMY_DIR = DATA_DIR / "taxonomies"
PRIORITY_AREAS = TAXONOMY_DIR / "priority_areas.toml"
SEPARATOR = "|"

_CODE = re.compile(r"^\s*(?:[A-H]\d{1,2}|\d{1,2}(?:\.\d{1,2})*\.?)\s+")
_SDG = re.compile(r"^\s*(?:SDG\s*|Goal\s*)?(\d{1,2})\b", re.IGNORECASE)
_PUNCT = re.compile(r"[(),;.:/'’]")
_DASHES = re.compile(r"\s*[-–—]\s*")


@dataclass(frozen=True, slots=True)
class Label:
    """One label of a taxonomy: its name, the SDGs it implies, its keywords."""

    taxonomy: str
    name: str
    keywords: tuple[str, ...] = ()
    sdgs: tuple[str, ...] = ()
    title: str = ""             # SDGs: "Peace, justice and strong institutions"


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A closed vocabulary (themes, groups or sdgs), in file order."""

    name: str
    labels: tuple[Label, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)


@dataclass(frozen=True, slots=True)
class Wording:
    """An older wording of a UHRI label and the 2025 themes and groups it stands for."""

    taxonomy: str               # the column it is printed in: "themes" or "groups"
    printed: str
    themes: tuple[str, ...]
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IssueLinks:
    """What one UPR Info issue implies in the UHRI and SDG taxonomies."""

    issue: str
    themes: tuple[str, ...]
    groups: tuple[str, ...]
    sdgs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PriorityArea:
    """One priority area: keywords (with optional co-occurring words) and implying labels."""

    label: str
    keywords: tuple[str, ...]
    requires: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Taxonomies:
    """Every taxonomy file, loaded and cross-checked."""

    themes: Taxonomy
    groups: Taxonomy
    sdgs: Taxonomy
    wordings: dict[tuple[str, str], Wording]    # (taxonomy, normalised wording) -> Wording
    issue_links: dict[str, IssueLinks]
    issues: tuple[str, ...]                     # UPR Info vocabulary; () if its file is absent

    def taxonomy(self, name: str) -> Taxonomy:
        return {"themes": self.themes, "groups": self.groups, "sdgs": self.sdgs}[name]

    def to_2025(self, given: GivenLabel) -> tuple[tuple[str, str], ...]:
        """The (taxonomy, 2025 label) pairs a label printed in a document stands for.

        SDGs give their goal number ("16 - PEACE, ..." -> ("sdgs", "16")). A
        wording nobody mapped gives () (see :meth:`unmapped`).
        """
        if given.taxonomy == "sdgs":
            goal = _SDG.match(given.label)
            return (("sdgs", str(int(goal.group(1)))),) if goal and 1 <= int(goal.group(1)) <= 17 else ()
        key = normalise_wording(given.label)
        wording = self.wordings.get((given.taxonomy, key))
        if wording is not None:
            return tuple(("themes", t) for t in wording.themes) + tuple(("groups", g) for g in wording.groups)
        if given.taxonomy in ("themes", "groups"):
            for name in self.taxonomy(given.taxonomy).names:
                if normalise_wording(name) == key:
                    return ((given.taxonomy, name),)
        return ()

    def unmapped(self, given: GivenLabel) -> bool:
        """True when ``given`` is neither a 2025 label nor listed in uhri_wordings.tsv."""
        if given.taxonomy == "sdgs":
            return not self.to_2025(given)
        return (given.taxonomy, normalise_wording(given.label)) not in self.wordings and not self.to_2025(given)


def normalise_wording(text: str) -> str:
    """A printed UHRI label reduced to a lookup key: code, case, "&"/"and", punctuation ignored."""
    text = _CODE.sub("", text).casefold().replace("&", " and ")
    text = _DASHES.sub(" ", _PUNCT.sub(" ", text))
    return " ".join(text.split())


def split_cell(cell: str) -> tuple[str, ...]:
    """A ``|``-joined cell as a tuple of stripped, non-empty parts."""
    return tuple(part.strip() for part in cell.split(SEPARATOR) if part.strip())


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a TSV whose '#' lines are comments."""
    if not path.is_file():
        raise TaxonomyError(path, "taxonomy file not found", "restore it from the repository (data/taxonomies/)")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    numbered = [(number, line) for number, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]
    if not numbered:
        raise TaxonomyError(path, "no header row", f"add a tab-separated header: {', '.join(required)}")
    header_line, header = numbered[0]
    reader = csv.DictReader(io.StringIO(header + "\n"), delimiter="\t")
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        raise TaxonomyError(path, f"line {header_line}: header lacks columns {missing}",
                            "columns are tab-separated; see the comment lines at the top of the file")
    rows = []
    for number, line in numbered[1:]:
        cells = line.split("\t")
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(reader.fieldnames)}
        rows.append((number, row))
    return rows


def _check(path: Path, number: int, labels: tuple[str, ...], known: tuple[str, ...], what: str) -> None:
    if not known:
        return
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise TaxonomyError(path, f"line {number}: unknown {what} {unknown}",
                            f"use a label exactly as written in the {what} taxonomy file, or add it there")


def load_taxonomy(path: Path, name: str, *, sdg_names: tuple[str, ...] = ()) -> Taxonomy:
    """One label-per-row taxonomy file (``label``, optional ``sdgs``, ``keywords``, ``title``)."""
    labels, seen = [], set()
    for number, row in _rows(path, ("label", "keywords")):
        label = row["label"]
        if not label:
            raise TaxonomyError(path, f"line {number}: empty label", "write the label in the first column")
        if label in seen:
            raise TaxonomyError(path, f"line {number}: label \"{label}\" occurs twice", "keep one row per label")
        seen.add(label)
        sdgs = split_cell(row.get("sdgs", ""))
        _check(path, number, sdgs, sdg_names, "sdgs")
        labels.append(Label(name, label, tuple(k.lower() for k in split_cell(row["keywords"])), sdgs,
                            row.get("title", "")))
    return Taxonomy(name, tuple(labels))


def _load_issue_names(directory: Path) -> tuple[str, ...]:
    """The UPR Info issue vocabulary from Engineer A's file, or () when it is not there yet."""
    for path in sorted(directory.glob("upr_info_issues.*")):
        if path.suffix == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            entries = next((v for v in data.values() if isinstance(v, list)), [])
            return tuple(e["label"] if isinstance(e, dict) else str(e) for e in entries)
        if path.suffix in (".tsv", ".csv", ".txt"):
            delimiter = "," if path.suffix == ".csv" else "\t"
            lines = [line for line in path.read_text(encoding="utf-8-sig").splitlines()
                     if line.strip() and not line.startswith("#")]
            rows = list(csv.reader(lines, delimiter=delimiter))
            column = rows[0].index("label") if rows and "label" in rows[0] else 0
            start = 1 if rows and rows[0][column].lower() in ("label", "issue", "name") else 0
            return tuple(row[column].strip() for row in rows[start:] if row and row[column].strip())
    return ()


def _load_wordings(path: Path, themes: Taxonomy, groups: Taxonomy) -> dict[tuple[str, str], Wording]:
    wordings: dict[tuple[str, str], Wording] = {}
    for number, row in _rows(path, ("taxonomy", "printed", "themes", "groups")):
        if row["taxonomy"] not in ("themes", "groups"):
            raise TaxonomyError(path, f"line {number}: taxonomy \"{row['taxonomy']}\"",
                                "write themes or groups in the first column")
        wording = Wording(row["taxonomy"], row["printed"], split_cell(row["themes"]), split_cell(row["groups"]))
        _check(path, number, wording.themes, themes.names, "themes")
        _check(path, number, wording.groups, groups.names, "groups")
        key = (wording.taxonomy, normalise_wording(wording.printed))
        if key in wordings and (wordings[key].themes, wordings[key].groups) != (wording.themes, wording.groups):
            raise TaxonomyError(path, f"line {number}: \"{wording.printed}\" is mapped twice, differently",
                                "keep one row for it")
        wordings[key] = wording
    return wordings


def _load_issue_links(path: Path, taxonomies: dict[str, Taxonomy], issues: tuple[str, ...]) -> dict[str, IssueLinks]:
    links = {}
    for number, row in _rows(path, ("issue", "themes", "groups", "sdgs")):
        link = IssueLinks(row["issue"], split_cell(row["themes"]), split_cell(row["groups"]), split_cell(row["sdgs"]))
        _check(path, number, (link.issue,), issues, "issues")
        for name, labels in (("themes", link.themes), ("groups", link.groups), ("sdgs", link.sdgs)):
            _check(path, number, labels, taxonomies[name].names, name)
        links[link.issue] = link
    return links


@lru_cache(maxsize=8)
def load_taxonomies(directory: Path = TAXONOMY_DIR) -> Taxonomies:
    """Every taxonomy and mapping file of ``directory``, cross-checked (cached per directory)."""
    sdgs = load_taxonomy(directory / "sdgs.tsv", "sdgs")
    themes = load_taxonomy(directory / "uhri_themes.tsv", "themes", sdg_names=sdgs.names)
    groups = load_taxonomy(directory / "uhri_groups.tsv", "groups", sdg_names=sdgs.names)
    issues = _load_issue_names(directory)
    by_name = {"themes": themes, "groups": groups, "sdgs": sdgs}
    return Taxonomies(themes, groups, sdgs, _load_wordings(directory / "uhri_wordings.tsv", themes, groups),
                      _load_issue_links(directory / "upr_info_issues_map.tsv", by_name, issues), issues)


def _strings(path: Path, index: int, area: dict, key: str) -> tuple[str, ...]:
    value = area.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(path, f"area {index} (\"{area.get('label', '')}\"): {key} is not a list of strings",
                            f'write {key} = ["...", "..."]')
    return tuple(v.strip() for v in value if v.strip())


def load_priority_areas(path: Path = PRIORITY_AREAS, taxonomies: Taxonomies | None = None) -> tuple[PriorityArea, ...]:
    """The ``[[area]]`` tables of a priority-areas TOML file, checked against ``taxonomies``."""
    if not path.is_file():
        raise TaxonomyError(path, "priority-areas file not found", "restore data/taxonomies/priority_areas.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as error:
        raise TaxonomyError(path, f"not valid TOML ({error})",
                            "fix the line named; strings need double quotes") from error
    taxonomies = taxonomies or load_taxonomies(path.parent if (path.parent / "uhri_themes.tsv").is_file()
                                               else TAXONOMY_DIR)
    areas, seen = [], set()
    for index, area in enumerate(data.get("area", []), 1):
        label = str(area.get("label", "")).strip()
        if not label or label in seen:
            raise TaxonomyError(path, f"area {index}: label missing or repeated", "give every [[area]] its own label")
        seen.add(label)
        parsed = PriorityArea(label, tuple(k.lower() for k in _strings(path, index, area, "keywords")),
                              tuple(k.lower() for k in _strings(path, index, area, "requires")),
                              _strings(path, index, area, "issues"), _strings(path, index, area, "themes"),
                              _strings(path, index, area, "groups"))
        for key, known in (("issues", taxonomies.issues), ("themes", taxonomies.themes.names),
                           ("groups", taxonomies.groups.names)):
            unknown = [v for v in getattr(parsed, key) if known and v not in known]
            if unknown:
                raise TaxonomyError(path, f"area {index} (\"{label}\"): unknown {key} {unknown}",
                                    f"use labels exactly as written in the {key} taxonomy file")
        areas.append(parsed)
    if not areas:
        raise TaxonomyError(path, "no [[area]] table", "add at least one [[area]] with a label and keywords")
    return tuple(areas)
