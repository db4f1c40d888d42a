"""Evidence from the next cycle: national reports' citations resolved to the rows they answer (issue 19).

The real documents: Slovenia's Working Group reports of 2010 and 2019 (``data/samples/upr/``) and its
national reports of 2014 and 2024 (``data/samples/national-reports/``), which cite them by number.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from rectrack.extractors.outputs import update_outputs
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import DocumentInfo, DocumentResult, DocumentType, EvidenceParagraph, Status
from rectrack.extractors.tracker.evidence import (
    PROGRESS, Scheme, choose_scheme, evidence_columns, numbering_schemes,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
REPORTS = ("upr/slovenia2010-A_HRC_14_15.pdf", "upr/slovenia2019-A_HRC_43_15.pdf")
NATIONAL = ("national-reports/slovenia2014-A_HRC_WG.6_20_SVN_1-national-report.pdf",
            "national-reports/slovenia2024-A_HRC_WG.6_48_SVN_1-national-report.pdf")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


MATRIX = "matrices/slovenia2019-UPR34-thematic-list.docx"     # the same 215 recommendations of 2019, as a matrix


@pytest.fixture(scope="module")
def results() -> list[DocumentResult]:
    return [process_document(SAMPLES / name, SAMPLES) for name in (*REPORTS, *NATIONAL)]


def test_the_rows_of_one_recommendation_share_its_evidence(results: list[DocumentResult], tmp_path: Path) -> None:
    """The matrix's row of a cited recommendation says what its report's row says."""
    update_outputs(tmp_path, [*results, process_document(SAMPLES / MATRIX, SAMPLES)])
    tracker = _read(tmp_path / "tracker.csv")
    matrix = tracker[tracker["document_type"] == "recommendations_matrix"]
    report = tracker[tracker["document_symbol"] == "A/HRC/43/15"]
    progress = dict(zip(report["recommendation_key"], report["reported_progress"]))
    shared = [(progress[key], own) for key, own in zip(matrix["recommendation_key"], matrix["reported_progress"])
              if key in progress]
    assert len(shared) > 150
    assert all(own == theirs for theirs, own in shared)


@pytest.fixture(scope="module")
def out(results: list[DocumentResult], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("evidence")
    update_outputs(folder, results)
    return folder


# --- numbering -------------------------------------------------------------------------------

def test_the_readings_of_a_reports_numbers() -> None:
    schemes = {s.name: s.paragraphs for s in numbering_schemes(["121.1", "121.2", "122.1", "122.2", "122.3"])}
    assert schemes["as printed in 121"] == {"1": "121.1", "2": "121.2"}
    assert schemes["as printed in 122"] == {"1": "122.1", "2": "122.2", "3": "122.3"}
    assert schemes["counted through 121, 122"]["3"] == "122.1"
    assert schemes["counted through 122, 121"] == {"1": "122.1", "2": "122.2", "3": "122.3", "4": "121.1",
                                                   "5": "121.2"}
    # One paragraph: printed and counted are the same reading, given once.
    assert [s.name for s in numbering_schemes(["111.1", "111.2", "111.2"])] == ["as printed in 111"]


def test_the_reading_whose_recommendations_match_their_sections_is_chosen() -> None:
    texts = {"5.1": "ratify the convention against torture", "5.2": "abolish the death penalty",
             "6.1": "protect the rights of migrant workers"}
    schemes = numbering_schemes(list(texts))
    sections = [("the State ratified the convention against torture in 2020", ("2",)),
                ("migrant workers are protected by the new law", ("1",))]
    chosen = choose_scheme(schemes, sections, texts)
    assert chosen.paragraphs["2"] == "5.1" and chosen.paragraphs["1"] == "6.1"      # 6.x counted first
    assert choose_scheme([], sections, texts) is None
    assert isinstance(chosen, Scheme)


def test_progress_counts_facts_and_leaves_candidates_to_review() -> None:
    tracker = pd.DataFrame({"rec_id": ["r1", "r2", "r3", "r4"]})
    base = {"evidence_symbol": "A/HRC/WG.6/48/SVN/1", "evidence_document": "nr.pdf", "evidence_year": "2024",
            "evidence_type": "national_report"}
    evidence = pd.DataFrame([
        {**base, "rec_id": "r1", "link": "cited", "reviewed_link": "", "paragraph": "4"},
        {**base, "rec_id": "r1", "link": "similar", "reviewed_link": "", "paragraph": "9"},
        {**base, "rec_id": "r2", "link": "similar", "reviewed_link": "", "paragraph": "5"},
        {**base, "rec_id": "r3", "link": "cited", "reviewed_link": "wrong", "paragraph": "6"},
        {**base, "rec_id": "r4", "link": "similar", "reviewed_link": "Right", "paragraph": "7",
         "evidence_type": "civil_society_report", "evidence_symbol": "", "evidence_document": "dialogue-2025.txt"},
    ])
    columns = evidence_columns(tracker, evidence)
    assert columns["evidence_count"] == ["2", "1", "0", "1"]
    assert columns["reported_progress"] == [f"{PROGRESS[2]} (A/HRC/WG.6/48/SVN/1)", PROGRESS[1], PROGRESS[0],
                                            f"{PROGRESS[3]} (dialogue-2025.txt)"]
    assert columns["latest_evidence"][0] == "A/HRC/WG.6/48/SVN/1 para. 4, 2024"     # the fact, not the candidate
    assert columns["latest_evidence"][2] == ""


# --- the real reports -----------------------------------------------------------------------

def test_every_citation_of_both_national_reports_has_its_evidence_rows(results: list[DocumentResult],
                                                                       out: Path) -> None:
    """Cited links reproduced in full: each (paragraph, cited number) of each report has its rows."""
    evidence = _read(out / "evidence.csv")
    cited = evidence[evidence["link"] == "cited"]
    found = {(d, p, a.split()[-1]) for d, p, a in zip(cited["evidence_document"], cited["paragraph"], cited["cited_as"])}
    for result in results[2:]:
        wanted = {(result.document, item.paragraph, number) for item in result.evidence for number in item.cited}
        assert wanted and wanted <= found, sorted(wanted - found)[:10]
    problems = _read(out / "problems.csv")
    assert not len(problems[problems["kind"] == "evidence"])


def test_each_report_is_read_in_its_own_numbering(out: Path) -> None:
    """2014 numbers 2010's recommendations as printed (111.N); 2024 counts 2019's through 122 then 121:
    its "Recommendation 15 on a national human rights institution" is 122.15, its 215 is 121.58."""
    evidence, tracker = _read(out / "evidence.csv"), _read(out / "tracker.csv")
    cited = evidence[evidence["link"] == "cited"]
    by_id = dict(zip(tracker["rec_id"], zip(tracker["paragraph"], tracker["text"])))
    schemes = {symbol: set(rows["linked_by"].str.extract(r"\((.*)\)$")[0])
               for symbol, rows in cited.groupby("evidence_symbol")}
    assert schemes == {"A/HRC/WG.6/20/SVN/1": {"as printed in 111"},
                       "A/HRC/WG.6/48/SVN/1": {"counted through 122, 121"}}
    nhri = cited[(cited["evidence_symbol"] == "A/HRC/WG.6/48/SVN/1") & (cited["paragraph"] == "8")
                 & (cited["cited_as"] == "heading+text 15")]
    assert {by_id[rec][0] for rec in nhri["rec_id"]} == {"122.15"}
    assert "national human rights institution" in by_id[nhri["rec_id"].iloc[0]][1]
    last = cited[(cited["evidence_symbol"] == "A/HRC/WG.6/48/SVN/1") & cited["cited_as"].str.endswith(" 215")]
    assert {by_id[rec][0] for rec in last["rec_id"]} == {"121.58"}
    rule_of_law = cited[(cited["evidence_symbol"] == "A/HRC/WG.6/20/SVN/1") & (cited["cited_as"] == "heading 30")]
    assert {by_id[rec][0] for rec in rule_of_law["rec_id"]} == {"111.30"}


def test_the_tracker_says_what_became_of_each_cited_recommendation(out: Path) -> None:
    evidence, tracker = _read(out / "evidence.csv"), _read(out / "tracker.csv")
    cited_ids = set(evidence.loc[evidence["link"] == "cited", "rec_id"])
    rows = tracker[tracker["rec_id"].isin(cited_ids)]
    assert len(rows) > 250
    assert (rows["evidence_count"].astype(int) > 0).all()
    assert rows["reported_progress"].str.startswith(PROGRESS[2]).all()
    assert rows["latest_evidence"].str.contains(r"A/HRC/WG\.6/(?:20|48)/SVN/1 para\. \d+, (?:2014|2024)").all()
    # The 2010 rows' newest evidence is 2014's report, 2019's rows' is 2024's.
    assert set(rows.loc[rows["document_symbol"] == "A/HRC/14/15", "latest_evidence"].str[-4:]) == {"2014"}
    assert set(rows.loc[rows["document_symbol"] == "A/HRC/43/15", "latest_evidence"].str[-4:]) == {"2024"}
    # Similar links never make a fact on their own.
    key = dict(zip(tracker["rec_id"], tracker["recommendation_key"]))
    cited_keys = {key[rec] for rec in cited_ids}
    similar_only = {rec for rec in evidence.loc[evidence["link"] == "similar", "rec_id"] if key[rec] not in cited_keys}
    assert similar_only
    assert set(tracker.loc[tracker["rec_id"].isin(similar_only), "reported_progress"]) == {PROGRESS[1]}
    assert "status" in tracker.columns and (tracker["status"] == "").all()      # the analyst's column untouched


def test_the_workbook_has_an_evidence_sheet_and_the_report_a_section(out: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(out / "tracker.xlsx", read_only=True)
    assert "Evidence" in book.sheetnames
    rows = list(book["Evidence"].iter_rows(values_only=True))
    assert rows[0][:4] == ("evidence_id", "rec_id", "country", "link")
    evidence = _read(out / "evidence.csv")
    assert [row[0] for row in rows[1:len(evidence) + 1]] == list(evidence["evidence_id"])
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "What became of the previous cycle&#x27;s recommendations, by theme" in report
    assert 'id="followed-up"' in report


def test_a_link_marked_wrong_stays_wrong_and_a_reviewed_row_is_kept(results: list[DocumentResult],
                                                                   tmp_path: Path) -> None:
    update_outputs(tmp_path, results)
    evidence = _read(tmp_path / "evidence.csv")
    tracker = _read(tmp_path / "tracker.csv")
    wrong = evidence[evidence["link"] == "cited"].iloc[0]
    right = evidence[(evidence["link"] == "similar") & ~evidence["rec_id"].isin(evidence.loc[
        evidence["link"] == "cited", "rec_id"])].iloc[0]
    count_before = int(tracker.loc[tracker["rec_id"] == wrong["rec_id"], "evidence_count"].iloc[0])
    evidence.loc[evidence["evidence_id"] == wrong["evidence_id"], "reviewed_link"] = "wrong"
    evidence.loc[evidence["evidence_id"] == right["evidence_id"], "reviewed_link"] = "right"
    evidence.to_csv(tmp_path / "evidence.csv", index=False, encoding="utf-8-sig")

    update_outputs(tmp_path, results)                    # the same documents again: the reviews stay
    again, tracker = _read(tmp_path / "evidence.csv"), _read(tmp_path / "tracker.csv")
    assert set(again["evidence_id"]) == set(evidence["evidence_id"])           # stable ids
    reviewed = dict(zip(again["evidence_id"], again["reviewed_link"]))
    assert reviewed[wrong["evidence_id"]] == "wrong" and reviewed[right["evidence_id"]] == "right"
    row = tracker[tracker["rec_id"] == wrong["rec_id"]].iloc[0]
    assert int(row["evidence_count"]) == count_before - 1
    promoted = tracker[tracker["rec_id"] == right["rec_id"]].iloc[0]
    assert promoted["reported_progress"].startswith(PROGRESS[2])

    update_outputs(tmp_path, results[:2])                # the national reports not in this run: rows kept
    kept = _read(tmp_path / "evidence.csv")
    assert set(kept["evidence_id"]) == set(evidence["evidence_id"])
    assert dict(zip(kept["evidence_id"], kept["reviewed_link"]))[wrong["evidence_id"]] == "wrong"


def test_a_national_report_without_the_report_it_answers_is_a_problem(results: list[DocumentResult],
                                                                      tmp_path: Path) -> None:
    update_outputs(tmp_path, [results[3]])               # 2024's national report alone
    problems = _read(tmp_path / "problems.csv")
    evidence = problems[problems["kind"] == "evidence"]
    assert len(evidence) == 1
    assert "no UPR Working Group report of Slovenia before 2024" in evidence["reason"].iloc[0]
    assert "add Slovenia's previous Working Group report" in evidence["action"].iloc[0]


def test_a_number_the_report_does_not_have_is_a_problem_naming_it(results: list[DocumentResult],
                                                                  tmp_path: Path) -> None:
    info = DocumentInfo(document_type=DocumentType.NATIONAL_REPORT, symbol="A/HRC/WG.6/20/SVN/1", body="UPR",
                        country="Slovenia", year="2014")
    made_up = DocumentResult(document="nr.pdf", sha256="0" * 64, status=Status.OK, info=info, evidence=(
        EvidenceParagraph(paragraph="1", page=2, text="Slovenia ratified the Optional Protocol.",
                          heading="A. Obligations", cited=("4", "998"), cited_by="heading", speaker="State"),))
    update_outputs(tmp_path, [results[0], made_up])
    problems = _read(tmp_path / "problems.csv")
    reason = problems.loc[problems["kind"] == "evidence", "reason"].iloc[0]
    assert "998" in reason and "A/HRC/14/15" in reason and " 4," not in reason
    cited = _read(tmp_path / "evidence.csv").query("link == 'cited'")
    assert list(cited["cited_as"]) == ["heading 4"]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; CI does)")
def test_the_evidence_section_draws_in_headless_chromium(out: Path, tmp_path: Path) -> None:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom",
               (out / "report.html").as_uri()]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert [line for line in dom.stderr.splitlines() if ":CONSOLE" in line] == []
    drawn = re.findall(r'<div id="([a-z-]+)" class="plotly-graph-div[^"]*js-plotly-plot', dom.stdout)
    assert "followed-up" in drawn


def test_a_dialogue_report_gives_candidates_for_the_countrys_earlier_recommendations(tmp_path: Path) -> None:
    """The real 2025 Dushanbe report prints no date and names no State in a title: its year comes from its
    file name, its country from its recommendations, and its paragraphs are compared with Tajikistan's
    2011 UPR recommendations."""
    dialogue = process_document(SAMPLES / "dialogue/human-rights-dialogue-2025-dushanbe.txt", SAMPLES)
    assert dialogue.info.year == "2025" and "from the file name" in dialogue.info.reason
    update_outputs(tmp_path, [process_document(SAMPLES / "upr/tajikistan2011.pdf", SAMPLES), dialogue])
    evidence = _read(tmp_path / "evidence.csv")
    assert len(evidence) and set(evidence["link"]) == {"similar"}
    assert set(evidence["country"]) == {"Tajikistan"} and set(evidence["evidence_year"]) == {"2025"}
    assert (evidence["speaker"] != "").all()
    problems = _read(tmp_path / "problems.csv")
    assert not len(problems[problems["kind"] == "evidence"])


def test_evidence_of_unknown_year_is_a_problem_not_a_guess(results: list[DocumentResult], tmp_path: Path) -> None:
    info = DocumentInfo(document_type=DocumentType.CIVIL_SOCIETY_REPORT, body="civil society", country="Slovenia")
    undated = DocumentResult(document="notes.txt", sha256="1" * 64, status=Status.OK, info=info, evidence=(
        EvidenceParagraph(paragraph="1", page=1, text="The Ombudsman was given a children's department.",
                          speaker="civil society"),))
    update_outputs(tmp_path, [results[0], undated])
    problems = _read(tmp_path / "problems.csv")
    row = problems[problems["kind"] == "evidence"].iloc[0]
    assert row["document"] == "notes.txt" and "year could not be read" in row["reason"]
    assert not (tmp_path / "evidence.csv").exists()


COMPILATION = "compilations/slovenia2019-A_HRC_WG.6_34_SVN_2-un-compilation.pdf"
SUMMARY = "compilations/slovenia2019-A_HRC_WG.6_34_SVN_3-stakeholders-summary.pdf"


def test_the_compilations_heading_notes_link_the_paragraphs_of_the_report_they_name(tmp_path: Path) -> None:
    """"For relevant recommendations, see A/HRC/28/15, paras. 115.44–115.47 ...": every paragraph under the
    heading is evidence for those rows of Slovenia's 2014 report, by symbol and printed paragraph."""
    report = process_document(SAMPLES / "upr/slovenia2014-A_HRC_28_15.pdf", SAMPLES)
    assert report.info.symbol == "A/HRC/28/15"
    sources = [process_document(SAMPLES / name, SAMPLES) for name in (COMPILATION, SUMMARY)]
    update_outputs(tmp_path, [report, *sources])
    evidence, tracker = _read(tmp_path / "evidence.csv"), _read(tmp_path / "tracker.csv")
    cited = evidence[evidence["link"] == "cited"]
    paragraph_of = dict(zip(tracker["rec_id"], tracker["paragraph"]))
    for result in sources:
        wanted = {(item.paragraph, number) for item in result.evidence if item.cited_report for number in item.cited}
        mine = cited[cited["evidence_document"] == result.document]
        found = {(p, paragraph_of[rec]) for p, rec in zip(mine["paragraph"], mine["rec_id"])}
        assert wanted and wanted == found
    assert set(cited["linked_by"].str.extract(r"\((.*)\)$")[0]) == {"named by the document"}
    problems = _read(tmp_path / "problems.csv")
    assert not len(problems[problems["kind"] == "evidence"])
    linked = tracker[tracker["rec_id"].isin(set(cited["rec_id"]))]
    assert linked["reported_progress"].str.startswith(PROGRESS[3]).all()       # the UN and NGOs report gaps
    assert linked["reported_progress"].str.contains("A/HRC/WG.6/34/SVN/2").any()

    update_outputs(tmp_path / "without", sources[:1])                           # the report they cite is absent
    problems = _read(tmp_path / "without" / "problems.csv")
    reasons = list(problems.loc[problems["kind"] == "evidence", "reason"])
    assert len(reasons) == 1 and "of A/HRC/28/15, which is not in the tracker" in reasons[0]
