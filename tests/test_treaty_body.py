"""Treaty-body concluding observations: CERD/C/BRA/CO/18-20 (Brazil, 2022).

Expectations are read off the document itself: the bold recommending
paragraphs and their lettered items, the headings they stand under, the
follow-up paragraph 68. Broken variants are built here from the same
document (a recommendation left unbolded, a concern set in bold, an item
lost, a paragraph lost, all recommendations removed).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest

from rectrack.extractors.detect import detect_document
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import Block, BlockKind, Document, DocumentType, Position, Status
from rectrack.extractors.segment import Segmented, segment_document
from rectrack.extractors.segment.un.treaty_body import segment_treaty_body
from rectrack.extractors.segment.un.wording import paragraph_references

ROOT = Path(__file__).resolve().parents[1]
BRAZIL = ROOT / "data" / "samples" / "treaty-bodies" / "brazil2022-CERD_C_BRA_CO_18-20.pdf"
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden" / \
    "treaty-body-brazil2022-CERD_C_BRA_CO_18-20-pages-2-3.json"

# Recommending paragraph -> its lettered items, as printed in bold (section C and "Other recommendations").
ITEMS = {
    "6": "", "8": "abc", "10": "", "12": "", "14": "", "17": "abcdef", "19": "abc", "23": "abcdef",
    "25": "", "27": "abc", "29": "", "31": "abcdef", "33": "abc", "36": "abcdefgh", "38": "", "40": "abcd",
    "42": "", "44": "abcde", "46": "", "48": "abcde", "50": "abcd", "53": "", "55": "", "57": "", "60": "abcde",
    "61": "", "62": "", "63": "", "64": "", "65": "", "66": "", "67": "", "70": "",
}
# Paragraph 68: "... information on its implementation of the recommendations contained in
# paragraphs 17 (a) (...), 19 (c) (...), 23 (a) (...) and 36 (a)–(d) (...)."
FOLLOW_UP = {"17 (a)", "19 (c)", "23 (a)", "36 (a)", "36 (b)", "36 (c)", "36 (d)"}


@lru_cache(maxsize=1)
def _document() -> Document:
    return read_document(BRAZIL)


@lru_cache(maxsize=1)
def _segmented() -> Segmented:
    document = _document()
    return segment_document(document, detect_document(document))


def _rows() -> dict[str, object]:
    return {row.paragraph: row for row in _segmented().recommendations}


def _segment(document: Document) -> Segmented:
    return segment_treaty_body(document, detect_document(document))


def _with_blocks(blocks) -> Document:
    return replace(_document(), blocks=tuple(blocks))


def _block_index(start: str) -> int:
    return next(i for i, block in enumerate(_document().blocks) if block.text.startswith(start))


def test_cover_is_detected():
    info = detect_document(_document())
    assert info.document_type is DocumentType.TREATY_BODY_OBSERVATIONS
    assert (info.symbol, info.body, info.country, info.year) == ("CERD/C/BRA/CO/18-20", "CERD", "Brazil", "2022")


def test_every_recommending_paragraph_and_item_once():
    found: dict[str, list[str]] = defaultdict(list)
    for row in _segmented().recommendations:
        number, _, letter = row.paragraph.partition(" ")
        found[number].append(letter.strip("()"))
    assert {number: "".join(letters) for number, letters in found.items()} == ITEMS | {"17": "abcdef"}
    # 33 recommending paragraphs, 61 lettered items, and the lead-in of 17 that recommends on its own.
    assert len(ITEMS) == 33 and sum(len(letters) for letters in ITEMS.values()) == 61
    assert len(_segmented().recommendations) == 20 + 61 + 1
    assert _segmented().problems == ()


def test_paragraphs_that_note_welcome_or_point_elsewhere_give_no_row():
    rows = _rows()
    for number in ("2", "3", "5", "7", "9", "16", "26", "30", "59"):  # welcome, notes, concern
        assert not any(paragraph.split(" ")[0] == number for paragraph in rows)
    assert not any(paragraph.split(" ")[0] in ("68", "69") for paragraph in rows)  # follow-up, importance


def test_follow_up_paragraph_marks_the_items_it_names():
    assert {row.paragraph for row in _segmented().recommendations if row.follow_up} == FOLLOW_UP
    assert not _rows()["17"].follow_up  # "17 (a)" names the item, not the lead-in's own recommendation


def test_paragraph_references_of_the_follow_up_and_importance_wording():
    assert paragraph_references(
        "the Committee requests the State party to provide, within one year of the adoption of the present "
        "concluding observations, information on its implementation of the recommendations contained in "
        "paragraphs 17 (a) (right to health and the impact of the COVID-19 pandemic), 19 (c) (disparities in "
        "access to education), 23 (a) (poverty, work and income) and 36 (a)–(d) (excessive use of force by "
        "law enforcement and military officials).") == {
        "17": ("a",), "19": ("c",), "23": ("a",), "36": ("a", "b", "c", "d")}
    assert paragraph_references(
        "the particular importance of the recommendations contained in paragraphs 17 (b)–(c) and (e)–(f) "
        "(right to health), 23 (poverty, work and income), 27 (c) (political representation) above") == {
        "17": ("b", "c", "e", "f"), "23": (), "27": ("c",)}


def test_rows_carry_heading_context_source_and_no_position():
    rows = _rows()
    assert all(row.position is Position.UNKNOWN and row.source == "CERD" for row in rows.values())
    assert all(not row.recommending_states and not row.addressee for row in rows.values())
    assert rows["61"].heading == "Ratification of other treaties"
    assert rows["36 (h)"].context == ("The Committee recommends that the State party take immediate and decisive "
                                      "action to end the excessive and lethal use of force by law enforcement and "
                                      "military officials, including by:")
    assert rows["36 (h)"].text == ("Consulting with representatives of Afro-Brazilian communities on all measures "
                                   "to address police brutality.")
    assert (rows["36 (h)"].page, rows["36 (h)"].heading) == (
        10, "Excessive use of force by law enforcement and military officials")


def test_lead_in_that_recommends_before_its_items_is_a_row_of_its_own():
    row = _rows()["17"]
    assert (row.page, row.context) == (4, "")
    assert row.text == (
        "The Committee recommends that the State party take all necessary measures to ensure the full and "
        "effective implementation of the National Comprehensive Health Policy for the Afro-Brazilian Population, "
        "including the provision of adequate funding and institutional structures. It should also consult with "
        "Afro-Brazilian, Indigenous and Quilombola women to identify and address current policies and services "
        "that have been ineffective in eliminating health inequalities.")
    assert _rows()["17 (b)"].context.endswith("The State party should also:")
    assert _rows()["17 (b)"].page == 5  # items (b)-(f) are on the next page


def test_footnote_marks_are_removed_from_the_text():
    rows = _rows()
    assert "address illiteracy, including by preventing school dropouts" in rows["19 (a)"].text   # mark 5
    assert "in relation to birth registration and ensure" in rows["57"].text                     # mark 11
    assert "Recalling its previous concluding observations and its general" in rows["53"].text   # mark 10
    # Footnote 12 ("CERD/C/2007/1.") is lost by the reader at the foot of the last page: still removed.
    assert "during its seventy-first session and addressing all the points" in rows["70"].text


def test_heading_at_the_top_of_a_page_is_its_own_block():
    """Regression: "Poverty, work and income" (top of page 6) ran on from item 19 (c)."""
    texts = [block.text for block in _document().blocks]
    for heading in ("Poverty, work and income", "Racially motivated homicides",
                    "Declaration under article 14 of the Convention"):
        assert heading in texts
    rows = _rows()
    assert rows["19 (c)"].text.endswith("including those with disabilities.")
    assert rows["23 (a)"].heading == "Poverty, work and income"
    assert rows["33 (a)"].heading == "Racially motivated homicides"
    assert rows["63"].heading == "Declaration under article 14 of the Convention"


def test_golden_rows_of_pages_2_and_3():
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))  # a missing golden file fails here
    found = [{"paragraph": row.paragraph, "page": row.page, "heading": row.heading, "context": row.context,
              "text": row.text, "follow_up": row.follow_up}
             for row in _segmented().recommendations if row.page in expected["pages"]]
    assert found == expected["rows"]


def test_text_copy_without_bold_gives_the_same_rows_by_wording(tmp_path):
    """Bold lost (a text copy): the wording alone finds the same recommendations."""
    path = tmp_path / "brazil2022.txt"
    path.write_text("\n\n".join(b.text for b in _document().blocks if b.kind is BlockKind.BODY), encoding="utf-8")
    document = read_document(path)
    segmented = segment_document(document, detect_document(document))
    assert [(r.paragraph, r.heading, r.context) for r in segmented.recommendations] == [
        (r.paragraph, r.heading, r.context) for r in _segmented().recommendations]
    # Without the footnotes the marks cannot be told from the text: those rows keep them.
    marked = {"12", "14", "19 (a)", "53", "57", "70"}
    assert {r.paragraph for r in segmented.recommendations
            if r.text != _rows()[r.paragraph].text} == marked
    assert "law enforcement officials.3 It also recommends" in segmented.recommendations[5].text


def test_concluding_observations_without_recommendations(tmp_path):
    """The same text with every bold paragraph and item removed, as a text file with the CERD cover."""
    kept = [b.text for b in _document().blocks
            if b.kind is BlockKind.BODY and not (b.bold and b.text[:1] in "0123456789(")]
    path = tmp_path / "brazil2022-no-recommendations.txt"
    path.write_text("\n\n".join(kept), encoding="utf-8")
    result = process_document(path, tmp_path)
    assert result.info.document_type is DocumentType.TREATY_BODY_OBSERVATIONS
    assert result.recommendations == ()
    assert [(p.kind, p.document) for p in result.problems] == [("no_recommendations", path.name)]
    assert "no recommending paragraph" in result.problems[0].reason and result.status is Status.PARTIAL


def test_recommendation_not_in_bold_is_reported_not_kept():
    index = _block_index("42. The Committee recommends")
    blocks = list(_document().blocks)
    blocks[index] = replace(blocks[index], bold=False)
    segmented = _segment(_with_blocks(blocks))
    assert "42" not in {row.paragraph for row in segmented.recommendations}
    [problem] = segmented.problems
    assert (problem.kind, problem.page) == ("recommendation_not_bold", 11)
    assert "paragraph 42" in problem.reason and "add it by hand" in problem.action


def test_bold_paragraph_without_recommending_verb_is_kept_and_reported():
    index = _block_index("41. The Committee is concerned")
    blocks = list(_document().blocks)
    blocks[index] = replace(blocks[index], bold=True)
    segmented = _segment(_with_blocks(blocks))
    assert "41" in {row.paragraph for row in segmented.recommendations}
    [problem] = segmented.problems
    assert (problem.kind, problem.page) == ("bold_without_recommending_verb", 11)
    assert "paragraph 41" in problem.reason


def test_lost_item_is_reported():
    blocks = [b for b in _document().blocks if not b.text.startswith("(b) Give full consideration")]
    segmented = _segment(_with_blocks(blocks))
    assert [r.paragraph for r in segmented.recommendations if r.paragraph.startswith("8 ")] == ["8 (a)", "8 (c)"]
    [problem] = segmented.problems
    assert problem.kind == "item_sequence" and problem.page == 2
    assert problem.reason == "paragraph 8: item (c) follows (a), expected (b)"


def test_follow_up_naming_a_lost_paragraph_is_reported():
    start, end = _block_index("36. The Committee recommends"), _block_index("Criminal justice")
    blocks = _document().blocks[:start] + _document().blocks[end:]
    segmented = _segment(_with_blocks(blocks))
    assert {row.paragraph for row in segmented.recommendations if row.follow_up} == {"17 (a)", "19 (c)", "23 (a)"}
    [problem] = segmented.problems
    assert problem.kind == "follow_up_reference"
    assert "paragraph 68 names 36 (a), 36 (b), 36 (c), 36 (d)" in problem.reason


@pytest.mark.parametrize("blocks", [(), ("Committee on the Elimination of Racial Discrimination",)])
def test_empty_or_cover_only_document_gives_a_problem_not_a_crash(blocks):
    document = _with_blocks(Block(text, 1) for text in blocks)
    segmented = _segment(document)
    assert segmented.recommendations == ()
    assert [p.kind for p in segmented.problems] == ["no_recommendations"]


def test_malformed_wording_file_names_the_line(tmp_path, monkeypatch):
    from rectrack.extractors.segment.un import wording as un_wording
    bad = tmp_path / "un_paragraphs.tsv"
    bad.write_text("kind\tpattern\nrecommending\t\\bshould\\b\nrecomending\t\\burges\\b\n", encoding="utf-8")
    monkeypatch.setattr(un_wording, "WORDING", bad)
    un_wording.patterns.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"un_paragraphs.tsv, line 3: expected one of recommending"):
            un_wording.patterns()
    finally:
        monkeypatch.undo()
        un_wording.patterns.cache_clear()
    assert un_wording.recommends("The State party should ratify")
