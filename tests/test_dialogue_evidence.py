"""A dialogue report that follows an earlier one is evidence for the earlier one's recommendations (issue 19).

The real 2025 Dushanbe dialogue report (``data/samples/dialogue``) gives the paragraph-level expectations.
The linking is tested on two reports written for the tests in its shape (``tests/fixtures/dialogues``, see the
README there): the 2024 dialogue's eight recommendations, and a 2025 dialogue that says what became of six of
them, in other words, and makes new ones.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from rectrack.extractors.detect import detect_document
from rectrack.extractors.outputs import update_outputs
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import DocumentInfo, DocumentType, Status
from rectrack.extractors.segment.prose.civil_society import segment_civil_society

ROOT = Path(__file__).resolve().parents[1]
DUSHANBE = ROOT / "data" / "samples" / "dialogue" / "human-rights-dialogue-2025-dushanbe.txt"
DIALOGUES = ROOT / "tests" / "fixtures" / "dialogues"
FIRST, SECOND = DIALOGUES / "dialogue-2024-dushanbe.txt", DIALOGUES / "dialogue-2025-dushanbe.txt"
INFO = DocumentInfo(document_type=DocumentType.CIVIL_SOCIETY_REPORT, body="civil society")

# The real report's paragraphs (ordinals) -> who speaks in them. 12 and 14 are missing: every sentence of
# them recommends ("... is essential: preventing torture, ..."), so they are recommendations, not evidence.
DUSHANBE_SPEAKERS = {
    "1": "civil society", "2": "civil society", "3": "civil society", "4": "Mir Prava",
    "5": "civil society", "6": "civil society", "7": "civil society",
    "8": "EU Ambassador to Tajikistan Radoslav Darski", "9": "EU Ambassador to Tajikistan Radoslav Darski",
    "10": "Firuz Orzuzoda", "11": "Gulchehra Kholmatova", "13": "Mrs. Kavilmadam Ramaswami Parvathy",
    "15": "participants", "16": "civil society",
}

# How a 2025 paragraph opens -> how the 2024 recommendation it reports on opens.
REPORTED_ON = {
    "An official of the Executive Office of the President": "Ratify the Optional Protocol to the Convention",
    "The Ombudsman of Tajikistan reported": "Establish an independent national preventive mechanism",
    "Parliament passed a law on probation": "Reform the penitentiary system",
    "Since March 2025 the Supreme Court": "Introduce electronic case management",
    "The General Prosecutor's Office said": "Ensure that every death in custody",
    "The State Legal Aid Centre": "Guarantee free legal aid",
}
# The 2024 recommendations no 2025 paragraph is about.
NOT_REPORTED_ON = ("Adopt a national action plan on gender equality",
                   "Ratify the Convention on the Rights of Persons with Disabilities")
# Measured (combined TF-IDF + WordLlama score): the six intended links score 0.245-0.401 (the lowest, the
# e-justice paragraph; each is its paragraph's best link); the best score any 2025 paragraph gives a
# recommendation nobody wrote about is 0.19 (disabilities, from the paragraph on who organized the dialogue),
# gender equality 0.13, both under SIMILAR_THRESHOLD (0.20), so neither has a link now. "High" is halfway
# between 0.19 and 0.245.
HIGH = 0.22


@lru_cache(maxsize=None)
def _segmented(path: Path):
    return segment_civil_society(read_document(path), INFO)


def _write(tmp_path: Path, text: str):
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    return segment_civil_society(read_document(path), INFO)


def test_dushanbe_paragraphs_that_are_not_recommendations_are_evidence():
    evidence = _segmented(DUSHANBE).evidence
    assert len(evidence) == 14
    assert {item.paragraph: item.speaker for item in evidence} == DUSHANBE_SPEAKERS
    assert {(item.page, item.cited, item.cited_by) for item in evidence} == {(1, (), "")}
    recommended = {r.paragraph for r in _segmented(DUSHANBE).recommendations}
    assert recommended == {"8", "9", "12", "13", "13.2", "14", "15"}   # 8, 9, 13, 15 also tell facts: kept


def test_dushanbe_evidence_keeps_text_and_headings():
    by_number = {item.paragraph: item for item in _segmented(DUSHANBE).evidence}
    assert by_number["1"].heading == ""
    assert by_number["7"].heading == "To protect human rights in practice"
    assert by_number["7"].text.startswith("The objectives of the event included assessing the progress of the "
                                          "2024 Dialogue's recommendations")
    assert by_number["13"].heading == "Laws alone are not enough"
    assert "reported deaths in detention" in by_number["13"].text
    assert by_number["16"].heading == "Recommendations for national reforms"


def test_a_paragraph_citing_an_earlier_recommendation_by_number(tmp_path):
    segmented = _write(tmp_path, (
        "The Ombudsman reported on recommendation 3 of the 2024 dialogue: two deaths in custody are under "
        "investigation.\n\nOn recommendations 5 and 6, lawyers said that little had changed since 2024.\n\n"
        "The dialogue met in Dushanbe in 2025.\n"))
    assert [(e.paragraph, e.cited, e.cited_by, e.speaker) for e in segmented.evidence] == [
        ("1", ("3",), "text", "Ombudsman"), ("2", ("5", "6"), "text", "lawyers"),
        ("3", (), "", "civil society")]


def test_an_unreadable_citation_is_a_problem(tmp_path):
    segmented = _write(tmp_path, "Participants discussed recommendations 4, 9–7 of the first dialogue at length.\n")
    (item,) = segmented.evidence
    assert item.cited == ("4",)
    assert [p.kind for p in segmented.problems] == ["citation", "no_recommendations"]
    assert "9–7" in segmented.problems[0].reason


def test_numbered_paragraphs_keep_their_printed_numbers(tmp_path):
    segmented = _write(tmp_path, (
        "Outcome of the dialogue\n\n"
        "7. The dialogue met in Dushanbe and reviewed last year's recommendations.\n\n"
        "8. The Ombudsman reported more visits to prisons than in 2024.\n\n"
        "9. The Government should ratify the Optional Protocol.\n\n"
        "An unnumbered closing note on the dialogue's organisers.\n"))
    assert [(e.paragraph, e.heading) for e in segmented.evidence] == [
        ("7", "Outcome of the dialogue"), ("8", "Outcome of the dialogue"), ("", "Outcome of the dialogue")]
    assert [r.paragraph for r in segmented.recommendations] == ["3"]   # rows keep their ordinals


@pytest.mark.parametrize(("path", "year"), [(FIRST, "2024"), (SECOND, "2025")])
def test_the_written_dialogues_are_detected_as_civil_society_reports_on_tajikistan(path, year):
    info = detect_document(read_document(path))
    assert (info.document_type, info.country, info.year) == (DocumentType.CIVIL_SOCIETY_REPORT, "Tajikistan", year)


def test_the_written_dialogues_segment_as_intended():
    first, second = _segmented(FIRST), _segmented(SECOND)
    assert (len(first.recommendations), len(first.evidence)) == (8, 11)
    assert (len(second.recommendations), len(second.evidence)) == (5, 13)
    assert not first.problems and not second.problems
    reporting = [e for e in second.evidence if e.text.startswith(tuple(REPORTED_ON))]
    assert [e.speaker for e in reporting] == [
        "An official of the Executive Office of the President", "Ombudsman of Tajikistan",
        "Department of Penal Enforcement", "Mir Prava", "General Prosecutor's Office; Lawyers for the families",
        "Defence lawyers"]


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """(evidence.csv, tracker.csv) of a run over both written dialogues."""
    out = tmp_path_factory.mktemp("dialogues")
    results = [process_document(path, DIALOGUES) for path in (FIRST, SECOND)]
    assert [r.status for r in results] == [Status.OK, Status.OK]
    update_outputs(out, results)
    read = dict(dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return pd.read_csv(out / "evidence.csv", **read), pd.read_csv(out / "tracker.csv", **read)


def _links(linked) -> list[tuple[str, str, float, str]]:
    """(evidence paragraph text, recommendation text, score, link) of every evidence row."""
    evidence, tracker = linked
    text_of = dict(zip(tracker["rec_id"], tracker["text"]))
    return [(row.text, text_of[row.rec_id], float(row.score), row.link) for row in evidence.itertuples()]


def test_each_report_on_a_2024_recommendation_links_to_it(linked):
    evidence, _ = linked
    assert set(evidence["evidence_document"]) == {SECOND.name}      # nothing is earlier than the 2024 dialogue
    assert set(evidence["link"]) == {"similar"}
    for opening, recommendation in REPORTED_ON.items():
        linked_to = [rec for text, rec, _, _ in _links(linked) if text.startswith(opening)]
        assert any(rec.startswith(recommendation) for rec in linked_to), (opening, linked_to)


def test_recommendations_nobody_reported_on_have_no_high_link(linked):
    for text, rec, score, _ in _links(linked):
        if rec.startswith(NOT_REPORTED_ON):
            assert score < HIGH, (rec, score, text)


def test_the_new_recommendations_are_not_evidence(linked):
    evidence, tracker = linked
    new = set(tracker.loc[tracker["document"] == SECOND.name, "text"])
    assert len(new) == 5
    assert not new & set(evidence["text"])
    assert set(evidence["speaker"]) >= {"Ombudsman of Tajikistan", "Defence lawyers"}   # the paragraph's own
