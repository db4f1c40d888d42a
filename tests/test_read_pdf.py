"""The PDF reader on the real UPR sample reports, with expectations read off the PDFs."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from rectrack.extractors.read import read_document
from rectrack.extractors.read.layout import Line, Metrics, build_blocks, split_page
from rectrack.extractors.records import BlockKind, Document

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "upr"
SYMBOLS = {
    "afghanistan2014.pdf": "A/HRC/26/4", "algeria2008.pdf": "A/HRC/8/29",
    "china2013.pdf": "A/HRC/25/5", "egypt2014.pdf": "A/HRC/28/16",
    "slovenia2010-A_HRC_14_15.pdf": "A/HRC/14/15",
    "slovenia2010-A_HRC_14_15_Add.1.pdf": "A/HRC/14/15/Add.1",
    "slovenia2014-A_HRC_28_15.pdf": "A/HRC/28/15",
    "slovenia2019-A_HRC_43_15.pdf": "A/HRC/43/15",
    "slovenia2020-A_HRC_43_15_Add.1.pdf": "A/HRC/43/15/Add.1",
    "tajikistan2011.pdf": "A/HRC/19/3", "unitedkingdom2012.pdf": "A/HRC/21/9",
}


@cache
def read(name: str) -> Document:
    return read_document(SAMPLES / name)


def block_starting(document: Document, prefix: str):
    matches = [block for block in document.blocks if block.text.startswith(prefix)]
    assert len(matches) == 1, f"{len(matches)} blocks start with {prefix!r}"
    return matches[0]


def test_every_sample_is_listed():
    assert sorted(path.name for path in SAMPLES.glob("*.pdf")) == sorted(SYMBOLS)


def test_page_counts():
    assert read("tajikistan2011.pdf").page_count == 22
    assert read("egypt2014.pdf").page_count == 31
    assert read("algeria2008.pdf").page_count == 14
    assert read("tajikistan2011.pdf").format == "pdf"


@pytest.mark.parametrize("name", sorted(SYMBOLS))
def test_running_headers_and_footers_are_removed(name):
    """After the cover page, no line is the symbol, a page number or a job number."""
    symbol = re.escape(SYMBOLS[name]).replace("/", "/ ?")
    junk = re.compile(rf"(?:{symbol}|(?:Page )?\d{{1,3}}|GE\.\d\d-\d+.*|\*\d+\*)")
    for page in read(name).pages[1:]:
        for line in (*page.lines, *page.footnotes):
            assert not junk.fullmatch(line), f"{name} page {page.number}: {line!r}"


def test_old_layout_header_with_broken_symbol_is_removed():
    # algeria2008 prints " A/HRC/ 8/29 " and " Page 3 " above the body of page 3.
    page = read("algeria2008.pdf").pages[2]
    assert page.lines[:2] == (
        "Introduction",
        "1. The Working Group on the Universal Periodic Review (UPR), established in "
        "accordance with",
    )


def test_header_emitted_mid_page_is_removed_by_position():
    body = [Line(f"Body line {n} quoting A/HRC/19/3 in passing.", 700.0 - 12 * n, 10.0, False)
            for n in range(6)]
    quoted = Line("A/HRC/19/3", 640.0, 10.0, False)  # inside the body: kept
    lines = [*body[:3], Line("A/HRC/19/3", 777.0, 9.0, True), *body[3:], quoted,
             Line("14", 86.9, 9.0, True)]
    kept, notes = split_page(lines, Metrics(body_size=10.0, pitch=12.0))
    assert kept == [*body, quoted]
    assert notes == []


def test_paragraph_88_1_is_joined_across_its_lines():
    block = block_starting(read("tajikistan2011.pdf"), "88.1. ")
    assert block.text == (
        "88.1. Consider issuing a standing invitation to Special Procedures (Brazil); Extend a "
        "standing invitation to all Special Procedures (Spain); Issue a standing invitation to "
        "all special procedures of the United Nations Human Rights Council (Romania); Consider "
        "extending a standing invitation to all Special Procedures of the Human Rights Council "
        "(Latvia);"
    )
    assert block.page == 13
    assert block.bold


def test_footnote_between_parts_of_166_18_goes_to_footnotes():
    document = read("egypt2014.pdf")
    note = "** Conclusions and recommendations will not be edited."
    page = document.pages[12]
    assert page.footnotes == (note,)
    assert not any("will not be edited" in line for line in page.lines)
    blocks = list(document.blocks)
    index = blocks.index(block_starting(document, "166.18 "))
    recommendation, footnote = blocks[index], blocks[index + 1]
    assert "Conclusions and recommendations" not in recommendation.text
    assert footnote.text == note and footnote.kind is BlockKind.FOOTNOTE and footnote.page == 13
    assert "will not be edited" not in document.body_text


def test_paragraph_across_a_page_break_keeps_its_start_page():
    block = block_starting(read("egypt2014.pdf"), "166.18 ")
    assert block.text == (
        "166.18 Review the personal status legislation and the Penal Code in order to modify or "
        "delete articles that discriminate against women, to comply with the Constitution, as "
        "well as international law, and work to lift the reservation on article 16 of CEDAW "
        "(Sweden);"
    )
    assert block.page == 13  # its last line, "article 16 of CEDAW (Sweden);", is on page 14
    assert read("egypt2014.pdf").pages[13].lines[1] == "article 16 of CEDAW (Sweden);"


def test_line_end_hyphen_marker_is_kept_in_lines_and_repaired_in_blocks():
    document = read("tajikistan2011.pdf")
    lines = document.pages[15].lines  # pdfium marks "non-" at the line end with U+FFFE
    at = lines.index("adopt an array of measures to guarantee inclusive education and the non-")
    assert lines[at + 1] == (
        "discrimination of children with disabilities in the regular education system")
    assert "the non-discrimination of children" in block_starting(document, "88.55. ").text
    assert "became a full-fledged member" in block_starting(document, "6. Despite").text


def test_real_hyphens_are_kept_across_lines():
    egypt = read("egypt2014.pdf")
    assert "ratify OP-CAT without reservations (Portugal);" in block_starting(egypt, "166.9 ").text
    slovenia = read("slovenia2010-A_HRC_14_15.pdf")
    assert "recognizing equal rights for same-sex couples (Colombia);" in slovenia.body_text
    assert "\ufffe" not in egypt.body_text and "\x02" not in egypt.body_text


def test_numbered_footnote_is_one_block():
    notes = [b for b in read("unitedkingdom2012.pdf").blocks if b.kind is BlockKind.FOOTNOTE]
    assert [(note.page, note.text) for note in notes] == [(8, (
        "1 A dispute exists between the Governments of Argentina and the United Kingdom of Great "
        "Britain and Northern Ireland concerning sovereignty over the Falkland Islands (Malvinas) "
        "(see ST/CS/SER.A/42)."))]


def test_recommendations_set_in_bold_and_narrative_not():
    tajikistan = read("tajikistan2011.pdf")
    assert block_starting(tajikistan, "88.17. ").bold
    assert not block_starting(tajikistan, "79. Romania noted").bold
    assert block_starting(tajikistan, "II. Conclusions and/or recommendations**").bold


def test_headings_and_numbered_paragraphs_start_blocks():
    texts = [block.text for block in read("tajikistan2011.pdf").blocks if block.page == 3]
    assert texts[:3] == [
        "Introduction",
        "1. The Working Group on the Universal Periodic Review (UPR), established in accordance "
        "with Human Rights Council resolution 5/1 of 18 June 2007, held its twelfth session from "
        "3 to 14 October 2011. The review of Tajikistan was held at the 1st meeting on 3 October "
        "2011. The delegation of Tajikistan was headed by Bakhtiyor Khudoyarov, Minister of "
        "Justice of the Republic of Tajikistan. At its 5th meeting held on 5 October 2011, the "
        "Working Group adopted the report on Tajikistan.",
        "2. On 20 June 2011, the Human Rights Council selected the following group of rapporteurs "
        "(troika) to facilitate the review of Tajikistan: Costa Rica, Mauritius and Thailand.",
    ]
    assert "(a) A national report submitted/written presentation made in accordance with " \
           "paragraph 15 (a) (A/HRC/WG.6/12/TJK/1);" in texts


def test_text_matrix_scaled_fonts_still_find_footnotes():
    # afghanistan2014 sets "Tf 1" and scales glyphs with the text matrix.
    page = read("afghanistan2014.pdf").pages[12]
    assert page.footnotes == ("** The conclusions and recommendations have not been edited.",)


def test_footnotes_follow_the_paragraph_open_at_the_page_end():
    metrics = Metrics(body_size=10.0, pitch=12.0)
    page1 = ([Line("1. First paragraph runs", 700.0, 10.0, False)],
             [Line("* A note.", 100.0, 9.0, False)])
    page2 = ([Line("on to page two.", 750.0, 10.0, False),
              Line("2. Second paragraph.", 730.0, 10.0, False)], [])
    blocks = build_blocks([page1, page2], metrics, set())
    assert [(b.text, b.page, b.kind) for b in blocks] == [
        ("1. First paragraph runs on to page two.", 1, BlockKind.BODY),
        ("* A note.", 1, BlockKind.FOOTNOTE),
        ("2. Second paragraph.", 2, BlockKind.BODY),
    ]


def test_reference_heading_opening_a_page_starts_its_own_paragraph():
    # Slovenia's 2020 addendum: "122.79–81" heads page 4, after a paragraph ending page 3.
    document = read_document(SAMPLES / "slovenia2020-A_HRC_43_15_Add.1.pdf")
    texts = [block.text for block in document.blocks]
    assert "122.79–81" in texts
    assert not any(text.endswith("122.79–81") and text != "122.79–81" for text in texts)
    assert document.blocks[texts.index("122.79–81")].page == 4


def test_cover_masthead_does_not_split_the_paragraph_it_interrupts():
    # A/HRC/WG.6/34/SVN/2: pdfium emits page 1's masthead after the start of paragraph 5.
    path = Path(__file__).resolve().parents[1] / "data" / "samples" / "compilations"
    document = read_document(path / "slovenia2019-A_HRC_WG.6_34_SVN_2-un-compilation.pdf")
    (fifth,) = [b for b in document.blocks if b.text.startswith("5. In 2016, the Human Rights Committee")]
    assert "Original: English" not in fifth.text and "Distr." not in fifth.text
    assert "Paris Principles)." in fifth.text and "amendments to the Human Rights Ombudsman Act" in fifth.text
    assert fifth.page == 1
