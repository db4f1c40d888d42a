"""The wording of UN paragraphs: does it recommend, point elsewhere, name follow-up items?

The patterns are data, in ``data/wording/un_paragraphs.tsv`` (kind, regular
expression), read once per process; a new variant needs no code change.
Only the parsing of paragraph references ("17 (b)–(c) and (e)–(f), 23") is
code: it is grammar, not vocabulary.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rectrack.extractors.files import DATA_DIR

WORDING = DATA_DIR / "wording" / "un_paragraphs.tsv"
KINDS = ("recommending", "pointer", "elsewhere", "follow_up", "addressee", "section",
         "recommendations_heading")

# A parenthesis that describes ("(right to health ...)", "(1)"), not a letter reference "(a)".
_DESCRIPTION = re.compile(r"\((?![a-z]{1,4}\))[^()]*\)")
_REFERENCES = re.compile(r"\brecommendations\b[^.;]{0,60}?\bin\s+(?:paragraphs?|paras?\.)\s*(.*?)(?:\.\s|\.?$)",
                         re.IGNORECASE | re.DOTALL)
_REFERENCE = re.compile(r"\b(\d{1,3})\b((?:\s*(?:,|and|[–-])?\s*\([a-z]{1,4}\))*)")
_LETTER_REF = re.compile(r"([–-])?\s*\(([a-z]{1,4})\)")


@lru_cache(maxsize=1)
def patterns() -> dict[str, tuple[re.Pattern[str], ...]]:
    """Kind -> compiled patterns, from :data:`WORDING`.

    Raises ValueError naming the file and line when a line is malformed (an
    unknown kind, no TAB, a pattern that does not compile): the file is meant
    to be edited by hand.
    """
    table: dict[str, list[re.Pattern[str]]] = {kind: [] for kind in KINDS}
    for number, line in enumerate(WORDING.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#") or line == "kind\tpattern":
            continue
        kind, tab, pattern = line.partition("\t")
        if not tab or kind not in table:
            raise ValueError(f"{WORDING}, line {number}: expected one of {', '.join(KINDS)}, a TAB "
                             f"and a pattern; got {line!r}")
        try:
            table[kind].append(re.compile(pattern, re.IGNORECASE))
        except re.error as error:
            raise ValueError(f"{WORDING}, line {number}: the pattern does not compile ({error}); "
                             "fix the regular expression") from error
    return {kind: tuple(found) for kind, found in table.items()}


def _any(kind: str, text: str) -> bool:
    return any(pattern.search(text) for pattern in patterns()[kind])


def recommends(text: str) -> bool:
    """Whether ``text`` carries recommending wording ("the Committee recommends", "should")."""
    return _any("recommending", text)


def is_pointer(text: str) -> bool:
    """Whether the paragraph points at recommendations of other paragraphs of this document."""
    return _any("pointer", text) and not _any("elsewhere", text)


def is_follow_up(text: str) -> bool:
    """Whether a pointer paragraph is the follow-up request ("within one year ...")."""
    return is_pointer(text) and _any("follow_up", text)


def addressee(heading: str) -> str:
    """"the Government" from "Recommendations to the Government"; "" if the heading names none."""
    for pattern in patterns()["addressee"]:
        if match := pattern.search(heading):
            return match.group(1)
    return ""


def is_section_heading(heading: str) -> bool:
    """Whether ``heading`` opens (or is part of) the conclusions-and-recommendations section."""
    return _any("section", heading)


def is_recommendations_heading(heading: str) -> bool:
    """Whether every numbered paragraph under ``heading`` is a recommendation."""
    return _any("recommendations_heading", heading)


def _letters(spec: str) -> tuple[str, ...]:
    """``"(b)–(c) and (e)"`` -> ``("b", "c", "e")``: ranges of single letters expanded."""
    letters: list[str] = []
    for match in _LETTER_REF.finditer(spec):
        dash, letter = match.groups()
        if dash and letters and len(letters[-1]) == 1 and len(letter) == 1:
            letters.extend(chr(code) for code in range(ord(letters[-1]) + 1, ord(letter) + 1))
        else:
            letters.append(letter)
    return tuple(letters)


def paragraph_references(text: str) -> dict[str, tuple[str, ...]]:
    """The paragraphs a pointer paragraph names: number -> letters (empty: the whole paragraph).

    ``"... recommendations contained in paragraphs 17 (a) (right to health),
    19 (c) (...) and 36 (a)–(d) (...)."`` gives ``{"17": ("a",), "19": ("c",),
    "36": ("a", "b", "c", "d")}``. Only the first list after "recommendations
    ... in paragraphs" counts, up to the end of its sentence.
    """
    match = _REFERENCES.search(_DESCRIPTION.sub(" ", text))
    if not match:
        return {}
    references: dict[str, tuple[str, ...]] = {}
    for number, spec in _REFERENCE.findall(match.group(1)):
        references[number] = references.get(number, ()) + _letters(spec)
    return references
