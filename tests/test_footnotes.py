"""The one footnote-mark stripper (``rectrack.extractors.text.footnotes``): properties, policies, and the defects it fixes."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from rectrack.extractors.detect import detect_document
from rectrack.extractors.text import footnotes
from rectrack.extractors.text.footnotes import Glued, InOrder, Printed, strip_marks
from rectrack.extractors.read import read_document
from rectrack.extractors.segment.compilation.segmenter import segment_compilation, segment_stakeholder_summary
from rectrack.extractors.segment.compilation.paragraphs import collect_paragraphs

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "compilations"
COMPILATION = SAMPLES / "slovenia2019-A_HRC_WG.6_34_SVN_2-un-compilation.pdf"
SUMMARY = SAMPLES / "slovenia2019-A_HRC_WG.6_34_SVN_3-stakeholders-summary.pdf"
SUMMARY_2024 = ROOT / "tests" / "fixtures" / "stakeholders-2024" / "summary-A_HRC_WG.6_99_SVN_3.txt"

_WORDS = st.lists(st.text(alphabet="abcdefgh", min_size=2, max_size=7), min_size=1, max_size=12)
_POLICIES = [lambda: InOrder(), lambda: Printed(frozenset({"1", "2", "3"})), lambda: Glued()]


_TAIL_PATTERNS = [footnotes._NOT_BEFORE_MARK, footnotes._NUMBERED_NAME, footnotes._SENTENCE_MARK,
                  footnotes._WORD_END, footnotes._GLUED_TO, footnotes._WORD_STOP, footnotes._YEAR_STOP,
                  footnotes._DECIMAL, footnotes._THOUSANDS]


@given(st.text(alphabet="aZ JSNo.pars,;:)”’\"19\n-_", max_size=40))
def test_searching_the_tail_finds_what_searching_the_whole_text_finds(before):
    for pattern in _TAIL_PATTERNS:
        assert footnotes._ends_with(pattern, before) == (pattern.search(before) is not None), pattern.pattern


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=80))
def test_text_without_digits_keeps_its_words(text):
    for make in _POLICIES:
        assert strip_marks(text, make()) == (" ".join(text.split()), [])


@given(_WORDS, st.data())
def test_marks_in_document_order_come_out_and_leave_the_words(words, data):
    # Glue marks 1, 2, 3 ... after some words; InOrder takes all of them out, and nothing else.
    glued = sorted(data.draw(st.sets(st.integers(0, len(words) - 1))))
    text = " ".join(f"{word}.{glued.index(i) + 1}" if i in glued else f"{word}." for i, word in enumerate(words))
    cleaned, found = strip_marks(text, InOrder())
    assert cleaned == " ".join(f"{word}." for word in words)
    assert [number for _, number in found] == list(range(1, len(glued) + 1))
    for (offset, _), index in zip(found, glued):
        assert cleaned[:offset].endswith(f"{words[index]}.")


@given(st.sampled_from(["No.", "para.", "art.", "p.", "Nos."]), st.integers(1, 999), st.integers(1, 5))
def test_a_number_after_an_abbreviation_is_never_a_mark(abbreviation, number, expected):
    text = f"Convention {abbreviation} {number} applies"
    assert strip_marks(text, InOrder(expected=expected))[0] == text
    assert strip_marks(text, Printed(frozenset({str(number)})))[0] == text
    assert strip_marks(text, Glued())[0] == text


def test_policies_on_the_cases_each_family_was_written_for():
    # Treaty bodies: only the numbers of the footnotes printed on the page, glued.
    assert strip_marks("officials.3 It was COVID-19 and No. 12,711 and 84.1", Printed(frozenset({"3", "1", "19"})))[0] \
        == "officials. It was COVID-19 and No. 12,711 and 84.1"
    # Civil-society prose: glued to a lower-case word, or alone between two sentences.
    assert strip_marks("Statelessness.6 It recommended4 that. 39 The 2016.4 plan", Glued())[0] \
        == "Statelessness. It recommended that. The 2016. plan"
    # Compilations: in order; "JS384" is JS3 + mark 84; a mark after a space only the very next one.
    assert strip_marks("JS384 and CEDAW 6 July", InOrder(expected=84))[0] == "JS3 and CEDAW 6 July"


def test_lost_marks_are_caught_up_at_a_sentence_end():
    # Marks 2-5 lost: "opinions.6" is still a mark, and the count goes on from it ("LEGEBITRA7").
    policy = InOrder(expected=2)
    assert strip_marks("AI urged Slovenia to publish opinions.6", policy)[0] == "AI urged Slovenia to publish opinions."
    assert strip_marks("LEGEBITRA7 recommended", policy)[0] == "LEGEBITRA recommended"
    # Not a mark: ahead of the count but not at a sentence end, or a number in the text.
    assert strip_marks("under the age of 16 years", InOrder(expected=2))[0] == "under the age of 16 years"
    assert strip_marks("see annex 12.", InOrder(expected=2))[0] == "see annex 12."


def test_lost_marks_no_longer_glue_headings_and_numbers_into_texts():
    # The 2024-layout summary with marks 2-5 lost: before the catch-up, mark 6 stayed in the text
    # and pulled the next heading into it ("Publish the Advocate's opinions.6 C. Implementation ... 1"),
    # and every later row had a number in its text and the wrong heading.
    document = read_document(SUMMARY_2024)
    lost = tuple(replace(b, text=re.sub(r"(?<=[a-z.])[2-5](?=\s|$)", "", b.text)) for b in document.blocks)
    damaged = segment_stakeholder_summary(replace(document, blocks=lost), detect_document(document))
    intact = segment_stakeholder_summary(document, detect_document(document))
    assert [(r.text, r.heading, r.source) for r in damaged.recommendations] == \
        [(r.text, r.heading, r.source) for r in intact.recommendations]


@lru_cache(maxsize=None)
def _paragraphs(path: Path):
    return collect_paragraphs(read_document(path))


def test_2019_documents_keep_no_footnote_number_in_their_texts():
    # Read off the PDFs: in SVN/2 no digit follows a letter or its punctuation in the body text; in SVN/3
    # the only ones are the joint submissions' names (JS1, JS2, JS3).
    assert not [p.number for p in _paragraphs(COMPILATION) if re.search(r"[A-Za-z][.,;:)]?\d", p.text)]
    glued = {m.group(0) for p in _paragraphs(SUMMARY) for m in re.finditer(r"[A-Za-z][.,;:)]?\d+", p.text)}
    assert glued == {"S1", "S2", "S3"}
    # "Convention, 1962 (No. 118)" (SVN/2 paragraph 2) keeps its number; footnote 2 after it is gone.
    rows = segment_compilation(read_document(COMPILATION), detect_document(read_document(COMPILATION)))
    assert any(r.text.endswith("1962 (No. 118) of the International Labour Organization (ILO)")
               for r in rows.recommendations if r.paragraph == "2")


def test_2019_documents_glue_no_heading_into_a_paragraph():
    for path in (COMPILATION, SUMMARY):
        paragraphs = _paragraphs(path)
        headings = {p.heading for p in paragraphs if p.heading}
        # A heading pasted into a paragraph stands after its last sentence ("... opinions. C. Women").
        pasted = [(p.number, h) for p in paragraphs for h in headings
                  if re.search(rf"[.;:”)]\s+(?:[A-Z]\.\s+|\d+\.\s+)?{re.escape(h)}(?:\s+\d+)?$", p.text)]
        assert pasted == []
        assert {"Women", "Children", "Minorities", "Stateless persons"} <= headings
