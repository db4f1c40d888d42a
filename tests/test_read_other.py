"""DOCX, HTML and text readers: real matrices and the Dushanbe report, plus built cases."""

from __future__ import annotations

import logging
from pathlib import Path

import docx
import pytest

from rectrack.extractors.read import read_document
from rectrack.extractors.read.plain import decode_text
from rectrack.extractors.records import Block, BlockKind

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
SLOVENIA_LIST = SAMPLES / "matrices" / "slovenia2019-UPR34-thematic-list.docx"
EGYPT_MATRIX = SAMPLES / "matrices" / "egypt2014-UPR20-matrix.docx"
DUSHANBE = SAMPLES / "dialogue" / "human-rights-dialogue-2025-dushanbe.txt"


def test_docx_thematic_list_rows_and_cells():
    document = read_document(SLOVENIA_LIST)
    assert document.format == "docx" and document.page_count == 1
    rows = [block for block in document.blocks if block.kind is BlockKind.TABLE_ROW]
    assert rows[0].cells == ("Recommendation", "Position", "Full list of themes",
                             "Assessment/comments on level of implementation")
    assert rows[1].cells == ("Theme: Acceptance of international norms",)  # merged across
    row = next(block for block in rows if block.text.startswith("122.7 "))
    assert row.cells == (
        "122.7 Ratify the 1961 Convention on the Reduction of Statelessness (Slovakia) (Spain) "
        "(North Macedonia);\nSource of Position: A/HRC/43/15/Add.1 - Para.5",
        "Noted",
        "- Acceptance of international norms\nAffected persons:\n- stateless persons",
        "",
    )
    assert row.text == " | ".join(cell.replace("\n", " ") for cell in row.cells)
    assert sum(1 for block in rows if block.text.startswith(("121.", "122."))) == 215


def test_docx_cell_paragraphs_stay_apart():
    rows = [b for b in read_document(EGYPT_MATRIX).blocks if b.text.startswith("166.6. ")]
    assert rows[0].cells[1:3] == ("Chile\nEstonia\nSlovenia\nTunisia\nUruguay", "Noted")


def _built_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Recommendations", level=1)
    document.add_paragraph("Intro paragraph before the table.")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Theme: merged across three columns"
    table.cell(1, 0).text, table.cell(1, 1).text = "1.1 Ratify OP-CAT", "Supported"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "merged down"
    table.cell(2, 0).text, table.cell(2, 1).text = "1.2 Adopt a law", "Noted"
    bold = document.add_paragraph()
    bold.add_run("The Committee recommends").bold = True
    document.add_paragraph("")  # empty: no block
    document.save(path)
    return path


def test_docx_keeps_order_and_survives_merged_cells(tmp_path):
    blocks = read_document(_built_docx(tmp_path / "built.docx")).blocks
    assert blocks == (
        Block("Recommendations", 1, bold=True),  # the Heading 1 style is bold
        Block("Intro paragraph before the table.", 1),
        Block("Theme: merged across three columns", 1, BlockKind.TABLE_ROW,
              cells=("Theme: merged across three columns",)),
        Block("1.1 Ratify OP-CAT | Supported | merged down", 1, BlockKind.TABLE_ROW,
              cells=("1.1 Ratify OP-CAT", "Supported", "merged down")),
        Block("1.2 Adopt a law | Noted | merged down", 1, BlockKind.TABLE_ROW,
              cells=("1.2 Adopt a law", "Noted", "merged down")),
        Block("The Committee recommends", 1, bold=True),
    )


HTML = b"""<!DOCTYPE html><html><head><title>T</title><style>p {color: red}</style></head>
<body><nav><a href="/">Home</a> <a href="/x">Menu</a></nav>
<script>var recommendations = 1;</script>
<h1>Outcome of the dialogue</h1>
<p>The participants <b>agreed</b> on
   new recommendations.</p>
<p><strong>Prevent torture</strong></p>
<ul><li>Ratify OP-CAT;</li><li>Reform the <em>penitentiary</em> system.<br>Now.</li></ul>
<table><tr><th>Recommendation</th><th>Position</th></tr>
<tr><td>Ratify OP-CAT</td><td>Supported</td></tr></table>
<div>Loose text in a div</div></body></html>"""


def test_html_blocks_lists_and_tables(tmp_path):
    path = tmp_path / "outcome.html"
    path.write_bytes(HTML)
    document = read_document(path)
    assert document.format == "html"
    assert [(b.text, b.kind, b.bold) for b in document.blocks] == [
        ("Outcome of the dialogue", BlockKind.BODY, False),
        ("The participants agreed on new recommendations.", BlockKind.BODY, False),
        ("Prevent torture", BlockKind.BODY, True),
        ("Ratify OP-CAT;", BlockKind.BODY, False),
        ("Reform the penitentiary system. Now.", BlockKind.BODY, False),
        ("Recommendation | Position", BlockKind.TABLE_ROW, False),
        ("Ratify OP-CAT | Supported", BlockKind.TABLE_ROW, False),
        ("Loose text in a div", BlockKind.BODY, False),
    ]
    assert document.blocks[-2].cells == ("Ratify OP-CAT", "Supported")


def test_pdf_extension_on_html_is_read_as_html_and_noted(tmp_path, caplog):
    path = tmp_path / "report.pdf"
    path.write_bytes(HTML)
    with caplog.at_level(logging.WARNING, logger="rectrack.extractors.read"):
        document = read_document(path)
    assert document.format == "html"
    assert "Ratify OP-CAT;" in [block.text for block in document.blocks]
    assert "report.pdf: the file is HTML despite its .pdf extension" in caplog.text


def test_dushanbe_dialogue_text():
    document = read_document(DUSHANBE)
    assert document.format == "text"
    texts = [block.text for block in document.blocks]
    assert len(texts) == 19
    assert texts[0].startswith("The second Human Rights Dialogue between government bodies")
    assert texts[4] == '"To protect human rights in practice"'
    assert "Recommendations for national reforms" in texts
    # A paragraph soft-wrapped after "continued reforms," is one block.
    assert any(text.startswith('"At the same time, challenges remain, which is why continued '
                               'reforms, transparent governance') for text in texts)


def test_markdown_items_and_headings_are_blocks(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Priorities\nThe dialogue agreed:\n- prevent torture;\n- reform\n"
                    "  prisons;\n1. gender equality\n\nLast para-\ngraph.\n", encoding="utf-8")
    texts = [block.text for block in read_document(path).blocks]
    assert texts == ["Priorities", "The dialogue agreed:", "- prevent torture;",
                     "- reform prisons;", "1. gender equality", "Last para-graph."]


@pytest.mark.parametrize(("data", "expected"), [
    ("Women’s rights\r\n".encode("utf-8"), "Women’s rights\n"),
    ("\ufeffWomen’s rights".encode("utf-8"), "Women’s rights"),
    ("Women’s rights".encode("cp1252"), "Women’s rights"),
    ("Women’s rights".encode("utf-16"), "Women’s rights"),
    (b"caf\xe9\x81", "caf\xe9\x81"),  # not cp1252 either (0x81 is unassigned): latin-1
])
def test_text_decoding(data, expected):
    assert decode_text(data) == expected


def test_html_inline_elements_do_not_split_words(tmp_path):
    path = tmp_path / "inline.html"
    path.write_bytes(b"<html><body><p><b>Ratify</b>ing the <i>OP</i>-CAT</p></body></html>")
    assert [block.text for block in read_document(path).blocks] == ["Ratifying the OP-CAT"]


def test_docx_page_header_leads_the_lines_for_detection_but_is_no_block():
    from rectrack.extractors.detect import detect_document

    document = read_document(SLOVENIA_LIST)
    assert document.pages[0].lines[0].startswith("UPR of Slovenia (3rd Cycle - 34th Session)")
    assert not document.blocks[0].text.startswith("UPR of")
    info = detect_document(document)
    assert (info.country, info.session) == ("Slovenia", "34")
