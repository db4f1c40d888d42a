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
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from extractors.detect import detect_document
from extractors.errors import OutputError
from extractors.pipeline import process_document
from extractors.read import read_document
from extractors.records import Block, BlockKind, DocumentType, Position
from extractors.segment import segment_document
from extractors.segment.addendum_layouts import item_pieces
from extractors.segment.addendum_refs import DASHES, is_reference_heading, parse_references, split_headings
from extractors.segment.upr_addendum import PARTIAL_MARK, report_symbol, segment_upr_addendum
from extractors.states import canonical_state
from extractors.tables import unchanged_summary, update_outputs

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
    # "122.79–81" stands at the top of page 4; the reader ran it on to page 3's last paragraph.
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
    for _ in range(draw(st.integers(1, 8))):
        start = draw(st.integers(1, 300))
        span = draw(st.integers(0, 12))
        repeat_lead = draw(st.booleans())
        if span:
            end = f"{lead}.{start + span}" if repeat_lead else str(start + span)
            text.append(f"{lead}.{start}{draw(_JOINS)}{end}")
        else:
            text.append(f"{lead}.{start}")
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
