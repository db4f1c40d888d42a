"""Recommendations a UPR report lists by reference to its interactive dialogue.

Reports of the first cycle (2008-2009) often do not list every
recommendation in their conclusions. A lead-in gives a position to
recommendations "contained in paragraphs 23 (b) and (f), 27 (b), 30 ... in
chapter II above", and the recommendations themselves stand in the summary
of the interactive dialogue, made by the State the paragraph reports::

    23. Canada noted a number of remaining issues: ... Canada recommended (a)
    the adoption of measures to ...; (b) to repeal provisions of the Hadood
    Ordinances that ...; (c) to remove restrictions on religion ...

:func:`parse_references` reads the paragraph numbers and letters of a
lead-in; :func:`resolve_references` turns each into a
:class:`~rectrack.extractors.records.Recommendation` (paragraph ``23 (b)``, the page
of paragraph 23, the recommending State the paragraph reports) or, when the
paragraph or the letter cannot be found, a :class:`~rectrack.extractors.records.Problem`.
A reference without letters ("paragraphs 45, 55") stands for every
recommending sentence of that paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rectrack.extractors.records import BlockKind, Document, Position, Problem, Recommendation
from rectrack.extractors.segment.compilation.reports import normalise
from rectrack.extractors.text.sentences import sentence_starts
from rectrack.extractors.reference.states import find_states

# "recommendations contained in paragraphs", "reflected in paragraph", "noted in the report in paragraphs"
_INTRODUCES = re.compile(r"\bparagraphs?\s+(?=\d)", re.IGNORECASE)
_NUMBER = re.compile(r"\s*(\d{1,3})(?!\d|\.\d)")
_LETTERS = re.compile(r"\s*\(\s*([a-z](?:\s*(?:,|and|[-–])\s*[a-z])*)\s*\)")
_JOIN = re.compile(r"\s*(?:,\s*and\b|,|\band\b|;)")
_LETTER_RANGE = re.compile(r"\s*[-–]\s*\(\s*([a-z])\s*\)")
_WHICH_SENTENCE = re.compile(r"\s*,?\s*(first|last)\s+sentence\b", re.IGNORECASE)
_MARKER = re.compile(r"\(([a-z])\)\s*")
_VERB = re.compile(r"\b(?:recommended|recommendation\s+(?:was|is)\s+made)\b")
_PARAGRAPH = re.compile(r"(\d{1,3})\.\s+(\S.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Reference:
    """Paragraph ``number`` of the report, or only its lettered items ``letters``."""

    number: str
    letters: tuple[str, ...] = ()
    sentence: str = ""         # "first" or "last": only that sentence of the paragraph ("56, last sentence")


def _letters(spec: str) -> tuple[str, ...]:
    """"b" -> (b,); "a, b" / "a and b" -> (a, b); "b-d" -> (b, c, d)."""
    spec = spec.replace("–", "-")
    letters: list[str] = []
    for part in re.split(r"\s*(?:,|\band\b)\s*", spec):
        if "-" in part:
            first, last = (p.strip() for p in part.split("-", 1))
            letters.extend(chr(c) for c in range(ord(first), ord(last) + 1))
        elif part.strip():
            letters.append(part.strip())
    return tuple(dict.fromkeys(letters))


def parse_references(lead: str) -> list[Reference]:
    """The paragraphs (and their letters) a lead-in refers to, in order.

    "paragraphs 23(b) and (f), 27(b), 30 and 62 (a, b)" gives 23 (b, f),
    27 (b), 30 (whole) and 62 (a, b); "56, last sentence" the last sentence
    (or clause after a semicolon) of 56. Stops at the first word that is not
    part of the list ("in chapter II above").
    """
    references: list[Reference] = []
    for start in _INTRODUCES.finditer(lead):
        position = start.end()
        while number := _NUMBER.match(lead, position):
            letters: list[str] = []
            position = number.end()
            while True:
                if group := _LETTERS.match(lead, position):
                    letters.extend(_letters(group.group(1)))
                    position = group.end()
                    continue
                if letters and (last := _LETTER_RANGE.match(lead, position)):   # "(b)-(d)"
                    letters.extend(_letters(f"{letters[-1]}-{last.group(1)}"))
                    position = last.end()
                    continue
                joined = _JOIN.match(lead, position)
                if joined and _LETTERS.match(lead, joined.end()):
                    position = joined.end()
                    continue
                break
            sentence = ""
            if which := _WHICH_SENTENCE.match(lead, position):
                sentence, position = which.group(1).casefold(), which.end()
            references.append(Reference(number.group(1), tuple(dict.fromkeys(letters)), sentence))
            joined = _JOIN.match(lead, position)
            if not joined:
                break
            position = joined.end()
    return references


@dataclass(frozen=True, slots=True)
class _DialogueParagraph:
    text: str
    page: int


def dialogue_paragraphs(document: Document, before_page: int, before_text: str) -> dict[str, _DialogueParagraph]:
    """Numbered paragraphs of the report up to the conclusions heading ``before_text`` on ``before_page``.

    A paragraph runs on over the unnumbered blocks after it (a page break).
    The first paragraph with a number wins.
    """
    paragraphs: dict[str, _DialogueParagraph] = {}
    current: str | None = None
    for block in document.blocks:
        if block.kind is not BlockKind.BODY:
            continue
        if block.page > before_page or (block.page == before_page and block.text.strip() == before_text.strip()):
            break
        if numbered := _PARAGRAPH.fullmatch(block.text):
            current = numbered.group(1) if numbered.group(1) not in paragraphs else None
            if current:
                paragraphs[current] = _DialogueParagraph(numbered.group(2), block.page)
        elif current and not block.bold:
            kept = paragraphs[current]
            paragraphs[current] = _DialogueParagraph(f"{kept.text} {block.text}", kept.page)
    return paragraphs


def _speaker(text: str, before: int, country: str) -> str:
    """The State that made what stands at ``before``: the last State named before it, else the first."""
    mentions = [(start, name) for start, _, name in find_states(text) if name != country]
    earlier = [name for start, name in mentions if start < before]
    sentence_start = max((start for start in sentence_starts(text) if start <= before), default=0)
    in_sentence = [name for start, name in mentions if sentence_start <= start < before]
    if in_sentence:
        return in_sentence[-1]
    return earlier[0] if earlier else ""


def _clean(text: str, country: str) -> str:
    """An item as a recommendation: its first sentence, no "that Pakistan"/"to" before the verb."""
    text = text.strip()
    text = text[:next(iter(sentence_starts(text)), len(text))].strip()
    text = re.sub(r"(?:[;,]|\s)*(?:\band|\bor)?[;,\s]*$", "", text)
    text = re.sub(r"^(?:also\s+|further\s+)?recommended\s+", "", text)
    text, _ = normalise(text, "", country)
    lead = rf"^(?:To|{re.escape(country)})\s+" if country else r"^To\s+"
    text = re.sub(lead, "", text)
    return text[:1].upper() + text[1:]


def _lettered(text: str, letter: str) -> tuple[str, int] | None:
    """The item "(letter) ..." of a paragraph's running text, up to the next item; its offset."""
    markers = list(_MARKER.finditer(text))
    for index, marker in enumerate(markers):
        if marker.group(1) != letter:
            continue
        end = markers[index + 1].start() if index + 1 < len(markers) else len(text)
        return text[marker.end():end], marker.start()
    return None


def _nth(clauses: list[tuple[str, int]], letter: str) -> tuple[str, int] | None:
    """Item ``letter`` counted among the recommendations when it is not printed:
    "Belgium recommended (a) that ... Belgium recommended that ..." has a (b)."""
    index = ord(letter) - ord("a")
    return clauses[index] if index < len(clauses) else None


def _recommending(text: str) -> list[tuple[str, int]]:
    """Every "recommended ..." of a paragraph, split at its lettered items; with offsets."""
    found = []
    starts = sentence_starts(text)
    for verb in _VERB.finditer(text):
        end = next((start for start in starts if start > verb.end()), len(text))
        rest = text[verb.end():end]
        markers = list(_MARKER.finditer(rest))
        if not markers:
            found.append((rest, verb.start()))
            continue
        for index, marker in enumerate(markers):
            stop = markers[index + 1].start() if index + 1 < len(markers) else len(rest)
            found.append((rest[marker.end():stop], verb.start()))
    return found


# "56, last sentence": the clauses of a paragraph of questions are separated by semicolons too.
_CLAUSE = re.compile(r"[^.;!?]+(?:[.;!?]|$)")


def _referred_parts(reference: Reference, paragraph: _DialogueParagraph | None
                    ) -> tuple[list[tuple[str, str, int]], list[str]]:
    """(label, text, offset) of what ``reference`` points at in ``paragraph``; the labels not found."""
    if paragraph is None:
        return [], [reference.number]
    if reference.sentence:
        pieces = [m for m in _CLAUSE.finditer(paragraph.text) if m.group().strip()]
        piece = pieces[0] if reference.sentence == "first" else pieces[-1]
        return [(f"{reference.number} ({reference.sentence} sentence)", piece.group(), piece.start())], []
    clauses = _recommending(paragraph.text)
    if not reference.letters:
        parts = [(reference.number, text, offset) for text, offset in clauses]
        return parts, [] if parts else [reference.number]
    parts, missing = [], []
    for letter in reference.letters:
        label = f"{reference.number} ({letter})"
        if found := _lettered(paragraph.text, letter) or _nth(clauses, letter):
            parts.append((label, *found))
        else:
            missing.append(label)
    return parts, missing


def resolve_references(references: list[Reference], paragraphs: dict[str, _DialogueParagraph], *,
                       position: Position, country: str, page: int) -> tuple[list[Recommendation], list[Problem]]:
    """The recommendations ``references`` point at, each with ``position``; problems for those not found.

    ``page`` is the page of the lead-in (for the problems).
    """
    rows: list[Recommendation] = []
    problems: list[Problem] = []
    for reference in references:
        paragraph = paragraphs.get(reference.number)
        parts, missing = _referred_parts(reference, paragraph)
        for label, text, offset in parts:
            if cleaned := _clean(text, country):
                speaker = _speaker(paragraph.text, offset, country)
                rows.append(Recommendation(paragraph=label, text=cleaned, page=paragraph.page,
                                           recommending_states=(speaker,) if speaker else (),
                                           position=position))
        if missing:
            problems.append(Problem(
                document="", page=page, kind="unresolved_reference",
                reason=f"the conclusions give a position to the recommendations of paragraph(s) "
                       f"{', '.join(missing)}, which could not be found in the report",
                action="read those paragraphs of the report and add their recommendations to the tracker by hand",
            ))
    return rows, problems
