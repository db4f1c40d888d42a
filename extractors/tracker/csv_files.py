"""CSV files as spreadsheets write them, and as rectrack writes them: encodings, delimiters, formula escapes.

Reading (:func:`read_csv_cells`): a CSV saved by Excel or LibreOffice in any
common form is read back with every row, column and cell as written, all
strings (no NA guessing: "NA" is Namibia; "118.10" stays "118.10"):

- encoding: UTF-8 with a BOM (Excel's "CSV UTF-8"), UTF-16 with a BOM
  (Excel's "Unicode Text"), UTF-8 without one, else Windows-1252 (Excel's
  "CSV (Comma delimited)" on Western Windows). A file that is not valid UTF-8
  but holds UTF-8 sequences (two encodings mixed, e.g. a UTF-8 file edited by
  a tool that wrote cp1252) or holds bytes cp1252 does not define is refused,
  never guessed;
- delimiter: ``,``, ``;`` (Excel where the decimal mark is a comma) or tab,
  found in the header line (after the expected first column when known);
- quoting: Excel's (``"`` around cells with a delimiter, quote or line break;
  ``""`` for a quote), CRLF or LF line ends.

Formula injection (OWASP "CSV injection"): a cell that begins with ``=``,
``+``, ``-``, ``@``, tab or carriage return is a formula to a spreadsheet.
Every cell (and column name) rectrack writes that begins with one of them, or
with apostrophes followed by one, gets one leading ``'`` (:func:`escape_frame`);
Excel and LibreOffice then show it as text. :func:`read_csv_cells` removes
exactly that one ``'`` (:func:`unescape_cell`), so write-then-read gives back
every cell unchanged ("- Ratify ..." stays "- Ratify ...", "'=x" stays "'=x")
and re-running never adds ``''``. Reading a rectrack CSV with plain pandas shows
the ``'`` on those cells only; :data:`UNESCAPE_PATTERN` undoes it::

    frame = frame.replace(r"^'(?='*[=+\\-@\\t\\r])", "", regex=True)
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rectrack.extractors.errors import RectrackError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A cell that needs the escape: apostrophes (possibly none) then a formula character.
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")
# What the escape left: one apostrophe to remove, before (apostrophes and) a formula character.
UNESCAPE_PATTERN = r"^'(?='*[=+\-@\t\r])"
_UNESCAPE = re.compile(UNESCAPE_PATTERN[1:])   # re.match anchors it
DELIMITERS = (",", ";", "\t")
RECTRACK_ENCODING = "utf-8-sig"
RECTRACK_DELIMITER = ","
# Valid UTF-8 multi-byte sequences: in a file that is not valid UTF-8 they mean two encodings mixed.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_ENCODING_NAMES = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8 without BOM",
                   "utf-16": "UTF-16 (Excel's Unicode Text)", "cp1252": "Windows-1252"}
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(frozen=True, slots=True)
class CsvForm:
    """How a CSV file was encoded and delimited."""

    encoding: str      # "utf-8-sig", "utf-8", "utf-16" or "cp1252"
    delimiter: str     # ",", ";" or "\t"

    @property
    def is_rectrack_form(self) -> bool:
        """Whether rectrack itself would write the file this way (UTF-8 with BOM, comma)."""
        return self.encoding == RECTRACK_ENCODING and self.delimiter == RECTRACK_DELIMITER

    def describe(self) -> str:
        """E.g. "Windows-1252, semicolon-separated"."""
        return f"{_ENCODING_NAMES[self.encoding]}, {_DELIMITER_NAMES[self.delimiter]}-separated"


def escape_cell(cell: str) -> str:
    """``cell`` with a leading ``'`` if a spreadsheet would take it for a formula (see the module doc)."""
    return "'" + cell if _NEEDS_ESCAPE.match(cell) else cell


def unescape_cell(cell: str) -> str:
    """The inverse of :func:`escape_cell`: one leading ``'`` removed where the escape put it."""
    return cell[1:] if _UNESCAPE.match(cell) else cell


def _might_match(values: pd.Series, pattern: re.Pattern[str]) -> bool:
    """Whether some cell of ``values`` may match ``pattern`` (one C-level scan when every cell is text)."""
    try:
        joined = "\x00" + "\x00".join(values.tolist())
    except TypeError:           # some cell is not text: look cell by cell
        return True
    return re.search("\x00" + pattern.pattern, joined) is not None


def _map_text_cells(frame: pd.DataFrame, pattern: re.Pattern[str], change) -> pd.DataFrame:
    """``frame`` with ``change`` applied to its text cells and column names that ``pattern`` matches.

    Copies only when something changes; cells that are not text are left alone.
    """
    out = frame
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)) \
                or not _might_match(values, pattern):
            continue
        hits = values.map(lambda v: isinstance(v, str) and pattern.match(v) is not None).astype(bool)
        if hits.any():
            if out is frame:
                out = frame.copy()
            out.iloc[hits.to_numpy().nonzero()[0], position] = values[hits].map(change).to_numpy()
    names = [change(c) if isinstance(c, str) and pattern.match(c) else c for c in frame.columns]
    if names != list(frame.columns):
        out = out.copy() if out is frame else out
        out.columns = names
    return out


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every formula-like text cell and column name escaped (:func:`escape_cell`)."""
    return _map_text_cells(frame, _NEEDS_ESCAPE, escape_cell)


def unescape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with rectrack's formula escapes removed (:func:`unescape_cell`): what was written."""
    return _map_text_cells(frame, _UNESCAPE, unescape_cell)


def decode_csv(path: Path, raw: bytes, error: type[RectrackError], action: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in (see the module doc for the order tried).

    Raises ``error`` naming ``path`` when the bytes are neither UTF-8/UTF-16
    nor plain Windows-1252, with ``action`` as what to do.
    """
    if raw.startswith(codecs.BOM_UTF8) or raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-16"
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as caught:
            name = "UTF-8" if encoding == "utf-8-sig" else "UTF-16"
            raise error(path, f"starts with a {name} byte-order mark but byte {raw[caught.start]:#04x} "
                              f"at line {_line_of(raw, caught.start)} is not {name}", action) from caught
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as caught:
        not_utf8 = caught.start
    if _UTF8_SEQUENCE.search(raw):
        raise error(path, f"mixes two encodings: UTF-8 text, and at line {_line_of(raw, not_utf8)} a byte "
                          f"({raw[not_utf8]:#04x}) that is not UTF-8", action)
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as caught:
        raise error(path, f"is neither UTF-8 nor Windows-1252 (byte {raw[caught.start]:#04x} "
                          f"at line {_line_of(raw, caught.start)})", action) from caught


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def detect_delimiter(header: str, first_column: str | None = None) -> str:
    """The delimiter of a CSV whose header line is ``header``: ``,`` ``;`` or tab.

    With ``first_column`` known (the tracker's ``rec_id``), the character after
    it decides; otherwise the candidate found most often outside quotes
    (a tie or none: ``,``).
    """
    bare = header.lstrip("\ufeff")
    if first_column:
        for quoted in (first_column, f'"{first_column}"'):
            if bare.startswith(quoted) and bare[len(quoted):len(quoted) + 1] in DELIMITERS:
                return bare[len(quoted)]
    outside = re.sub(r'"[^"]*"', "", bare)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == RECTRACK_DELIMITER))
    return best if counts[best] else RECTRACK_DELIMITER


def read_csv_cells(path: Path, error: type[RectrackError], action: str,
                   first_column: str | None = None) -> tuple[pd.DataFrame, CsvForm]:
    """Every cell of the CSV at ``path`` as written (strings, escapes removed), and the file's form.

    Short rows are padded with empty cells. Raises ``error`` naming ``path``,
    with ``action`` as what to do, when the file cannot be decoded
    (:func:`decode_csv`) or parsed.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as caught:
        raise error(path, f"cannot be read ({caught.strerror})", action) from caught
    text, encoding = decode_csv(path, raw, error, action)
    text = text.lstrip("\ufeff")
    delimiter = detect_delimiter(text.split("\n", 1)[0], first_column)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            na_filter=False, quotechar='"', doublequote=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as caught:
        raise error(path, f"cannot be read as a CSV ({caught})", action) from caught
    return unescape_frame(frame.fillna("")), CsvForm(encoding, delimiter)


def read_csv(path: Path | str) -> pd.DataFrame:
    """Any CSV rectrack wrote (or a spreadsheet re-saved) as pandas sees it, cells as written.

    Public (``rectrack.read_csv``): strings only, no NA guessing, formula
    escapes removed. Raises :class:`~rectrack.extractors.errors.InvalidTable`
    naming the file when it cannot be read safely.
    """
    from rectrack.extractors.errors import InvalidTable

    return read_csv_cells(Path(path), InvalidTable, "save it as CSV UTF-8 (comma-delimited) and try again")[0]
