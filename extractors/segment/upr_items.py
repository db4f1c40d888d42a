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

from extractors.states import parse_state_list

# A parenthesis with at most one nested level: "(Iran (Islamic Republic of))".
_PAREN = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")
# What may follow a group of recommending States: the end, a separator, another group.
_ENDS_RECOMMENDATION = re.compile(r"\s*(?:$|[;./(]|,\s*(?:\(|[A-Z]))")
_TRIM = " \t;,.:"


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


def split_item(text: str) -> list[ItemPart]:
    """The recommendations of one UPR item, in order.

    Text after the last group of States (a closing remark such as "With
    respect to special procedures, Algeria will consider ...") is dropped
    when the item has States; an item with none is one recommendation with
    no States.
    """
    groups = _state_groups(text)
    if not groups:
        cleaned = clean_recommendation_text(text)
        return [ItemPart(cleaned, ())] if cleaned else []
    between = [text[a.end:b.start] for a, b in zip(groups, groups[1:])]
    if any(chunk.lstrip().startswith("/") for chunk in between):
        return _merged(text, _state_groups(text, anywhere=True))
    parts: list[tuple[str, list[str]]] = []
    position = 0
    for group in groups:
        chunk = clean_recommendation_text(text[position:group.start])
        if chunk or not parts:
            parts.append((chunk, list(group.states)))
        else:
            parts[-1][1].extend(group.states)
        position = group.end
    return [ItemPart(chunk, _unique(states)) for chunk, states in parts if chunk]
