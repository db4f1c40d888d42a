"""Follow-up groups on the bundled Slovenia documents: across cycles and bodies, stable ids, the analyst's override.

Expectations are read off the documents: A/HRC/14/15 (2010) 111.2 (Spain,
Argentina) and A/HRC/43/15 (2019) 121.1 (France, Lithuania) both ask Slovenia
to ratify the Convention against Enforced Disappearance; 2019 122.2 asks it to
ratify the Migrant Workers Convention (another treaty, another ask); the 2019
UN compilation's paragraph 2 (CESCR) and the 2010 report's 111.3 (Argentina)
both ask it to ratify ILO Convention No. 118.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd
import pytest

from rectrack.extractors.tracker import similarity
from rectrack.extractors.classify import embeddings
from rectrack.extractors.tracker.grouping import group_id, groups_table
from rectrack.extractors.tracker.columns import GROUP_COLUMNS
from tests.sample_runs import run_samples as _run
from rectrack.extractors.outputs import update_outputs
from rectrack.extractors.tracker.io import read_csv_strings, read_tracker
from rectrack.extractors.errors import OutputError

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
REPORT_2010 = "upr/slovenia2010-A_HRC_14_15.pdf"
REPORT_2019 = "upr/slovenia2019-A_HRC_43_15.pdf"
ADDENDUM_2020 = "upr/slovenia2020-A_HRC_43_15_Add.1.pdf"
MATRIX_2019 = "matrices/slovenia2019-UPR34-thematic-list.docx"
COMPILATION_2019 = "compilations/slovenia2019-A_HRC_WG.6_34_SVN_2-un-compilation.pdf"
TAJIKISTAN = "upr/tajikistan2011.pdf"


def _groups(out: Path) -> pd.DataFrame:
    return read_csv_strings(out / "groups.csv", OutputError, "")


def _row(tracker: pd.DataFrame, document: str, paragraph: str, states: str = "") -> pd.Series:
    rows = tracker[(tracker["document"] == document) & (tracker["paragraph"] == paragraph)
                   & ((tracker["recommending_states"] == states) if states else True)]
    assert len(rows) == 1, (document, paragraph, states, len(rows))
    return rows.iloc[0]


@pytest.fixture(scope="module")
def slovenia(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("slovenia")
    _run(out, REPORT_2010, REPORT_2019, ADDENDUM_2020, MATRIX_2019, COMPILATION_2019)
    return out


def test_the_same_ask_two_cycles_apart_is_one_group(slovenia):
    tracker = read_tracker(slovenia / "tracker.csv")
    first = _row(tracker, REPORT_2010, "111.2")
    again = _row(tracker, REPORT_2019, "121.1")
    assert first["follow_up_group"] == again["follow_up_group"] != ""
    group = _groups(slovenia).set_index("follow_up_group").loc[first["follow_up_group"]]
    assert (group["first_year"], group["latest_year"]) == ("2010", "2019")
    assert group["first_document"] == REPORT_2010
    assert {"Spain", "Argentina", "France", "Lithuania"} <= set(group["made_by"].split("|"))
    assert group["latest_position"] == "supported"      # A/HRC/43/15/Add.1 supports 121.x


def test_another_treaty_is_another_group(slovenia):
    tracker = read_tracker(slovenia / "tracker.csv")
    assert _row(tracker, REPORT_2019, "121.1")["follow_up_group"] != \
        _row(tracker, REPORT_2019, "122.2")["follow_up_group"]


def test_a_treaty_body_ask_and_a_upr_ask_are_one_group(slovenia):
    tracker = read_tracker(slovenia / "tracker.csv")
    compiled = tracker[(tracker["document"] == COMPILATION_2019) & (tracker["paragraph"] == "2")
                       & tracker["text"].str.contains("No. 118")]
    assert len(compiled) == 1
    group = compiled.iloc[0]["follow_up_group"]
    assert _row(tracker, REPORT_2010, "111.3")["follow_up_group"] == group
    row = _groups(slovenia).set_index("follow_up_group").loc[group]
    assert set(row["bodies"].split("|")) == {"CESCR", "UPR"}
    assert set(row["made_by"].split("|")) == {"CESCR", "Argentina"}


def test_a_matrix_row_is_in_the_group_of_the_report_row_it_repeats(slovenia):
    tracker = read_tracker(slovenia / "tracker.csv")
    linked = tracker[tracker["same_as"] != ""]
    assert len(linked) > 200
    group_of = dict(zip(tracker["rec_id"], tracker["follow_up_group"]))
    assert all(group_of[same] == group for same, group in zip(linked["same_as"], linked["follow_up_group"]))


def test_groups_csv_has_one_row_per_group_counting_each_recommendation_once(slovenia):
    tracker = read_tracker(slovenia / "tracker.csv")
    groups = _groups(slovenia)
    assert tuple(groups.columns) == GROUP_COLUMNS
    assert set(groups["follow_up_group"]) == set(tracker["follow_up_group"])
    assert groups["follow_up_group"].is_unique
    assert groups["recommendations"].astype(int).sum() == int((tracker["same_as"] == "").sum())
    assert set(groups["country"]) == {"Slovenia"}


def test_an_unrelated_document_changes_no_group_id(slovenia, tmp_path):
    before = read_tracker(slovenia / "tracker.csv")
    fresh = _run(tmp_path, REPORT_2010, REPORT_2019, ADDENDUM_2020, MATRIX_2019, COMPILATION_2019, TAJIKISTAN)
    slovene = fresh[fresh["country"] == "Slovenia"]
    assert dict(zip(slovene["rec_id"], slovene["follow_up_group"])) == \
        dict(zip(before["rec_id"], before["follow_up_group"]))


def test_a_group_keeps_its_id_when_an_earlier_cycle_joins_it(tmp_path):
    later = _run(tmp_path, REPORT_2019)
    group = _row(later, REPORT_2019, "121.1")["follow_up_group"]
    both = _run(tmp_path, REPORT_2019, REPORT_2010)
    assert _row(both, REPORT_2010, "111.2")["follow_up_group"] == group
    # A fresh run names the group after its earliest member instead: the id came from the last tracker.
    assert group != group_id(_row(both, REPORT_2010, "111.2")["rec_id"])


def _edit(out: Path, cells: dict[tuple[str, str, str], str]) -> None:
    tracker = read_tracker(out / "tracker.csv")
    for (document, paragraph, states), value in cells.items():
        index = _row(tracker, document, paragraph, states).name
        tracker.at[index, "reviewed_group"] = value
    tracker.to_csv(out / "tracker.csv", index=False, encoding="utf-8-sig")


def test_reviewed_group_wins_and_survives_a_rerun_and_a_new_document(tmp_path):
    tracker = _run(tmp_path, REPORT_2019, ADDENDUM_2020, MATRIX_2019)
    ced = _row(tracker, REPORT_2019, "121.1")["follow_up_group"]
    ukraine = _row(tracker, REPORT_2019, "121.2", "Ukraine")
    assert ukraine["follow_up_group"] == ced
    _edit(tmp_path, {(REPORT_2019, "122.2", "Bangladesh|Egypt"): ced, (REPORT_2019, "121.2", "Ukraine"): "new"})
    for names in ((REPORT_2019, ADDENDUM_2020, MATRIX_2019), (REPORT_2019, ADDENDUM_2020, MATRIX_2019, REPORT_2010)):
        tracker = _run(tmp_path, *names)
        moved = _row(tracker, REPORT_2019, "122.2")
        alone = _row(tracker, REPORT_2019, "121.2", "Ukraine")
        assert (moved["reviewed_group"], moved["follow_up_group"]) == (ced, ced)
        assert alone["reviewed_group"] == "new"
        assert alone["follow_up_group"] == group_id(alone["recommendation_key"], "new")
        assert (tracker["follow_up_group"] == alone["follow_up_group"]).sum() == 2   # it and its matrix row
        matrix_row = tracker[tracker["same_as"] == moved["rec_id"]]
        assert list(matrix_row["follow_up_group"]) == [ced]


def test_a_reviewed_group_that_is_no_group_id_is_reported_not_applied(tmp_path):
    tracker = _run(tmp_path, REPORT_2019)
    computed = _row(tracker, REPORT_2019, "121.1")["follow_up_group"]
    _edit(tmp_path, {(REPORT_2019, "121.1", "France|Lithuania"): "ratify CED"})
    tracker = _run(tmp_path, REPORT_2019)
    row = _row(tracker, REPORT_2019, "121.1")
    assert (row["reviewed_group"], row["follow_up_group"]) == ("ratify CED", computed)
    problems = read_csv_strings(tmp_path / "problems.csv", OutputError, "")
    assert list(problems.loc[problems["kind"] == "reviewed_group_invalid", "document"]) == [REPORT_2019]


def test_no_recommendations_give_an_empty_groups_csv(tmp_path):
    update_outputs(tmp_path, [])
    assert list(_groups(tmp_path).columns) == list(GROUP_COLUMNS)
    assert len(_groups(tmp_path)) == 0
    assert len(groups_table(read_tracker(tmp_path / "tracker.csv"))) == 0


def test_the_embedding_loads_from_the_wheel_without_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network call while loading the embedding")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    embeddings.wordllama.cache_clear()
    scores = similarity.embedding_similarity([
        "Ratify the International Convention on the Protection of the Rights of All Migrant Workers and Members "
        "of Their Families",
        "Consider acceding to the International Convention on the Protection of the Rights of All Migrant Workers "
        "and Members of Their Families",
        "Revise the definition of rape in the Criminal Code so that it is based on the absence of consent"])
    assert scores.shape == (3, 3)
    assert scores[0, 1] > 0.8 > 0.3 > scores[0, 2]


def test_tfidf_scores_identical_texts_one_and_unrelated_texts_zero():
    scores = similarity.tfidf_similarity(["Combat domestic violence", "combat  domestic violence", "Ratify OPCAT"])
    assert scores[0, 1] == pytest.approx(1.0)
    assert scores[0, 2] == 0.0


def test_only_countries_whose_rows_changed_are_clustered_again(slovenia, tmp_path):
    """The memo of one grouping lets the next one skip every country whose rows are as they were."""
    from rectrack.extractors.tracker.grouping import group_tracker

    tracker = read_tracker(slovenia / "tracker.csv")
    tajikistan = _run(tmp_path / "tj", TAJIKISTAN)
    both = pd.concat([tracker, tajikistan], ignore_index=True)
    compared: list[int] = []

    def counting(texts):
        compared.append(len(texts))
        return similarity.combined_similarity(texts)

    first = group_tracker(both, similarity=counting)
    assert sorted(compared) == sorted([int((both["country"] == c).sum()) for c in ("Slovenia", "Tajikistan")])
    compared.clear()
    again = group_tracker(both, similarity=counting, memo=first.memo)
    assert compared == [] and again.groups == first.groups and again.memo == first.memo
    changed = both.copy()
    row = changed.index[changed["country"] == "Tajikistan"][0]
    changed.at[row, "text"] = changed.at[row, "text"] + " and report on it"
    third = group_tracker(changed, similarity=counting, memo=first.memo)
    assert compared == [int((both["country"] == "Tajikistan").sum())]          # Slovenia taken from the memo
    assert third.groups == group_tracker(changed, similarity=counting).groups    # as without a memo


def test_a_run_keeps_the_clusterings_for_the_next_and_a_broken_memo_is_recomputed(slovenia, tmp_path):
    from rectrack.extractors.outputs import GROUPING_MEMO_FILE

    out = tmp_path / "out"
    _run(out, REPORT_2010, REPORT_2019)
    groups = (out / "groups.csv").read_bytes()
    assert (out / GROUPING_MEMO_FILE).is_file()
    (out / GROUPING_MEMO_FILE).write_text("{not json", encoding="utf-8")
    _run(out, REPORT_2010, REPORT_2019)
    assert (out / "groups.csv").read_bytes() == groups
