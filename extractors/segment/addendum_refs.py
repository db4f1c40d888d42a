"""Read the recommendation numbers a UPR addendum lists, in every typography.

Addenda cite the recommendations of their report by the number printed in it,
alone or as ranges and lists, typed by hand::

    122.17-18, 122.34- 35, 122.23–24, 122.141-144,122.146, 122.14– 15
    122.17-122.18, 122.17 and 122.18, 122.17 to 122.19

and the 2008-2010 addenda by the plain item number under the report's
recommendations paragraph, each followed by a dot (``5., 6., 7., 8., 9.``).
:func:`parse_references` turns either into the list of numbers as the report
prints them ("122.17", "122.18"; "5", "6").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_RANGE_JOIN = rf"\s*(?:[{DASHES}]|\bto\b)\s*"
# "122.17", "122.17-18", "122.17 – 122.18", "122.17 to 19".
_DOTTED = re.compile(
    rf"(?<![\d.])(\d{{1,3}})\.(\d{{1,3}})(?:{_RANGE_JOIN}(?:(\d{{1,3}})\.)?(\d{{1,3}}))?(?![\d]|\.\d)")
# Plain item numbers of the 2008-2010 layout: "5., 6., 7." (dot after each).
_PLAIN = re.compile(rf"(?<![\d.])(\d{{1,3}})\.(?:{_RANGE_JOIN}(\d{{1,3}})\.)?(?![\d])")
# A range longer than this is a typing error, not a range ("122.1-900").
MAX_RANGE = 300


@dataclass(frozen=True, slots=True)
class References:
    """Numbers read from a list, and the pieces that could not be read.

    ``numbers`` are in the order cited, each once. ``unreadable`` holds the
    pieces that look like ranges but cannot be one (end before start,
    different paragraph on each side, longer than :data:`MAX_RANGE`).
    """

    numbers: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()


def _expand(start: int, end: int | None) -> list[int] | None:
    """``start..end`` inclusive, ``[start]`` without an end, None if not a range."""
    if end is None:
        return [start]
    if end < start or end - start > MAX_RANGE:
        return None
    return list(range(start, end + 1))


def _dotted_piece(match: re.Match[str]) -> list[str] | None:
    paragraph, first, end_paragraph, last = match.groups()
    if end_paragraph is not None and int(end_paragraph) != int(paragraph):
        return None
    numbers = _expand(int(first), int(last) if last is not None else None)
    if numbers is None:
        return None
    return [f"{int(paragraph)}.{n}" for n in numbers]


def _plain_piece(match: re.Match[str]) -> list[str] | None:
    first, last = match.groups()
    numbers = _expand(int(first), int(last) if last is not None else None)
    return None if numbers is None else [str(n) for n in numbers]


def parse_references(text: str, *, plain: bool = False) -> References:
    """Every recommendation number cited in ``text``, ranges expanded.

    Dotted numbers ("122.17") by default; with ``plain``, the 2008-2010
    item numbers ("17."). Words between the numbers ("recommendations",
    "and", commas) are ignored, so ``text`` may be a whole sentence. Never
    raises: a piece that cannot be read goes to ``unreadable``.
    """
    pattern, piece = (_PLAIN, _plain_piece) if plain else (_DOTTED, _dotted_piece)
    numbers: dict[str, None] = {}
    unreadable: list[str] = []
    for match in pattern.finditer(text):
        found = piece(match)
        if found is None:
            unreadable.append(" ".join(match.group(0).split()))
            continue
        numbers.update(dict.fromkeys(found))
    return References(tuple(numbers), tuple(unreadable))


# A whole block that is only dotted numbers: the heading of a per-recommendation
# paragraph ("122.11", "122.14– 15", "122.101–103").
_REFERENCE_ONLY = re.compile(
    rf"\s*(?:\d{{1,3}}\.\d{{1,3}}(?:{_RANGE_JOIN}(?:\d{{1,3}}\.)?\d{{1,3}})?\s*(?:,|\band\b)?\s*)+")


def is_reference_heading(text: str) -> bool:
    """Whether ``text`` is nothing but dotted recommendation numbers."""
    return _REFERENCE_ONLY.fullmatch(text) is not None


# The same at the very end of a paragraph: a heading the reader ran on from the
# page before ("... for the defendant. 122.79–81").
_TRAILING_REFERENCE = re.compile(
    rf"(?<=[.:;])\s+(\d{{1,3}}\.\d{{1,3}}(?:{_RANGE_JOIN}(?:\d{{1,3}}\.)?\d{{1,3}})?)\s*$")


def split_trailing_reference(text: str) -> tuple[str, str]:
    """``("... the defendant.", "122.79–81")`` for a paragraph ending in a heading.

    Returns ``(text, "")`` when ``text`` does not end with one (a sentence
    ending "See recommendation 122.28." keeps its number: it ends with a dot).
    """
    match = _TRAILING_REFERENCE.search(text)
    if match is None:
        return text, ""
    return text[:match.start()].rstrip(), match.group(1)
