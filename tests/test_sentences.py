"""The one sentence splitter (``rectrack.extractors.text.sentences``): properties, and the cases it was made for."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rectrack.extractors.segment.prose.nlp import prose_pipeline
from rectrack.extractors.text.sentences import sentence_starts, split_sentences

_LETTERS = "bcfghjkqwxz"     # no abbreviation of data/patterns/abbreviations.txt can be spelt with these
_WORD = st.text(alphabet=_LETTERS, min_size=1, max_size=8)
_FIRST = st.text(alphabet=_LETTERS, min_size=2, max_size=8)   # one capital and "." is an initial
_CLAUSE = st.builds(lambda first, rest: " ".join([first.capitalize(), *rest]), _FIRST, st.lists(_WORD, max_size=6))
_SENTENCE = st.builds(lambda clause, end: clause + end, _CLAUSE, st.sampled_from([".", "!", "?", ".”", ".)"]))


@given(st.lists(_SENTENCE, min_size=1, max_size=6))
def test_sentences_joined_by_spaces_split_back(sentences):
    assert [s.text for s in split_sentences(" ".join(sentences))] == sentences


@given(st.text(alphabet=st.sampled_from("Ab .!?\n“”(No12"), max_size=60))
def test_offsets_cover_the_text_and_give_each_sentence(text):
    sentences = split_sentences(text)
    for sentence in sentences:
        assert text[sentence.start:sentence.end].strip() == sentence.text
    for before, after in zip(sentences, sentences[1:]):
        assert before.end <= after.start
    assert "".join(text[s.start:s.end] for s in sentences).strip() == text.strip()
    assert all(0 < start <= len(text) for start in sentence_starts(text))


@given(_CLAUSE, st.sampled_from(["No.", "para.", "art.", "e.g.", "Mr.", "J."]), st.integers(0, 999))
def test_an_abbreviation_never_ends_a_sentence(clause, abbreviation, number):
    text = f"{clause} {abbreviation} {number} Convention applies."
    assert len(split_sentences(text)) == 1


def test_the_convention_number_of_the_2019_compilation_stays_in_its_sentence():
    # A/HRC/WG.6/34/SVN/2, paragraph 2: spaCy's sentencizer cut this at "(No.".
    text = ("The Committee on Economic, Social and Cultural Rights recommended that Slovenia ratify the "
            "Equality of Treatment (Social Security) Convention, 1962 (No. 118) of the International Labour "
            "Organization (ILO). It also recommended ...")
    assert [s.text[-12:] for s in split_sentences(text)] == ["ation (ILO).", "ommended ..."]


def test_the_prose_pipeline_splits_with_the_same_splitter():
    text = "JS1 recommended ratifying Convention No. 189. “Slovenia should act,” it said. Roma lack water!"
    doc = prose_pipeline()(text)
    assert [sent.text for sent in doc.sents] == [s.text for s in split_sentences(text)]
