"""UPR Working Group reports: segmentation of every layout in data/samples/upr.

Expectations are read off the documents themselves: the last item number
printed under each lead-in paragraph, the lead-in's wording (position), the
States in the parentheses.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from rectrack.extractors.detect import detect_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import DocumentType, Position
from rectrack.extractors.segment import segment_document
from rectrack.extractors.reference.states import canonical_state, parse_state_list

ROOT = Path(__file__).resolve().parents[1]
UPR = ROOT / "data" / "samples" / "upr"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

S, P, N = Position.SUPPORTED, Position.PENDING, Position.NOTED

# file -> {lead-in paragraph: (last item number printed, position)}
SECTIONS = {
    "afghanistan2014.pdf": {136: (178, S), 137: (34, P), 138: (12, N)},
    "algeria2008.pdf": {69: (17, S)},
    "china2013.pdf": {186: (252, P)},
    "egypt2014.pdf": {166: (300, P)},
    "slovenia2010-A_HRC_14_15.pdf": {111: (97, P)},
    "slovenia2019-A_HRC_43_15.pdf": {121: (58, S), 122: (157, P)},
    "tajikistan2011.pdf": {88: (70, S), 89: (4, S), 90: (50, P), 91: (4, N)},
    "unitedkingdom2012.pdf": {110: (132, P)},
}
# file -> (symbol, country, year, UPR session) as printed on the cover / in paragraph 1
COVERS = {
    "afghanistan2014.pdf": ("A/HRC/26/4", "Afghanistan", "2014", "18"),
    "algeria2008.pdf": ("A/HRC/8/29", "Algeria", "2008", "1"),
    "china2013.pdf": ("A/HRC/25/5", "China", "2013", "17"),
    "egypt2014.pdf": ("A/HRC/28/16", "Egypt", "2014", "20"),
    "slovenia2010-A_HRC_14_15.pdf": ("A/HRC/14/15", "Slovenia", "2010", "7"),
    "slovenia2019-A_HRC_43_15.pdf": ("A/HRC/43/15", "Slovenia", "2019", "34"),
    "tajikistan2011.pdf": ("A/HRC/19/3", "Tajikistan", "2011", "12"),
    "unitedkingdom2012.pdf": ("A/HRC/21/9", "United Kingdom of Great Britain and Northern Ireland", "2012", "13"),
}


@lru_cache(maxsize=None)
def _segmented(name: str):
    document = read_document(UPR / name)
    info = detect_document(document)
    return info, segment_document(document, info)


@pytest.mark.parametrize("name", sorted(COVERS))
def test_cover_is_detected(name):
    info, _ = _segmented(name)
    assert info.document_type is DocumentType.UPR_REPORT
    assert info.body == "UPR"
    assert (info.symbol, info.country, info.year, info.session) == COVERS[name]


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_every_item_found_once_with_its_position(name):
    _, segmented = _segmented(name)
    found: dict[int, set[int]] = defaultdict(set)
    positions: dict[int, set[Position]] = defaultdict(set)
    for rec in segmented.recommendations:
        if "." not in rec.paragraph:
            continue   # a dialogue paragraph the conclusions refer to (test below)
        top, sub = rec.paragraph.split(".")
        found[int(top)].add(int(sub))
        positions[int(top)].add(rec.position)
    expected = SECTIONS[name]
    assert set(found) == set(expected)
    for top, (last, position) in expected.items():
        assert found[top] == set(range(1, last + 1)), f"{name}: gaps or extras under {top}"
        assert positions[top] == {position}


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_recommendations_are_clean(name):
    _, segmented = _segmented(name)
    seen = set()
    for rec in segmented.recommendations:
        assert rec.recommending_states, f"{rec.paragraph} has no recommending State"
        assert all(canonical_state(s) == s for s in rec.recommending_states)
        assert not re.search(r"A\s*/\s*HRC|GE\.\d\d-|\bPage \d+|will not be edited|have not been edited", rec.text)
        assert not re.match(r"\d+\.\d*", rec.text), rec.text      # no paragraph number left
        assert not rec.text.endswith((";", ".", ",")), rec.text
        last_parenthesis = re.search(r"\(([^()]*)\)$", rec.text)
        assert not (last_parenthesis and parse_state_list(last_parenthesis.group(1))), rec.text
        assert "\n" not in rec.text and "\x02" not in rec.text and "\ufffe" not in rec.text
        assert rec.page >= 1
        key = (rec.paragraph, rec.text)
        assert key not in seen, f"duplicate {key}"
        seen.add(key)


def test_slovenia_2019_has_215_numbered_recommendations():
    _, segmented = _segmented("slovenia2019-A_HRC_43_15.pdf")
    paragraphs = {rec.paragraph for rec in segmented.recommendations}
    assert len(paragraphs) == 215
    first = segmented.recommendations[0]
    assert first.paragraph == "121.1"
    assert first.recommending_states == ("France", "Lithuania")
    assert first.text == ("Ratify the International Convention for the Protection of All Persons "
                          "from Enforced Disappearance")


def test_paragraph_with_several_recommendations_gives_one_row_each():
    _, segmented = _segmented("tajikistan2011.pdf")
    rows = [r for r in segmented.recommendations if r.paragraph == "90.10"]
    assert [r.recommending_states for r in rows] == [
        ("Czech Republic", "Switzerland"), ("Hungary",), ("Belgium", "France")]
    assert rows[2].text == "Ratify the Second Optional Protocol to ICCPR as soon as possible"
    assert rows[0].page == 18


def test_footnote_marker_is_not_part_of_a_state_name():
    _, segmented = _segmented("tajikistan2011.pdf")
    (row,) = [r for r in segmented.recommendations if r.paragraph == "90.26"]
    assert row.recommending_states == ("Romania",)


def test_states_listed_in_separate_parentheses_egypt_2014():
    _, segmented = _segmented("egypt2014.pdf")
    by_paragraph = {r.paragraph: r for r in segmented.recommendations}
    assert by_paragraph["166.4"].recommending_states == ("Sierra Leone", "Chile")
    assert by_paragraph["166.4"].text == "Ratify ICCPR-OP2"
    assert by_paragraph["166.7"].recommending_states == (
        "Chile", "Czech Republic", "Sierra Leone", "Switzerland", "Togo", "Tunisia")
    # A page break and a footnote fall inside 166.18 in the PDF.
    assert by_paragraph["166.18"].text.endswith("and work to lift the reservation on article 16 of CEDAW")


def test_merged_wording_slovenia_2010():
    _, segmented = _segmented("slovenia2010-A_HRC_14_15.pdf")
    first = segmented.recommendations[0]
    assert first.paragraph == "111.1"
    assert first.recommending_states == ("Algeria", "Egypt", "Bosnia and Herzegovina", "Argentina")
    assert first.text == ("To examine the possibility of joining/sign and ratify/ratify/consider the "
                          "ratification of the Convention on Migrant Workers and Members of Their Families")


def test_recommendations_noted_elsewhere_are_taken_from_the_dialogue_algeria_2008():
    """A/HRC/8/29, paragraph 70: "Other recommendations noted in the report in paragraphs 45,
    55, 56, last sentence, and 63 above did not enjoy the support of Algeria."

    Read off the report: 45 has three "recommended" clauses by Canada (review the Family
    Code, lift the CEDAW reservations, review the Charter); 55 one by Belgium; 56 is
    Slovenia's questions, whose last one is about the CEDAW reservations; 63 has three by
    the Netherlands ("recommended", "it recommended", "Finally, it recommended").
    """
    _, segmented = _segmented("algeria2008.pdf")
    referred = [r for r in segmented.recommendations if "." not in r.paragraph]
    assert [(r.paragraph, r.recommending_states) for r in referred] == [
        ("45", ("Canada",))] * 3 + [("55", ("Belgium",)), ("56 (last sentence)", ("Slovenia",))] + [
        ("63", ("Netherlands",))] * 3
    assert {r.position for r in referred} == {Position.NOTED}
    assert referred[1].text == "Lift its reservations to CEDAW"
    assert "articles 2 and 16 of CEDAW" in referred[4].text
    assert referred[-1].text == "Further cooperation with special procedures"
    assert [(r.page) for r in referred] == [9, 9, 9, 10, 10, 11, 11, 11]
    assert segmented.problems == ()


def test_state_comments_are_not_recommendations():
    _, segmented = _segmented("tajikistan2011.pdf")
    assert not [r for r in segmented.recommendations if r.paragraph.startswith("92.")]


def _upr_info_rows():
    with (FIXTURES / "upr-info" / "tajikistan-session12.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_upr_info_row_for_tajikistan_matches_an_extracted_recommendation():
    """UPR Info's 150 labelled rows for A/HRC/19/3, each by one State.

    UPR Info sometimes trims a compound recommendation, so a row matches a
    recommendation of the same State whose text contains it (fuzzy partial
    ratio >= 80).
    """
    _, segmented = _segmented("tajikistan2011.pdf")
    rows = _upr_info_rows()
    assert len(rows) == 150
    unmatched = []
    for row in rows:
        state = canonical_state(row["From"])
        candidates = [r.text for r in segmented.recommendations if state in r.recommending_states]
        best = max((fuzz.partial_ratio(row["Text"].casefold(), t.casefold()) for t in candidates), default=0)
        if best < 80:
            unmatched.append((row["From"], row["Text"][:80], best))
    assert unmatched == []
