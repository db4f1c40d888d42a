"""Recognise State names and normalise them to UN short names.

The gazetteer is ``data/gazetteers/states.tsv`` (canonical name, aliases);
adding a variant there needs no code change. Matching ignores case, a leading
"The", footnote markers ("Czech Republic 4", "Romania*"), "&" for "and" and
typographic apostrophes; a near miss (one typo in a long name) is accepted
through a fuzzy ratio.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from rectrack.extractors.files import DATA_DIR

GAZETTEER = DATA_DIR / "gazetteers" / "states.tsv"

_FOOTNOTE = re.compile(r"(?:\s*[*∗†\d]+)+$")   # "Czech Republic 4", "Romania*", "Algeria ∗"
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_FUZZY_MIN = 92                                   # one typo in a ten-letter name


def _key(name: str) -> str:
    """The comparison key of a name: casefolded, no "The", plain apostrophes."""
    name = name.replace("’", "'").replace("&", " and ")
    name = _FOOTNOTE.sub("", name.strip())
    name = _LEADING_THE.sub("", " ".join(name.split()))
    return name.casefold()


@lru_cache(maxsize=1)
def _entries() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(canonical name, every name it goes by, itself first), read once per process from the gazetteer."""
    entries = []
    for line in GAZETTEER.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("name\t"):
            continue
        canonical, _, aliases = line.partition("\t")
        entries.append((canonical, (canonical, *filter(None, aliases.split("|")))))
    return tuple(entries)


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """Alias key -> canonical name."""
    return {_key(alias): canonical for canonical, aliases in _entries() for alias in aliases}


def state_names() -> tuple[str, ...]:
    """Every canonical State name in the gazetteer, sorted."""
    return tuple(sorted(set(_table().values())))


# The same few hundred names and parentheses recur in every report: remembering
# the answers saves the key normalisation and the fuzzy search. Bounded, as a
# nightly job reads document after document in one process.
@lru_cache(maxsize=8192)
def canonical_state(name: str) -> str | None:
    """The UN short name for ``name``, or None if it is not a State."""
    key = _key(name)
    if not key:
        return None
    table = _table()
    if key in table:
        return table[key]
    if len(key) < 6:
        return None
    match = process.extractOne(key, table.keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN)
    return table[match[0]] if match else None


@lru_cache(maxsize=8192)
def parse_state_list(content: str) -> tuple[str, ...] | None:
    """The States named in the content of one parenthesis, or None.

    ``"Algeria, Egypt, Bosnia and Herzegovina"`` gives three names;
    ``"Belgium and France"`` two. Returns None unless every part is a State,
    so ``"ICCPR-OP2"`` or ``"arts. 21 and 22"`` are not mistaken for one.
    """
    names: list[str] = []
    for part in re.split(r"[,;]", content):
        if not part.strip():
            continue
        name = canonical_state(part)
        if name is None:
            pieces = [canonical_state(p) for p in re.split(r"\s+and\s+", part)]
            if len(pieces) < 2 or None in pieces:
                return None
            names.extend(p for p in pieces if p)
        else:
            names.append(name)
    return tuple(names) or None


@lru_cache(maxsize=1)
def _mention_pattern() -> re.Pattern[str]:
    """Every alias of the gazetteer as one alternation, longest first ("Guinea-Bissau" before "Guinea")."""
    aliases = sorted({alias for _, names in _entries() for alias in names if len(alias) > 3}, key=len, reverse=True)
    body = "|".join(re.escape(alias).replace(r"\ ", r"\s+") for alias in aliases)
    return re.compile(rf"(?<![\w-])(?:the\s+)?({body})(?![\w-])", re.IGNORECASE)


def find_states(text: str) -> list[tuple[int, int, str]]:
    """(start, end, UN short name) of every State named in running text, in order.

    Only capitalised mentions count ("Chad", not "chad"); a leading "the" is
    part of the mention. Names of three letters or fewer (acronyms) are left out.
    """
    found = []
    for match in _mention_pattern().finditer(text):
        name = match.group(1)
        if name[:1].isupper() and (canonical := canonical_state(name)):
            found.append((match.start(), match.end(), canonical))
    return found
