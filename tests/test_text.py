"""normalize_text and join_lines: examples from UN documents, then properties."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from rectrack.extractors.text.normalize import DocumentWords, WordLookup, join_lines, normalize_text, word_vocabulary

# Letters, digits, punctuation and spaces: no combining marks, so a line
# normalises the same alone or inside a longer text.
TEXT = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Po", "Ps", "Pe", "Zs")),
               max_size=40)
ANY_TEXT = st.text(max_size=60)
WORD = st.text(st.characters(whitelist_categories=("Ll",), max_codepoint=0x24F), min_size=1,
               max_size=12)
MARKERS = ("-", "\ufffe", "\x02")


def reference_normalize(text: str) -> str:
    """The contract spelt out slowly: markers -> "-", controls and invisible
    format characters dropped (line-break controls count as spaces),
    whitespace collapsed, NFC."""
    out = []
    for char in text:
        if char in "\ufffe\x02":
            out.append("-")
        elif char in "\t\n\r\v\f\x1c\x1d\x1e\x1f\x85":
            out.append(" ")
        elif unicodedata.category(char) == "Cc" or char in "\u00ad\u200b\u2060\ufeff":
            continue
        else:
            out.append(char)
    return unicodedata.normalize("NFC", " ".join("".join(out).split()))


def test_normalize_examples():
    assert normalize_text("  88.1.\u00a0Consider\tissuing \r\n") == "88.1. Consider issuing"
    assert normalize_text("full\ufffefledged") == "full-fledged"
    assert normalize_text("zero\u200bwidth soft\u00adhyphen\x07") == "zerowidth softhyphen"
    assert normalize_text("Cafe\u0301 “quoted” ‘single’") == "Café “quoted” ‘single’"


def test_join_examples_from_un_documents():
    assert join_lines(["Tajikistan became a full\ufffe", "fledged member"]) == \
        "Tajikistan became a full-fledged member"
    assert join_lines(["over the period 2005–", "2008, the upcoming visit"]) == \
        "over the period 2005–2008, the upcoming visit"
    assert join_lines(["ratify OP-", "CAT without reservations"]) == \
        "ratify OP-CAT without reservations"
    assert join_lines(["women \u2013", "in all areas"]) == "women \u2013 in all areas"
    assert join_lines(["88.1. Consider issuing ", "", "  a standing invitation"]) == \
        "88.1. Consider issuing a standing invitation"
    assert join_lines([]) == ""


def test_syllable_break_is_repaired_only_when_the_document_says_so():
    lines = ["the implementation of its recommen-", "dations (Brazil);"]
    assert join_lines(lines) == "the implementation of its recommen-dations (Brazil);"
    vocabulary = word_vocabulary(["All recommendations were examined."])
    assert join_lines(lines, vocabulary) == "the implementation of its recommendations (Brazil);"
    both = word_vocabulary(["recommendations and recommen-dations"])
    assert join_lines(lines, both) == "the implementation of its recommen-dations (Brazil);"


def test_document_words_match_whole_words_only():
    words = DocumentWords(["Non-discrimination and nondiscriminatory laws; decision-making."])
    assert "nondiscriminatory" in words and "decision-making" in words
    assert "nondiscrimination" not in words  # only inside "non-discrimination"
    assert "making" not in words and "discrimination" not in words
    assert "" not in words


# Few symbols, so words recur inside longer words and compounds; with the cases
# where "letter" is subtle: digits, "_", "²" (a letter to the regex), "İ" (lowers to two characters).
VOCABULARY_TEXT = st.text(st.sampled_from("ab-A _1²İ\u0307é\n."), max_size=30)


@given(st.lists(VOCABULARY_TEXT, max_size=4), st.lists(VOCABULARY_TEXT, max_size=6))
def test_word_lookup_answers_as_the_vocabulary(lines, others):
    vocabulary = word_vocabulary(lines)
    lookup = WordLookup(lines)
    for word in [*vocabulary, *others, *(w + "-" + v for w in vocabulary for v in vocabulary)]:
        assert (word in lookup) == (word in vocabulary), word


@given(ANY_TEXT)
def test_normalize_follows_its_contract(text):
    assert normalize_text(text) == reference_normalize(text)


@given(ANY_TEXT)
def test_normalize_is_idempotent_and_clean(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip() and "  " not in once
    assert not any(unicodedata.category(char) == "Cc" for char in once)
    assert unicodedata.is_normalized("NFC", once)


@given(st.lists(ANY_TEXT, max_size=6))
def test_join_is_one_clean_line(lines):
    joined = join_lines(lines)
    assert "\n" not in joined and "\ufffe" not in joined and "\x02" not in joined
    assert normalize_text(joined) == joined


@given(st.lists(TEXT, max_size=6))
def test_join_without_vocabulary_loses_no_character(lines):
    squeeze = str.maketrans("", "", " ")
    assert join_lines(lines).translate(squeeze) == normalize_text("".join(lines)).translate(squeeze)


@given(st.lists(TEXT.filter(lambda line: not line.rstrip().endswith(("-", "–", "—"))), max_size=6))
def test_lines_without_end_dash_join_with_one_space(lines):
    assert join_lines(lines) == normalize_text(" ".join(lines))


@given(TEXT, WORD, WORD, TEXT, st.sampled_from(MARKERS))
def test_line_end_hyphen_is_kept_unless_the_document_knows_the_whole_word(before, head, tail,
                                                                         after, marker):
    lines = [f"{before} {head}{marker}", f"{tail} {after}"]
    kept = normalize_text(f"{before} {head}-{tail} {after}")
    assert join_lines(lines) == kept
    assert join_lines(lines, set()) == kept
    assert join_lines(lines, {head + tail}) == normalize_text(f"{before} {head}{tail} {after}")
    assert join_lines(lines, {head + tail, f"{head}-{tail}"}) == kept


@given(st.lists(TEXT, max_size=6))
def test_normalized_flag_gives_the_same_result(lines):
    clean = [normalize_text(line) for line in lines]
    assert join_lines(clean, normalized=True) == join_lines(lines)
