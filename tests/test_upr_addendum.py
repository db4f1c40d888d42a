"""UPR addenda: the State's positions read off the real addenda and applied to their reports.

Expectations are read off the documents: A/HRC/43/15/Add.1 (Slovenia, 2020)
says "of which 124 are now supported and 33 noted" and lists them in its
paragraphs 3-5; A/HRC/14/15/Add.1 (Slovenia, 2010) answers items 1-97 of
paragraph 111 of A/HRC/14/15 one by one. UPR Info's rows for Slovenia's
session 7 give an independent reading of the 2010 positions.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from rectrack.extractors.detect import detect_document
from rectrack.extractors.errors import OutputError
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import layout, read_document
from rectrack.extractors.read.layout import Line
from rectrack.extractors.read.pdf import _extract as read_pdf_lines
from rectrack.extractors.records import Block, BlockKind, DocumentType, Position
from rectrack.extractors.segment import segment_document
from rectrack.extractors.segment.upr.addendum_layouts import item_pieces
from rectrack.extractors.segment.upr.addendum_refs import DASHES, is_reference_heading, parse_references, split_headings
from rectrack.extractors.segment.upr.addendum import PARTIAL_MARK, report_symbol, segment_upr_addendum
from rectrack.extractors.reference.states import canonical_state
from rectrack.extractors.outputs import unchanged_summary, update_outputs
from rectrack.extractors.text.normalize import DocumentWords

ROOT = Path(__file__).resolve().parents[1]
UPR = ROOT / "data" / "samples" / "upr"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = FIXTURES / "golden" / "addendum-slovenia2020-A_HRC_43_15_Add.1-page2.json"
REPORT_2019, ADDENDUM_2020 = "slovenia2019-A_HRC_43_15.pdf", "slovenia2020-A_HRC_43_15_Add.1.pdf"
REPORT_2010, ADDENDUM_2010 = "slovenia2010-A_HRC_14_15.pdf", "slovenia2010-A_HRC_14_15_Add.1.pdf"
S, N = Position.SUPPORTED, Position.NOTED


@lru_cache(maxsize=None)
def _read(name: str):
    document = read_document(UPR / name)
    return document, detect_document(document)


@lru_cache(maxsize=None)
def _result(name: str):
    return process_document(UPR / name, UPR)


def _updates(name: str) -> dict[str, object]:
    return {u.paragraph: u for u in _result(name).position_updates}


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


# --- segmentation: A/HRC/43/15/Add.1 (2020, clustered layout) ---------------------------

def test_addendum_is_detected_and_answers_its_report():
    _, info = _read(ADDENDUM_2020)
    assert info.document_type is DocumentType.UPR_ADDENDUM
    assert info.symbol == "A/HRC/43/15/Add.1"
    assert report_symbol(info.symbol) == "A/HRC/43/15"
    assert report_symbol("A/HRC/14/15/Add. 2") == "A/HRC/14/15"


def test_slovenia_2020_gives_124_supported_and_33_noted():
    result = _result(ADDENDUM_2020)
    assert result.recommendations == () and result.problems == ()
    updates = result.position_updates
    assert len(updates) == len({u.paragraph for u in updates}) == 157
    assert {u.paragraph for u in updates} == {f"122.{n}" for n in range(1, 158)}
    assert Counter(u.position for u in updates) == {S: 124, N: 33}
    assert {u.report_symbol for u in updates} == {"A/HRC/43/15"}
    assert Counter(u.source for u in updates) == {
        "A/HRC/43/15/Add.1 para. 3": 80, "A/HRC/43/15/Add.1 para. 4": 44, "A/HRC/43/15/Add.1 para. 5": 33}


def test_golden_page_2_of_slovenia_2020():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))  # a missing golden file fails here
    updates = _result(ADDENDUM_2020).position_updates
    for listing in golden["listings"]:
        found = [(u.paragraph, u.position.value, u.report_symbol) for u in updates if u.source == listing["source"]]
        assert found == [(p, listing["position"], golden["report_symbol"]) for p in listing["paragraphs"]]
    by_paragraph = _updates(ADDENDUM_2020)
    assert {p: by_paragraph[p].response for p in golden["responses"]} == golden["responses"]


def test_explanations_keep_the_states_words():
    updates = _updates(ADDENDUM_2020)
    # "122.79–81" stands at the top of page 4, right after page 3's last answer (122.74–75).
    assert updates["122.79"].response.startswith("Slovenia will continue to carry out the activities")
    assert updates["122.81"].response == updates["122.79"].response
    assert updates["122.74"].response.endswith("providing for the right of access to a lawyer for the defendant.")
    assert updates["122.54"].response.endswith("See also recommendation 122.42 above.")
    assert updates["122.55"].response.startswith("Slovenia does not see the need for legislative changes")
    assert updates["122.21"].response == "The recommendation is incomprehensible."
    assert (updates["122.21"].position, updates["122.21"].source) == (N, "A/HRC/43/15/Add.1 para. 5")
    assert updates["122.115"].response == "See recommendations 122.95–96."
    assert updates["122.1"].response == ""   # listed in paragraph 3, never explained


# --- segmentation: A/HRC/14/15/Add.1 (2010, itemised layout) ---------------------------

NOTED_2010 = {"1", "15", "84", "88", "93"}       # "cannot accept", "does not accept", no acceptance
PARTIAL_2010 = {"3", "32", "58"}                  # accept one part, "cannot accept" the other


def test_slovenia_2010_answers_items_1_to_97():
    result = _result(ADDENDUM_2010)
    assert result.problems == ()
    updates = _updates(ADDENDUM_2010)
    assert len(result.position_updates) == 97 and set(updates) == {str(n) for n in range(1, 98)}
    assert {p for p, u in updates.items() if u.position is N} == NOTED_2010
    assert {p for p, u in updates.items() if u.response.startswith(PARTIAL_MARK)} == PARTIAL_2010
    assert all(updates[p].position is S for p in PARTIAL_2010)
    assert updates["32"].response == (
        "[partially supported] Slovenia accepts the recommendation regarding the treatment of those "
        "responsible for domestic violence. Options for treatment are provided in partnership with NGOs. "
        "Slovenia also accepts recommendation on awareness-raising campaigns. Slovenia cannot accept the "
        "recommendation to promulgate a law on domestic violence due to the national system of criminal "
        "legislation. In Slovenia, criminal offences and sanctions are defined in the Criminal Code and in "
        "the Minor Offences Act.")


def test_item_numbers_in_the_left_column_slovenia_2010():
    updates = _updates(ADDENDUM_2010)
    # "40., 41., 42., Slovenia accepts these recommendations and already acts accordingly. 43., 44."
    assert {updates[p].response for p in ("40", "41", "42", "43", "44")} == {
        "Slovenia accepts these recommendations and already acts accordingly."}
    # "77., 78., 79., 82., Slovenia accepts ... in the light of the / 83., 85., 86., 87. decision by ..."
    shared = {updates[p].response for p in ("77", "78", "79", "82", "83", "85", "86", "87")}
    (text,) = shared
    assert text.startswith("Slovenia accepts these recommendations and refers, in the light of the decision by")
    assert updates["76"].response == "Slovenia accepts the recommendation and has always acted accordingly."
    assert updates["80"].response == "Slovenia accepts the recommendation."


def test_item_pieces_of_a_real_line():
    line = "40., 41., 42., Slovenia accepts these recommendations and already acts accordingly. 43., 44."
    assert item_pieces(line) == [
        ("start", "40., 41., 42.,"),
        ("text", "Slovenia accepts these recommendations and already acts accordingly."),
        ("more", "43., 44.")]


# --- merge: through process_document and update_outputs ----------------------------------

def _run(out: Path, *names: str):
    return update_outputs(out, [_result(name) for name in names])


def test_slovenia_2019_every_recommendation_ends_with_a_position(tmp_path: Path):
    _run(tmp_path, REPORT_2019, ADDENDUM_2020)
    tracker = _read_csv(tmp_path / "tracker.csv")
    assert set(tracker["document_symbol"]) == {"A/HRC/43/15"}
    by_paragraph = tracker.drop_duplicates("paragraph").set_index("paragraph")
    assert len(by_paragraph) == 215
    assert Counter(by_paragraph["position"]) == {"supported": 58 + 124, "noted": 33}
    pending_before = by_paragraph[by_paragraph.index.str.startswith("122.")]
    assert Counter(pending_before["position"]) == {"supported": 124, "noted": 33}
    assert (pending_before["position_source"] != "").all()
    assert (by_paragraph.loc[by_paragraph.index.str.startswith("121."), "position_source"] == "").all()
    assert Counter(tracker["position"]) == {"supported": 184, "noted": 35}      # 219 rows
    row = tracker[tracker["paragraph"] == "122.11"].iloc[0]
    assert (row["position"], row["position_source"]) == ("supported", "A/HRC/43/15/Add.1 para. 4")
    assert row["response"].startswith("The activities for the implementation of this recommendation")
    assert len(_read_csv(tmp_path / "problems.csv")) == 0
    responses = _read_csv(tmp_path / "responses.csv")
    assert list(responses.columns) == ["report_symbol", "paragraph", "position", "response", "source", "document"]
    assert len(responses) == 157 and set(responses["document"]) == {ADDENDUM_2020}


def _upr_info_session7() -> list[dict[str, str]]:
    with (FIXTURES / "upr-info" / "slovenia-session7.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_slovenia_2010_positions_against_a_hrc_14_15_and_upr_info(tmp_path: Path):
    """All 97 items of paragraph 111 get the addendum's position; UPR Info agrees on 103 of 106 rows.

    UPR Info splits the three partially accepted items and notes their
    declined half (ILO No. 118; a domestic-violence law; family courts):
    those are the only rows where the tracker says supported and UPR Info noted.
    """
    _run(tmp_path, REPORT_2010, ADDENDUM_2010)
    tracker = _read_csv(tmp_path / "tracker.csv")
    by_paragraph = tracker.drop_duplicates("paragraph").set_index("paragraph")
    assert set(by_paragraph.index) == {f"111.{n}" for n in range(1, 98)}
    assert Counter(by_paragraph["position"]) == {"supported": 92, "noted": 5}
    assert set(by_paragraph.index[by_paragraph["position"] == "noted"]) == {f"111.{n}" for n in NOTED_2010}
    assert Counter(tracker["position"]) == {"supported": 94, "noted": 5}        # 99 rows
    disagreements = []
    rows = _upr_info_session7()
    for row in rows:
        state = canonical_state(row["From"])
        candidates = [r for r in tracker.itertuples() if state in r.recommending_states.split("|")]
        best = max(candidates, key=lambda r: fuzz.partial_ratio(row["Text"].casefold(), r.text.casefold()))
        if best.position != {"Accepted": "supported", "Noted": "noted"}[row["Response"]]:
            disagreements.append((best.paragraph, row["From"], row["Response"]))
    assert len(rows) == 106
    assert sorted(disagreements) == [("111.3", "Argentina", "Noted"), ("111.32", "Spain", "Noted"),
                                     ("111.58", "Chile", "Noted")]


ORDERS = {
    "later run": [(REPORT_2019,), (REPORT_2019, ADDENDUM_2020)],
    "addendum first": [(ADDENDUM_2020,), (REPORT_2019, ADDENDUM_2020)],
    "addendum removed after being seen": [(REPORT_2019, ADDENDUM_2020), (REPORT_2019,)],
    "addendum seen first, then only the report": [(ADDENDUM_2020,), (REPORT_2019,)],
    "run twice": [(REPORT_2019, ADDENDUM_2020), (ADDENDUM_2020, REPORT_2019)],
}


@pytest.fixture(scope="module")
def one_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("one-run")
    _run(out, REPORT_2019, ADDENDUM_2020)
    return {name: (out / name).read_bytes() for name in ("tracker.csv", "responses.csv")}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_tracker_is_the_same_whatever_the_order(order: str, one_run: dict[str, bytes], tmp_path: Path):
    for names in ORDERS[order]:
        _run(tmp_path, *names)
    assert (tmp_path / "tracker.csv").read_bytes() == one_run["tracker.csv"]
    assert (tmp_path / "responses.csv").read_bytes() == one_run["responses.csv"]


def test_addendum_before_its_report_waits_in_responses(tmp_path: Path):
    summary = _run(tmp_path, ADDENDUM_2020)
    assert summary.tracker_rows == 0
    assert len(_read_csv(tmp_path / "responses.csv")) == 157
    (problem,) = _read_csv(tmp_path / "problems.csv").itertuples()
    assert problem.document == ADDENDUM_2020 and problem.kind == "report_missing"
    assert problem.reason.startswith("addendum A/HRC/43/15/Add.1 gives positions for 122.1, 122.2, 122.3,")
    assert problem.reason.endswith("(+137 more) but no report A/HRC/43/15 with those paragraphs is in the "
                                   "tracker yet")
    assert problem.action.startswith("add the report A/HRC/43/15")
    _run(tmp_path, REPORT_2019)
    assert len(_read_csv(tmp_path / "problems.csv")) == 0


def test_a_lost_responses_file_is_written_again_even_if_no_input_changed(tmp_path: Path):
    _run(tmp_path, REPORT_2019, ADDENDUM_2020)
    files = {name: _result(name).sha256 for name in (REPORT_2019, ADDENDUM_2020)}
    assert unchanged_summary(tmp_path, files) is not None
    (tmp_path / "responses.csv").unlink()
    assert unchanged_summary(tmp_path, files) is None


# --- broken variants, built from the real addendum ----------------------------------------

def _variant(replace_from: str, replace_to: str):
    """The 2020 addendum with one piece of its paragraph 3 changed."""
    document, info = _read(ADDENDUM_2020)
    blocks = tuple(dataclasses.replace(b, text=b.text.replace(replace_from, replace_to))
                   if b.text.startswith("3. The Government accepts") else b for b in document.blocks)
    return dataclasses.replace(document, blocks=blocks), info


def test_numbers_the_report_does_not_have_are_a_problem_nothing_lost(tmp_path: Path):
    document, info = _variant("122.154, 122.156.", "122.154, 122.156, 122.200, 122.201.")
    segmented = segment_upr_addendum(document, info)
    addendum = dataclasses.replace(_result(ADDENDUM_2020), position_updates=segmented.position_updates)
    update_outputs(tmp_path, [_result(REPORT_2019), addendum])
    (problem,) = _read_csv(tmp_path / "problems.csv").itertuples()
    assert problem.kind == "paragraph_missing"
    assert problem.reason == ("addendum A/HRC/43/15/Add.1 gives positions for 122.200, 122.201 but the report "
                              "A/HRC/43/15 in the tracker has no pending recommendation with those numbers")
    responses = _read_csv(tmp_path / "responses.csv")
    assert {"122.200", "122.201"} <= set(responses["paragraph"]) and len(responses) == 159
    tracker = _read_csv(tmp_path / "tracker.csv")
    assert "pending" not in set(tracker["position"])


def test_addendum_of_an_absent_report_keeps_its_positions(tmp_path: Path):
    document, info = _read(ADDENDUM_2020)
    segmented = segment_upr_addendum(document, dataclasses.replace(info, symbol="A/HRC/43/99/Add.1"))
    addendum = dataclasses.replace(_result(ADDENDUM_2020), position_updates=segmented.position_updates)
    update_outputs(tmp_path, [_result(REPORT_2019), addendum])
    (problem,) = _read_csv(tmp_path / "problems.csv").itertuples()
    assert problem.kind == "report_missing" and "no report A/HRC/43/99 with those paragraphs" in problem.reason
    assert set(_read_csv(tmp_path / "responses.csv")["report_symbol"]) == {"A/HRC/43/99"}
    assert Counter(_read_csv(tmp_path / "tracker.csv")["position"]) == {"pending": 160, "supported": 59}


def test_two_addenda_disagreeing_the_first_by_name_is_kept(tmp_path: Path):
    original = _result(ADDENDUM_2020)
    flipped = tuple(dataclasses.replace(u, position=N) if u.paragraph == "122.1" else u
                    for u in original.position_updates)
    corrected = dataclasses.replace(original, document="z-corrected.pdf", sha256="f" * 64,
                                    position_updates=flipped)
    update_outputs(tmp_path, [_result(REPORT_2019), corrected, original])
    (problem,) = _read_csv(tmp_path / "problems.csv").itertuples()
    assert (problem.document, problem.kind) == ("z-corrected.pdf", "conflicting_positions")
    assert problem.reason == f"{ADDENDUM_2020} gives A/HRC/43/15 122.1 as supported, this addendum as noted"
    tracker = _read_csv(tmp_path / "tracker.csv")
    assert tracker.loc[tracker["paragraph"] == "122.1", "position"].tolist() == ["supported"]


def test_unreadable_range_and_contradiction_are_problems():
    document, info = _variant("122.1, 122.12,", "122.1, 122.20-18, 122.13,")
    segmented = segment_upr_addendum(document, info)
    kinds = {p.kind: p for p in segmented.problems}
    assert set(kinds) == {"unreadable_numbers", "conflicting_positions"}
    assert "122.20-18" in kinds["unreadable_numbers"].reason and kinds["unreadable_numbers"].page == 2
    assert kinds["conflicting_positions"].reason == (
        "122.13 is given as supported (A/HRC/43/15/Add.1 para. 3) and as noted (A/HRC/43/15/Add.1 para. 5)")
    assert len(segmented.position_updates) == 156     # 122.12 is no longer listed anywhere


def test_addendum_without_symbol_or_positions_gives_one_clear_problem():
    document, info = _read(ADDENDUM_2020)
    (problem,) = segment_upr_addendum(document, dataclasses.replace(info, symbol="")).problems
    assert problem.kind == "no_symbol" and "A/HRC/../Add.1" in problem.reason
    cover_only = dataclasses.replace(document, blocks=tuple(b for b in document.blocks if b.page == 1))
    segmented = segment_upr_addendum(cover_only, info)
    assert segmented.position_updates == () and [p.kind for p in segmented.problems] == ["no_positions"]


def test_broken_responses_file_is_named_not_applied(tmp_path: Path):
    _run(tmp_path, ADDENDUM_2020)
    path = tmp_path / "responses.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",supported,", ",maybe,", 1), encoding="utf-8-sig")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(OutputError, match="responses.csv: row 2 .* unknown position 'maybe'"):
        _run(tmp_path, REPORT_2019)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_addendum_as_a_table_gives_the_same_positions():
    """The 2020 positions typed as a table (number | position | comments), as DOCX addenda do."""
    updates = _result(ADDENDUM_2020).position_updates
    words = {"supported": "Supported", "noted": "Noted"}
    rows = [Block("Recommendation | Position | Comments", 1, BlockKind.TABLE_ROW,
                  cells=("Recommendation", "Position", "Comments"))]
    rows += [Block("", 1, BlockKind.TABLE_ROW, cells=(u.paragraph, words[u.position.value], u.response))
             for u in updates]
    document, info = _read(ADDENDUM_2020)
    table = dataclasses.replace(document, blocks=(*document.blocks[:10], *rows))
    got = segment_upr_addendum(table, info).position_updates
    assert [(u.paragraph, u.position, u.response) for u in got] == [
        (u.paragraph, u.position, u.response) for u in updates]


def test_registered_for_upr_addenda():
    document, info = _read(ADDENDUM_2010)
    assert len(segment_document(document, info).position_updates) == 97


# --- the number parser -------------------------------------------------------------------

def test_every_typography_seen_in_the_addenda():
    text = "122.17-18, 122.34- 35, 122.23–24, 122.141-144,122.146, 122.14– 15, 122.2 to 122.3 and 122.9"
    assert parse_references(text).numbers == (
        "122.17", "122.18", "122.34", "122.35", "122.23", "122.24", "122.141", "122.142", "122.143",
        "122.144", "122.146", "122.14", "122.15", "122.2", "122.3", "122.9")
    assert parse_references("5., 6., 7., 8., 9.", plain=True).numbers == ("5", "6", "7", "8", "9")
    assert parse_references("122.20-18, 122.5-123.6").unreadable == ("122.20-18", "122.5-123.6")
    assert split_headings("for the defendant. 122.79–81") == ["for the defendant.", "122.79–81"]
    assert split_headings("See recommendation 122.28.") == ["See recommendation 122.28."]


_SEPARATORS = st.sampled_from([", ", ",", " , ", "; ", " and ", ",\u00a0"])
_JOINS = st.sampled_from([f"{space_before}{dash}{space_after}" for dash in DASHES
                          for space_before in ("", " ") for space_after in ("", " ")] + [" to "])


@st.composite
def _cited(draw):
    """(text as an addendum might print it, the numbers it stands for)."""
    lead = draw(st.integers(1, 199))
    text, numbers = [], []
    for index in range(draw(st.integers(1, 8))):
        start = draw(st.integers(1, 300))
        span = draw(st.integers(0, 12))
        repeat_lead = draw(st.booleans())
        # After the first item the paragraph may be dropped: "140.82-85, 87".
        first = f"{lead}.{start}" if index == 0 or draw(st.booleans()) else str(start)
        if span:
            end = f"{lead}.{start + span}" if repeat_lead else str(start + span)
            text.append(f"{first}{draw(_JOINS)}{end}")
        else:
            text.append(first)
        numbers.extend(f"{lead}.{n}" for n in range(start, start + span + 1))
        text.append(draw(_SEPARATORS))
    return "recommendations " + "".join(text[:-1]) + ".", tuple(dict.fromkeys(numbers))


@settings(max_examples=300, deadline=None)
@given(_cited())
def test_ranges_in_any_typography_give_their_numbers(cited):
    text, numbers = cited
    refs = parse_references(text)
    assert refs.numbers == numbers and refs.unreadable == ()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,;- –—to and\u00a0", max_size=60))
def test_parser_never_raises_and_numbers_are_dotted(text):
    refs = parse_references(text)
    assert all(n.count(".") == 1 for n in refs.numbers)
    assert len(refs.numbers) == len(set(refs.numbers))


# --- issue 10: each paragraph exactly its own response --------------------------------------

# Every number heading of A/HRC/43/15/Add.1, as printed (pages 2-8), with how many
# recommendations it names, counted off the PDF.
HEADERS_2020 = {
    "122.11": 1, "122.14– 15": 2, "122.16": 1, "122.19": 1,                                   # page 2
    "122.20": 1, "122.23–24": 2, "122.28": 1, "122.34–35": 2, "122.45": 1, "122.72": 1,
    "122.73": 1, "122.74–75": 2,                                                               # page 3
    "122.79–81": 3, "122.86": 1, "122.91–92": 2, "122.93": 1, "122.94": 1, "122.95–96": 2,
    "122.97": 1, "122.98": 1, "122.99": 1,                                                     # page 4
    "122.100": 1, "122.101–103": 3, "122.104": 1, "122.106–107": 2, "122.115": 1, "122.122": 1,
    "122.134–135": 2, "122.136": 1, "122.140": 1, "122.145": 1, "122.152": 1,                  # page 5
    "122.2–4": 3, "122.5–9": 5, "122.10": 1, "122.13": 1, "122.21": 1, "122.25–26": 2,
    "122.29": 1, "122.42": 1, "122.54": 1,                                                     # page 6
    "122.55": 1, "122.58": 1, "122.59": 1, "122.61": 1, "122.67": 1, "122.77": 1, "122.118": 1,
    "122.119": 1, "122.120": 1, "122.127": 1,                                                  # page 7
    "122.132": 1, "122.147": 1, "122.149": 1, "122.151": 1, "122.153": 1, "122.155": 1,
    "122.157": 1,                                                                              # page 8
}
# Lines of the addendum that are neither a heading nor an answer: the running
# header and page number opening pages 2-8, the section heading after 122.152 and
# paragraph 5 (it lists the noted numbers; no heading's answer).
_LISTING = re.compile(r"\d\. ")
_NOT_ANSWER_2020 = re.compile(r"A/HRC/43/15/Add\.1|\d|Noted recommendations")


def _letters(text: str) -> str:
    """Text reduced to its letters and digits: line breaks, hyphenation marks and spaces aside."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@lru_cache(maxsize=None)
def _printed_answers_2020() -> dict[str, str]:
    """Number -> the lines printed under its heading, read with pypdfium2 page by page (not the reader)."""
    lines = []
    with pdfium.PdfDocument(UPR / ADDENDUM_2020) as pdf:
        for page in list(pdf)[1:]:
            lines += [line.strip() for line in page.get_textpage().get_text_range().splitlines()]
    start = next(i for i, line in enumerate(lines) if line == "122.11")
    answers: dict[str, list[str]] = {}
    current: list[str] = []
    for line in lines[start:]:
        if _LISTING.match(line):
            current = []                  # paragraph 5, listing the noted numbers: no one's answer
        elif line in HEADERS_2020:
            current = []
            for number in parse_references(line).numbers:
                answers[number] = current
        elif not _NOT_ANSWER_2020.fullmatch(line):
            current.append(line)
    return {number: " ".join(words) for number, words in answers.items()}


def test_each_heading_of_slovenia_2020_names_its_paragraphs():
    counts = {header: len(parse_references(header).numbers) for header in HEADERS_2020}
    assert counts == HEADERS_2020 and all(is_reference_heading(h) for h in HEADERS_2020)
    assert sum(HEADERS_2020.values()) == 44 + 33      # paragraph 4 (44 numbers) and 5 (33) explained
    updates = _updates(ADDENDUM_2020)
    for header in HEADERS_2020:
        numbers = parse_references(header).numbers
        assert len({updates[n].response for n in numbers}) == 1, header   # a shared heading, one answer


def test_every_paragraph_of_a_hrc_43_15_gets_exactly_its_own_response(tmp_path: Path):
    """Tracker rows of the report against the addendum's own lines: full, nothing else, all 157."""
    printed = _printed_answers_2020()
    assert len(printed) == 77
    _run(tmp_path, REPORT_2019, ADDENDUM_2020)
    tracker = _read_csv(tmp_path / "tracker.csv")
    pending = tracker[tracker["paragraph"].str.startswith("122.")]
    assert set(pending["paragraph"]) == {f"122.{n}" for n in range(1, 158)}
    assert set(pending["position"]) == {"supported", "noted"}
    for paragraph, response in zip(pending["paragraph"], pending["response"]):
        assert _letters(response) == _letters(printed.get(paragraph, "")), paragraph
    assert not pending["response"].str.contains("A/HRC/43/15/Add.1", regex=False).any()


def test_responses_across_a_page_break_are_whole():
    updates = _updates(ADDENDUM_2020)
    # 122.19: page 2 ends "Measures for the promotion and", page 3 goes on "enforcement of ...".
    assert updates["122.19"].response == (
        "Slovenia considers that the activities for the implementation of this recommendation are ongoing "
        "and have largely been implemented. Measures for the promotion and enforcement of the human rights "
        "of young people are stipulated in the Organisation and Financing of Education Act.")
    # 122.152: page 5 ends "they have access to essential services;", page 6 goes on "women are granted ...".
    assert updates["122.152"].response.endswith(
        "they have access to essential services; women are granted additional health services, and the same "
        "holds for other applicants, if so decided by a special commission. Children (under 18) have access "
        "to the same health services as granted to children who are citizens of Slovenia.")
    assert "Noted recommendations" not in updates["122.152"].response
    # A/HRC/14/15/Add.1 item 63: page 5 ends "... privilege. Any", page 6 goes on "regulation in this sphere".
    assert _updates(ADDENDUM_2010)["63"].response.endswith(
        "as an issue of parliamentary autonomy and parliamentary immunity/privilege. Any regulation in this "
        "sphere is within the exclusive jurisdiction of the National Assembly.")


def _reread(pages: list[list[Line]]):
    """The 2020 addendum read again from (changed) pdfium lines, by the reader's own layout rules."""
    metrics = layout.document_metrics(pages)
    split = [layout.split_page(lines, metrics) for lines in pages]
    vocabulary = DocumentWords([line.text for body, notes in split for line in (*body, *notes)])
    document, info = _read(ADDENDUM_2020)
    blocks = tuple(layout.build_blocks(split, metrics, vocabulary))
    return segment_upr_addendum(dataclasses.replace(document, blocks=blocks), info)


# The headings of A/HRC/43/15/Add.1 retyped in the compact forms other addenda use.
COMPACT = {"122.74–75": "122.74, 75", "122.5–9": "122.5-7, 8, 122.9", "122.101–103": "122.101 — 102, 103",
           "122.134–135": "122.134,135", "122.2–4": "122.2 - 3 and 4"}


def test_compact_headings_and_a_heading_at_the_foot_of_a_page():
    """Page 4's first line "122.79–81" moved below page 3's last line; five headings retyped (COMPACT)."""
    source = UPR / ADDENDUM_2020
    pages, _ = read_pdf_lines(source, source.read_bytes())
    heading = next(line for line in pages[3] if line.text == "122.79–81")
    foot = min(line.y for line in pages[2] if not layout.is_running_header(line.text))
    pages[2] = [*pages[2], heading._replace(y=foot - 18)]
    pages[3] = [line for line in pages[3] if line is not heading]
    pages = [[line._replace(text=COMPACT.get(line.text, line.text)) for line in page] for page in pages]
    segmented = _reread(pages)
    assert segmented.problems == ()
    got = {u.paragraph: (u.position, u.response) for u in segmented.position_updates}
    assert got == {p: (u.position, u.response) for p, u in _updates(ADDENDUM_2020).items()}
    assert got["122.74"][1].endswith("access to a lawyer for the defendant.")
    assert got["122.79"][1].startswith("Slovenia will continue to carry out the activities in the field")
    assert got["122.102"][1] == "See recommendation 122.72."


def test_compact_lists_of_the_issue():
    assert parse_references("140.145, 146").numbers == ("140.145", "140.146")
    assert parse_references("140.82-85, 87").numbers == ("140.82", "140.83", "140.84", "140.85", "140.87")
    assert parse_references("122.150, 154").numbers == ("122.150", "122.154")
    assert parse_references("122.5–7, 8, 122.9; 12 and 122.14 —15").numbers == (
        "122.5", "122.6", "122.7", "122.8", "122.9", "122.12", "122.14", "122.15")
    # A bare number before a lower-case word or "%" is a quantity, not an item.
    assert parse_references("122.1, 12 per cent").numbers == ("122.1",)
    assert parse_references("see 122.3 and 15 other States").numbers == ("122.3",)
    assert parse_references("140.82-85, 87-80").unreadable == ("87-80",)
    headings = ("140.82-85, 87", "122.150, 154,", "Recommendations 140.82–85:", "See 122.1", "122.1 above",
                "Recommendation 122.21 is incomprehensible.")
    assert [is_reference_heading(t) for t in headings] == [True, True, True, False, False, False]
    assert split_headings("for the defendant. 140.82-85, 87 Slovenia will continue.") == [
        "for the defendant.", "140.82-85, 87", "Slovenia will continue."]
    assert split_headings("accepts the following recommendations: 122.1, 122.12") == [
        "accepts the following recommendations: 122.1, 122.12"]
