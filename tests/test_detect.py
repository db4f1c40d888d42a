"""Detection from a document's own text (unit cases; the real covers are in test_upr_report)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.detect import detect_document, ordinal_number
from extractors.records import Block, BlockKind, Document, DocumentType, Page


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
