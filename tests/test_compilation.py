"""OHCHR compilations (…/2) and summaries of stakeholders' submissions (…/3).

Expectations are read off the documents: every sentence of every numbered
paragraph that reports a recommendation ("recommended", "urged ... to",
"called on/for", "encouraged", "invited", "requested", "asked", "reiterated
its call", "put forward recommendations", a reported "should"), counted per
paragraph; a sentence counts twice only when it has two coordinated
recommending verbs. "X made similar recommendations" adds sources, not rows.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest

from rectrack.extractors.detect import detect_document
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import Block, DocumentType, Position, Status
from rectrack.extractors.segment import segment_document
from rectrack.extractors.segment.compilation.segmenter import segment_compilation, segment_stakeholder_summary
from rectrack.extractors.text.sentences import split_sentences
from rectrack.extractors.text.footnotes import InOrder, strip_marks

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "compilations"
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
COMPILATION = SAMPLES / "slovenia2019-A_HRC_WG.6_34_SVN_2-un-compilation.pdf"
SUMMARY = SAMPLES / "slovenia2019-A_HRC_WG.6_34_SVN_3-stakeholders-summary.pdf"
COMPILATION_2009 = ROOT / "tests" / "fixtures" / "bad-inputs" / "corrupt-no-root-object.pdf"

# paragraph -> number of reported recommendations, read paragraph by paragraph.
COMPILATION_COUNTS = {
    2: 2, 5: 1, 7: 1, 8: 2, 11: 2, 12: 1, 14: 2, 15: 1, 16: 2, 19: 2, 20: 2, 21: 2, 22: 1, 23: 2, 24: 2,
    26: 1, 28: 1, 29: 2, 30: 1, 31: 1, 32: 1, 33: 1, 34: 1, 35: 2, 37: 2, 38: 2, 39: 1, 40: 1, 41: 1,
    42: 2, 43: 1, 44: 2, 45: 1, 46: 1, 47: 1, 48: 1, 49: 1, 50: 1, 52: 1, 53: 1, 55: 2, 57: 2, 58: 1,
    59: 2, 60: 1, 65: 3, 66: 1, 68: 1, 69: 1, 71: 1, 72: 1, 73: 1, 77: 1, 78: 1,
}
SUMMARY_COUNTS = {
    3: 1, 4: 1, 7: 1, 14: 1, 16: 1, 17: 2, 18: 1, 19: 2, 21: 1, 22: 1, 23: 2, 24: 1, 25: 2, 26: 1, 27: 1,
    28: 2, 30: 1, 31: 1, 32: 2, 33: 2, 34: 1, 35: 1, 36: 1, 39: 1, 43: 1, 45: 1, 51: 3, 57: 2, 60: 3,
    61: 2, 62: 1, 63: 1, 67: 1, 68: 1, 69: 1, 70: 1, 73: 3, 74: 3, 75: 2, 76: 1, 79: 1,
}
COMPILATION_2009_COUNTS = {
    1: 3, 6: 1, 8: 1, 12: 2, 13: 1, 14: 1, 15: 3, 16: 2, 17: 5, 18: 2, 19: 4, 20: 2, 21: 1, 22: 2, 23: 2,
    24: 1, 25: 4, 26: 3, 27: 1, 29: 3, 30: 1, 31: 2, 32: 2, 34: 1, 35: 1, 36: 3, 38: 1, 39: 1, 41: 1,
    42: 2, 44: 1, 45: 2,
}


@lru_cache(maxsize=None)
def _read(path: Path):
    document = read_document(path)
    return document, detect_document(document)


@lru_cache(maxsize=None)
def _rows(path: Path):
    document, info = _read(path)
    return segment_document(document, info)


def _row(path: Path, paragraph: str, index: int = 0):
    return [r for r in _rows(path).recommendations if r.paragraph == paragraph][index]


@pytest.mark.parametrize("path, expected", [
    (COMPILATION, (DocumentType.UN_COMPILATION, "A/HRC/WG.6/34/SVN/2", "Slovenia", "2019")),
    (SUMMARY, (DocumentType.STAKEHOLDER_SUMMARY, "A/HRC/WG.6/34/SVN/3", "Slovenia", "2019")),
    (COMPILATION_2009, (DocumentType.UN_COMPILATION, "A/HRC/WG.6/7/SVN/2", "Slovenia", "2009")),
])
def test_documents_are_detected(path, expected):
    _, info = _read(path)
    assert (info.document_type, info.symbol, info.country, info.year) == expected


@pytest.mark.parametrize("path, counts, total", [
    (COMPILATION, COMPILATION_COUNTS, 75),
    (SUMMARY, SUMMARY_COUNTS, 59),
    (COMPILATION_2009, COMPILATION_2009_COUNTS, 62),
])
def test_every_reported_recommendation_once(path, counts, total):
    segmented = _rows(path)
    found = Counter(int(r.paragraph) for r in segmented.recommendations)
    assert sum(counts.values()) == total
    assert dict(found) == counts
    assert segmented.problems == ()


@pytest.mark.parametrize("path", [COMPILATION, SUMMARY, COMPILATION_2009])
def test_rows_are_clean(path):
    for rec in _rows(path).recommendations:
        assert rec.text and rec.text[0].isupper(), rec.text
        assert not rec.text.endswith((".", ";", ",", " and")), rec.text
        # A word or closing mark with digits glued to it ("0.7 per cent" is a number).
        assert not re.search(r"(?:[a-z)”]|(?<!\d)[.,])\d{1,3}(?:\s|$)", rec.text), f"footnote marker left: {rec.text}"
        assert "\n" not in rec.text and "  " not in rec.text
        assert rec.position is Position.UNKNOWN and rec.recommending_states == ()
        assert rec.body and rec.heading and rec.page >= 1


# (document, paragraph, row in paragraph) -> (source, body), read off the text.
SOURCES = [
    (COMPILATION, "2", 1, "Committee on Economic, Social and Cultural Rights", "CESCR"),
    (COMPILATION, "7", 0, "Special Rapporteur on minority issues", "Special Rapporteur on minority issues"),
    (COMPILATION, "8", 0, "Human Rights Committee|Committee on Economic, Social and Cultural Rights", "CCPR|CESCR"),
    (COMPILATION, "12", 0, "Special Rapporteur on minority issues", "Special Rapporteur on minority issues"),
    (COMPILATION, "14", 0, "Human Rights Committee", "CCPR"),
    (COMPILATION, "16", 1, "Committee on Economic, Social and Cultural Rights", "CESCR"),
    (COMPILATION, "19", 1, "Independent Expert on the enjoyment of all human rights by older persons",
     "Independent Expert on the enjoyment of all human rights by older persons"),
    (COMPILATION, "48", 0, "Committee on the Rights of Persons with Disabilities", "CRPD"),
    (COMPILATION, "50", 0, "Special Rapporteur on minority issues", "Special Rapporteur on minority issues"),
    (COMPILATION, "59", 1, "Committee on the Elimination of Racial Discrimination|Committee on Economic, Social and "
                           "Cultural Rights|UNESCO|ILO Committee of Experts", "CERD|CESCR|UNESCO|ILO"),
    (COMPILATION, "73", 0, "UNHCR", "UNHCR"),
    (SUMMARY, "3", 0, "JS2|CoE-Commissioner", "civil society|Council of Europe"),
    (SUMMARY, "4", 0, "ICAN", "civil society"),
    (SUMMARY, "17", 1, "JS1", "civil society"),
    (SUMMARY, "19", 1, "CoE-GRECO", "Council of Europe"),
    (SUMMARY, "21", 0, "AI", "civil society"),
    (SUMMARY, "22", 0, "PTPR", "civil society"),
    (SUMMARY, "27", 0, "HRORS", "NHRI"),
    (SUMMARY, "51", 1, "CoE-ACFC", "Council of Europe"),
    (SUMMARY, "61", 1, "CoE-Commissioner", "Council of Europe"),
    (SUMMARY, "79", 0, "CoE-Commissioner|CoE-ACFC|JS2", "Council of Europe|civil society"),
    (COMPILATION_2009, "17", 4, "CESCR|HR Committee", "CESCR|CCPR"),
    (COMPILATION_2009, "19", 2, "ILO Committee of Experts", "ILO"),
    (COMPILATION_2009, "1", 0, "Committee on the Elimination of Discrimination against Women", "CEDAW"),
]


@pytest.mark.parametrize("path, paragraph, index, source, body", SOURCES)
def test_sources_and_bodies(path, paragraph, index, source, body):
    rec = _row(path, paragraph, index)
    assert (rec.source, rec.body) == (source, body)


def test_passive_report_takes_its_body_from_the_footnotes():
    rec = _row(COMPILATION, "2", 0)      # "It was recommended that Slovenia ratify ..."3, 4, 5
    assert rec.source == ""
    assert rec.body == "CERD|CESCR|CEDAW|UNHCR"
    assert rec.text.startswith("Ratify the International Convention on the Protection of the Rights of All Migrant")
    assert rec.text.endswith("and the Convention on the Reduction of Statelessness")
    ibid = _row(COMPILATION_2009, "36", 1)   # "Slovenia was called upon to ..."98 (note 98: "Ibid." of E/C.12)
    assert (ibid.source, ibid.body, ibid.addressee) == ("", "CESCR", "Slovenia")
    assert ibid.text == "Take measures to guarantee that education is provided also in the mother tongue of minorities"


def test_texts_read_off_the_documents():
    assert _row(COMPILATION, "2", 1).text == (
        "Ratify the Equality of Treatment (Social Security) Convention, 1962 (No. 118) of the International "
        "Labour Organization (ILO)")
    called, encouraged = _row(COMPILATION, "19", 0), _row(COMPILATION, "19", 1)
    assert called.text == ("Devise a comprehensive strategy for the protection of older persons from violence "
                           "and all forms of abuse")
    assert encouraged.text.startswith("Ensure that elder abuse was prevented, detected and reported")
    assert (called.addressee, encouraged.addressee) == ("the Government", "the Government")
    assert _row(COMPILATION, "12", 0).text == (
        "Disaggregated data on those matters be collated and published by the responsible authorities")
    assert _row(SUMMARY, "62", 0).text == ("Formulate a clear strategy for the improvement of the situation of "
                                           "Roma, including through the identification of concrete targets")
    assert _row(SUMMARY, "67", 0).text == "Not activate the amendments"
    assert _row(COMPILATION_2009, "16", 1).text.startswith("Prosecute perpetrators of such acts")


def test_headings_pages_and_follow_up():
    assert (_row(COMPILATION, "5", 0).heading, _row(COMPILATION, "5", 0).page) == (
        "National human rights framework", 1)
    assert _row(COMPILATION, "78", 0).heading == "Stateless persons"
    assert _row(SUMMARY, "3", 0).heading == (
        "Scope of international obligations and cooperation with international human rights mechanisms and bodies")
    assert _row(COMPILATION_2009, "1", 0).heading == "Scope of international obligations"
    follow_up = [r.paragraph for r in _rows(COMPILATION_2009).recommendations if r.follow_up]
    assert follow_up == ["44", "45", "45"]


@pytest.mark.parametrize("path, golden", [
    (COMPILATION, "compilation-slovenia2019-SVN2-pages5-6.json"),
    (SUMMARY, "stakeholders-slovenia2019-SVN3-pages4-5.json"),
])
def test_golden_pages(path, golden):
    expected_file = GOLDEN / golden
    assert expected_file.exists(), f"golden file {expected_file} is missing: write it by hand from the document"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    fields = ("paragraph", "page", "source", "body", "heading", "addressee", "text")
    found = [{f: getattr(r, f) for f in fields} for r in _rows(path).recommendations
             if r.page in expected["pages"]]
    assert found == expected["rows"]


@pytest.mark.parametrize("text, cleaned, numbers", [
    ("the Paris Principles).10 The Special", "the Paris Principles). The Special", [10]),
    ("Statelessness. 10 The Committee", "Statelessness. The Committee", [10]),
    ("JS310 and OSCE/ODIHR11 made", "JS3 and OSCE/ODIHR made", [10, 11]),
    ("for 2017-202110 CoE-Commissioner", "for 2017-2021 CoE-Commissioner", [10]),
    ("(No. 10) of the ILO", "(No. 10) of the ILO", []),
    ("resolutions 5/10 and", "resolutions 5/10 and", []),
    ("under the age of 10 years", "under the age of 10 years", []),
    ("bodies10, 11", "bodies", [10, 11]),
])
def test_footnote_markers_are_taken_out_by_their_order(text, cleaned, numbers):
    result, found = strip_marks(text, InOrder(expected=10))
    assert result == cleaned
    assert [n for _, n in found] == numbers


def test_sentences_do_not_end_at_abbreviations():
    text = "It ratified Convention No. 118 in 2004. The Committee recommended that Slovenia act, e.g. now."
    assert [s.text for s in split_sentences(text)] == [
        "It ratified Convention No. 118 in 2004.", "The Committee recommended that Slovenia act, e.g. now."]


def _variant(path: Path, edit):
    document, info = _read(path)
    return replace(document, blocks=tuple(edit(b) for b in document.blocks)), info


_VERBS = re.compile(r"\b(?:recommended|urged|called (?:on|upon|for)|encouraged|requested|invited|asked|"
                    r"reiterated its call on|put forward|should|considered)\b")


@pytest.mark.parametrize("path, segment", [(COMPILATION, segment_compilation),
                                           (SUMMARY, segment_stakeholder_summary)])
def test_no_recommendation_sentences_give_zero_rows_and_a_problem(path, segment):
    document, info = _variant(path, lambda b: replace(b, text=_VERBS.sub("noted", b.text)))
    segmented = segment(document, info)
    assert segmented.recommendations == ()
    (problem,) = segmented.problems
    assert problem.kind == "no_reported_recommendations"
    assert "numbered paragraphs read" in problem.reason and "by hand" in problem.action


def test_no_numbered_paragraphs_is_a_problem_not_a_crash():
    document, info = _variant(COMPILATION, lambda b: replace(b, text=re.sub(r"^\d+\.\s+", "", b.text)))
    (problem,) = segment_compilation(document, info).problems
    assert problem.kind == "no_numbered_paragraphs"
    empty, _ = _variant(COMPILATION, lambda b: b)
    assert segment_compilation(replace(empty, blocks=()), info).problems[0].kind == "no_numbered_paragraphs"


def test_truncated_document_keeps_what_it_has():
    document, info = _read(COMPILATION)
    first_pages = replace(document, blocks=tuple(b for b in document.blocks if b.page <= 3))
    rows = segment_compilation(first_pages, info).recommendations
    assert [r.paragraph for r in rows][-2:] == ["21", "21"]
    assert len(rows) == sum(n for p, n in COMPILATION_COUNTS.items() if p <= 21)


def test_recommendation_with_no_author_named_is_reported():
    document, info = _read(COMPILATION)
    blocks = (Block("1. Introduction.", 1), Block("2. It recommended that Slovenia ratify the Convention.", 1))
    segmented = segment_compilation(replace(document, blocks=blocks), info)
    (rec,) = segmented.recommendations
    assert (rec.text, rec.source) == ("Ratify the Convention", "")
    (problem,) = segmented.problems
    assert problem.kind == "unknown_source" and "paragraph 2" in problem.reason


def test_pipeline_runs_the_compilation_segmenters():
    result = process_document(SUMMARY, SAMPLES)
    assert result.status is Status.OK
    assert len(result.recommendations) == 59
    assert {r.body for r in result.recommendations} == {
        "civil society", "Council of Europe", "OSCE", "NHRI", "civil society|Council of Europe",
        "Council of Europe|civil society"}
