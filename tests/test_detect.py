"""Detection from a document's own text (unit cases; the real covers are in test_upr_report)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rectrack.extractors.detect import detect_document, ordinal_number
from rectrack.extractors.records import Block, BlockKind, Document, DocumentType, Page


def _document(*lines: str) -> Document:
    return Document(Path("x.pdf"), "0" * 64, "pdf", (Page(1, tuple(lines)),), ())


@pytest.mark.parametrize(("word", "number"), [("first", "1"), ("twelfth", "12"), ("Thirty-fourth", "34"),
                                              ("twentieth", "20"), ("forty-third", "43"), ("session", "")])
def test_ordinals(word, number):
    assert ordinal_number(word) == number


def test_symbol_split_across_lines_and_renamed_file():
    info = detect_document(_document(
        "Human Rights Council", "Report of the Working Group on the Universal", "Periodic Review*", "Tajikistan",
        "United Nations A", "/HRC/19/3", "Distr.: General", "12 December 2011",
        "The Working Group ... held its twelfth", "session from 3 to 14 October 2011."))
    assert (info.document_type, info.symbol, info.country, info.date, info.year, info.session) == (
        DocumentType.UPR_REPORT, "A/HRC/19/3", "Tajikistan", "2011-12-12", "2011", "12")


def test_previous_symbol_in_a_footnote_is_not_the_documents():
    info = detect_document(_document(
        "* Previously issued under the symbol A/HRC/WG.6/1/DZA/4; minor revisions", "A/HRC/8/29",
        "Report of the Working Group on the Universal Periodic Review", "Algeria ∗"))
    assert info.symbol == "A/HRC/8/29"
    assert info.country == "Algeria"


def test_addendum_and_treaty_body_and_unknown():
    addendum = detect_document(_document("Report of the Working Group on the Universal Periodic Review",
                                         "Slovenia", "Addendum", "United Nations A/HRC/43/15/Add.1"))
    assert addendum.document_type is DocumentType.UPR_ADDENDUM
    cerd = detect_document(_document("United Nations CERD/C/BRA/CO/18-20", "Concluding observations"))
    assert (cerd.document_type, cerd.body) == (DocumentType.TREATY_BODY_OBSERVATIONS, "CERD")
    unknown = detect_document(_document("Outcome of the Human Rights Dialogue, Dushanbe"))
    assert unknown.document_type is DocumentType.CIVIL_SOCIETY_REPORT
    assert "civil-society" in unknown.reason


def test_special_procedure_report_gets_its_mandate_and_country():
    info = detect_document(_document(
        "United Nations A/HRC/43/49/Add.1", "Human Rights Council", "Distr.: General", "15 January 2020",
        "Visit to Tajikistan", "Report of the Special Rapporteur on the situation of human rights defenders "
        "on his visit to Tajikistan*"))
    assert info.document_type is DocumentType.SPECIAL_PROCEDURE_REPORT
    assert info.body == "Special Rapporteur on the situation of human rights defenders"
    assert (info.country, info.year) == ("Tajikistan", "2020")


def test_compilation_country():
    info = detect_document(_document("A/HRC/WG.6/34/SVN/2", "Compilation on Slovenia",
                                     "Report of the Office of the United Nations High Commissioner"))
    assert (info.document_type, info.country) == (DocumentType.UN_COMPILATION, "Slovenia")


def test_matrix_is_detected_from_its_table_header():
    header = Block("Recommendation | Position | Full list of themes", 1, BlockKind.TABLE_ROW,
                   cells=("Recommendation", "Position", "Full list of themes"))
    document = Document(Path("m.docx"), "0" * 64, "docx", (Page(1, (header.text,)),), (header,))
    info = detect_document(document)
    assert (info.document_type, info.body) == (DocumentType.RECOMMENDATIONS_MATRIX, "UPR")


# --- Years (issue 10, part 5c): read off each document's cover or title ---------------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _detect_sample(name: str):
    from rectrack.extractors.read import read_document
    return detect_document(read_document(SAMPLES / name, sha256="0" * 64))


def test_uppercase_distr_date():
    # A/HRC/12/9 (Afghanistan, 2009) prints its date "20 JULY 2009" in capitals under "Distr.".
    info = detect_document(_document("General Assembly Distr.", "GENERAL", "A/HRC/12/9", "20 JULY 2009",
                                     "Report of the Working Group on the Universal Periodic Review *"))
    assert (info.date, info.year) == ("2009-07-20", "2009")


@pytest.mark.parametrize(("name", "session", "year"), [
    # Page headers: "UPR of Slovenia (3rd Cycle - 34th Session)", "UPR of China (2nd Cycle – 17th session)".
    ("matrices/slovenia2019-UPR34-thematic-list.docx", "34", "2019"),
    ("matrices/china2013-UPR17-matrix.docx", "17", "2013"),
    # "UPR of Egypt - Second Cycle" names no session; its rows cite "Source of position: A/HRC/28/16/Add.1",
    # the report of the 20th session (October-November 2014).
    ("matrices/egypt2014-UPR20-matrix.docx", "20", "2014"),
])
def test_matrix_year_from_its_session_or_the_report_it_cites(name, session, year):
    info = _detect_sample(name)
    assert (info.symbol, info.session, info.year) == ("", session, year)


def test_report_without_a_date_takes_the_year_of_its_session_then_of_its_symbol():
    from dataclasses import replace

    from rectrack.extractors.read import read_document
    document = read_document(SAMPLES / "upr/slovenia2019-A_HRC_43_15.pdf", sha256="0" * 64)
    assert detect_document(document).date == "2019-12-19"       # "Distr.: General 19 December 2019"

    def without(*words: str) -> Document:
        """The report with every line that prints a year (or one of ``words``) removed."""
        dated = re.compile(r"\b(?:19|20)\d\d\b")
        pages = tuple(replace(p, lines=tuple(line for line in p.lines
                                             if not dated.search(line) and not any(w in line for w in words)))
                      for p in document.pages)
        return replace(document, pages=pages)
    # "The Working Group ... held its thirty-fourth session from 4 to 15 November 2019": 34 -> 2019.
    undated = detect_document(without())
    assert (undated.date, undated.session, undated.year) == ("", "34", "2019")
    # No session sentence either: A/HRC/43 adopted the outcomes of UPR session 34 -> 2019 (not 2020, the HRC's year).
    bare = detect_document(without("held its", "session"))
    assert (bare.date, bare.session, bare.symbol, bare.year) == ("", "", "A/HRC/43/15", "2019")


@pytest.mark.parametrize(("name", "symbol", "session"), [
    ("upr/afghanistan2014.pdf", "A/HRC/26/4", "18"), ("upr/china2013.pdf", "A/HRC/25/5", "17"),
    ("upr/egypt2014.pdf", "A/HRC/28/16", "20"), ("upr/slovenia2010-A_HRC_14_15.pdf", "A/HRC/14/15", "7"),
    ("upr/slovenia2019-A_HRC_43_15.pdf", "A/HRC/43/15", "34"), ("upr/tajikistan2011.pdf", "A/HRC/19/3", "12"),
    ("upr/unitedkingdom2012.pdf", "A/HRC/21/9", "13"),
])
def test_session_calendar_agrees_with_the_real_reports(name, symbol, session):
    """data/calendar/upr_sessions.tsv maps each report's symbol to the session its text names, dated as printed."""
    from rectrack.extractors.reference.calendar import upr_session_of_symbol, upr_session_year
    info = _detect_sample(name)
    assert (info.symbol, info.session) == (symbol, session)
    assert upr_session_of_symbol(symbol) == session
    assert upr_session_year(session) == info.date[:4]
