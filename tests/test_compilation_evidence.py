"""Evidence paragraphs of an OHCHR compilation (…/2) and a summary of stakeholders' submissions (…/3).

Expectations are read off the 2019 Slovenia documents (see each constant for how).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import Block, BlockKind, Document, DocumentInfo, DocumentResult, DocumentType
from rectrack.extractors.segment.compilation.citations import read_citation
from rectrack.extractors.segment.compilation.paragraphs import collect_footnotes
from rectrack.extractors.segment.compilation.segmenter import segment_compilation

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "compilations"
COMPILATION = SAMPLES / "slovenia2019-A_HRC_WG.6_34_SVN_2-un-compilation.pdf"
SUMMARY = SAMPLES / "slovenia2019-A_HRC_WG.6_34_SVN_3-stakeholders-summary.pdf"

# Numbered body paragraphs, counted on the text pypdfium2 gives (get_text_range, page by page) up to
# "Notes": lines opening with "N. " and a capital, less the numbered section headings ("1. Equality
# and non-discrimination14", "2. Civil and political rights"), whose numbers restart; the rest run
# without a gap: 1 ... 78 (compilation, last "78. The Committee on the Elimination of Racial
# Discrimination recommended ...", page 11) and 1 ... 79 (summary, last "79. CoE-Commissioner
# recommended that the authorities provide a way for those “erased” ...", page 10).
PARAGRAPHS = {COMPILATION: 78, SUMMARY: 79}

# Recommendations as process_document gave them before evidence was added: how many, and the
# sha256 of "paragraph\x1ftext" pairs joined by "\x1e", in order.
RECOMMENDATIONS = {
    COMPILATION: (75, "46e34a2a797345af7379d10e9864a29107b65d4417c98b52a15ce7ba78f1e7df"),
    SUMMARY: (59, "7ffc8655dd4011652004ca50b7b625a3e60b6636d42d3f732774f19b10f45fce"),
}

# Paragraphs that name no speaker and cite no known source: the Office's own words. Compilation:
# 1 (the report was prepared pursuant to ...) and 3 (Slovenia submitted its midterm report; note 7 is
# a web address). Summary: 1 (note 1 lists every submission, it names no one as the speaker).
FALLBACKS = {COMPILATION: ("UN", ["1", "3"]), SUMMARY: ("NGO", ["1"])}

# Footnotes citing paragraphs of the previous review's report, counted on the pypdfium2 text of the
# notes (get_text_range, pages 11-14): every note naming "A/HRC/28/15" followed by "para."/"paras.".
# Compilation: 15, all of them marked on section headings; 13 read "For relevant recommendations, see",
# notes 35 and 38 are singular ("For the relevant recommendation, see A/HRC/28/15, para. 115.128.", "For
# relevant the recommendation, see ..., para. 115.132."). Summary: 15 ("see" without a comma, note 21
# "recommandations"); 14 are marked on headings, note 4 ("For the recommendation see A/HRC/28/15 para.
# 115.18 (Turkey) ...") on the word "recommended" in paragraph 2, so no heading carries it.
CITING_NOTES = {
    COMPILATION: [2, 9, 14, 30, 35, 38, 41, 49, 55, 61, 72, 75, 84, 109, 126],
    SUMMARY: [3, 4, 9, 21, 39, 50, 54, 64, 71, 73, 76, 78, 82, 118, 133],
}
HEADING_CITATIONS = {COMPILATION: 15, SUMMARY: 14}


@lru_cache(maxsize=None)
def _result(path: Path) -> DocumentResult:
    return process_document(path, SAMPLES)


def _paragraph(path: Path, number: str):
    return next(item for item in _result(path).evidence if item.paragraph == number)


def test_the_documents_are_the_families_under_test() -> None:
    assert _result(COMPILATION).info.document_type is DocumentType.UN_COMPILATION
    assert _result(SUMMARY).info.document_type is DocumentType.STAKEHOLDER_SUMMARY


@pytest.mark.parametrize("path", [COMPILATION, SUMMARY], ids=["compilation", "summary"])
def test_one_evidence_paragraph_per_numbered_paragraph(path: Path) -> None:
    evidence = _result(path).evidence
    assert [item.paragraph for item in evidence] == [str(n) for n in range(1, PARAGRAPHS[path] + 1)]
    assert all(item.text.strip() and item.speaker and item.heading for item in evidence)
    assert {(bool(item.cited), item.cited_report, item.cited_by) for item in evidence} == {
        (False, "", ""), (True, "A/HRC/28/15", "heading")}
    pages = [item.page for item in evidence]
    assert pages == sorted(pages) and pages[0] == 1


@pytest.mark.parametrize("path", [COMPILATION, SUMMARY], ids=["compilation", "summary"])
def test_recommendations_are_as_before(path: Path) -> None:
    recommendations = _result(path).recommendations
    digest = hashlib.sha256("\x1e".join(f"{r.paragraph}\x1f{r.text}" for r in recommendations).encode()).hexdigest()
    assert (len(recommendations), digest) == RECOMMENDATIONS[path]


@pytest.mark.parametrize("path", [COMPILATION, SUMMARY], ids=["compilation", "summary"])
def test_only_paragraphs_that_name_no_one_fall_back(path: Path) -> None:
    fallback, paragraphs = FALLBACKS[path]
    assert [item.paragraph for item in _result(path).evidence if item.speaker == fallback] == paragraphs


def test_a_paragraph_that_recommends_is_also_evidence() -> None:
    # Summary 78 reports (JS2: previous recommendations not implemented); summary 79 recommends
    # ("CoE-Commissioner recommended that the authorities provide a way ...") and is evidence too.
    recommending = {r.paragraph for r in _result(SUMMARY).recommendations}
    assert "79" in recommending and "78" not in recommending
    item = _paragraph(SUMMARY, "79")
    assert item.text.startswith("CoE-Commissioner recommended that the authorities provide a way for those “erased”")
    assert item.text.endswith("CoE-ACFC and JS2 made similar recommendations.")
    assert (item.page, item.heading) == (10, "Stateless persons")


def test_the_text_is_clean() -> None:
    # "... Enforced Disappearance,3 the Optional Protocol ... Rights 4 and the Convention ... Statelessness. 5 The"
    text = _paragraph(COMPILATION, "2").text
    assert "Enforced Disappearance, the Optional Protocol" in text
    assert "Cultural Rights and the Convention on the Reduction of Statelessness. The Committee" in text
    assert text.endswith("of the International Labour Organization (ILO).")


@pytest.mark.parametrize("paragraph, speaker", [
    # "The Human Rights Ombudsman of the Republic of Slovenia (HRORS) and JS2 noted ... JS2 and the
    # Commissioner for Human Rights (CoE-Commissioner) recommended ..."
    ("3", "HRORS|JS2|CoE-Commissioner"),
    # "JS2 stated that despite accepted recommendations of the previous UPR ... CoE-Commissioner
    # noted that ... However, he stated ... CoE-Commissioner noted ..."
    ("78", "JS2|CoE-Commissioner"),
    # "Partnership in Truth for Peace and Reconcilation (PTPR) noted ... In this respect, PTPR recommended"
    ("22", "PTPR"),
    # "Joint Submission (JS) 1 reported ...": the text names no acronym; note 5 is "JS1, paras. 7 and 8."
    ("2", "JS1"),
    # "... the European Commission against Racism and Intolerance (CoEECRI) [a lost line-end hyphen] was
    # concerned ... In 2017, CoE-ECRI concluded ... AI explained ... HRORS and CoE-Commissioner made
    # similar observations."
    ("55", "CoE-ECRI|AI|HRORS|CoE-Commissioner"),
])
def test_summary_speakers(paragraph: str, speaker: str) -> None:
    assert _paragraph(SUMMARY, paragraph).speaker == speaker


@pytest.mark.parametrize("paragraph, speaker", [
    # "It was recommended that Slovenia ratify ...3 ...4 ...5 The Committee on Economic, Social and
    # Cultural Rights recommended ...6": the passive names no one; notes 3-6 cite CERD/, E/C.12/,
    # CEDAW/ and "UNHCR submission".
    ("2", "CESCR|CERD|CEDAW|UNHCR"),
    # "The Human Rights Committee regretted ... The United Nations High Commissioner for Human Rights
    # expressed similar concerns. He stated ..."
    ("62", "CCPR|OHCHR"),
    # "The Special Rapporteur on minority issues noted that while article 297 ...21" (note 21:
    # A/HRC/40/64/Add.1, a symbol no body owns).
    ("10", "Special Rapporteur on minority issues"),
])
def test_compilation_speakers(paragraph: str, speaker: str) -> None:
    assert _paragraph(COMPILATION, paragraph).speaker == speaker


def test_compilation_speakers_are_known_bodies() -> None:
    bodies = Counter(body for item in _result(COMPILATION).evidence for body in item.speaker.split("|"))
    assert set(bodies) == {
        "UN", "OHCHR", "CCPR", "CESCR", "CERD", "CEDAW", "CRPD", "ILO", "UNHCR", "UNESCO",
        "Special Rapporteur on minority issues",
        "Independent Expert on the enjoyment of all human rights by older persons",
    }


@lru_cache(maxsize=None)
def _footnotes(path: Path) -> dict[int, str]:
    return collect_footnotes(read_document(path))


def _cited(path: Path) -> dict[str, tuple[str, ...]]:
    return {item.paragraph: item.cited for item in _result(path).evidence}


def _numbers(prefix: str, first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{prefix}.{n}" for n in range(first, last + 1))


@pytest.mark.parametrize("path", [COMPILATION, SUMMARY], ids=["compilation", "summary"])
def test_every_citing_footnote_is_read_and_each_heading_citation_is_carried(path: Path) -> None:
    notes = _footnotes(path)
    assert [n for n, text in notes.items() if read_citation(text).report] == CITING_NOTES[path]
    assert {read_citation(notes[n]).report for n in CITING_NOTES[path]} == {"A/HRC/28/15"}
    carried = {item.cited for item in _result(path).evidence if item.cited}
    assert len(carried) == HEADING_CITATIONS[path]
    assert _result(path).problems == ()


def test_a_wrapped_list_is_expanded_whole() -> None:
    # Note 14 to "1. Equality and non-discrimination", paragraphs 8-14; the list breaks after "115.62–".
    expected = (*_numbers("115", 44, 47), *_numbers("115", 49, 58), *_numbers("115", 62, 70), "115.74",
                *_numbers("115", 76, 78), "115.81", "115.85", "115.87", "115.92", "115.93", "115.98", "115.103")
    assert len(expected) == 34
    cited = _cited(COMPILATION)
    assert {cited[str(n)] for n in range(8, 15)} == {expected}
    assert _paragraph(COMPILATION, "8").cited_report == "A/HRC/28/15"


def test_a_mistyped_first_end_takes_the_second_ends_prefix() -> None:
    # Note 41 to "4. Prohibition of all forms of slavery" (paragraphs 23-24): "paras. 151.119–115.127".
    cited = _cited(COMPILATION)
    assert cited["23"] == cited["24"] == _numbers("115", 119, 127)


def test_a_space_inside_a_number_and_a_wrapped_range() -> None:
    # Note 61 to "1. Women" (paragraphs 35-41): "115.105–115.111, 115. 23 and 115.59–" / "115.61."
    cited = _cited(COMPILATION)
    expected = (*_numbers("115", 105, 111), "115.23", "115.59", "115.60", "115.61")
    assert {cited[str(n)] for n in range(35, 42)} == {expected}


def test_a_heading_citation_holds_until_the_next_heading_of_its_level() -> None:
    # "C. Economic, social and cultural rights" (no note) and its sub-headings, pages 4-5: "1. Right to
    # work ..." (25) and "2. Right to social security" (26) have no note; "3. Right to an adequate
    # standard of living49" (27-29), "4. Right to health55" (30-32); "5. Right to education" (33-34) none.
    # Then "D. Rights of specific persons or groups" and "1. Women61" (35-41).
    cited = _cited(COMPILATION)
    assert [cited[str(n)] for n in range(25, 36)] == [
        (), (), *[_numbers("115", 135, 138)] * 3, *[_numbers("115", 141, 143)] * 3, (), (),
        (*_numbers("115", 105, 111), "115.23", "115.59", "115.60", "115.61"),
    ]
    untouched = [_paragraph(COMPILATION, str(n)) for n in (25, 26, 33, 34)]
    assert {(item.cited_report, item.cited_by) for item in untouched} == {("", "")}
    assert {_paragraph(COMPILATION, str(n)).cited_by for n in range(27, 33)} == {"heading"}


def test_a_heading_note_after_a_note_that_swallowed_the_next_ones() -> None:
    # Summary note 1 runs over two pages and says "from 28 March to 4 April, 2017": "4 April" was taken as
    # note 4, and notes 2 and 3 were lost in it. Note 3 is the citation of the heading "A. Scope of
    # international obligations2 and cooperation with international" / "human rights mechanisms and
    # bodies3" (broken over two blocks; note 2 lists abbreviations), paragraphs 2-4.
    notes = _footnotes(SUMMARY)
    assert notes[1].endswith("Presidential Election on 22 October, 2017, Warsaw, 20 December, 2017.")
    assert notes[2].startswith("The following abbreviations are used in UPR documents:")
    assert notes[3] == "For relevant recommendations see A/HRC/28/15, paras. 115.1, 115.17, and 115.18."
    assert notes[4].startswith("For the recommendation see A/HRC/28/15 para. 115.18 (Turkey)")
    cited = _cited(SUMMARY)
    assert [cited[str(n)] for n in range(1, 6)] == [
        (), *[("115.1", "115.17", "115.18")] * 3, ("115.22", *_numbers("115", 31, 39), "115.48")]


def test_summary_ranges_with_spaces_and_a_mistyped_second_end() -> None:
    cited = _cited(SUMMARY)
    # Note 21: "paras. 115.44 -115.47, 115.49 - 115.58, 115.62–" / "115.70, ..."; the same list as the
    # compilation's note 14.
    assert cited["9"][:24] == (*_numbers("115", 44, 47), *_numbers("115", 49, 58), *_numbers("115", 62, 70), "115.74")
    assert cited["9"] == _cited(COMPILATION)["8"]
    # Note 64: "para. 115.135–113.137". The end that agrees with the document's other citations (115.x)
    # gives the prefix: 115.135-115.137.
    assert cited["35"] == _numbers("115", 135, 137)


@pytest.mark.parametrize("note, report, numbers", [
    ("For relevant recommendations, see A/HRC/28/15, paras. 115.44–47 and 115.9.", "A/HRC/28/15",
     ("115.44", "115.45", "115.46", "115.47", "115.9")),
    ("For relevant recommendations see A/HRC/ 28/15, paras 115.2, 115.1; 115.2 - 115.3.", "A/HRC/28/15",
     ("115.2", "115.1", "115.3")),
    ("For the relevant recommendation, see A/HRC/19/3, para. 89.12.", "A/HRC/19/3", ("89.12",)),
    ("Tables containing information on the scope of international obligations ...", "", ()),
    ("CCPR/C/SVN/CO/3, paras. 27–28.", "", ()),
])
def test_read_citation(note: str, report: str, numbers: tuple[str, ...]) -> None:
    citation = read_citation(note)
    assert (citation.report, citation.numbers, citation.unread) == (report, numbers, ())


def _synthetic(*blocks: Block) -> Document:
    return Document(path=Path("synthetic.pdf"), sha256="0" * 64, format="pdf", pages=(), blocks=blocks)


def test_a_sub_heading_keeps_its_parents_citation_unless_it_has_its_own() -> None:
    document = _synthetic(
        Block("I. Equality1", 1, bold=True),
        Block("1. The Committee noted that equality was lacking.", 1),
        Block("A. Women", 1, bold=True),
        Block("2. The Committee noted that women were paid less.", 1),
        Block("B. Children2", 1, bold=True),
        Block("3. UNICEF noted that children were poor.", 1),
        Block("C. Persons with disabilities", 1, bold=True),
        Block("4. The Committee noted that buildings were not accessible.", 1),
        Block("II. Other matters", 2, bold=True),
        Block("5. The Committee noted something else.", 2),
        Block("1 For relevant recommendations, see A/HRC/28/15, paras. 115.1–115.3.", 1, BlockKind.FOOTNOTE),
        Block("2 For relevant recommendations, see A/HRC/28/15, para. 115.9 and 115.7–115.5.", 1, BlockKind.FOOTNOTE),
    )
    segmented = segment_compilation(document, DocumentInfo(DocumentType.UN_COMPILATION, country="Slovenia"))
    parent = ("115.1", "115.2", "115.3")
    assert [(e.paragraph, e.cited, e.cited_report, e.cited_by) for e in segmented.evidence] == [
        ("1", parent, "A/HRC/28/15", "heading"),
        ("2", parent, "A/HRC/28/15", "heading"),       # "A. Women" cites nothing: its parent's holds
        ("3", ("115.9",), "A/HRC/28/15", "heading"),   # "B. Children" cites: its own replaces it
        ("4", parent, "A/HRC/28/15", "heading"),
        ("5", (), "", ""),                             # "II." ends "I."
    ]
    # The backwards range "115.7–115.5" is not expanded: a problem quoting the note, once.
    (problem,) = [p for p in segmented.problems if p.kind == "citation"]
    assert "footnote 2" in problem.reason and "115.7–115.5" in problem.reason and '"Children"' in problem.reason
    assert problem.page == 1 and "check the footnote" in problem.action
