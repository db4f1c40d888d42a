"""Split one numbered UPR item into recommendations and recommending States.

A UPR item is the text after a paragraph number such as ``90.10.``. It holds
one or more recommendations, each followed by the States that made it::

    Ratify the Second Optional Protocol to ICCPR (Hungary); Ratify the Second
    Optional Protocol to ICCPR as soon as possible (Belgium) (France);

gives two recommendations, the second made by Belgium and France. Egypt's
2014 report writes ``Ratify ICCPR-OP2 (Sierra Leone); (Chile);`` (one
recommendation, two States). Slovenia's 2010 report merges wordings:
``To examine the possibility of joining (Algeria)/sign and ratify (Egypt) of
the Convention ... (Algeria, Egypt)``: that is kept as one recommendation made
by all the States named, its text without the parenthesised names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rectrack.extractors.text.word_lists import PATTERNS, read_word_list
from rectrack.extractors.reference.states import parse_state_list

# A parenthesis with at most one nested level: "(Iran (Islamic Republic of))".
_PAREN = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")
# What may follow a group of recommending States: the end, a separator, another group.
_ENDS_RECOMMENDATION = re.compile(r"\s*(?:$|[;./(]|,\s*(?:\(|[A-Z]))")
_TRIM = " \t;,.:"


@lru_cache(maxsize=1)
def continuation_words() -> frozenset[str]:
    """``data/patterns/continuation_words.txt``: words that continue a recommendation after its States."""
    return frozenset(read_word_list(PATTERNS / "continuation_words.txt"))


@dataclass(frozen=True, slots=True)
class ItemPart:
    """One recommendation of an item: its clean text and recommending States."""

    text: str
    states: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _StateGroup:
    start: int
    end: int
    states: tuple[str, ...]


def _state_groups(text: str, *, anywhere: bool = False) -> list[_StateGroup]:
    """The parentheses of ``text`` that name recommending States.

    Unless ``anywhere``, a group counts only where a recommendation can end
    (so "... the situation in (Mali) and ..." stays part of the text).
    """
    groups = []
    for match in _PAREN.finditer(text):
        states = parse_state_list(match.group(1))
        if states and (anywhere or _ENDS_RECOMMENDATION.match(text, match.end())):
            groups.append(_StateGroup(match.start(), match.end(), states))
    return groups


def clean_recommendation_text(text: str) -> str:
    """Whitespace collapsed, separators trimmed from both ends."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([,;.])", r"\1", text)
    return text.strip(_TRIM)


def _unique(states: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(states))


def _merged(text: str, groups: list[_StateGroup]) -> list[ItemPart]:
    """Slovenia 2010's "A (X)/B (Y) of the Convention (X, Y)": one recommendation."""
    pieces, position = [], 0
    for group in groups:
        pieces.append(text[position:group.start])
        position = group.end
    pieces.append(text[position:])
    joined = re.sub(r"\s*/\s*", "/", "".join(pieces))
    states = _unique([s for g in groups for s in g.states])
    return [ItemPart(clean_recommendation_text(joined), states)]


def _continues(chunk: str) -> bool:
    """Whether text after a group of States adds to the recommendation before it (not a new one).

    After ";" or "." a new recommendation starts; after "," or a space (and
    an "and"), one that opens with a function word or a participle continues:
    "(Chile) and the OP-CAT (Czech Republic)" continues, "(Canada) and
    effectively protect ... (Greece)" does not.
    """
    if chunk.lstrip().startswith((";", ".")):
        return False
    words = re.findall(r"[A-Za-z][\w-]*", chunk[:60])
    if words and words[0] in ("and", "or"):
        words = words[1:]
    if not words or words[0][0].isupper():
        return False
    first = words[0].casefold()
    participle = len(first) > 4 and (first.endswith("ing") or (first.endswith("ed") and not first.endswith("eed")))
    return first in continuation_words() or participle


def _parts(text: str, groups: list[_StateGroup]) -> list[tuple[str, list[str]]]:
    """(text, States) for each group: what the States before it in the item said.

    A chunk that starts a new recommendation ("..., speed up ratification of
    the ICCPR (Chile)") stands alone; one that continues the previous chunk
    (", signed by Chile in 1999 (Spain)", "as well as the Optional Protocols
    (Portugal)") is that chunk plus the continuation; an empty chunk
    ("(Sierra Leone); (Chile);") adds its States to the previous part.
    """
    parts: list[tuple[str, list[str]]] = []
    base, position = "", 0
    for group in groups:
        raw = text[position:group.start]
        chunk = clean_recommendation_text(raw)
        position = group.end
        if not chunk and parts:
            parts[-1][1].extend(group.states)
            continue
        if parts and (_continues(raw) or _extends(raw, group.states, parts[-1][1])):
            base = clean_recommendation_text(f"{base}{raw}")
            kept = [state for state in parts[-1][1] if state not in group.states]
            if kept:
                parts[-1] = (parts[-1][0], kept)
            else:
                parts.pop()   # "Consider (Brazil) ratifying X (Armenia, Brazil)": Brazil said the whole
            parts.append((base, list(group.states)))
        elif chunk := re.sub(r"^(?:and|or)\s+", "", chunk):
            base = chunk[:1].upper() + chunk[1:]
            parts.append((base, list(group.states)))
    return parts


def _extends(raw: str, states: tuple[str, ...], before: list[str]) -> bool:
    """"X (Mexico, Argentina) and accept Y (Argentina)": States that said X go on with "and Y"."""
    return bool(re.match(r"\s*,?\s*and\b", raw)) and set(states) <= set(before)


def split_item(text: str) -> list[ItemPart]:
    """The recommendations of one UPR item, in order.

    Text after the last group of States (a closing remark such as "With
    respect to special procedures, Algeria will consider ...") is dropped
    when the item has States; an item with none is one recommendation with
    no States. A group of States inside the text ("(Austria, Belgium),
    signed by Chile in 1999 (Spain)") closes what those States said (see
    :func:`_parts`), except in the merged wording of Slovenia 2010 ("A
    (X)/B (Y) of C (X, Y)"), which stays one recommendation.
    """
    groups = _state_groups(text)
    if not groups:
        cleaned = clean_recommendation_text(text)
        return [ItemPart(cleaned, ())] if cleaned else []
    inside = _state_groups(text, anywhere=True)
    between = [text[a.end:b.start] for a, b in zip(inside, inside[1:])]
    if any(chunk.lstrip().startswith("/") for chunk in between):
        return _merged(text, inside)
    inside = [g for g in inside if g.end <= groups[-1].end]
    return [ItemPart(chunk, _unique(states)) for chunk, states in _parts(text, inside) if chunk]
