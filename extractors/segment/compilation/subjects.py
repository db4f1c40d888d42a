"""Sources no gazetteer lists: the organisation named as the subject of a reporting verb.

Newer summaries of stakeholders' submissions (4th cycle, sessions 41 on)
name each stakeholder in the sentence by its own name or acronym, which no
gazetteer can list in advance: "LEGEBITRA recommended that Slovenia ...",
"IOM and UNICEF urged ...", "Amnesty International called on ...". Here a
name counts as a source when it stands as the subject of a reporting verb
(right before it, at the start of the sentence or after ``,``/``;``/``:``)
and looks like an organisation:

- an acronym (a word with two or more capitals: "IOM", "JS3", "CoE-GRETA",
  "LEGEBITRA", "ADF International"), or two or more capitalised words
  ("Amnesty International", "Peace Institute");
- not a State (``data/gazetteers/states.tsv``), not an acronym the
  stakeholder rules ignore ("NGOs", "UN"), and not opening with a word of
  ``data/gazetteers/not_sources.txt`` ("Several NGOs", "These Stakeholders").

Coordinated names ("LEGEBITRA, JS2 and Amnesty International") give one
:class:`~rectrack.extractors.segment.compilation.sources.Mention` each; a part that
is not a name on its own stays with the name before it ("Centre for Peace
and Justice"). A name followed by its acronym in parentheses is known by the
acronym, as the summaries then call it ("Group of States against Corruption
(CoE-GRECO)" -> "CoE-GRECO").

A role of ``data/gazetteers/roles.tsv`` in that place ("The Ombudsman also
called for", "The same Special Rapporteur urged") is a reference back, for the
:class:`~rectrack.extractors.segment.compilation.sources.Resolver` to resolve.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rectrack.extractors.segment.compilation.sources import (
    GAZETTEERS, Mention, Recogniser, StakeholderRules, role_names, roles,
)
from rectrack.extractors.reference.states import canonical_state

NOT_SOURCES = GAZETTEERS / "not_sources.txt"

# The verbs whose subject is a source: reporting a recommendation, or the lead of a reported "should".
REPORTING_VERBS = (r"recommended|urged|called\s+(?:on|upon|for)|encouraged|requested|invited|asked|"
                   r"reiterated\s+(?:its|their)\s+(?:call|recommendation)s?(?:\s+(?:on|to|for))?|"
                   r"put\s+forward\s+(?:\w+\s+)?recommendations?(?:\s+to)?")
_LEAD_VERBS = (r"considered|stated|noted|concluded|added|believed|said|stressed|emphasized|emphasised|"
               r"underlined|expressed|reported|highlighted|indicated|observed|welcomed|regretted|made")
_CAP = r"[A-Z][\w’'&/-]*(?<![’'/-])"
_LINK = r"(?:of|for|on|in|against|to|de|des|du|la|el|y|et)\s+(?:the\s+)?"
_NAME = rf"{_CAP}(?:\s+(?:{_LINK})?{_CAP})*(?:\s*\([A-Z][\w -]*\))?"
_SUBJECTS = re.compile(
    rf"(?:^|(?<=[,;:\d])\s+|(?<=[,;:][”’\"])\s+)(?:[Tt]he\s+)?(?P<list>{_NAME}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)"
    rf"(?:the\s+)?{_NAME})*)\s+(?:also\s+|further\s+|strongly\s+|jointly\s+|again\s+)?"
    rf"(?=(?:{REPORTING_VERBS}|{_LEAD_VERBS})\b)")
_PART = re.compile(rf"(?:the\s+)?(?P<name>{_CAP}(?:\s+(?:{_LINK})?{_CAP})*)(?:\s*\((?P<acronym>[A-Z][\w -]*)\))?")
_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


@lru_cache(maxsize=1)
def not_sources() -> frozenset[str]:
    """The words of ``not_sources.txt``, lower-cased."""
    lines = (line.strip() for line in NOT_SOURCES.read_text(encoding="utf-8").splitlines())
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def is_organisation(name: str) -> bool:
    """Whether ``name`` (as printed, without "the") looks like an organisation (module docstring)."""
    words = name.split()
    if not words or words[0].casefold() in not_sources() or canonical_state(name) is not None:
        return False
    if name in StakeholderRules.load().ignored():
        return False
    acronym = any(sum(c.isupper() for c in word) >= 2 for word in words)
    return acronym or sum(word[:1].isupper() for word in words) >= 2


def _parts(names: str, offset: int) -> list[tuple[int, int, int, str]]:
    """(start, end, end with any "(ACRONYM)", name) of each organisation in a coordinated list.

    A piece that is not a name on its own, or that completes a State's name
    with the one before it ("... Great Britain and Northern Ireland"), joins
    the one before it.
    """
    parts: list[list] = []
    position = 0
    for separator in [*_SEPARATOR.finditer(names), None]:
        end = separator.start() if separator else len(names)
        piece = _PART.fullmatch(names, position, end)
        if piece is not None:
            group = "acronym" if piece.group("acronym") else "name"     # "... (CoE-GRECO)": the acronym
            name = piece.group(group)
            joined = names[parts[-1][0] - offset:piece.end("name")] if parts else ""
            if not parts or (is_organisation(name) and canonical_state(joined) is None):
                parts.append([offset + piece.start(group), offset + piece.end(group), offset + piece.end(), name])
            else:
                parts[-1][1:3] = [offset + piece.end("name"), offset + piece.end()]
                parts[-1][3] = names[parts[-1][0] - offset:piece.end("name")]
        position = separator.end() if separator else len(names)
    return [(start, end, full, name) for start, end, full, name in parts if is_organisation(name)]


_ADVERBS = r"(?:also\s+|further\s+|strongly\s+|jointly\s+|again\s+)?"


@lru_cache(maxsize=1)
def _role_subject() -> re.Pattern[str]:
    """A role of ``roles.tsv`` ("The Ombudsman", "the same Special Rapporteur") as the subject of a reporting verb."""
    return re.compile(rf"(?:^|(?<=[,;:])\s+)(?P<role>[Tt]he\s+(?:same\s+)?(?:{role_names()}))\s+{_ADVERBS}"
                      rf"(?=(?:{REPORTING_VERBS}|{_LEAD_VERBS})\b)")


def role_mentions(sentence: str, recogniser: Recogniser) -> list[Mention]:
    """The roles ``sentence`` names as the subject of a reporting verb ("The Ombudsman also called for"),
    as references back for a :class:`~rectrack.extractors.segment.compilation.sources.Resolver`; ``body``
    is the one ``recogniser`` gives the role's name, for an office nothing before fits."""
    found = []
    for match in _role_subject().finditer(sentence):
        printed = " ".join(match.group("role").split())
        name = roles()[printed.casefold().removeprefix("the ").removeprefix("same ")].name
        body = recogniser.bodies.get(name) or recogniser.default_body or name
        found.append(Mention(match.start("role"), match.end("role"), printed, body, anaphor=True))
    return found


_PRONOUNS = frozenset({"it", "he", "she", "they"})
_UNNAMED = re.compile(r"^(?:[Tt]he\s+)?(?P<first>[A-Z][a-z]+)(?:\s+[\w-]+){0,3}$")


def names_no_one(prefix: str) -> bool:
    """Whether ``prefix`` (the words before a reporting verb) is a subject that names no one.

    "Several NGOs", "Other stakeholders", "Some submissions": a short clause
    opening, without a comma, whose first word is in ``not_sources.txt``
    (pronouns excepted: they refer back to someone).
    """
    match = _UNNAMED.match(prefix.strip())
    if match is None:
        return False
    first = match.group("first").casefold()
    return first in not_sources() and first not in _PRONOUNS


def subject_mentions(sentence: str, body: str = "", known: list[Mention] | None = None) -> list[Mention]:
    """The organisations ``sentence`` names as subjects of a reporting verb, in order.

    ``body`` is the body given to each (``""``: the name itself); a name
    overlapping a mention in ``known`` (a gazetteer's), or whose
    parenthesised acronym is one, is left out.
    """
    taken = [(m.start, m.end) for m in known or []]
    found = []
    for match in _SUBJECTS.finditer(sentence):
        for start, end, full, name in _parts(match.group("list"), match.start("list")):
            if any(start < other_end and other_start < full for other_start, other_end in taken):
                continue
            found.append(Mention(start, end, " ".join(name.split()), body or " ".join(name.split())))
    return found


def sentence_mentions(sentence: str, recogniser: Recogniser) -> list[Mention]:
    """The gazetteer's mentions in ``sentence`` and, besides them, the roles it names as the subject of a
    reporting verb (:func:`role_mentions`) and any other organisation it so names
    (:func:`subject_mentions`), in order; references back ("It", "The same Committee", "The Ombudsman")
    are left for a :class:`~rectrack.extractors.segment.compilation.sources.Resolver`."""
    known = recogniser.mentions(sentence)
    taken = [(m.start, m.end) for m in known]
    known += [m for m in role_mentions(sentence, recogniser)
              if not any(m.start < end and start < m.end for start, end in taken)]
    others = subject_mentions(sentence, recogniser.default_body, known)
    found = [*known, *others]
    return sorted(found, key=lambda mention: mention.start) if len(found) > len(taken) else found
