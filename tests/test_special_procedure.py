"""Special-procedure reports: constructed country-visit reports (no real one is in the project's data).

``fixtures/special-procedures/`` holds two reports written for these tests
with the structure of real HRC visit reports (see the comment inside each):
an HTML report whose recommendations are grouped by addressee under
"B. Recommendations", and an older plain-text layout where the section
"Conclusions and recommendations" is neither sub-divided nor bold. The
broken variants are built here from them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rectrack.extractors.detect import detect_document
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import DocumentType, Position, Status
from rectrack.extractors.segment import Segmented, segment_document

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "special-procedures"
VISIT = FIXTURES / "visit-report-A_HRC_99_45_Add.2.html"
MISSION = FIXTURES / "mission-report-A_HRC_98_30_Add.1.txt"
JUDGES = "Special Rapporteur on the independence of judges and lawyers"
OLDER = "Independent Expert on the enjoyment of all human rights by older persons"


def _segment(path: Path) -> Segmented:
    document = read_document(path)
    return segment_document(document, detect_document(document))


def _variant(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, f"the fixture no longer contains {old!r}"
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(("path", "expected"), [
    (VISIT, ("A/HRC/99/45/Add.2", JUDGES, "Tajikistan", "2025")),
    (MISSION, ("A/HRC/98/30/Add.1", OLDER, "Uzbekistan", "2024")),
])
def test_cover_is_detected_with_the_mandate_as_body(path, expected):
    info = detect_document(read_document(path))
    assert info.document_type is DocumentType.SPECIAL_PROCEDURE_REPORT
    assert (info.symbol, info.body, info.country, info.year) == expected


def test_recommendations_grouped_by_addressee():
    rows = _segment(VISIT).recommendations
    assert [(r.paragraph, r.addressee) for r in rows] == [
        ("10 (a)", "the Government"), ("10 (b)", "the Government"), ("10 (c)", "the Government"),
        ("11", "the Government"), ("12", "the international community"), ("13", "civil society"),
        ("14 (a)", "the United Nations"), ("14 (b)", "the United Nations"),
    ]
    assert [r.heading for r in rows][3:6] == [
        "Recommendations to the Government", "Recommendations to the international community",
        "Recommendations to civil society"]
    assert all(r.source == JUDGES and r.position is Position.UNKNOWN and not r.follow_up for r in rows)
    assert _segment(VISIT).problems == ()


def test_lettered_items_with_lead_in_and_sub_items():
    rows = {r.paragraph: r for r in _segment(VISIT).recommendations}
    assert rows["10 (a)"].context == "The Special Rapporteur recommends that the Government:"
    assert rows["10 (a)"].text == ("Amend the Constitution and the Constitutional Law on Courts so that the Council "
                                   "of Justice is composed of a majority of judges elected by their peers.")
    # (i) and (ii) under (c) are part of item (c), not items of paragraph 10.
    assert rows["10 (c)"].text == (
        "Guarantee the security of tenure of judges, in particular by: (i) Appointing judges until the age of "
        "retirement; (ii) Ensuring that disciplinary proceedings against judges are conducted by an independent "
        "body and subject to judicial review.")
    assert rows["11"].context == "" and rows["11"].text.startswith("The Government should transfer")


def test_only_the_recommendations_part_counts_when_there_is_one():
    """Paragraph 9 ("the authorities should respect it") is a conclusion; 6 a finding; annex items are lists."""
    paragraphs = {r.paragraph.split(" ")[0] for r in _segment(VISIT).recommendations}
    assert paragraphs == {"10", "11", "12", "13", "14"}


def test_undivided_section_is_read_by_wording():
    rows = _segment(MISSION).recommendations
    assert [r.paragraph for r in rows] == ["7 (a)", "7 (b)", "7 (c)", "8", "9"]
    assert {(r.heading, r.addressee, r.source) for r in rows} == {("Conclusions and recommendations", "", OLDER)}
    assert rows[2].text == "Adopt a national strategy on long-term care, with home-based and community-based services."
    assert rows[4].text == ("The Independent Expert urges the Government to support the elaboration of an "
                            "international legal instrument on the human rights of older persons.")


def test_bold_recommendations_without_sub_headings(tmp_path):
    """A layout that marks recommendations only by bold: paragraph 9 ("should", not bold) is left out."""
    text = VISIT.read_text(encoding="utf-8")
    text = re.sub(r"<h[34]>(?:B\. Recommendations|\d\. Recommendations to [^<]+)</h[34]>\n", "", text)
    text = re.sub(r"<p>((?:1[0-4]\.|\([a-z]+\)) [^<]+)</p>", r"<p><b>\1</b></p>", text)
    path = tmp_path / VISIT.name
    path.write_text(text, encoding="utf-8")
    rows = _segment(path).recommendations
    assert [r.paragraph for r in rows] == ["10 (a)", "10 (b)", "10 (c)", "11", "12", "13", "14 (a)", "14 (b)"]
    assert {r.addressee for r in rows} == {""} and {r.heading for r in rows} == {"Conclusions"}


def test_report_without_the_section_gives_a_problem(tmp_path):
    path = _variant(tmp_path, MISSION, "IV. Conclusions and recommendations", "IV. Closing remarks")
    result = process_document(path, tmp_path)
    assert result.info.document_type is DocumentType.SPECIAL_PROCEDURE_REPORT
    assert result.recommendations == () and result.status is Status.PARTIAL
    assert [(p.kind, p.document) for p in result.problems] == [("no_recommendations_section", path.name)]


def test_section_that_recommends_nothing_gives_a_problem(tmp_path):
    text = MISSION.read_text(encoding="utf-8")
    cut = text[text.index("7. The Independent Expert recommends"):text.index("10. The Independent Expert stands")]
    path = _variant(tmp_path, MISSION, cut, "")
    segmented = _segment(path)
    assert segmented.recommendations == ()
    [problem] = segmented.problems
    assert problem.kind == "no_recommendations" and "3 numbered paragraphs" in problem.reason


def test_lost_item_is_reported(tmp_path):
    path = _variant(tmp_path, VISIT, "<p>(b) Establish transparent", "<p>Establish transparent")
    segmented = _segment(path)
    assert [r.paragraph for r in segmented.recommendations][:2] == ["10 (a)", "10 (c)"]
    [problem] = segmented.problems
    assert (problem.kind, problem.reason) == ("item_sequence", "paragraph 10: item (c) follows (a), expected (b)")


def test_pipeline_keeps_the_rows():
    result = process_document(VISIT, FIXTURES)
    assert result.status is Status.OK and len(result.recommendations) == 8
    assert result.info.body == JUDGES
