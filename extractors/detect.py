"""Tell what a document is from its own text: family, symbol, body, country, date.

Detection reads the first pages only (the cover and the title), never the
file name. The UN document symbol decides most families (``A/HRC/19/3`` is a
UPR report if its title says so, ``CERD/C/BRA/CO/18-20`` concluding
observations of CERD, ``A/HRC/WG.6/48/SVN/1`` a State's national report); the
title decides the rest ("National report submitted ...", "Mid-term report"). A
document that cannot be placed is a civil-society report, and ``reason`` says so.
"""

from __future__ import annotations

import re
from datetime import date

from rectrack.extractors.records import BlockKind, Document, DocumentInfo, DocumentType
from rectrack.extractors.reference.calendar import symbol_year, upr_session_of_symbol, upr_session_year
from rectrack.extractors.reference.states import canonical_state

_HEAD_PAGES = 2
_HEAD_LINES = 150            # DOCX/HTML/text have one long "page"
_MANDATE = re.compile(
    r"Report of the (Special Rapporteur|Independent Expert|Working Group)\s+(on|for)\s+(.+?)"
    r"(?:,?\s+(?:on (?:his|her|its|their) (?:visit|mission)|\*|Addendum)|\n\n|$)",
    re.IGNORECASE | re.DOTALL)
_VISIT = re.compile(r"(?:visit|mission)\s+to\s+([A-Z][\w'’ ()-]+?)(?:[*,.:\n]|\s+\(|\s+on\s|$)")
_COUNTRY_PHRASES = (
    re.compile(r"(?:periodic\s+)?reports?\s+of\s+([A-Z][\w'’ ()-]+?)(?:\*|,|\n|$)"),
    re.compile(r"(?:Compilation|submissions|Summary)\s+on\s+([A-Z][\w'’ ()-]+?)(?:\*|,|\n|$)"),
    _VISIT,
    # Matrix titles: "UPR of Slovenia (3rd Cycle - 34th Session)", "UPR of Egypt - Second Cycle".
    re.compile(r"^\s*UPR\s+of\s+([A-Z][\w'’ ()-]+?)(?:\s+[(–-]|,|\n|$)", re.MULTILINE),
)

# UN symbols as printed; PDF text often breaks them ("A\n/HRC/19/3", "A/HRC/ 8/29").
_HRC_SYMBOL = re.compile(
    r"\bA\s*/\s*HRC\s*/\s*(?:WG\.\s*6\s*/\s*)?\d+\s*/\s*(?:[A-Z]{3}\s*/\s*\d+|\d+)"
    r"(?:\s*/\s*Add\.\s*\d+)?", re.IGNORECASE)
_TREATY_SYMBOL = re.compile(
    r"\b(CERD|CAT|CCPR|CEDAW|CRC|CRPD|CED|CMW|E\s*/\s*C\.\s*12)\s*/\s*(?:C|OP)\s*/\s*[A-Z]{3}"
    r"\s*/\s*(?:CO|\d+)[\w/.\s-]{0,20}")
_TREATY_BODY = {"E/C.12": "CESCR"}
_DATE = re.compile(r"\b(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|"
                   r"October|November|December)\s+((?:19|20)\d\d)\b", re.IGNORECASE)  # "20 JULY 2009" too
_MONTHS = {m: i for i, m in enumerate(("January", "February", "March", "April", "May", "June", "July",
                                       "August", "September", "October", "November", "December"), 1)}
_NUMBERED_SESSION = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+session\b", re.IGNORECASE)
_SESSION = re.compile(r"held\s+its\s+(\w+(?:-\w+)?)\s+session", re.IGNORECASE)
_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
             "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth").split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}
_TENTHS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60}
_WG6_SESSION = re.compile(r"^A/HRC/WG\.6/(\d+)/", re.IGNORECASE)
# A State's own report: "National report submitted in accordance with paragraph 5 of the annex to Human
# Rights Council resolution 16/21", "... pursuant to Human Rights Council resolutions 5/1 and 16/21";
# a voluntary "mid-term report" between two reviews. Looked for in the cover's first lines only: UPR
# reports and compilations mention "the national report submitted ..." in their introductions.
_NATIONAL_TITLE = re.compile(r"\bNational\s+report\s+submitted\s+(?:in\s+accordance\s+with|pursuant\s+to)\b",
                             re.IGNORECASE)
_MID_TERM_TITLE = re.compile(r"\bmid[-–\s]?term\s+(?:progress\s+|implementation\s+)?report\b", re.IGNORECASE)
# The line that ends a national report's title; the State's name follows it.
_NATIONAL_TITLE_END = re.compile(r"resolutions?\s+(?:5/1\s+and\s+)?16/21\*?$|mid[-–\s]?term\s+report\*?$",
                                 re.IGNORECASE)
_COVER_LINES = 30
_ADDENDUM = re.compile(r"/Add\.\d+$", re.IGNORECASE)


def _squash(symbol: str) -> str:
    """A symbol without the spaces and line breaks PDF text puts in it."""
    return re.sub(r"\s+", "", symbol).rstrip("./-")


def ordinal_number(word: str) -> str:
    """``"twelfth"`` -> ``"12"``, ``"thirty-fourth"`` -> ``"34"``; ``""`` if not an ordinal."""
    word = word.casefold().replace(" ", "-")
    if word in _TENTHS:
        return str(_TENTHS[word])
    tens, _, unit = word.rpartition("-")
    base = _TENS.get(tens, 0) if tens else 0
    if unit in _ORDINALS and (base or not tens):
        return str(base + _ORDINALS.index(unit) + 1)
    return ""


def _own_symbol(head: str) -> str:
    """The document's own HRC symbol: not one it says it was "previously issued under"."""
    for match in _HRC_SYMBOL.finditer(head):
        before = head[max(0, match.start() - 40):match.start()].casefold()
        if "issued under" not in before and "symbol" not in before:
            return _squash(match.group(0))
    return ""


def _head_text(document: Document) -> str:
    pages = document.pages[:_HEAD_PAGES]
    lines = [line for page in pages for line in (*page.lines, *page.footnotes)]
    return "\n".join(lines[:_HEAD_LINES] if document.format != "pdf" else lines)


def _is_matrix(document: Document) -> bool:
    """A table whose header names the recommendation and its position or States (OHCHR matrices)."""
    for block in document.blocks[:40]:
        if block.kind is BlockKind.TABLE_ROW:
            cells = [cell.casefold() for cell in block.cells]
            if any(cell.startswith("recommendation") for cell in cells) and any(
                    "position" in cell or "recommending" in cell for cell in cells):
                return True
    return False


def _mandate(head: str) -> str:
    """"Special Rapporteur on torture and other cruel ..." from a special-procedure title."""
    match = _MANDATE.search(head)
    if not match:
        return ""
    holder, preposition, subject = match.groups()
    return f"{holder} {preposition} {' '.join(subject.split())}".rstrip(" ,.*")


def _document_date(text: str) -> str:
    """The "Distr." date of the cover when there is one, else the first date."""
    distr = text.find("Distr.")
    match = _DATE.search(text, distr) if distr >= 0 else None
    match = match if match and match.start() - distr < 120 else _DATE.search(text)
    if not match:
        return ""
    day, month, year = match.groups()
    return date(int(year), _MONTHS[month.capitalize()], int(day)).isoformat()


def _country_after_title(lines: list[str], title: re.Pattern[str]) -> str:
    """The first line naming a State after the line that matches ``title``."""
    for index, line in enumerate(lines):
        if title.search(line):
            for candidate in lines[index + 1:index + 6]:
                candidate = candidate.rstrip("*∗ ").strip()
                # "China (including Hong Kong, China and Macao, China)" is China.
                name = canonical_state(candidate) or canonical_state(candidate.split(" (")[0])
                if name:
                    return name
    return ""


def _country(head: str) -> str:
    """The State a document is about, from its title lines."""
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    # 2008-2011 compilations and summaries put the State after "... Human Rights Council resolution 5/1".
    country = _country_after_title(lines, re.compile(r"Periodic\s+Review\*?$|^Review\*?$|resolution\s+5/1\*?$",
                                                     re.IGNORECASE))
    for pattern in _COUNTRY_PHRASES:
        if country:
            break
        for match in pattern.finditer(head):
            if country := canonical_state(match.group(1)) or canonical_state(match.group(1).split(" (")[0]) or "":
                break
    return country


def _national_title(head: str) -> tuple[DocumentType, str, str] | None:
    """(type, body, reason) of a national or mid-term report known by its cover's title alone; else None."""
    cover = "\n".join(head.splitlines()[:_COVER_LINES])
    if _NATIONAL_TITLE.search(cover):
        return DocumentType.NATIONAL_REPORT, "UPR", "title of a national report submitted to the UPR"
    if _MID_TERM_TITLE.search(cover):
        return DocumentType.NATIONAL_REPORT, "UPR", "title of a mid-term report on UPR recommendations"
    return None


def _classify(head: str, symbol: str) -> tuple[DocumentType, str, str]:
    """(type, body, reason) from the head text and the symbol."""
    upper = symbol.upper()
    # Before the treaty symbols: a national report may cite concluding observations on its first pages.
    if "/WG.6/" in upper and upper.endswith("/1"):
        return DocumentType.NATIONAL_REPORT, "UPR", f"UPR document symbol {symbol} (…/1: national report)"
    if treaty := _TREATY_SYMBOL.search(head):
        body = _TREATY_BODY.get(_squash(treaty.group(1)), _squash(treaty.group(1)))
        body = "SPT" if "/OP/" in _squash(treaty.group(0)) else body
        return DocumentType.TREATY_BODY_OBSERVATIONS, body, f"treaty-body symbol {_squash(treaty.group(0))}"
    if "/WG.6/" in upper:
        if upper.endswith("/2"):
            return DocumentType.UN_COMPILATION, "UPR", f"UPR document symbol {symbol} (…/2: UN compilation)"
        if upper.endswith("/3"):
            return DocumentType.STAKEHOLDER_SUMMARY, "civil society", f"UPR document symbol {symbol} (…/3)"
    upr_title = re.search(r"Working\s+Group\s+on\s+the\s+Universal\s+Periodic\s+Review", head, re.IGNORECASE)
    if upper.startswith("A/HRC/") and upr_title:
        if "/ADD." in upper:
            return DocumentType.UPR_ADDENDUM, "UPR", f"symbol {symbol} with an Add. and a UPR title"
        return DocumentType.UPR_REPORT, "UPR", f"symbol {symbol} and the title of a UPR Working Group report"
    if upper.startswith("A/HRC/") and (mandate := _mandate(head)):
        return (DocumentType.SPECIAL_PROCEDURE_REPORT, mandate,
                f"symbol {symbol} and the title of a report of the {mandate}")
    if national := _national_title(head):
        return national
    return (DocumentType.CIVIL_SOCIETY_REPORT, "civil society",
            "no UN symbol or title recognised: treated as a civil-society report")


def _matrix_report(document: Document) -> str:
    """The report a matrix's rows cite most ("Source of position: A/HRC/25/5/Add.1" -> A/HRC/25/5), or ""."""
    cited: dict[str, int] = {}
    for block in document.blocks:
        if block.kind is BlockKind.TABLE_ROW:
            for match in _HRC_SYMBOL.finditer(block.text):
                report = _ADDENDUM.sub("", _squash(match.group(0)))
                cited[report] = cited.get(report, 0) + 1
    return max(cited, key=lambda symbol: cited[symbol]) if cited else ""


def _session(document: Document, head: str, document_type: DocumentType, symbol: str) -> str:
    """The UPR Working Group session: "held its twelfth session", a matrix's "17th session",
    a compilation's A/HRC/WG.6/34/..., a matrix's report symbol; "" if none."""
    opening = " ".join(line for page in document.pages[:4] for line in page.lines)
    if held := _SESSION.search(opening):
        return ordinal_number(held.group(1))
    if wg6 := _WG6_SESSION.match(symbol):
        return wg6.group(1)
    if document_type is DocumentType.RECOMMENDATIONS_MATRIX:
        numbered = _NUMBERED_SESSION.search(head)
        return numbered.group(1) if numbered else upr_session_of_symbol(_matrix_report(document))
    return ""


def _year(iso_date: str, session: str, symbol: str, body: str) -> str:
    """The printed date's year, else the UPR session's, else the year the A/HRC symbol implies."""
    return iso_date[:4] or upr_session_year(session) or symbol_year(symbol, upr=body == "UPR")


def detect_document(document: Document) -> DocumentInfo:
    """Family, symbol, body, country, date, year and UPR session of ``document``.

    ``year`` is that of the printed ("Distr.") date; a document without one
    takes the year of its UPR session, else of its A/HRC symbol
    (:mod:`rectrack.extractors.reference.calendar`); a matrix (which has no symbol of its own)
    takes them from its "Nth session" title or the report its rows cite.
    """
    head = _head_text(document)
    if _is_matrix(document):
        document_type, body, reason = (DocumentType.RECOMMENDATIONS_MATRIX, "UPR",
                                       "a table with Recommendation and Position/States columns")
        symbol = ""
    else:
        symbol = _own_symbol(head)
        document_type, body, reason = _classify(head, symbol)
        if treaty := _TREATY_SYMBOL.search(head):
            symbol = symbol or _squash(treaty.group(0))
    iso_date = _document_date(head)
    session = _session(document, head, document_type, symbol)
    country = _country(head)
    if not country and document_type is DocumentType.NATIONAL_REPORT:
        # The State is named right under the title, which ends "... resolution 16/21*".
        lines = [line.strip() for line in head.splitlines() if line.strip()]
        country = _country_after_title(lines, _NATIONAL_TITLE_END)
    year = _year(iso_date, session, symbol, body)
    if not year and document_type is DocumentType.CIVIL_SOCIETY_REPORT:
        # A news-style report prints no date; its file is often named for its year ("dialogue-2025-...").
        if named := _FILE_YEAR.findall(document.path.stem):
            year = named[-1]
            reason += f"; year {year} from the file name (no date printed)"
    return DocumentInfo(
        document_type=document_type, symbol=symbol, body=body, country=country,
        date=iso_date, year=year, session=session, reason=reason,
    )


# A year in a file name: 1990-2099 standing apart from other digits ("dialogue-2025-dushanbe", "report_2024").
_FILE_YEAR = re.compile(r"(?<!\d)(?:199\d|20\d\d)(?!\d)")
