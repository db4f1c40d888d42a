"""A State's own UPR reports (…/1): detection, and every numbered paragraph as evidence with the
recommendations it cites.

Expectations are read off the two Slovenian national reports (text dumped with pypdfium2 and read
heading by heading): 2014 (A/HRC/WG.6/20/SVN/1) has 106 numbered paragraphs and 12 headings that cite
"(recommendations ...)" (III.A, B, B.1-4, C-H), no citation in its text or notes; 2024
(A/HRC/WG.6/48/SVN/1) has 151 paragraphs, 14 citing headings (II.A-N, each with its
"(Recommendations ...)" line), one citation in a paragraph's text (paragraph 8, "Recommendation 15")
and 26 notes that cite the Voluntary Mid-term Report "(Recommendation 28)".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from rectrack.extractors.detect import detect_document
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import Block, BlockKind, Document, DocumentType, Page, Status
from rectrack.extractors.segment import segment_document
from rectrack.extractors.segment.upr.national import (
    parse_recommendation_numbers, segment_national_report, split_citation, text_citations,
)

REPORTS = Path(__file__).resolve().parents[1] / "data" / "samples" / "national-reports"
REPORT_2014 = REPORTS / "slovenia2014-A_HRC_WG.6_20_SVN_1-national-report.pdf"
REPORT_2024 = REPORTS / "slovenia2024-A_HRC_WG.6_48_SVN_1-national-report.pdf"
needs_reports = pytest.mark.skipif(not REPORT_2014.exists() or not REPORT_2024.exists(),
                                   reason=f"the Slovenian national reports are not in {REPORTS}")


def _numbers(*parts: int | range) -> tuple[str, ...]:
    """``_numbers(1, range(7, 10))`` -> ("1", "7", "8", "9"): the expectations, written as printed."""
    return tuple(str(n) for part in parts for n in (part if isinstance(part, range) else (part,)))


def _span(first: int, last: int) -> range:
    return range(first, last + 1)


# Heading (citation left out) -> the numbers it cites, as printed in the documents.
HEADINGS_2014 = {
    "A. Rule of law: court backlogs, trial without undue delay, fair trial and ill treatment by law "
    "enforcement officials": _numbers(_span(30, 31), _span(54, 57)),
    "B. Anti-discrimination measures": _numbers(19, 21, 26, 63, 64),
    "1. Gender equality and empowerment of women": _numbers(4, 14, 22, 23, 25, _span(65, 70), 74),
    "2. Same-sex partnerships": _numbers(5, 6, 7, 8, 22),
    "3. Rights of persons with disabilities": _numbers(4, 22),
    "4. Rights of national, Roma and other ethnic communities": _numbers(_span(27, 29), 71, 73, 76, _span(89, 92),
                                                                         94, 95),
    "C. Violence against women and domestic violence": _numbers(18, 23, _span(32, 39), 72),
    "D. Children's rights and violence against children": _numbers(4, 9, 12, 13, 17, 24, _span(50, 53), 75),
    "E. Freedom of religion and belief": _numbers(59, 60, 61, 62),
    "F. Persons transferred from the Register of Permanent Residents to the register of aliens after "
    "Slovenia’s independence": _numbers(_span(77, 83), _span(85, 87)),
    "G. Rights of aliens and asylum seekers": _numbers(1, 4, 27, 96),
    "H. Trafficking in human beings": _numbers(11, 16, _span(39, 50)),
}
HEADINGS_2024 = {
    "A. International obligations": _numbers(1, 5, _span(7, 9), _span(11, 12), _span(158, 160)),
    "B. Institutional framework of human rights protection": _numbers(_span(14, 17), 161),
    "C. Non-discrimination and elimination of hate speech": _numbers(
        22, _span(27, 28), _span(30, 41), _span(43, 53), _span(56, 57), 60, 163, _span(165, 169)),
    "D. Political and civil rights": _numbers(_span(73, 76)),
    "E. Economic, social and cultural rights": _numbers(
        20, _span(62, 66), _span(88, 92), _span(94, 97), _span(125, 126), 162, _span(183, 184)),
    "F. Good governance and business and human rights": _numbers(_span(68, 69)),
    "G. National communities and the Roma community": _numbers(
        _span(121, 123), _span(128, 131), _span(133, 143), _span(200, 205)),
    "H. Gender equality": _numbers(_span(22, 24), _span(99, 108), 164, _span(186, 195)),
    "I. Persons with disabilities": _numbers(_span(113, 117), 124, _span(196, 199)),
    "J. Erased persons": _numbers(156, 215),
    "K. Children and youth": _numbers(19, 70, 72, 87, _span(109, 112), _span(170, 172)),
    "L. Older persons": _numbers(18, 71, 93, 173, 185),
    "M. Human trafficking": _numbers(_span(78, 86), _span(174, 181)),
    "N. Migration and international protection": _numbers(
        98, _span(144, 146), 148, 150, 152, 154, _span(206, 214)),
}
# Every number either report cites: the union of its headings' lists (written out above from the
# printed headings), plus, for 2024, what its text and notes cite outside them. The text cites 15
# (already under B); the 26 citing notes cite 16, 28, 35, 42, 62, 66, 68, 69, 73, 78, 79, 86, 89, 94-97,
# 110, 111, 116, 128-130, 133, 154, 176, 183, 196, 201, of which only 42 is under no heading (C cites
# 30-41 and 43-53). 2014: 87 numbers; 2024: 185 + 1 = 186.
CITED_2014 = {n for numbers in HEADINGS_2014.values() for n in numbers}
CITED_2024 = {n for numbers in HEADINGS_2024.values() for n in numbers} | {"42"}


@lru_cache(maxsize=None)
def _segmented(path: Path):
    document = read_document(path)
    info = detect_document(document)
    return info, segment_document(document, info)


# --- the number lists -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "numbers", "rest"), [
    ("1, 5, 7–9, 11–12, 158–160)", _numbers(1, 5, 7, 8, 9, 11, 12, 158, 159, 160), ")"),
    ("95 and 96).", _numbers(95, 96), ")."),
    ("30–31, 54–\n57)", _numbers(30, 31, 54, 55, 56, 57), ")"),       # wrapped after the dash
    ("4, 9,\n12, 13", _numbers(4, 9, 12, 13), ""),                      # wrapped after a comma
    ("7 to 9 and 3-4", _numbers(7, 8, 9, 3, 4), ""),                    # "to", a hyphen
    ("128, 130, 133 and 201", _numbers(128, 130, 133, 201), ""),
    ("22, 23, 22–24; 5 & 6", _numbers(22, 23, 24, 5, 6), ""),           # first appearance, no duplicates
    ("15 on a national human rights institution", _numbers(15), "on a national human rights institution"),
    ("115.1–115.3, 116.2 and 117.4–6", ("115.1", "115.2", "115.3", "116.2", "117.4", "117.5", "117.6"), ""),
    ("4, 9–7", _numbers(4), "9–7"),                                     # a backward range is not read
    ("2019 and 2020", (), "2019 and 2020"),                             # years are no recommendation numbers
])
def test_number_lists(text, numbers, rest):
    assert parse_recommendation_numbers(text) == (numbers, rest)


def test_citations_in_running_text():
    assert text_citations("Slovenia considers that Recommendation 15 on a national human rights institution "
                          "is fulfilled")[0] == ("15",)
    assert text_citations("provided in the Voluntary Mid-term Report (Recommendations 95 and 96).")[0] == ("95", "96")
    assert text_citations("as set out in recommendations 30–31, 54–57 and in recommendation 31") == (
        _numbers(30, 31, 54, 55, 56, 57), ())
    # CEDAW's general recommendations, the Recommendation of a year, "the Recommendation": nothing cited.
    assert text_citations("General recommendation 35 of CEDAW; Recommendation 2003/8; the Recommendation.") == ((), ())
    assert text_citations("see recommendations 4, 9–7") == (("4",), ("recommendations 9–7",))


def test_wrapped_heading_loses_its_citation():
    heading = ("A. Rule of law: court backlogs, trial without undue delay, fair trial and ill treatment by law "
               "enforcement officials (recommendations 30–31, 54–57)")
    assert split_citation(heading) == (
        "A. Rule of law: court backlogs, trial without undue delay, fair trial and ill treatment by law enforcement "
        "officials", _numbers(30, 31, 54, 55, 56, 57), "")
    assert split_citation("A. International obligations (Recommendations 1, 5, 7–9)") == (
        "A. International obligations", _numbers(1, 5, 7, 8, 9), "")
    assert split_citation("LGBTI") == ("LGBTI", (), "")
    assert split_citation("B. Women (recommendations 4, 9 of CEDAW)")[2] == "of CEDAW"
    assert split_citation("B. Women (recommendations see annex)")[2] == "(recommendations see annex)"


# --- detection on text alone ------------------------------------------------------------------------------

def _text_document(*lines: str) -> Document:
    return Document(Path("x.pdf"), "0" * 64, "pdf", (Page(1, tuple(lines)),), ())


def test_national_report_is_detected_from_its_symbol():
    info = detect_document(_text_document(
        "Human Rights Council", "Working Group on the Universal Periodic Review", "Forty-eighth session",
        "National report submitted pursuant to Human Rights", "Council resolutions 5/1 and 16/21*", "Slovenia",
        "United Nations A/HRC/WG.6/48/SVN/1", "General Assembly Distr.: General", "30 October 2024"))
    assert (info.document_type, info.body, info.symbol, info.country, info.date, info.year, info.session) == (
        DocumentType.NATIONAL_REPORT, "UPR", "A/HRC/WG.6/48/SVN/1", "Slovenia", "2024-10-30", "2024", "48")
    assert "national report" in info.reason


def test_national_report_without_a_symbol_is_known_by_its_title():
    # The State's name six lines under "Periodic Review": found after the title's last line instead.
    info = detect_document(_text_document(
        "Working Group on the Universal Periodic Review", "Twentieth session", "27 October–7 November 2014",
        "National report submitted in accordance with", "paragraph 5 of the annex to Human Rights",
        "Council resolution 16/21*", "Slovenia", "15 August 2014"))
    assert (info.document_type, info.country, info.year) == (DocumentType.NATIONAL_REPORT, "Slovenia", "2014")


def test_mid_term_report_is_a_national_report():
    info = detect_document(_text_document(
        "Voluntary Mid-term Report", "Slovenia", "on the implementation of the recommendations of the third cycle",
        "of the Universal Periodic Review", "17 March 2022"))
    assert (info.document_type, info.body, info.country, info.year) == (
        DocumentType.NATIONAL_REPORT, "UPR", "Slovenia", "2022")
    assert "mid-term" in info.reason


def test_working_group_report_that_lists_the_national_report_stays_a_working_group_report():
    info = detect_document(_text_document(
        "Report of the Working Group on the Universal Periodic Review*", "Slovenia", "United Nations A/HRC/43/15",
        "1. The Working Group ... held its thirty-fourth session", "(a) A national report submitted in accordance "
        "with paragraph 15 (a) (A/HRC/WG.6/34/SVN/1);"))
    assert info.document_type is DocumentType.UPR_REPORT


# --- the real reports -------------------------------------------------------------------------------------

@needs_reports
@pytest.mark.parametrize(("path", "symbol", "year", "date", "session"), [
    (REPORT_2014, "A/HRC/WG.6/20/SVN/1", "2014", "2014-08-15", "20"),
    (REPORT_2024, "A/HRC/WG.6/48/SVN/1", "2024", "2024-10-30", "48"),
])
def test_real_reports_are_detected(path, symbol, year, date, session):
    info, _ = _segmented(path)
    assert (info.document_type, info.body, info.symbol, info.country, info.year, info.date, info.session) == (
        DocumentType.NATIONAL_REPORT, "UPR", symbol, "Slovenia", year, date, session)


def _heading_citations(evidence) -> dict[str, set[tuple[str, ...]]]:
    found: dict[str, set[tuple[str, ...]]] = {}
    for paragraph in evidence:
        if paragraph.cited_by == "heading":     # cited holds the heading's numbers alone
            found.setdefault(paragraph.heading, set()).add(paragraph.cited)
    return found


@needs_reports
@pytest.mark.parametrize(("path", "paragraphs", "headings", "extra"), [
    (REPORT_2014, 106, HEADINGS_2014, {}),
    # "LGBTI" (bold, unnumbered) stands under C: its paragraphs keep C's citation.
    (REPORT_2024, 151, HEADINGS_2024, {"LGBTI": HEADINGS_2024["C. Non-discrimination and elimination of hate speech"]}),
])
def test_every_paragraph_and_every_citing_heading(path, paragraphs, headings, extra):
    _, segmented = _segmented(path)
    assert segmented.problems == ()
    assert segmented.recommendations == ()
    assert [p.paragraph for p in segmented.evidence] == [str(n) for n in range(1, paragraphs + 1)]
    assert {p.speaker for p in segmented.evidence} == {"State"}
    assert _heading_citations(segmented.evidence) == {h: {numbers} for h, numbers in {**headings, **extra}.items()}


@needs_reports
@pytest.mark.parametrize(("path", "expected", "count"), [(REPORT_2014, CITED_2014, 87), (REPORT_2024, CITED_2024, 186)])
def test_union_of_cited_numbers(path, expected, count):
    _, segmented = _segmented(path)
    assert {n for p in segmented.evidence for n in p.cited} == expected
    assert len(expected) == count


@needs_reports
def test_2024_paragraph_8_cites_recommendation_15_in_its_text():
    _, segmented = _segmented(REPORT_2024)
    paragraph = segmented.evidence[7]
    assert (paragraph.paragraph, paragraph.page, paragraph.cited_by) == ("8", 2, "heading+text")
    assert paragraph.cited == _numbers(14, 15, 16, 17, 161)
    assert paragraph.heading == "B. Institutional framework of human rights protection"
    assert paragraph.text.startswith("Slovenia considers that Recommendation 15 on a national human rights")


@needs_reports
def test_2024_notes_cite_for_the_paragraph_that_carries_their_mark():
    evidence = {p.paragraph: p for p in _segmented(REPORT_2024)[1].evidence}
    # 11 carries note 3 "(Recommendation 16)"; 93 notes 30 and 31 "(Recommendation 196)", "(Recommendation 42)";
    # 108 note 36 "(Recommendations 110 and 111)"; 115 note 37 "(Recommendations 78, 79 and 176)".
    assert (evidence["11"].cited_by, evidence["11"].cited) == ("heading+text", _numbers(14, 15, 16, 17, 161))
    assert evidence["93"].cited == (*HEADINGS_2024["I. Persons with disabilities"], "42")
    assert evidence["93"].cited_by == "heading+text"
    assert evidence["108"].cited_by == evidence["115"].cited_by == "heading+text"
    # Under no citing heading, citing nothing: 1-3 (Introduction), 140-151 (challenges, pledges ...).
    assert [p for p in ("1", "2", "3", "140", "151") if evidence[p].cited or evidence[p].cited_by] == []
    assert evidence["1"].heading == "I. Introduction"
    # Marks out of the text, the masthead's "Notes" off the last paragraph.
    assert "UN OHCHR a voluntary mid-term report" in evidence["1"].text
    assert evidence["151"].text.endswith("improving the human rights situation.")


@needs_reports
def test_2014_sub_heading_replaces_its_parents_citation():
    evidence = {p.paragraph: p for p in _segmented(REPORT_2014)[1].evidence}
    assert evidence["42"].cited == HEADINGS_2014["B. Anti-discrimination measures"]
    assert evidence["43"].cited == HEADINGS_2014["1. Gender equality and empowerment of women"]
    assert evidence["72"].heading == "C. Violence against women and domestic violence"
    # Before the first citing heading: no citation ("II. Developments regarding the normative ...").
    assert evidence["30"].cited == () and evidence["30"].heading.startswith("II. Developments regarding")


@needs_reports
def test_2014_text_is_clean_and_tables_are_left_out():
    evidence = {p.paragraph: p for p in _segmented(REPORT_2014)[1].evidence}
    assert "Criminal Code, which entered into force in May 2012" in evidence["4"].text      # "Code1 , which"
    assert "at least a 40% share of women" in evidence["45"].text                           # "40%40share"
    assert "as of 1 January 2010. Since" in evidence["33"].text                             # "201036."
    # 33 runs on after the table at the foot of page 8; the table's rows and caption belong to no paragraph.
    assert "50 fewer judges compared to 2010, while the trend" in evidence["33"].text
    assert not any("30.12.2008" in p.text or "Table 1" in p.text for p in evidence.values())
    # 29's list of treaties is its own; 14 ends on the next block's "work17.".
    assert evidence["29"].text.endswith("(ILO Convention 187); ratified on 10 February 2014.")
    assert evidence["14"].text.endswith("labour market segmentation is student work.")


@needs_reports
def test_pipeline_passes_the_evidence_on():
    result = process_document(REPORT_2024, REPORTS)
    assert (result.status, len(result.evidence), result.problems) == (Status.OK, 151, ())


# --- layouts the real reports do not have -----------------------------------------------------------------

def _blocks_document(*blocks: Block) -> Document:
    page = Page(1, tuple(line for block in blocks for line in block.text.split("\n")))
    return Document(Path("x.pdf"), "0" * 64, "pdf", (page,), blocks)


def test_headings_without_bold_their_citation_lines_and_an_unreadable_citation():
    segmented = segment_national_report(_blocks_document(
        Block("II. Implementation", 1),
        Block("A. International obligations", 1),
        Block("(Recommendations 1, 5, 7–9)", 1),
        Block("1. Slovenia ratified the Convention.", 1),
        Block("B. Persons transferred from the Register of Permanent Residents to the", 2),
        Block("register of aliens (recommendations 77–83, 85–87)", 2),
        Block("2. The Act was amended (see recommendations 80 and 81).", 2),
        Block("C. Women (recommendations 4, 9 of CEDAW)", 2),
        Block("3. A strategy was adopted.", 2),
        Block("D. Children (recommendations 9–", 3),        # broken after the dash
        Block("12, 50)", 3),
        Block("4. Children are protected.", 3),
        Block("Notes", 3),
        Block("5. Not a paragraph.", 3),
    ), info=None)
    first, second, third, fourth = segmented.evidence
    assert (first.heading, first.cited, first.cited_by) == ("A. International obligations", _numbers(1, 5, 7, 8, 9),
                                                            "heading")
    assert second.heading == "B. Persons transferred from the Register of Permanent Residents to the register of aliens"
    assert (second.cited, second.cited_by) == (_numbers(_span(77, 83), _span(85, 87)), "heading+text")
    assert (third.heading, third.cited, third.cited_by) == ("C. Women", ("4", "9"), "heading")
    assert (fourth.heading, fourth.cited) == ("D. Children", _numbers(9, 10, 11, 12, 50))
    [problem] = segmented.problems
    assert (problem.kind, problem.page) == ("citation", 2)
    assert "C. Women (recommendations 4, 9 of CEDAW)" in problem.reason and "of CEDAW" in problem.reason
    assert "by hand" in problem.action


def test_a_citing_note_whose_mark_is_in_no_paragraph_is_reported():
    segmented = segment_national_report(_blocks_document(
        Block("I. Introduction1", 1, bold=True),
        Block("1. Slovenia reports.", 1),
        Block("1 See the mid-term report (Recommendation 28).", 1, BlockKind.FOOTNOTE),
    ), info=None)
    assert segmented.evidence[0].cited == ()
    [problem] = segmented.problems
    assert problem.kind == "citation" and "footnote 1 cites recommendations 28" in problem.reason


def test_a_document_without_numbered_paragraphs_is_one_problem():
    segmented = segment_national_report(_blocks_document(Block("Slovenia has done a lot.", 1)), info=None)
    assert segmented.evidence == ()
    assert [p.kind for p in segmented.problems] == ["no_paragraphs"]
