"""Page layout from cheap line geometry: running headers, footnotes, paragraphs.

Pure functions over :class:`Line` tuples (text plus one geometry probe per
line), so the rules can be tested without a PDF. The PDF reader builds the
lines; this module decides which are running headers/footers, which belong
to the footnote area, and where paragraphs start.

The rules, measured on UN documents (A/HRC, CERD ... layouts 2008-2022):

- A running header/footer is a line made only of header tokens (document
  symbol, ``Page 12``, a bare page number, a ``GE.11-17356`` job number,
  barcode digits, "Please recycle") that lies *above or below every other
  line* of its page. Position is taken from the geometry, not from where
  pdfium emits the line, so a header emitted mid-page is still removed,
  while the same symbol quoted inside the body is kept.
- The footnote area is the lines set smaller than the document's body size
  that lie below the lowest body-size line of the page (all small lines on a
  page of endnotes). A small-font table closing a page counts as footnotes
  too: the geometry cannot tell them apart cheaply.
- A paragraph starts at a numbered or lettered paragraph (``12.``, ``88.1.``,
  ``136.24``, ``(a)``, ``I.``, a bullet), after a vertical gap clearly larger
  than the document's line pitch, when the font size changes (headings), or
  when the text jumps up the page. A paragraph open at a page end continues
  on the next page unless the next page starts a new one by those rules or
  opens with a heading (a lone unpunctuated line after a finished sentence).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Sequence
from typing import NamedTuple

from rectrack.extractors.records import Block, BlockKind, Page
from rectrack.extractors.text.normalize import join_lines


class Line(NamedTuple):
    """One visual line of a page with the geometry of one probed character.

    ``text`` is normalised (:func:`~rectrack.extractors.text.normalize.normalize_text`); ``y``
    is the probed character's baseline in PDF units (grows upwards);
    ``size`` its font size in points, text matrix included (sizes of the
    same font setting compare equal); ``bold`` whether its font weight is bold.
    """

    text: str
    y: float
    size: float
    bold: bool


class Metrics(NamedTuple):
    """Document-wide typography: the body font size and line pitch."""

    body_size: float
    pitch: float


_HEADER_TOKEN = (
    # A/HRC/19/3, A/HRC/ 8/29, CERD/C/BRA/CO/18-20
    r"(?:[A-Z][A-Z.]{0,9}(?:/ ?[A-Za-z0-9.\-]+)+\*?"
    r"|Page \d{1,4}|\d{1,4}|[-\u2013] ?\d{1,4} ?[-\u2013]"  # Page 12, 12, - 12 -
    r"|[A-Z]{2}\.\d{2}-\d{3,6}(?: ?\([A-Z]\))?"        # GE.11-17356, GE.19-22170(E)
    r"|\(E\)|\*\d{5,}\*|[\ue000-\uf8ff]+"              # barcode digits / barcode font glyphs
    r"|Please recycle|-{3,})"
)
_HEADER_LINE = re.compile(rf"\s*{_HEADER_TOKEN}(?:\s+{_HEADER_TOKEN})*\s*")
_HEADER_MAX = 60

_PARAGRAPH_START = re.compile(
    r"(?:\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}\.|\([a-z]{1,4}\)|\(\d{1,3}\)"
    r"|[IVX]{1,6}\.|[A-H]\.|[\u2022\u25aa\u25cf\u00b7\uf0b7\uf0a7-])\s"
)
_SENTENCE_ENDS = (".", ";", ":", "!", "?")
# A line that is only a paragraph reference or range ("122.79–81", "122.14– 15"):
# a heading of UPR addenda, which may open a page.
_REFERENCE_LINE = re.compile(r"\d{1,3}(?:\.\d{1,3})+(?:\s*[-–]\s*\d{1,3}(?:\.\d{1,3})*)?\s*$")
# A footnote opens with its mark; pdfium may put a raised mark on a line of its own.
_FOOTNOTE_START = re.compile(r"(?:\*{1,4}|[\u2020\u2021\u2217]+|\d{1,3})(?:\s|$)")

# Tolerances, as fractions of the body font size / line pitch.
_SMALLER = 0.93        # a footnote line is set at most 93% of the body size
_SIZE_CHANGE = 0.12    # a heading differs from body text by more than 12%
_GAP = 1.3             # a paragraph gap is more than 1.3 line pitches


def is_running_header(text: str) -> bool:
    """Whether ``text`` is made only of running header/footer tokens."""
    # Header lines are short; the length test spares the regex on body lines.
    return len(text) <= _HEADER_MAX and _HEADER_LINE.fullmatch(text) is not None


def document_metrics(pages: Sequence[Sequence[Line]]) -> Metrics:
    """The most common font size and line pitch of a document.

    Measured on about five pages spread over the document: typography does
    not change from page to page, and this runs on every read.
    """
    sample = pages[:: max(1, len(pages) // 5)]
    sizes = Counter(line.size for lines in sample for line in lines)
    pitches: Counter[float] = Counter()
    for lines in sample:
        pitches.update(round(above.y - below.y, 1) for above, below in zip(lines, lines[1:])
                       if above.size == below.size)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    plausible = [(gap, n) for gap, n in pitches.items() if 0.5 * body < gap < 2.5 * body]
    pitch = max(plausible, key=lambda item: item[1])[0] if plausible else 1.2 * body
    return Metrics(body_size=body, pitch=pitch)


def split_page(lines: Sequence[Line], metrics: Metrics) -> tuple[list[Line], list[Line]]:
    """Split a page's lines into (body, footnotes), dropping headers/footers.

    Both lists keep the order the lines came in.
    """
    candidates = [len(line.text) <= _HEADER_MAX and _HEADER_LINE.fullmatch(line.text) is not None
                  for line in lines]  # is_running_header, inlined: it runs on every line
    kept = list(lines)
    if any(candidates):
        others = [line.y for line, candidate in zip(lines, candidates) if not candidate]
        top, bottom = (max(others), min(others)) if others else (float("-inf"), float("inf"))
        kept = [line for line, candidate in zip(lines, candidates)
                if not (candidate and (line.y > top or line.y < bottom))]
    small = metrics.body_size * _SMALLER
    if all(line.size >= small for line in kept):
        return kept, []
    normal_ys = [line.y for line in kept if line.size >= small]
    floor = min(normal_ys) if normal_ys else float("inf")
    body: list[Line] = []
    footnotes: list[Line] = []
    for line in kept:
        is_note = line.size < small and line.y < floor
        (footnotes if is_note else body).append(line)
    return body, footnotes


def _footnote_blocks(lines: Sequence[Line], page: int,
                     vocabulary: Container[str]) -> list[Block]:
    """Group a page's footnote lines into one block per footnote."""
    groups: list[list[str]] = []
    for line in lines:
        if not groups or _FOOTNOTE_START.match(line.text):
            groups.append([])
        groups[-1].append(line.text)
    return [Block(text=join_lines(group, vocabulary, normalized=True), page=page,
                  kind=BlockKind.FOOTNOTE) for group in groups]


def _paragraph(lines: Sequence[Line], page: int, vocabulary: Container[str]) -> Block:
    """One BODY block; bold when most of its lines are."""
    text = join_lines([line.text for line in lines], vocabulary, normalized=True)
    bold = 2 * [line.bold for line in lines].count(True) > len(lines)
    return Block(text=text, page=page, bold=bold)


def _opens_with_heading(body: Sequence[Line], previous: Line | None, gap: float) -> bool:
    """Whether a page opens with a heading after a paragraph that closed the previous page.

    The first line of a page has no gap above it to compare, so a heading set
    in the body font (CERD/C/BRA/CO/18-20, pages 6, 9, 17) would run on from
    that paragraph. It is one: it stands alone (a paragraph gap below it),
    ends without punctuation, and the previous page ended a sentence.
    """
    if previous is None or len(body) < 2:
        return False
    return (previous.text.rstrip().endswith((".", ";", ":"))
            and not body[0].text.rstrip().endswith((".", ";", ":", ","))
            and body[0].y - body[1].y > gap)


def build_blocks(pages: Sequence[tuple[Sequence[Line], Sequence[Line]]],
                 metrics: Metrics, vocabulary: Container[str]) -> list[Block]:
    """Paragraph blocks for pages of (body, footnotes) lines, in reading order.

    A BODY block's page is where the paragraph starts (1-based). A page's
    footnote blocks come right after the paragraph that is open at the end
    of that page, once it closes.
    """
    gap, rise = _GAP * metrics.pitch, 0.5 * metrics.pitch
    size_change = _SIZE_CHANGE * metrics.body_size
    numbered = _PARAGRAPH_START.match
    reference = _REFERENCE_LINE.match
    blocks: list[Block] = []
    pending: list[Block] = []
    current: list[Line] = []
    start_page = 0
    # A paragraph interrupted by text higher up the page (the cover's masthead,
    # which pdfium puts last on page 1): it resumes on the next page.
    suspended: tuple[list[Line], int] | None = None
    for number, (body, footnotes) in enumerate(pages, start=1):
        previous = current[-1] if current else None
        same_page = False
        heading_first = _opens_with_heading(body, previous, gap)
        for line in body:
            # The paragraph rules of the module docstring, inlined (every line runs them):
            # a gap or a jump up the page (same page only), a heading opening the
            # page, a size change, a number.
            if previous is None or (
                    same_page and not -rise <= previous.y - line.y <= gap) or (
                    not same_page and heading_first) or (
                    abs(line.size - previous.size) > size_change) or numbered(line.text) or (
                    reference(line.text)):
                if (suspended is None and same_page and previous.y - line.y < -rise
                        and current and not current[-1].text.rstrip().endswith(_SENTENCE_ENDS)):
                    suspended = (current, start_page)
                else:
                    if current:
                        blocks.append(_paragraph(current, start_page, vocabulary))
                    blocks.extend(pending)
                    pending = []
                current, start_page = [line], number
            else:
                current.append(line)
            previous, same_page = line, True
        if suspended is not None:
            blocks.append(_paragraph(current, start_page, vocabulary))
            (current, start_page), suspended = suspended, None
        if footnotes:
            pending.extend(_footnote_blocks(footnotes, number, vocabulary))
    if current:
        blocks.append(_paragraph(current, start_page, vocabulary))
    blocks.extend(pending)
    return blocks


def make_page(number: int, body: Sequence[Line], footnotes: Sequence[Line]) -> Page:
    """A :class:`Page` of the lines' texts (line-end hyphens kept)."""
    return Page(number=number, lines=tuple(line.text for line in body),
                footnotes=tuple(line.text for line in footnotes))
