"""Who made a reported recommendation: bodies, mandates and stakeholders in the text.

An OHCHR compilation names UN bodies ("the Committee on the Rights of the
Child", "UNHCR", "the Special Rapporteur on minority issues"); a summary of
stakeholders' submissions names stakeholders by acronym ("JS3", "AI",
"CoE-GRETA"). Both then refer back to them ("It", "He", "The same
Committee", "The Special Rapporteur") and name offices by their role ("The
Ombudsman", "the Advocate of the Principle of Equality"). A :class:`Recogniser`
finds the mentions in a sentence; a :class:`Resolver` remembers the bodies
named so far and resolves the references to them.

The name -> body tables and the roles are data: ``data/gazetteers/un_bodies.tsv``,
``data/gazetteers/stakeholder_bodies.tsv`` and ``data/gazetteers/roles.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from rectrack.extractors.files import DATA_DIR

GAZETTEERS = DATA_DIR / "gazetteers"
UN_BODIES = GAZETTEERS / "un_bodies.tsv"
STAKEHOLDER_BODIES = GAZETTEERS / "stakeholder_bodies.tsv"
ROLES = GAZETTEERS / "roles.tsv"
CIVIL_SOCIETY = "civil society"

_TREATY_BODIES = {"CAT", "CERD", "CRC", "CEDAW", "CCPR", "CESCR", "CRPD", "CED", "CMW", "SPT", "ILO"}
_VERBS_AFTER_NAME = (r"stated|noted|recommended|urged|called|encouraged|requested|invited|asked|was|were|"
                     r"expressed|made|reported|welcomed|remained|regretted|considered|concluded|observed|"
                     r"recalled|added|highlighted|indicated|explained|said|also|further|had|has|and")
# A mandate the gazetteer does not list: "Special Rapporteur on <lower-case words>" up to its verb.
_GENERIC_MANDATE = (r"(?:Special Rapporteur|Independent Expert|Working Group|Special Representative of the "
                    r"Secretary-General)\s+on\s+(?:the\s+)?[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*)*?"
                    rf"(?=\s+(?:{_VERBS_AFTER_NAME})\b|\s*[,.;:(]|\d)")
_PRONOUNS = r"[Ii]t|[Hh]e|[Ss]he"
_PERSON = re.compile(r"(?:^|-)(?:United Nations )?(?:High )?Commissioner\b|^Special Rapporteur|"
                     r"^Independent Expert|^Special Representative")
_ACRONYM = r"[A-Z][A-Za-z]*(?:[-/][A-Za-z]+)*\d*"


@dataclass(frozen=True, slots=True)
class Mention:
    """A body named (or referred back to) at ``start:end`` of a sentence.

    ``name`` is as printed, without a leading "the" or a parenthesised
    acronym; for a reference ("It", "The same Committee") it is the
    reference itself until :meth:`Resolver.resolve` replaces it.
    """

    start: int
    end: int
    name: str
    body: str
    anaphor: bool = False
    full: str = ""             # a summary's stakeholder: the full name it spells out for the acronym

    @property
    def is_person(self) -> bool:
        return bool(_PERSON.search(self.name))

    @property
    def is_committee(self) -> bool:
        return self.body in _TREATY_BODIES or "Committee" in self.name


def _rows(path: Path) -> list[list[str]]:
    """The data rows of a gazetteer: no comments, no header, TAB-separated."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows[1:]


def _alternation(names: Iterable[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(set(names), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class Role:
    """A body named by its role (``roles.tsv``): as printed, the word what it refers to contains, and
    whether it names one office of the State (then it is a source even when nothing before fits)."""

    name: str
    refers_to: str
    office: bool

    def fits(self, mention: Mention) -> bool:
        """Whether ``mention``, named before, is the body this role refers to."""
        if self.refers_to in ("Committee", "Subcommittee") and mention.is_committee:
            return True
        word = rf"\b{re.escape(self.refers_to)}\b"
        return re.search(word, f"{mention.name} {mention.full}", re.IGNORECASE) is not None


@lru_cache(maxsize=1)
def roles() -> dict[str, Role]:
    """The roles of ``roles.tsv`` by their name, lower-cased."""
    return {row[0].casefold(): Role(row[0], row[1], len(row) > 2 and row[2].strip() == "office")
            for row in _rows(ROLES)}


def role_names(office: bool | None = None) -> str:
    """A regex alternation of the roles' names (only offices, or only the others, when ``office`` says)."""
    return _alternation(role.name for role in roles().values() if office is None or role.office == office)


@dataclass(frozen=True)
class Recogniser:
    """Finds the mentions of bodies in a sentence and gives their normalised body."""

    pattern: re.Pattern[str]
    bodies: dict[str, str]
    default_body: str = ""       # "" keeps an unknown name as its own body (mandates)
    full_names: dict[str, str] = field(default_factory=dict)     # a summary's acronym -> its full name

    def mentions(self, sentence: str) -> list[Mention]:
        """Every mention in ``sentence``, named or a reference back, in order."""
        found = []
        for match in self.pattern.finditer(sentence):
            if match.group("ana"):
                found.append(Mention(match.start(), match.end(), match.group("ana"), "", anaphor=True))
                continue
            name = " ".join(match.group("name").split())
            body = self.bodies.get(name) or self.default_body or name
            found.append(Mention(match.start(), match.end(), name, body, full=self.full_names.get(name, "")))
        return found


@lru_cache(maxsize=1)
def un_recogniser() -> Recogniser:
    """The recogniser of UN bodies and mandates (``un_bodies.tsv``)."""
    bodies = {name: row[0] for row in _rows(UN_BODIES) for name in row[1].split("|") if name}
    pattern = re.compile(
        rf"(?:\b[Tt]he\s+)?\b(?P<name>{_alternation(bodies)}|{_GENERIC_MANDATE})(?![\w-])"
        rf"(?:\s*\([A-Z][\w -]*\))?|\b(?P<ana>[Tt]he\s+(?:same\s+)?(?:{role_names(office=False)})|{_PRONOUNS})\b")
    return Recogniser(pattern, bodies)


@lru_cache(maxsize=1)
def symbol_bodies() -> tuple[tuple[str, str], ...]:
    """(symbol prefix, body) pairs, longest prefix first ("CAT/OP/" before "CAT/")."""
    pairs = [(symbol, row[0]) for row in _rows(UN_BODIES) if len(row) > 2
             for symbol in row[2].split("|") if symbol]
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


def bodies_in_note(note: str) -> list[str]:
    """The bodies a footnote cites as its source (before any "See also")."""
    primary = re.split(r"\bSee also\b", note)[0]
    found: list[tuple[int, str]] = []
    taken: list[range] = []
    for symbol, body in symbol_bodies():
        for match in re.finditer(rf"(?<![\w/.]){re.escape(symbol)}", primary):
            if not any(match.start() in span for span in taken):
                taken.append(range(match.start(), match.end()))
                found.append((match.start(), body))
    return list(dict.fromkeys(body for _, body in sorted(found)))


def note_bodies(footnotes: dict[int, str], numbers: Iterable[int]) -> list[str]:
    """The bodies footnotes ``numbers`` cite (:func:`bodies_in_note`), in order, without duplicates;
    an "Ibid." note cites what the note before it cites."""
    bodies: list[str] = []
    for number in numbers:
        note = number
        while note > 1 and footnotes.get(note, "").startswith("Ibid"):
            note -= 1
        bodies.extend(bodies_in_note(footnotes.get(note, "")))
    return list(dict.fromkeys(bodies))


@dataclass(frozen=True)
class StakeholderRules:
    """The rules of ``stakeholder_bodies.tsv``, by kind."""

    rules: tuple[tuple[str, str, str], ...]

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> StakeholderRules:
        return cls(tuple((row[0], row[1], row[2] if len(row) > 2 else "") for row in _rows(STAKEHOLDER_BODIES)))

    def ignored(self) -> set[str]:
        return {pattern for kind, pattern, _ in self.rules if kind == "ignore"}

    def body(self, acronym: str, full_name: str, heading: str) -> str:
        """The body of stakeholder ``acronym``: first matching rule, else civil society."""
        for kind, pattern, body in self.rules:
            if (kind == "prefix" and acronym.startswith(pattern)) or (kind == "acronym" and acronym == pattern) \
                    or (kind == "name" and pattern.casefold() in full_name.casefold()) \
                    or (kind == "heading" and pattern.casefold() in heading.casefold()):
                return body
        return CIVIL_SOCIETY


def stakeholder_names(body_text: str, first_note: str) -> dict[str, str]:
    """Stakeholder acronym -> its full name as the summary spells it out.

    Acronyms come from footnote 1 (the list of submissions: "AI Amnesty
    International, London ...; JS1 Joint submission 1 ...") and from the
    definitions in the text ("... (HRORS)"), less the ``ignore`` rules.
    """
    names: dict[str, str] = {}
    for match in re.finditer(rf"(?:^|[:;]\s*|\(\s*)({_ACRONYM})(?=[\s)])([^;]*)", first_note):
        names.setdefault(match.group(1), match.group(2))
    for match in re.finditer(rf"\(({_ACRONYM})\)", body_text):
        before = body_text[max(0, match.start() - 100):match.start()]
        names[match.group(1)] = f"{before} {names.get(match.group(1), '')}"
    for match in re.finditer(r"\bJS\d+\b", body_text):
        names.setdefault(match.group(0), "")
    for acronym in [a for a in names if "/" in a and not a.startswith("OSCE")]:
        for part in acronym.split("/"):       # "PTPR/JS4": known as either
            names.setdefault(part, names[acronym])
    ignored = StakeholderRules.load().ignored()
    return {acronym: name for acronym, name in names.items()
            if acronym not in ignored and sum(c.isupper() for c in acronym) >= 2}


def stakeholder_recogniser(names: dict[str, str]) -> Recogniser:
    """The recogniser of the stakeholders ``names`` lists, and of "It"/"He"/"She"."""
    acronyms = _alternation(names) or r"(?!x)x"
    pattern = re.compile(rf"(?<![\w-])(?P<name>{acronyms})(?![\w-])|\b(?P<ana>{_PRONOUNS})\b")
    return Recogniser(pattern, {}, default_body=CIVIL_SOCIETY, full_names=names)


@dataclass(slots=True)
class Resolver:
    """Remembers the bodies named so far and resolves references back to them."""

    history: list[Mention] = field(default_factory=list)

    def resolve(self, mention: Mention) -> Mention | None:
        """``mention`` itself if named, else the body it refers back to (None if none).

        "He"/"She" is the last person named, "It" the last body that is not one (either: the last
        mention, when none fits); a role ("The same Committee", "The Ombudsman": ``roles.tsv``) the last
        body it fits, else, for an office, the office itself as printed, for another role none.
        """
        if not mention.anaphor:
            return mention
        reference = " ".join(mention.name.casefold().split()).removeprefix("the ").removeprefix("same ")
        if reference in ("he", "she", "it"):
            wanted = [m for m in self.history if m.is_person == (reference != "it")]
            target = (wanted or self.history or [None])[-1]
        else:
            role = roles().get(reference)
            fitting = [m for m in self.history if role is not None and role.fits(m)]
            target = fitting[-1] if fitting else None
            if target is None and role is not None and role.office:
                return replace(mention, name=role.name, anaphor=False)
        if target is None:
            return None
        return replace(target, start=mention.start, end=mention.end)

    def read(self, mentions: list[Mention]) -> list[Mention]:
        """Resolve ``mentions`` of one sentence in order, remembering each; unresolved ones are dropped."""
        resolved = []
        for mention in mentions:
            target = self.resolve(mention)
            if target is not None:
                self.history.append(target)
                resolved.append(target)
        return resolved
