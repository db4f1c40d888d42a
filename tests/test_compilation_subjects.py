"""Sources named in the sentence, whether or not a gazetteer lists them (issue 10, part 2).

Two kinds of evidence: the real 2019 Slovenia summary (A/HRC/WG.6/34/SVN/3)
read with no acronym list at all, whose sources must then come from the
sentences alone and agree with what the document prints; and a summary
written for these tests in the fourth-cycle layout (no real one is in the
project's data; see ``fixtures/stakeholders-2024/README.md``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from rectrack.extractors.detect import detect_document
from rectrack.extractors.read import read_document
from rectrack.extractors.segment.compilation.segmenter import _Context, _segment, segment_stakeholder_summary
from rectrack.extractors.segment.compilation.paragraphs import collect_footnotes
from rectrack.extractors.segment.compilation.sources import Resolver, stakeholder_recogniser
from rectrack.extractors.segment.compilation.subjects import is_organisation, names_no_one, subject_mentions

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "data" / "samples" / "compilations" / "slovenia2019-A_HRC_WG.6_34_SVN_3-stakeholders-summary.pdf"
SUMMARY_2024 = ROOT / "tests" / "fixtures" / "stakeholders-2024" / "summary-A_HRC_WG.6_99_SVN_3.txt"


@lru_cache(maxsize=None)
def _rows(path: Path, acronyms: bool = True):
    document = read_document(path)
    info = detect_document(document)
    if acronyms:
        return segment_stakeholder_summary(document, info)
    context = _Context(stakeholder_recogniser({}), Resolver(), collect_footnotes(document), info.country, {})
    return _segment(document, context, "summary of stakeholders' submissions")


def test_2019_summary_without_acronym_list_finds_every_source_in_the_sentences():
    with_list, without = _rows(SUMMARY), _rows(SUMMARY, acronyms=False)
    assert [(r.paragraph, r.text) for r in without.recommendations] == \
        [(r.paragraph, r.text) for r in with_list.recommendations]
    assert [r.source for r in without.recommendations] == [r.source for r in with_list.recommendations]
    assert all(r.source for r in without.recommendations)


@pytest.mark.parametrize(("paragraph", "source"), [
    # "JS2 and the Commissioner for Human Rights (CoE-Commissioner) recommended that Slovenia ratify ..."
    ("3", "JS2|CoE-Commissioner"),
    # "International Campaign to Abolish Nuclear Weapons (ICAN) recommended that Slovenia sign and ratify ..."
    ("4", "ICAN"),
    # "OSCE/ODIHR stated that defamation ... It recommended that criminal provisions ... be repealed"
    ("26", "OSCE/ODIHR"),
    # "Welcoming the adoption of the National Programme of Measures for Roma for 2017-2021
    #  CoE-Commissioner invited the government to formulate a clear strategy ..."
    ("62", "CoE-Commissioner"),
])
def test_2019_summary_sources_read_off_the_pdf_without_acronym_list(paragraph, source):
    rows = [r for r in _rows(SUMMARY, acronyms=False).recommendations if r.paragraph == paragraph]
    assert rows and {r.source for r in rows} == {source}


def test_2024_layout_summary_has_a_source_on_every_row_that_names_one():
    result = _rows(SUMMARY_2024)
    rows = [(r.paragraph, r.source, r.body, r.text) for r in result.recommendations]
    assert rows == [
        ("2", "Human Rights Ombudsman", "NHRI",
         "Establish an independent mechanism to monitor the rights of persons with disabilities"),
        ("3", "ICAN|JS4", "civil society", "Ratify the Treaty on the Prohibition of Nuclear Weapons"),
        ("4", "AI", "civil society", "Provide the Advocate with adequate resources"),
        ("4", "AI", "civil society", "Publish the Advocate's opinions"),
        ("5", "LEGEBITRA", "civil society", "Adopt a law on legal gender recognition based on self-determination"),
        ("5", "IOM", "civil society", "Collect data disaggregated by migration status"),
        ("6", "Peace Institute|PIC", "civil society", "Investigate all reports of hate crimes"),
        ("6", "", "civil society", "Train police officers on hate crime"),
        ("7", "Human Rights Watch", "civil society", "End the detention of children for immigration purposes"),
    ]
    # "Several NGOs recommended": names no one, so no source and a problem saying so.
    assert [(p.kind, "Several NGOs" in p.reason) for p in result.problems] == [("unknown_source", True)]


def test_2024_layout_summary_headings_and_no_footnote_marks():
    rows = _rows(SUMMARY_2024).recommendations
    assert [r.heading for r in rows if r.paragraph in ("5", "7")] == [
        "Equality and non-discrimination", "Equality and non-discrimination",
        "Right to life, liberty and security of person"]
    assert not any(ch.isdigit() for r in rows for ch in r.text)


@pytest.mark.parametrize(("sentence", "names"), [
    ("LEGEBITRA recommended that Slovenia adopt a law.", ["LEGEBITRA"]),
    ("IOM and UNICEF urged Slovenia to act.", ["IOM", "UNICEF"]),
    ("Amnesty International, JS3 and the Peace Institute called on Slovenia to act.",
     ["Amnesty International", "JS3", "Peace Institute"]),
    ("Group of States against Corruption (CoE-GRECO) recommended ...", ["CoE-GRECO"]),
    ("Centre for Peace and Justice recommended ...", ["Centre for Peace and Justice"]),
    ("In 2023, Human Rights Watch also recommended ...", ["Human Rights Watch"]),
    ("Several NGOs recommended that Slovenia act.", []),
    ("It recommended that Slovenia act.", []),
    ("Slovenia recommended ...", []),
    ("United Kingdom of Great Britain and Northern Ireland recommended ...", []),
    ("The Government recommended ...", []),
    ("As recommended by the Committee, Slovenia adopted a law.", []),
])
def test_subject_mentions(sentence, names):
    assert [m.name for m in subject_mentions(sentence)] == names


def test_subject_mentions_leave_out_what_the_gazetteer_found():
    sentence = "JS2 and the Commissioner for Human Rights (CoE-Commissioner) recommended ..."
    known = stakeholder_recogniser({"JS2": "", "CoE-Commissioner": ""}).mentions(sentence)
    assert subject_mentions(sentence, known=known) == []


def test_is_organisation_and_names_no_one():
    assert is_organisation("LEGEBITRA") and is_organisation("Amnesty International")
    assert not is_organisation("Slovenia") and not is_organisation("NGOs") and not is_organisation("Stakeholders")
    assert names_no_one("Several NGOs") and names_no_one("Other stakeholders ")
    assert not names_no_one("It") and not names_no_one("In its submission, AI")
