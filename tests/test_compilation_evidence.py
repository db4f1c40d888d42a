"""Evidence paragraphs of an OHCHR compilation (…/2) and a summary of stakeholders' submissions (…/3).

Expectations are read off the 2019 Slovenia documents (see each constant for how).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import DocumentResult, DocumentType

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "compilations"
COMPILATION = SAMPLES / "slovenia2019-A_HRC_WG.6_34_SVN_2-un-compilation.pdf"
SUMMARY = SAMPLES / "slovenia2019-A_HRC_WG.6_34_SVN_3-stakeholders-summary.pdf"

# Numbered body paragraphs, counted on the text pypdfium2 gives (get_text_range, page by page) up to
# "Notes": lines opening with "N. " and a capital, less the numbered section headings ("1. Equality
# and non-discrimination14", "2. Civil and political rights"), whose numbers restart; the rest run
# without a gap: 1 ... 78 (compilation, last "78. The Committee on the Elimination of Racial
# Discrimination recommended ...", page 11) and 1 ... 79 (summary, last "79. CoE-Commissioner
# recommended that the authorities provide a way for those “erased” ...", page 10).
PARAGRAPHS = {COMPILATION: 78, SUMMARY: 79}

# Recommendations as process_document gave them before evidence was added: how many, and the
# sha256 of "paragraph\x1ftext" pairs joined by "\x1e", in order.
RECOMMENDATIONS = {
    COMPILATION: (75, "46e34a2a797345af7379d10e9864a29107b65d4417c98b52a15ce7ba78f1e7df"),
    SUMMARY: (59, "7ffc8655dd4011652004ca50b7b625a3e60b6636d42d3f732774f19b10f45fce"),
}

# Paragraphs that name no speaker and cite no known source: the Office's own words. Compilation:
# 1 (the report was prepared pursuant to ...) and 3 (Slovenia submitted its midterm report; note 7 is
# a web address). Summary: 1 (note 1 lists every submission, it names no one as the speaker).
FALLBACKS = {COMPILATION: ("UN", ["1", "3"]), SUMMARY: ("NGO", ["1"])}


@lru_cache(maxsize=None)
def _result(path: Path) -> DocumentResult:
    return process_document(path, SAMPLES)


def _paragraph(path: Path, number: str):
    return next(item for item in _result(path).evidence if item.paragraph == number)


def test_the_documents_are_the_families_under_test() -> None:
    assert _result(COMPILATION).info.document_type is DocumentType.UN_COMPILATION
    assert _result(SUMMARY).info.document_type is DocumentType.STAKEHOLDER_SUMMARY


@pytest.mark.parametrize("path", [COMPILATION, SUMMARY], ids=["compilation", "summary"])
def test_one_evidence_paragraph_per_numbered_paragraph(path: Path) -> None:
    evidence = _result(path).evidence
    assert [item.paragraph for item in evidence] == [str(n) for n in range(1, PARAGRAPHS[path] + 1)]
    assert all(item.text.strip() and item.speaker and item.heading for item in evidence)
    assert {(item.cited, item.cited_by) for item in evidence} == {((), "")}
    pages = [item.page for item in evidence]
    assert pages == sorted(pages) and pages[0] == 1


@pytest.mark.parametrize("path", [COMPILATION, SUMMARY], ids=["compilation", "summary"])
def test_recommendations_are_as_before(path: Path) -> None:
    recommendations = _result(path).recommendations
    digest = hashlib.sha256("\x1e".join(f"{r.paragraph}\x1f{r.text}" for r in recommendations).encode()).hexdigest()
    assert (len(recommendations), digest) == RECOMMENDATIONS[path]


@pytest.mark.parametrize("path", [COMPILATION, SUMMARY], ids=["compilation", "summary"])
def test_only_paragraphs_that_name_no_one_fall_back(path: Path) -> None:
    fallback, paragraphs = FALLBACKS[path]
    assert [item.paragraph for item in _result(path).evidence if item.speaker == fallback] == paragraphs


def test_a_paragraph_that_recommends_is_also_evidence() -> None:
    # Summary 78 reports (JS2: previous recommendations not implemented); summary 79 recommends
    # ("CoE-Commissioner recommended that the authorities provide a way ...") and is evidence too.
    recommending = {r.paragraph for r in _result(SUMMARY).recommendations}
    assert "79" in recommending and "78" not in recommending
    item = _paragraph(SUMMARY, "79")
    assert item.text.startswith("CoE-Commissioner recommended that the authorities provide a way for those “erased”")
    assert item.text.endswith("CoE-ACFC and JS2 made similar recommendations.")
    assert (item.page, item.heading) == (10, "Stateless persons")


def test_the_text_is_clean() -> None:
    # "... Enforced Disappearance,3 the Optional Protocol ... Rights 4 and the Convention ... Statelessness. 5 The"
    text = _paragraph(COMPILATION, "2").text
    assert "Enforced Disappearance, the Optional Protocol" in text
    assert "Cultural Rights and the Convention on the Reduction of Statelessness. The Committee" in text
    assert text.endswith("of the International Labour Organization (ILO).")


@pytest.mark.parametrize("paragraph, speaker", [
    # "The Human Rights Ombudsman of the Republic of Slovenia (HRORS) and JS2 noted ... JS2 and the
    # Commissioner for Human Rights (CoE-Commissioner) recommended ..."
    ("3", "HRORS|JS2|CoE-Commissioner"),
    # "JS2 stated that despite accepted recommendations of the previous UPR ... CoE-Commissioner
    # noted that ... However, he stated ... CoE-Commissioner noted ..."
    ("78", "JS2|CoE-Commissioner"),
    # "Partnership in Truth for Peace and Reconcilation (PTPR) noted ... In this respect, PTPR recommended"
    ("22", "PTPR"),
    # "Joint Submission (JS) 1 reported ...": the text names no acronym; note 5 is "JS1, paras. 7 and 8."
    ("2", "JS1"),
    # "... the European Commission against Racism and Intolerance (CoEECRI) [a lost line-end hyphen] was
    # concerned ... In 2017, CoE-ECRI concluded ... AI explained ... HRORS and CoE-Commissioner made
    # similar observations."
    ("55", "CoE-ECRI|AI|HRORS|CoE-Commissioner"),
])
def test_summary_speakers(paragraph: str, speaker: str) -> None:
    assert _paragraph(SUMMARY, paragraph).speaker == speaker


@pytest.mark.parametrize("paragraph, speaker", [
    # "It was recommended that Slovenia ratify ...3 ...4 ...5 The Committee on Economic, Social and
    # Cultural Rights recommended ...6": the passive names no one; notes 3-6 cite CERD/, E/C.12/,
    # CEDAW/ and "UNHCR submission".
    ("2", "CESCR|CERD|CEDAW|UNHCR"),
    # "The Human Rights Committee regretted ... The United Nations High Commissioner for Human Rights
    # expressed similar concerns. He stated ..."
    ("62", "CCPR|OHCHR"),
    # "The Special Rapporteur on minority issues noted that while article 297 ...21" (note 21:
    # A/HRC/40/64/Add.1, a symbol no body owns).
    ("10", "Special Rapporteur on minority issues"),
])
def test_compilation_speakers(paragraph: str, speaker: str) -> None:
    assert _paragraph(COMPILATION, paragraph).speaker == speaker


def test_compilation_speakers_are_known_bodies() -> None:
    bodies = Counter(body for item in _result(COMPILATION).evidence for body in item.speaker.split("|"))
    assert set(bodies) == {
        "UN", "OHCHR", "CCPR", "CESCR", "CERD", "CEDAW", "CRPD", "ILO", "UNHCR", "UNESCO",
        "Special Rapporteur on minority issues",
        "Independent Expert on the enjoyment of all human rights by older persons",
    }
