"""Pure text helpers shared by the readers: normalising and joining lines.

Two contracts matter to everything downstream:

- :func:`normalize_text` gives one clean line: NFC, whitespace collapsed to
  single spaces, control characters dropped, the document's own quotes kept.
- :func:`join_lines` turns the lines of one paragraph into one string and
  repairs line-end hyphenation with the rule that works on UN documents: a
  hyphen at a line end is a real hyphen ("full-fledged", "same-sex",
  "OP-CAT", "2005-2008") and is kept, joined without a space, *unless* the
  un-hyphenated word occurs elsewhere in the same document and the hyphenated
  one does not (then the hyphen was a syllable break: "recommen-" + "dation").
  The document's words come from :func:`word_vocabulary` (a set) or
  :class:`DocumentWords` (looked up lazily, for large documents).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Sequence

# pypdfium2 marks a hyphen that pdfium found at a line end with U+FFFE (and,
# in older builds, with \x02). Both stand for "-" followed by a line break.
HYPHEN_MARKERS = "\ufffe\x02"

# Characters a line-end dash may be: the marker, ASCII hyphen, en and em dash.
_LINE_END_DASHES = "-\u2013\u2014" + HYPHEN_MARKERS
_DASH_AT_BREAK = re.compile(f"[{_LINE_END_DASHES}]\n")


def _translation_table() -> dict[int, str | None]:
    """Markers become "-", whitespace-like controls a space, other controls and
    invisible format characters (soft hyphen, zero-width space, BOM) go."""
    table: dict[int, str | None] = {}
    for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)]:
        table[code] = None
    for char in "\t\n\r\v\f\x1c\x1d\x1e\x1f\x85":
        table[ord(char)] = " "
    for char in HYPHEN_MARKERS:
        table[ord(char)] = "-"
    for char in "\u00ad\u200b\u2060\ufeff":
        table[ord(char)] = None
    return table


_TABLE = _translation_table()
# What the table changes: tested first because a regex scan that finds
# nothing is several times faster than ``str.translate``.
_NEEDS_TRANSLATION = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff\ufffe]")
# Printable ASCII plus typographic quotes and dashes: already NFC, nothing to
# drop. With no double space, such a line only needs stripping (the usual case).
_PLAIN = re.compile("[ -~\u2018\u2019\u201c\u201d\u2013\u2014]*")

# A word for the vocabulary: letters, possibly hyphenated ("decision-making").
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
_LEFT_WORD = re.compile(r"([^\W\d_]+)-$")
_RIGHT_WORD = re.compile(r"[^\W\d_]+")


def normalize_text(text: str) -> str:
    """Return ``text`` as one clean line.

    NFC-normalised; runs of whitespace (including line breaks and no-break
    spaces) collapsed to one space and stripped at both ends; control
    characters, soft hyphens, zero-width spaces and BOMs dropped; pdfium's
    hyphen markers turned into "-". Quotes and dashes are left as printed.
    """
    if "  " not in text and _PLAIN.fullmatch(text):
        return text.strip()
    if _NEEDS_TRANSLATION.search(text):
        text = text.translate(_TABLE)
    cleaned = " ".join(text.split())
    if cleaned.isascii():
        return cleaned
    return unicodedata.normalize("NFC", cleaned)


def word_vocabulary(texts: Iterable[str]) -> set[str]:
    """The lower-cased words (hyphenated compounds kept whole) of ``texts``.

    Pass the document's lines: words broken across a line end are not
    whole in any line, so they do not vouch for themselves.
    """
    # One regex pass over the joined text is much cheaper than one per line.
    return set(_WORD.findall("\n".join(texts).lower()))


class WordLookup:
    """Exactly ``word in word_vocabulary(texts)``, answered per lookup without building the set.

    A document asks about a handful of words (only a line-end hyphen needs
    deciding), so finding each one in the lower-cased text and checking it
    stands where :func:`word_vocabulary`'s regex would start and end a match
    costs far less than tokenising the whole document.
    """

    def __init__(self, texts: Iterable[str]):
        self._texts = texts
        self._text: str | None = None

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or _WORD.fullmatch(word) is None:
            return False
        if self._text is None:
            self._text = "\n".join(self._texts).lower()
        text, start = self._text, self._text.find(word)
        while start != -1:
            if _word_starts(text, start) and _word_ends(text, start + len(word)):
                return True
            start = text.find(word, start + 1)
        return False


def _is_letter(text: str, index: int) -> bool:
    """Whether ``text[index]`` exists and is a letter of :data:`_WORD` (``[^\\W\\d_]``)."""
    return 0 <= index < len(text) and _LETTER.match(text, index) is not None


def _word_starts(text: str, start: int) -> bool:
    """Whether a :data:`_WORD` match starts at ``start`` (the letter there is not inside a longer word or compound)."""
    return not (_is_letter(text, start - 1) or (text[start - 1:start] == "-" and _is_letter(text, start - 2)))


def _word_ends(text: str, end: int) -> bool:
    """Whether a :data:`_WORD` match that reached ``end`` stops there."""
    return not (_is_letter(text, end) or (text[end:end + 1] == "-" and _is_letter(text, end + 1)))


class DocumentWords:
    """The words of a document, looked up only when a hyphen needs deciding.

    Behaves like :func:`word_vocabulary`'s set for ``in`` (a word counts
    when it stands alone, not inside a longer word or compound) but builds
    nothing up front: most lines end without a hyphen, and a few substring
    searches cost less than tokenising a whole document.
    """

    def __init__(self, texts: Iterable[str]):
        self._texts = texts
        self._text: str | None = None

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word:
            return False
        if self._text is None:
            self._text = "\n".join(self._texts).lower()
        text, start = self._text, self._text.find(word)
        while start != -1:
            end = start + len(word)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not (before.isalpha() or before == "-" or after.isalpha() or after == "-"):
                return True
            start = text.find(word, start + 1)
        return False


def _keeps_hyphen(left_line: str, right_line: str, vocabulary: Container[str] | None) -> bool:
    """Whether a line-end "-" between two lines is a real hyphen (the default)."""
    if vocabulary is None:
        return True
    left = _LEFT_WORD.search(left_line[-80:])  # the tail is enough; keeps it O(1)
    right = _RIGHT_WORD.match(right_line)
    if left is None or right is None:
        return True
    head, tail = left.group(1).lower(), right.group(0).lower()
    return not (head + tail in vocabulary and f"{head}-{tail}" not in vocabulary)


def _glue(previous: str, line: str, vocabulary: Container[str] | None) -> str:
    """The separator (or hyphen repair) between two consecutive lines."""
    last = previous[-1]
    if last not in _LINE_END_DASHES or len(previous) < 2 or previous[-2] == " ":
        return previous + " " + line
    if last != "-" or _keeps_hyphen(previous, line, vocabulary):
        return previous + line          # "full-fledged", "2005–2008"
    return previous[:-1] + line         # a syllable break: "recommen-dation"


def join_lines(lines: Sequence[str], vocabulary: Container[str] | None = None,
               *, normalized: bool = False) -> str:
    """Join the lines of one paragraph into one normalised string.

    Each line is normalised with :func:`normalize_text` (skipped when the
    caller passes ``normalized=True`` for lines that already are); empty
    lines are skipped. Lines are joined with one space, except after a line
    ending in a dash attached to a word (``-``, a pdfium hyphen marker, ``–``,
    ``—``): those are joined without a space, and a ``-`` is dropped only
    when ``vocabulary`` (:func:`word_vocabulary` or :class:`DocumentWords`)
    holds the un-hyphenated word but not the hyphenated one. Without a
    vocabulary every hyphen is kept.
    """
    clean = [line for line in (lines if normalized else map(normalize_text, lines)) if line]
    # Clean lines hold no newline: one regex pass finds any dash at a line end.
    text = "\n".join(clean)
    if not _DASH_AT_BREAK.search(text):
        return text.replace("\n", " ")  # the common case
    joined = clean[0]
    for line in clean[1:]:
        joined = _glue(joined, line, vocabulary)
    return joined


_DIGITS = re.compile(r"(\d+)")


def natural_key(value: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting "118.9" before "118.10" and "42 (b)" after "42"."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in _DIGITS.split(value) if part)
