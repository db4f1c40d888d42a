"""Issue 20, part 1: fourth-cycle documents read cleanly.

In the fourth-cycle layout a footnote number follows the full stop, glued or after a space ("were
guaranteed.9", "housing for Roma. 18"), and a heading can run into the end of a paragraph over a page
break ("... Nuclear Weapons. 25 B. National human rights framework Institutional infrastructure and
policy measures"); stakeholders and bodies are named by their role ("The Ombudsman recommended ...",
"The same Special Rapporteur urged ..."). No real fourth-cycle compilation or summary is in the project's
data: the quoted cases are tested on short texts and blocks; the real documents are the 2024 national
report (the same layout generation, for the stripper), the 2019 Slovenia compilation and summary (whose
rows must not change) and every bundled sample.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rectrack.extractors.files import SAMPLES_DIR
from rectrack.extractors.read import read_document
from rectrack.extractors.records import Block, BlockKind, Document, DocumentInfo, DocumentType
from rectrack.extractors.segment.compilation.segmenter import segment_compilation, segment_stakeholder_summary
from rectrack.extractors.segment.compilation.subjects import REPORTING_VERBS
from rectrack.extractors.text.footnotes import Glued, InOrder, Printed, strip_marks
from rectrack.extractors.text.sentences import cut_run_in_heading, split_sentences
from tests.sample_runs import sample_result

COMPILATION = "compilations/slovenia2019-A_HRC_WG.6_34_SVN_2-un-compilation.pdf"
SUMMARY = "compilations/slovenia2019-A_HRC_WG.6_34_SVN_3-stakeholders-summary.pdf"
NATIONAL_2024 = SAMPLES_DIR / "national-reports" / "slovenia2024-A_HRC_WG.6_48_SVN_1-national-report.pdf"

# A footnote number left at the end of a text, after a sentence's end or glued to a word's full stop.
TRAILING_NUMBER = re.compile(r"[.;:!?)\]”’\"]\s*\d{1,3}$|[a-z]\.\d{1,3}$")
# A heading at the end of a text: enumerated after a sentence's end, or the notes.
TRAILING_HEADING = re.compile(r"[.;:!?”’\")]\s+(?:(?:[IVX]{1,6}|[A-Z]|\d{1,2})\.\s+[A-Z][^.;:!?]*|Notes|Endnotes)$")
# A sentence that opens with who makes the recommendation it reports.
MAKER = re.compile(
    r"^(?:The\s+(?:same\s+)?(?:[A-Z][\w’'-]*\s+)*(?:Ombudsman|Ombudsperson|Advocate|Committee|Subcommittee|"
    r"Special Rapporteur|Independent Expert|Working Group|High Commissioner)(?:\s+(?:on|of|against|for)\s+[^,;]*?)?"
    rf"|JS\d+|CoE-[A-Za-z]+|[A-Z]{{2,}}[\w/-]*)\s+(?:also\s+|further\s+)?(?:{REPORTING_VERBS})\b")


# --- the stripper ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "policy", "expected"), [
    # The rows, with the count behind (marks lost) or ahead (a mark printed out of order).
    ("Ensuring access to adequate housing for Roma. 18", InOrder(expected=5), "Ensuring access to adequate housing for Roma."),
    ("that all persons were guaranteed.9", InOrder(expected=30), "that all persons were guaranteed."),
    ("the Prohibition of Nuclear Weapons. 25 B. National human rights framework", InOrder(expected=3),
     "the Prohibition of Nuclear Weapons. B. National human rights framework"),
    ("of the victim.4 An offence committed", InOrder(expected=40), "of the victim. An offence committed"),
    ("entered into force in 2018.29 The Act", InOrder(expected=29), "entered into force in 2018. The Act"),
    ("as of 1 January 201036. Since", InOrder(expected=36), "as of 1 January 2010. Since"),
    # Every policy: a number after a sentence's end, before the next sentence or the end, is a mark.
    ("the State party. 12 The Committee", Printed(frozenset({"3"})), "the State party. The Committee"),
    ("remained underfunded. 17", Glued(), "remained underfunded."),
    # What a mark leaves behind is mended.
    ("policy issues72as they arise", InOrder(expected=72), "policy issues as they arise"),
    ("the Criminal Code1 , which", InOrder(), "the Criminal Code, which"),
])
def test_footnote_numbers_after_a_sentence_end_come_out(text, policy, expected):
    assert strip_marks(text, policy)[0] == expected


@pytest.mark.parametrize("text", [
    "The Act was adopted in 2019.", "as provided for in article 15.", "See paragraph 115.44 of A/HRC/28/15.",
    "under Act No. 12 of 2016.", "In 2017, 6,631 people lived in settlements.", "for the period 2023-2026 to ensure",
    "the National Programme of Measures for Roma 2021-2030 (NPUR)", "EUR 25,500,000.00 of budget funds",
    "81.4% of households", "during the COVID-19 pandemic",
    "adopted in 2019. 20 NGOs took part", "under the age of 15 years", "i.e. 12 Member States",
    "the thirty-fourth session. 12 January 2019", "Convention, 1962 (No. 118).",
])
def test_numbers_of_the_text_stay(text):
    for policy in (InOrder(expected=2), Printed(frozenset({"2", "3"})), Glued()):
        assert strip_marks(text, policy)[0] == text


def test_a_protected_span_keeps_its_numbers():
    # A national report's citation: "12" could be "1" and the next mark, 2; the segmenter protects it.
    heading = "A. International obligations (Recommendations 1, 5, 7–9, 11–12, 158–160)2"
    citation = (heading.index("(Rec"), heading.index(")") + 1)
    assert strip_marks(heading, InOrder(expected=2))[0] != heading[:-1]
    assert strip_marks(heading, InOrder(expected=2), keep=[citation]) == (heading[:-1], [(len(heading) - 1, 2)])


def test_a_mark_behind_the_count_does_not_turn_it_back():
    policy = InOrder(expected=30)
    assert strip_marks("were guaranteed.9 Slovenia31 noted", policy)[0] == "were guaranteed. Slovenia noted"
    assert policy.expected == 32


# --- the splitter: headings run into a paragraph ---------------------------------------------------------

@pytest.mark.parametrize(("text", "kept", "heading"), [
    ("JS1 recommended ensuring access to adequate housing for Roma. B. National human rights framework "
     "Institutional infrastructure and policy measures", "JS1 recommended ensuring access to adequate housing for Roma.",
     "B. National human rights framework Institutional infrastructure and policy measures"),
    ("It urged Slovenia to ratify it. 25 II. Information provided by other stakeholders",
     "It urged Slovenia to ratify it.", "II. Information provided by other stakeholders"),
    ("AI recommended that they were guaranteed. Institutional infrastructure and policy measures",
     "AI recommended that they were guaranteed.", "Institutional infrastructure and policy measures"),
    ("The report was drafted with the ministries. Notes", "The report was drafted with the ministries.", "Notes"),
    ("It was adopted in 2019. 1. Cross-cutting issues Equality and non-discrimination", "It was adopted in 2019.",
     "1. Cross-cutting issues Equality and non-discrimination"),
])
def test_a_heading_run_into_the_end_of_a_paragraph_is_cut_off(text, kept, heading):
    assert cut_run_in_heading(text) == (kept, heading)


_FINISHED_SENTENCE = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(st.sampled_from(["roma", "housing", "B.", "II.", "1.", "18", "Act", "No.", "framework"]), min_size=1,
             max_size=8),
    st.sampled_from([".", "!", "?", ".”", ".)"]))


@given(st.lists(_FINISHED_SENTENCE, min_size=1, max_size=5))
def test_finished_sentences_are_never_cut(sentences):
    text = " ".join(sentences)
    assert cut_run_in_heading(text) == (text, "")


@pytest.mark.parametrize("text", [
    "The Committee recommended that Slovenia ratify it.",                       # finished
    "It noted the Act. The Committee recommended that",                         # the rest of a sentence
    "It noted the Act. JS1 and JS2 urged Slovenia to",                          # figures, clause words
    "Equality and non-discrimination",                                          # one sentence: never cut
    "It noted the Act No. 12. Article 15 of the Act",                           # figures
    "It was adopted by the Government in 2019. In 2020, the Ombudsman had",      # clause words
])
def test_what_is_not_a_run_in_heading_stays(text):
    assert cut_run_in_heading(text) == (text, "")


def test_without_titles_only_numbered_headings_and_notes_are_cut():
    # A national report's last list item may lack its full stop: not a heading there.
    item = "Slovenia ratified the following. Council of Europe Convention on preventing violence"
    assert cut_run_in_heading(item, titles=False) == (item, "")
    assert cut_run_in_heading("It was ratified. C. Gender equality", titles=False)[1] == "C. Gender equality"


# --- sources named by role, and the segmenters on the layout --------------------------------------

def _body(text: str, page: int = 1, bold: bool = False) -> Block:
    return Block(text, page, BlockKind.BODY, bold)


def _document(*blocks: Block) -> Document:
    return Document(Path("synthetic.pdf"), "0" * 64, "pdf", (), blocks)


# A fourth-cycle summary: marks lost (2-17 stood in a table) or after a space, a heading over a page break.
SUMMARY_2024 = _document(
    _body("II. Information provided by the national human rights institution accredited in full compliance "
          "with the Paris Principles", bold=True),
    _body("1. The Human Rights Ombudsman of the Republic of Slovenia (HRORS) noted that its funding had been regulated.2"),
    _body("2. The Ombudsman recommended that Slovenia ensure access to adequate housing for Roma. 18"),
    _body("3. The Ombudsman also called for the adoption of a law on the rights of the child.19"),
    _body("III. Information provided by other stakeholders", bold=True),
    _body("A. Scope of international obligations and cooperation with human rights mechanisms", bold=True),
    _body("4. ICAN recommended that Slovenia sign and ratify the Treaty on the Prohibition of Nuclear Weapons. 25"),
    _body("B. National human rights framework Institutional infrastructure and policy measures", page=2),
    _body("5. The Advocate of the Principle of Equality recommended that Slovenia ensure that all persons were "
          "guaranteed.9", page=2),
    _body("6. The Advocate also urged Slovenia to provide it with adequate resources.27 JS1 recommended that the "
          "Advocate be given more staff.28", page=2),
    Block("1 The submissions are available at www.ohchr.org. HRORS Human Rights Ombudsman of the Republic of "
          "Slovenia, Ljubljana (Slovenia); ICAN International Campaign to Abolish Nuclear Weapons, Geneva "
          "(Switzerland); JS1 Joint submission 1 submitted by: Legebitra, Ljubljana (Slovenia).", 3, BlockKind.FOOTNOTE),
)


def test_a_fourth_cycle_summary_reads_cleanly_and_names_every_source():
    rows = segment_stakeholder_summary(SUMMARY_2024, DocumentInfo(DocumentType.STAKEHOLDER_SUMMARY, country="Slovenia"))
    framework = "National human rights framework Institutional infrastructure and policy measures"
    assert [(r.paragraph, r.source, r.body, r.text) for r in rows.recommendations] == [
        ("2", "HRORS", "NHRI", "Ensure access to adequate housing for Roma"),
        ("3", "HRORS", "NHRI", "The adoption of a law on the rights of the child"),
        ("4", "ICAN", "civil society", "Sign and ratify the Treaty on the Prohibition of Nuclear Weapons"),
        ("5", "Advocate of the Principle of Equality", "civil society", "Ensure that all persons were guaranteed"),
        ("6", "Advocate of the Principle of Equality", "civil society", "Provide it with adequate resources"),
        ("6", "JS1", "civil society", "The Advocate be given more staff"),
    ]
    assert [r.heading for r in rows.recommendations][2:] == [
        "Scope of international obligations and cooperation with human rights mechanisms", *[framework] * 3]
    assert [e.text.rsplit(" ", 1)[-1] for e in rows.evidence] == [
        "regulated.", "Roma.", "child.", "Weapons.", "guaranteed.", "staff."]
    assert not [p for p in rows.problems if p.kind == "unknown_source"]


def test_a_summary_object_is_not_a_source():
    # "provide the Ombudsman with resources": the Ombudsman is named, but not as the one who recommends.
    document = _document(
        _body("1. JS1 urged Slovenia to provide the Ombudsman with resources. It also recommended a review.2"),
        Block("1 JS1 Joint submission 1.", 2, BlockKind.FOOTNOTE))
    rows = segment_stakeholder_summary(document, DocumentInfo(DocumentType.STAKEHOLDER_SUMMARY, country="Slovenia"))
    assert [r.source for r in rows.recommendations] == ["JS1", "JS1"]


def test_a_compilation_resolves_the_same_special_rapporteur_and_the_committee():
    document = _document(
        _body("A. Equality and non-discrimination", bold=True),
        _body("1. The Special Rapporteur on the human rights of migrants recommended that Slovenia end pushbacks.7 "
              "The Committee against Torture recommended that Slovenia investigate them. 8"),
        _body("2. The same Special Rapporteur urged Slovenia to ensure that asylum procedures were guaranteed.9"),
        _body("3. The Committee also recommended that Slovenia adopt a strategy on hate crime. 10 "
              "B. Right to life, liberty and security of person"),
        _body("4. The Ombudsman recommended that the detention of children be ended.11"),
    )
    rows = segment_compilation(document, DocumentInfo(DocumentType.UN_COMPILATION, country="Slovenia"))
    migrants = "Special Rapporteur on the human rights of migrants"
    assert [(r.paragraph, r.source, r.heading) for r in rows.recommendations] == [
        ("1", migrants, "Equality and non-discrimination"),
        ("1", "Committee against Torture", "Equality and non-discrimination"),
        ("2", migrants, "Equality and non-discrimination"),
        ("3", "Committee against Torture", "Equality and non-discrimination"),
        ("4", "Ombudsman", "Right to life, liberty and security of person"),
    ]
    assert rows.evidence[2].text.endswith("adopt a strategy on hate crime.")


# --- real documents --------------------------------------------------------------------------------------

def test_the_2019_compilation_and_summary_keep_their_rows_and_sources():
    # Measured with the code before issue 20: the same rows, the same sources (one passive row of
    # SVN/2 paragraph 2, "It was also recommended that ...", has none).
    compilation = sample_result(COMPILATION).recommendations
    assert len(compilation) == 75 and len(sample_result(COMPILATION).evidence) == 78
    assert Counter(r.source for r in compilation).most_common(9) == [
        ("Human Rights Committee", 17), ("Committee on Economic, Social and Cultural Rights", 12),
        ("Committee on the Elimination of Discrimination against Women", 11),
        ("Committee on the Rights of Persons with Disabilities", 9),
        ("Committee on the Elimination of Racial Discrimination", 8), ("Special Rapporteur on minority issues", 5),
        ("Independent Expert on older persons", 3),
        ("Independent Expert on the enjoyment of all human rights by older persons", 2), ("UNHCR", 2)]
    assert [r.paragraph for r in compilation if not r.source] == ["2"]
    summary = sample_result(SUMMARY).recommendations
    assert len(summary) == 59 and len(sample_result(SUMMARY).evidence) == 79
    assert Counter(r.source for r in summary) == {
        "CoE-Commissioner": 19, "CoE-GRETA": 7, "AI": 6, "CoE-CPT": 6, "OSCE/ODIHR": 5, "JS1": 4, "CoE-ACFC": 3,
        "CoE-GRECO": 2, "HRORS": 2, "CoE-Commissioner|CoE-ACFC|JS2": 1, "ICAN": 1, "JS2": 1,
        "JS2|CoE-Commissioner": 1, "PTPR": 1}


def test_the_2024_national_report_loses_every_mark_and_keeps_its_numbers():
    # Its 42 notes are marked after full stops ("victim.4 An", "in 2018.29 The"); before issue 20 the
    # compilations' stripper left marks 25-31 in the text and took "26" off "2023-2026", "31" off "6,631".
    document = read_document(NATIONAL_2024)
    policy, taken, texts = InOrder(window=3), [], []
    for block in document.blocks:
        if block.kind is BlockKind.BODY and re.match(r"\d{1,3}\. ", block.text):
            text, found = strip_marks(block.text, policy)
            taken.extend(number for _, number in found)
            texts.append(text)
    assert taken == list(range(1, 43))
    assert not [t for t in texts if re.search(r"(?:[a-z)”’\"]|\b[12]\d{3})[.;:!?]\s?\d{1,3}(?=\s+[A-Z“\"(]|\s*$)", t)]
    joined = " ".join(texts)
    for kept in ("in 2017, 6,631 people", "Public Sector 2023-2026", "Measures for Roma 2021-2030 (NPUR)",
                 "EUR 25,500,000.00", "Housing Programme 2015-2025", "entered into force in 2018. The possibility"):
        assert kept in joined


def _sample_names() -> list[str]:
    return sorted(str(p.relative_to(SAMPLES_DIR)) for p in SAMPLES_DIR.rglob("*") if p.is_file())


def test_no_bundled_document_leaves_a_footnote_number_or_a_heading_in_a_text():
    trailing, unnamed = [], []
    for name in _sample_names():
        result = sample_result(name)
        headings = {r.heading for r in result.recommendations if r.heading} | {e.heading for e in result.evidence if e.heading}
        pasted = re.compile(rf"[.;:!?”’\")]\s+(?:{'|'.join(map(re.escape, sorted(headings)))})$") if headings else None
        for text in [r.text for r in result.recommendations] + [e.text for e in result.evidence]:
            if TRAILING_NUMBER.search(text) or TRAILING_HEADING.search(text) or (pasted and pasted.search(text)):
                trailing.append((name, text[-80:]))
        if result.info and result.info.document_type in (DocumentType.UN_COMPILATION, DocumentType.STAKEHOLDER_SUMMARY):
            unnamed.extend(_rows_without_their_maker(name, result))
    assert trailing == []
    assert unnamed == []


def _rows_without_their_maker(name, result) -> list[tuple[str, str, str]]:
    """Rows reported by a sentence that opens with who made them ("The Ombudsman recommended") but with no source."""
    missing = []
    for evidence in result.evidence:
        rows = [r for r in result.recommendations if r.paragraph == evidence.paragraph]
        for sentence in split_sentences(evidence.text):
            if MAKER.match(sentence.text):
                missing += [(name, r.paragraph, r.text[:60]) for r in rows
                            if not r.source and r.text[1:40].casefold() in sentence.text.casefold()]
    return missing
