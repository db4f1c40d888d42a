"""Read the recommendation numbers a UPR addendum lists, in every typography.

Addenda cite the recommendations of their report by the number printed in it,
alone or as ranges and lists, typed by hand. The grammar, with any dash
(``- – —``), ``to`` or spaces in a range, and ``,`` ``;`` ``and`` between items::

    list  := first (sep item)*
    first := P.a | P.a-b | P.a-P.b              122.17, 122.14– 15, 122.2 to 122.3
    item  := first | a | a-b                    122.150, 154   140.82-85, 87

A bare item (``154``) takes the paragraph ``P`` of the item before it. The
2008-2010 addenda cite the plain item number under the report's
recommendations paragraph, each followed by a dot (``5., 6., 7., 8., 9.``).
:func:`parse_references` turns either into the list of numbers as the report
prints them ("122.17", "122.18"; "5", "6"); :func:`split_headings` cuts a
number heading out of a paragraph the PDF reader ran it into.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_RANGE_JOIN = rf"\s*(?:[{DASHES}]|\bto\b)\s*"
_RANGE_END = rf"(?:{_RANGE_JOIN}(?:(\d{{1,3}})\.)?(\d{{1,3}}))?(?![\d]|\.\d)"
# The first item of a list: always dotted ("122.17", "122.17-18", "122.17 – 122.18").
_FIRST = re.compile(rf"(?<![\d.])(\d{{1,3}})\.(\d{{1,3}}){_RANGE_END}")
# A further item after a separator, dotted or bare ("122.20", "154", "82-85").
_SEPARATOR = r"\s*(?:,\s*(?:and\b\s*)?|;\s*|\band\b\s*)"
_NEXT = re.compile(rf"{_SEPARATOR}(?P<item>(?:(\d{{1,3}})\.)?(\d{{1,3}}){_RANGE_END})")
# A bare number followed by a lower-case word or a percent is a quantity, not
# an item ("122.1, 12 per cent", "122.3 and 15 other States").
_QUANTITY = re.compile(r"\s*(?:%|per\b|(?!and\b)[a-z])")
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


@dataclass(frozen=True, slots=True)
class _Item:
    """One item of a list: its text, paragraph, first and last number (None: not a range)."""

    text: str
    paragraph: int
    first: int
    end_paragraph: int | None
    last: int | None


def _runs(text: str) -> Iterator[tuple[int, int, list[_Item]]]:
    """(start, end, items) of every list of dotted numbers in ``text``, by the grammar above."""
    position = 0
    while (first := _FIRST.search(text, position)) is not None:
        paragraph = int(first.group(1))
        items = [_Item(first.group(0), paragraph, int(first.group(2)), *_ends(first.group(3, 4)))]
        end = first.end()
        while (more := _NEXT.match(text, end)) is not None:
            if more.group(2) is None and _QUANTITY.match(text, more.end()):
                break
            paragraph = int(more.group(2)) if more.group(2) is not None else paragraph
            items.append(_Item(more.group("item"), paragraph, int(more.group(3)), *_ends(more.group(4, 5))))
            end = more.end()
        yield first.start(), end, items
        position = end


def _ends(groups: tuple[str | None, str | None]) -> tuple[int | None, int | None]:
    """(end paragraph, last number) of a range's groups; None where the item has none."""
    end_paragraph, last = groups
    return (int(end_paragraph) if end_paragraph is not None else None,
            int(last) if last is not None else None)


def _expand(start: int, end: int | None) -> list[int] | None:
    """``start..end`` inclusive, ``[start]`` without an end, None if not a range."""
    if end is None:
        return [start]
    if end < start or end - start > MAX_RANGE:
        return None
    return list(range(start, end + 1))


def _item_numbers(item: _Item) -> list[str] | None:
    """The numbers an item stands for, None when it cannot be a range."""
    if item.end_paragraph is not None and item.end_paragraph != item.paragraph:
        return None
    numbers = _expand(item.first, item.last)
    return None if numbers is None else [f"{item.paragraph}.{n}" for n in numbers]


def _plain_piece(match: re.Match[str]) -> list[str] | None:
    first, last = match.groups()
    numbers = _expand(int(first), int(last) if last is not None else None)
    return None if numbers is None else [str(n) for n in numbers]


def parse_references(text: str, *, plain: bool = False) -> References:
    """Every recommendation number cited in ``text``, ranges expanded.

    Dotted numbers by the list grammar of this module by default; with
    ``plain``, the 2008-2010 item numbers ("17."). Words between the lists
    ("recommendations", "see") are ignored, so ``text`` may be a whole
    sentence. Never raises: a piece that cannot be read goes to ``unreadable``.
    """
    numbers: dict[str, None] = {}
    unreadable: list[str] = []
    if plain:
        pieces = [(" ".join(m.group(0).split()), _plain_piece(m)) for m in _PLAIN.finditer(text)]
    else:
        pieces = [(" ".join(item.text.split()), _item_numbers(item))
                  for _, _, items in _runs(text) for item in items]
    for piece_text, found in pieces:
        if found is None:
            unreadable.append(piece_text)
        else:
            numbers.update(dict.fromkeys(found))
    return References(tuple(numbers), tuple(unreadable))


# What may open and close a heading line: "Recommendations 122.14-15:", "122.150, 154,".
_HEADING_LABEL = re.compile(r"(?i:recommendations?)\s+(?:(?i:nos?)\.\s*)?")
_HEADING_TAIL = re.compile(r"\s*(?:[,;:]|\band\b)?\s*")


def is_reference_heading(text: str) -> bool:
    """Whether ``text`` is nothing but one list of dotted numbers ("122.14– 15", "140.82-85, 87").

    A leading "Recommendation(s)" and a closing comma, semicolon, colon or
    "and" are allowed; any other word makes it a sentence, not a heading.
    """
    stripped = text.strip()
    label = _HEADING_LABEL.match(stripped)
    begin = label.end() if label else 0
    for start, end, _ in _runs(stripped):
        return start == begin and _HEADING_TAIL.fullmatch(stripped, end) is not None
    return False


# A heading the reader ran into a paragraph starts it or follows a finished
# sentence, and ends it or is followed by the capital of the State's answer.
# (Not after ":": "accepts the following recommendations: 122.1, ..." is a listing.)
_SENTENCE_END = (".", ";")
_HEADING_AFTER = re.compile(r"\s*$|\s+(?=[A-Z\u201c\"'(])")


def split_headings(text: str) -> list[str]:
    """``text`` cut before and after every number heading run into it, in order.

    ``"... the defendant. 122.79–81 Slovenia will ..."`` gives
    ``["... the defendant.", "122.79–81", "Slovenia will ..."]``; a text
    without such a heading comes back whole. A number inside a sentence
    ("See recommendation 122.28. Upon ...") is not a heading: it follows a word.
    """
    pieces: list[str] = []
    cut = 0
    for start, end, _ in _runs(text):
        before = text[:start].rstrip()
        if before and not before.endswith(_SENTENCE_END):
            continue
        after = _HEADING_AFTER.match(text, end)
        if after is None:
            continue
        pieces.extend((text[cut:start], text[start:end]))
        cut = after.end()
    pieces.append(text[cut:])
    return [piece.strip() for piece in pieces if piece.strip()]
