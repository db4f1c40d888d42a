"""OHCHR thematic lists / matrices of recommendations (DOCX tables), and legacy .doc files.

Expectations are read off the three matrices in data/samples/matrices: the
item numbers printed in the Recommendation column, the Position cells, the
theme rows, the States in the parentheses (and, for Egypt, in the
"Recommending state/s" column). Broken variants are built here from the real
Slovenia file with python-docx.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from functools import lru_cache
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from rectrack.extractors.detect import detect_document
from rectrack.extractors.errors import UnsupportedFormat
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import convert, read_document
from rectrack.extractors.records import DocumentInfo, DocumentType, GivenLabel, Position, Recommendation
from rectrack.extractors.segment import Segmented, segment_document
from rectrack.extractors.segment.matrix.segmenter import segment_matrix

ROOT = Path(__file__).resolve().parents[1]
MATRICES = ROOT / "data" / "samples" / "matrices"
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
LEGACY_DOC = Path(__file__).resolve().parent / "fixtures" / "bad-inputs" / "legacy-word-97-egypt2014-matrix.doc"

SLOVENIA, CHINA, EGYPT = ("slovenia2019-UPR34-thematic-list.docx", "china2013-UPR17-matrix.docx",
                          "egypt2014-UPR20-matrix.docx")
S, N = Position.SUPPORTED, Position.NOTED
MATRIX = DocumentInfo(DocumentType.RECOMMENDATIONS_MATRIX, body="UPR")

# file -> the item numbers printed in the Recommendation column: "top" -> last sub-number.
ITEMS = {SLOVENIA: {121: 58, 122: 157}, CHINA: {186: 252}, EGYPT: {166: 300}}
# file -> (recommendation rows, theme rows, recommendations once split at the States)
COUNTS = {SLOVENIA: (215, 53, 219), CHINA: (252, 51, 286), EGYPT: (300, 45, 305)}
# file -> Position cells as printed, counted over the recommendation rows
PRINTED_POSITIONS = {
    SLOVENIA: {"Supported": 182, "Noted": 33},
    CHINA: {"Supported": 204, "Noted": 48},
    EGYPT: {"Supported": 224, "Noted": 53, "Supported/Noted": 23},
}


@lru_cache(maxsize=None)
def _segmented(name: str) -> Segmented:
    document = read_document(MATRICES / name)
    return segment_document(document, detect_document(document))


def _by_paragraph(name: str) -> dict[str, list[Recommendation]]:
    found: dict[str, list[Recommendation]] = {}
    for rec in _segmented(name).recommendations:
        found.setdefault(rec.paragraph, []).append(rec)
    return found


def _labels(rec: Recommendation, taxonomy: str) -> list[str]:
    return [label.label for label in rec.given_labels if label.taxonomy == taxonomy]


COUNTRIES = {"slovenia2019-UPR34-thematic-list.docx": ("Slovenia", "34"),
             "china2013-UPR17-matrix.docx": ("China", "17"), "egypt2014-UPR20-matrix.docx": ("Egypt", "20")}
# Egypt's title ("UPR of Egypt - Second Cycle") names no session: its rows cite A/HRC/28/16/Add.1, the report
# of session 20 (data/calendar/upr_sessions.tsv).


@pytest.mark.parametrize("name", sorted(ITEMS))
def test_detected_as_matrix_with_country_from_the_page_header(name):
    info = detect_document(read_document(MATRICES / name))
    assert info.document_type is DocumentType.RECOMMENDATIONS_MATRIX
    # The title ("UPR of Slovenia (3rd Cycle - 34th Session)") is only in the Word page header.
    assert (info.country, info.session) == COUNTRIES[name]


@pytest.mark.parametrize("name", sorted(ITEMS))
def test_every_numbered_item_once_no_problems(name):
    segmented = _segmented(name)
    assert segmented.problems == ()
    expected = {f"{top}.{sub}" for top, last in ITEMS[name].items() for sub in range(1, last + 1)}
    paragraphs = [rec.paragraph for rec in segmented.recommendations]
    assert set(paragraphs) == expected
    rows, themes, recommendations = COUNTS[name]
    assert (len(expected), len(paragraphs)) == (rows, recommendations)
    # Every theme row has recommendations under it: the heading changes once per theme row.
    headings = [rec.heading for rec in segmented.recommendations]
    assert 1 + sum(1 for before, after in zip(headings, headings[1:]) if before != after) == themes
    assert all(rec.text and rec.recommending_states and rec.page >= 1 for rec in segmented.recommendations)


@pytest.mark.parametrize("name", sorted(ITEMS))
def test_positions_as_printed(name):
    counts: Counter[Position] = Counter(recs[0].position for recs in _by_paragraph(name).values())
    printed = PRINTED_POSITIONS[name]
    assert counts == {S: printed["Supported"], N: printed["Noted"] + printed.get("Supported/Noted", 0)}


@pytest.mark.parametrize("name", sorted(ITEMS))
def test_golden_first_ten_rows(name):
    golden_file = GOLDEN / f"matrix-{Path(name).stem}.json"
    assert golden_file.exists(), f"missing golden file {golden_file}: write it by hand from the document"
    expected = json.loads(golden_file.read_text(encoding="utf-8"))["rows"]
    found = [{
        "paragraph": rec.paragraph, "page": rec.page, "text": rec.text,
        "recommending_states": list(rec.recommending_states), "position": rec.position.value,
        "heading": rec.heading, "position_source": rec.position_source, "response": rec.response,
        "themes": _labels(rec, "themes"), "sdgs": _labels(rec, "sdgs"), "groups": _labels(rec, "groups"),
    } for rec in _segmented(name).recommendations[:10]]
    assert found == expected


def test_items_with_several_recommendations_share_the_paragraph():
    china = _by_paragraph(CHINA)
    assert [rec.recommending_states for rec in china["186.1"]] == [
        ("Albania",), ("Chile",), ("Belgium",), ("Hungary",), ("Japan",), ("Maldives",), ("Maldives",),
        ("Spain",), ("Sierra Leone",), ("France",)]   # printed "Sierra Le one"
    assert china["186.1"][6].text == "Accede to the First OP to the ICCPR"
    assert Counter(len(recs) for recs in china.values()) == {1: 238, 2: 7, 3: 2, 4: 3, 6: 1, 10: 1}
    slovenia = _by_paragraph(SLOVENIA)
    assert [rec.recommending_states for rec in slovenia["122.3"]] == [("Indonesia",), ("Niger",), ("Philippines",)]
    assert Counter(len(recs) for recs in slovenia.values()) == {1: 212, 2: 2, 3: 1}


def test_egypt_states_column_and_text_agree():
    egypt = _by_paragraph(EGYPT)
    assert Counter(len(recs) for recs in egypt.values()) == {1: 298, 2: 1, 5: 1}
    assert [rec.recommending_states for rec in egypt["166.104"]] == [
        ("Turkey",), ("Togo",), ("France",), ("Germany",), ("Hungary",)]
    assert egypt["166.104"][3].text == ("Announce a moratorium on the death penalty with a view to its eventual "
                                         "abolition. Pending abolition, its application should be limited")
    assert [rec.recommending_states for rec in egypt["166.222"]] == [("Slovakia",), ("Canada",)]


def test_egypt_partial_position_and_comment():
    egypt = _by_paragraph(EGYPT)
    partial = [p for p, recs in egypt.items() if recs[0].response == "Position as printed: Supported/Noted"]
    assert len(partial) == 23 and {"166.14", "166.17"} <= set(partial)
    assert all(egypt[p][0].position is N for p in partial)
    (commented,) = egypt["166.16"]
    assert (commented.position, commented.position_source, commented.response) == (
        S, "", "Comments: Information sent in a post Add.1 letter")
    assert commented.heading == "Right or area: 2.2. Reservations"


def test_labels_as_printed():
    slovenia = _segmented(SLOVENIA).recommendations
    # 202 rows print "SDGs:"; 121.2 gives 2 recommendations and 122.3 gives 3 (122.11 has no SDGs).
    assert sum(1 for rec in slovenia if _labels(rec, "sdgs")) == 205
    (last,) = _by_paragraph(SLOVENIA)["122.156"]
    assert last.given_labels == (
        GivenLabel("themes", "Rights related to name, identity & nationality"),
        GivenLabel("sdgs", "16 - PEACE, JUSTICE AND STRONG INSTITUTIONS"),
        GivenLabel("groups", "stateless persons"), GivenLabel("groups", "non-citizens"))
    (defender,) = _by_paragraph(CHINA)["186.146"]
    assert defender.heading == "Theme: H1 Human rights defenders"
    assert defender.given_labels == (GivenLabel("themes", "H1 Human rights defenders"),
                                     GivenLabel("groups", "human rights defenders"),
                                     GivenLabel("groups", "general"))
    assert not any(_labels(rec, "sdgs") for rec in _segmented(CHINA).recommendations)


def test_process_document_gives_an_ok_matrix_result():
    result = process_document(MATRICES / SLOVENIA, MATRICES)
    assert (result.status.value, len(result.recommendations), result.problems) == ("ok", 219, ())
    assert result.recommendations[0].position_source == "A/HRC/43/15 - Para 121"


# --- broken variants, built from the real Slovenia file --------------------------------

def _slovenia_docx() -> docx.document.Document:
    return docx.Document(str(MATRICES / SLOVENIA))


def _segment_docx(tmp_path: Path, document: docx.document.Document) -> Segmented:
    path = tmp_path / "variant.docx"
    document.save(str(path))
    return segment_matrix(read_document(path), MATRIX)


def _kinds(segmented: Segmented) -> Counter[str]:
    return Counter(problem.kind for problem in segmented.problems)


def test_merged_cells_give_problems_not_crashes(tmp_path):
    document = _slovenia_docx()
    table = document.tables[0]
    table.cell(2, 1).merge(table.cell(2, 2))     # 121.1: Position merged with themes
    table.cell(3, 0).merge(table.cell(4, 0))     # 121.2 and 121.3 in one cell over two rows
    segmented = _segment_docx(tmp_path, document)
    assert _kinds(segmented) == {"merged_cells": 1, "merged_items": 1, "repeated_row": 1}
    merged = next(p for p in segmented.problems if p.kind == "merged_cells")
    assert "table row 3 (paragraph 121.1) has 3 cells where the header (table row 1) has 4" in merged.reason
    recs = segmented.recommendations
    assert len(recs) == 219
    assert (recs[0].paragraph, recs[0].recommending_states, recs[0].position) == (
        "121.1", ("France", "Lithuania"), Position.UNKNOWN)
    assert [(r.paragraph, r.recommending_states) for r in recs[1:4]] == [
        ("121.2", ("Ukraine",)), ("121.2", ("Slovakia",)),
        ("121.3", ("United Kingdom of Great Britain and Northern Ireland",))]
    assert recs[3].position_source == "A/HRC/43/15 - Para 121"


def _drop_column(table, index: int) -> None:
    """Remove grid column ``index`` from every row (theme rows span it: narrow them)."""
    grid = table._tbl.tblGrid
    grid.remove(grid.findall(qn("w:gridCol"))[index])
    for row in table._tbl.tr_lst:
        cells = row.tc_lst
        if len(cells) > index:
            row.remove(cells[index])
        else:
            span = cells[0].tcPr.find(qn("w:gridSpan"))
            span.set(qn("w:val"), str(int(span.get(qn("w:val"))) - 1))


def test_missing_position_column(tmp_path):
    document = _slovenia_docx()
    _drop_column(document.tables[0], 1)
    segmented = _segment_docx(tmp_path, document)
    assert _kinds(segmented) == {"no_position_column": 1}
    assert "Recommendation | Full list of themes | Assessment" in segmented.problems[0].reason
    assert "Add.1" in segmented.problems[0].action
    assert len(segmented.recommendations) == 219
    assert {rec.position for rec in segmented.recommendations} == {Position.UNKNOWN}
    assert segmented.recommendations[0].given_labels[0] == GivenLabel("themes", "Acceptance of international norms")


def test_table_with_only_its_header(tmp_path):
    document = _slovenia_docx()
    table = document.tables[0]
    for row in table._tbl.tr_lst[1:]:
        table._tbl.remove(row)
    segmented = _segment_docx(tmp_path, document)
    assert segmented.recommendations == ()
    assert _kinds(segmented) == {"no_recommendations": 1}


def test_empty_table(tmp_path):
    document = docx.Document()
    document.add_paragraph("UPR of Slovenia (3rd Cycle - 34th Session) Thematic list of recommendations")
    document.add_table(rows=3, cols=4)
    segmented = _segment_docx(tmp_path, document)
    assert segmented.recommendations == ()
    assert _kinds(segmented) == {"no_matrix_table": 1}


def test_header_with_unknown_wording(tmp_path):
    document = _slovenia_docx()
    document.tables[0].cell(0, 0).paragraphs[0].runs[0].text = "Text"
    segmented = _segment_docx(tmp_path, document)
    assert segmented.recommendations == ()
    (problem,) = segmented.problems
    assert problem.kind == "no_matrix_header" and "data/matrix_layout.toml" in problem.action


def _set_text(cell, text: str) -> None:
    for paragraph in cell.paragraphs[1:]:
        paragraph._p.getparent().remove(paragraph._p)
    paragraph = cell.paragraphs[0]
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    paragraph.runs[0].text = text


def test_unknown_position_and_empty_position(tmp_path):
    document = _slovenia_docx()
    table = document.tables[0]
    _set_text(table.cell(2, 1), "Under consideration")
    _set_text(table.cell(4, 1), "")
    segmented = _segment_docx(tmp_path, document)
    assert _kinds(segmented) == {"unknown_position": 1, "empty_position": 1}
    unknown, empty = segmented.problems
    assert unknown.reason.startswith("table row 3 (paragraph 121.1): position \"Under consideration\"")
    assert "[[positions]] in data/matrix_layout.toml" in unknown.action
    assert "(table row 5 (paragraph 121.3))" in empty.reason
    assert [rec.position for rec in segmented.recommendations[:4]] == [
        Position.UNKNOWN, S, S, Position.UNKNOWN]


def test_states_column_disagreeing_with_the_text(tmp_path):
    document = docx.Document(str(MATRICES / EGYPT))
    table = document.tables[0]
    _set_text(table.cell(2, 1), "Chile")                       # 166.6 names five States
    _set_text(table.cell(3, 1), "Atlantis")                    # 166.10
    path = tmp_path / "egypt.docx"
    document.save(str(path))
    segmented = segment_matrix(read_document(path), MATRIX)
    assert _kinds(segmented) == {"states_mismatch": 2, "unknown_state": 1}
    assert segmented.recommendations[0].recommending_states == ("Chile",)
    assert segmented.recommendations[1].recommending_states == ("Atlantis",)
    mismatch, unknown, _ = segmented.problems
    assert mismatch.reason == ("table row 3 (paragraph 166.6): the States column (Chile) and the States named "
                               "in the text (Chile, Estonia, Slovenia, Tunisia, Uruguay) differ")
    assert unknown.reason.startswith("table row 4: \"Atlantis\" in the recommending States column")
    assert "data/gazetteers/states.tsv" in unknown.action


def test_country_from_a_title_paragraph(tmp_path):
    # The page header's title, as a paragraph before the table (other matrices print it so).
    document = _slovenia_docx()
    document.tables[0]._tbl.addprevious(
        document.add_paragraph("UPR of Slovenia (3rd Cycle - 34th Session) - Thematic list of recommendations")._p)
    path = tmp_path / "titled.docx"
    document.save(str(path))
    info = detect_document(read_document(path))
    assert (info.document_type, info.country) == (DocumentType.RECOMMENDATIONS_MATRIX, "Slovenia")


# --- legacy Word .doc --------------------------------------------------------------------

def test_doc_without_converter_says_how_to_convert(monkeypatch):
    monkeypatch.setattr(convert, "find_converter", lambda: None)
    with pytest.raises(UnsupportedFormat) as caught:
        read_document(LEGACY_DOC)
    message = str(caught.value)
    assert message.startswith(LEGACY_DOC.name + ": this is a legacy Word 97-2003 .doc file")
    assert "`libreoffice --headless --convert-to docx FILE`" in message
    assert "install LibreOffice" in message


def test_doc_with_a_failing_converter(monkeypatch, tmp_path):
    failing = tmp_path / "soffice"
    failing.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setattr(convert, "find_converter", lambda: str(failing))
    with pytest.raises(UnsupportedFormat, match="could not convert this legacy Word .doc "
                                                 r"\(Error: source file could not be loaded\)"):
        read_document(LEGACY_DOC)


def test_doc_conversion_times_out(tmp_path):
    slow = tmp_path / "soffice"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    with pytest.raises(UnsupportedFormat, match="did not convert this legacy Word .doc within 0.5 s"):
        convert.convert_to_docx(LEGACY_DOC, LEGACY_DOC.read_bytes(), str(slow), timeout=0.5)


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed")
def test_doc_converted_with_libreoffice_gives_the_egypt_matrix():
    result = process_document(LEGACY_DOC, LEGACY_DOC.parent)
    assert result.info.document_type is DocumentType.RECOMMENDATIONS_MATRIX
    assert [problem.kind for problem in result.problems] == ["converted"]
    assert result.status.value == "partial"
    assert len(result.recommendations) == 305
    assert len({rec.paragraph for rec in result.recommendations}) == 300
    assert result.recommendations == _segmented(EGYPT).recommendations


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed")
def test_damaged_doc_that_libreoffice_cannot_load(tmp_path):
    data = bytearray(LEGACY_DOC.read_bytes())
    data[512:len(data) // 2] = bytes(len(data) // 2 - 512)   # header and directory kept, content zeroed
    path = tmp_path / "damaged.doc"
    path.write_bytes(bytes(data))
    with pytest.raises(UnsupportedFormat, match=r"LibreOffice could not convert this legacy Word \.doc \("):
        read_document(path)


def test_matrix_positions_from_the_addendum_reach_the_reports_rows(tmp_path):
    """China's 2013 report leaves all 252 paragraphs pending; its matrix gives each position from Add.1."""
    from rectrack.extractors.pipeline import process_document
    from rectrack.extractors.outputs import update_outputs
    from rectrack.extractors.tracker.io import read_tracker

    root = Path(__file__).resolve().parents[1] / "data" / "samples"
    results = [process_document(root / "upr" / "china2013.pdf", root),
               process_document(MATRICES / "china2013-UPR17-matrix.docx", root)]
    update_outputs(tmp_path, results)
    tracker = read_tracker(tmp_path / "tracker.csv")
    report = tracker[tracker["document"] == "upr/china2013.pdf"].set_index("rec_id")
    matrix = tracker[tracker["document"] != "upr/china2013.pdf"]
    assert (report["position"] != "pending").all()
    by_paragraph = dict(zip(matrix["paragraph"], matrix["position"]))
    assert all(by_paragraph[p] == pos for p, pos in zip(report["paragraph"], report["position"]))
    assert report["position_source"].str.endswith("(via OHCHR matrix)").all()
    problems = (tmp_path / "problems.csv").read_text(encoding="utf-8-sig")
    assert "china2013" not in problems


def test_matrix_alone_reports_no_missing_report(tmp_path):
    from rectrack.extractors.pipeline import process_document
    from rectrack.extractors.outputs import update_outputs

    root = MATRICES.parent
    update_outputs(tmp_path, [process_document(MATRICES / "egypt2014-UPR20-matrix.docx", root)])
    # Only the file's own pagination warning (see test_a_file_word_paginated_only_in_part_says_so).
    kinds = [line.split(",")[2] for line in (tmp_path / "problems.csv").read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert kinds == ["pages_incomplete"]


def test_the_states_addendum_wins_over_the_matrix_copy(tmp_path):
    from rectrack.extractors.pipeline import process_document
    from rectrack.extractors.outputs import update_outputs
    from rectrack.extractors.tracker.io import read_tracker

    root = Path(__file__).resolve().parents[1] / "data" / "samples"
    results = [process_document(root / "upr" / name, root) for name in
               ("slovenia2019-A_HRC_43_15.pdf", "slovenia2020-A_HRC_43_15_Add.1.pdf")]
    results.append(process_document(MATRICES / "slovenia2019-UPR34-thematic-list.docx", root))
    update_outputs(tmp_path, results)
    tracker = read_tracker(tmp_path / "tracker.csv")
    report = tracker[tracker["document"] == "upr/slovenia2019-A_HRC_43_15.pdf"]
    pending = report[report["paragraph"].str.startswith("122.")]
    assert not pending["position_source"].str.contains("via OHCHR matrix").any()
    assert (pending["position"] != "pending").all()


# --- Pages (issue 10, part 5b): the page of Word's last rendering, stored in the file --------------------

# (pages Word's last rendering had: docProps/app.xml <Pages>, = 1 + the w:lastRenderedPageBreak marks of the
# body; the first recommendation that starts on page 2, as the XML puts its row after the first mark)
PAGES = {SLOVENIA: (66, "122.12"), CHINA: (46, "186.16"), EGYPT: (8, "166.8")}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_matrix_rows_carry_the_page_word_rendered_them_on(name):
    last, first_on_page_two = PAGES[name]
    recommendations = _segmented(name).recommendations
    pages = [rec.page for rec in recommendations]
    assert pages == sorted(pages) and (pages[0], max(pages)) == (1, last)
    assert next(rec.paragraph for rec in recommendations if rec.page == 2) == first_on_page_two


def test_a_file_word_paginated_only_in_part_says_so():
    # Egypt's page header prints "Page 2 of 39", but Word saved breaks for 8 pages (docProps/app.xml <Pages>8).
    result = process_document(MATRICES / EGYPT, MATRICES)
    [problem] = [p for p in result.problems if p.kind == "pages_incomplete"]
    assert "counts 39 pages" in problem.reason and "only 8" in problem.reason and problem.page == 8
    assert result.status.value == "partial" and len(result.recommendations) == 305


def test_pages_without_rendered_breaks_and_with_a_forced_break(tmp_path):
    document = _slovenia_docx()
    body = document.element.body
    for mark in list(body.iter(qn("w:lastRenderedPageBreak"))):
        mark.getparent().remove(mark)
    assert {rec.page for rec in _segment_docx(tmp_path, document).recommendations} == {1}
    # A paragraph before the table that ends with a forced page break ("w:br w:type=page") moves every row.
    paragraph = body.makeelement(qn("w:p"), {})
    run = paragraph.makeelement(qn("w:r"), {})
    run.append(run.makeelement(qn("w:br"), {qn("w:type"): "page"}))
    paragraph.append(run)
    body.insert(0, paragraph)
    assert {rec.page for rec in _segment_docx(tmp_path, document).recommendations} == {2}


# --- SDGs (issue 10, part 5a): an SDG label goes to sdgs, never to themes ---------------------------------

@pytest.mark.parametrize("name", sorted(ITEMS))
def test_no_sample_matrix_puts_an_sdg_among_themes_or_groups(name):
    from rectrack.extractors.segment.matrix.layout import is_sdg_label
    labels = {label for rec in _segmented(name).recommendations for label in rec.given_labels}
    assert all(is_sdg_label(label.label) == (label.taxonomy == "sdgs") for label in labels)
    goals = sorted(int(label.label.split(" - ")[0]) for label in labels if label.taxonomy == "sdgs")
    # Slovenia prints 13 goals ("1 - NO POVERTY" ... "17 - PARTNERSHIPS FOR THE GOALS"; never 7, 9, 14, 15);
    # China (2013) and Egypt (2014) predate the SDGs.
    assert goals == ([1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 16, 17] if name == SLOVENIA else [])


def _split_label_cells(document: docx.document.Document, header: tuple[str, str, str], keep_sections: bool) -> None:
    """The Slovenia table rewritten with its "Full list of themes" cell split in three columns
    (themes | SDGs | affected persons, the 2018 OHCHR layout), or in place without its "SDGs:" lines."""
    table = document.tables[0]
    if header[1]:
        for _ in range(2):
            table.add_column(table.columns[2].width)
    for row in table.rows:
        cells = list(dict.fromkeys(row.cells))
        if len(cells) < 4:
            continue
        if cells[0].text.startswith("Recommendation"):
            for index, title in zip((2, 4, 5), header):
                if title:
                    cells[index].text = title
            continue
        lists: dict[str, list[str]] = {"themes": [], "sdgs": [], "groups": []}
        current = "themes"
        for line in cells[2].text.split("\n"):
            section = {"SDGs:": "sdgs", "Affected persons:": "groups"}.get(line.strip())
            current = section or current
            if section is None or keep_sections:
                lists[current if header[1] else "themes"].append(line)
        cells[2].text = "\n".join(lists["themes"])
        if header[1]:
            cells[4].text, cells[5].text = "\n".join(lists["sdgs"]), "\n".join(lists["groups"])


def test_sdgs_in_their_own_column_2018_layout(tmp_path):
    document = _slovenia_docx()
    _split_label_cells(document, ("Full list of themes", "SDGs", "Affected persons"), keep_sections=False)
    variant = _segment_docx(tmp_path, document).recommendations
    original = _segmented(SLOVENIA).recommendations
    assert len(variant) == len(original) == 219
    assert [set(rec.given_labels) for rec in variant] == [set(rec.given_labels) for rec in original]


def test_sdg_lines_without_their_section_line_are_still_sdgs(tmp_path):
    document = _slovenia_docx()
    # One column "Full list of themes and SDGs" with the "SDGs:" and "Affected persons:" lines gone.
    _split_label_cells(document, ("Full list of themes and SDGs", "", ""), keep_sections=False)
    variant = _segment_docx(tmp_path, document).recommendations
    original = _segmented(SLOVENIA).recommendations
    assert [_labels(rec, "sdgs") for rec in variant] == [_labels(rec, "sdgs") for rec in original]
    assert sum(1 for rec in variant if _labels(rec, "sdgs")) == 205
    assert not any(label.label[0].isdigit() for rec in variant for label in rec.given_labels
                   if label.taxonomy == "themes")
