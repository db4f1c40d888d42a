"""Who says a sentence: the subject of a speech verb, or "according to X".

:func:`sentence_speaker` reads one sentence (a spaCy ``Span`` from the prose
pipeline) and returns the mention that the sentence itself attributes its
words to: ``"Darski"`` in ``"... are necessary," Darski added``, ``"JS2 and
the Commissioner for Human Rights (CoE-Commissioner)"`` in ``JS2 and the
Commissioner ... recommended that``, or a pronoun (``"He"``) for the caller
to resolve with :func:`resolve_mention`. Speech verbs inside a quotation are
ignored: they belong to the quoted speaker's story, not to the attribution.

Without a trained parser, a subject is the run of name-like tokens in front
of the verb (capitalised words, acronyms, and the small words that join
names: "of", "the", "for", ...). An apposition ("Gulchehra Kholmatova,
Director of Mir Prava, emphasized") gives the part that is a bare name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span, Token

from rectrack.extractors.text.word_lists import PATTERNS, read_word_list

PRONOUNS = frozenset({"he", "she", "it", "they"})
_CONNECTORS = frozenset({"of", "the", "for", "to", "in", "on", "and", "or", "at", "against", "de", "-", "(", ")",
                         "&", "'s", "’s", "/"})
_SKIPPED = frozenset({"also", "further", "again", "then", "similarly", "likewise", "has", "have", "had",
                      "repeatedly", "strongly", "therefore", "additionally", "was", "were", "remained",
                      "remains", "is", "are", "nonetheless", "nevertheless", "moreover", "furthermore",
                      "thus", "subsequently", "recently", "once"})   # "The Committee was also concerned"
_NOT_SUBJECTS = frozenset({"and", "which", "that", "who", "but", "or", "as", "while", "this", "these", "it's"})
_QUOTES = frozenset('"“”«»')
_PARTIAL_NAME = re.compile(r"^(?:[A-Z][a-z’'.-]+\s?)+$")   # "Darski", "Special Rapporteur", "Mrs. Parvathy"
_LOWER_SUBJECT_MAX = 3
# Two speakers joined ("JS2 and the Commissioner", "EU-FRA and JS1"), unlike
# one name with "and" inside ("Committee on Economic, Social and Cultural Rights").
_GROUP = re.compile(r"\band the\b|\band [A-Z]{2}|\) and ")
_LOWER_IN_NAME_MAX = 8   # "Independent Expert on the enjoyment of all human rights by older persons"
_CLAUSE_WORDS = frozenset({"that", "which", "who", "whom", "whose", "where", "when", "while", "because",
                           "although", "if", "as", "but", "however", "not", "is", "are", "was", "were",
                           "be", "been"})   # "participants agreed", "the delegates recommended"


@lru_cache(maxsize=1)
def speech_verbs() -> frozenset[str]:
    """The speech verbs of ``data/patterns/speech_verbs.txt``."""
    return frozenset(read_word_list(PATTERNS / "speech_verbs.txt"))


def _name_like(token: Token) -> bool:
    text = token.text
    return text[:1].isupper() or text in _CONNECTORS or (text[:1].isdigit() and len(text) <= 3)


def _name_run(sent: Span, end: int) -> list[Token]:
    """The name ending just before sentence index ``end``: "Special Rapporteur on minority issues".

    Lowercase words are allowed inside (a mandate's subject, "Independent
    Expert on older persons"), a few of them, but the run must start with a
    capitalised word; it ends at punctuation, a quote or a clause word.
    """
    start, lowercase = end, 0
    while start > 0:
        token = sent[start - 1]
        if token.text in _QUOTES or token.lower_ in _CLAUSE_WORDS:
            break
        if not _name_like(token):
            if not (token.is_alpha and token.is_lower) or lowercase == _LOWER_IN_NAME_MAX:
                break
            lowercase += 1
        start -= 1
    run = list(sent[start:end])
    while run and (run[0].text.casefold() in _CONNECTORS or not run[0].text[:1].isupper()):
        run.pop(0)   # "the", "and", "of", lowercase words at the edge
    return _across_comma(sent, run)


def _across_comma(sent: Span, run: list[Token]) -> list[Token]:
    """Extend "Social and Cultural Rights" to "Committee on Economic, Social and Cultural Rights"."""
    if not run or not any(token.lower_ == "and" for token in run):
        return run
    comma = run[0].i - sent.start - 1
    if comma > 0 and sent[comma].text == "," and sent[comma - 1].text[:1].isupper():
        before = _name_run(sent, comma)
        return before + list(sent[comma:run[-1].i - sent.start + 1]) if before else run
    return run


def _lowercase_subject(sent: Span, end: int) -> list[Token]:
    """A short lowercase subject at a clause start ("participants agreed")."""
    start = end
    while start > 0 and end - start < _LOWER_SUBJECT_MAX and sent[start - 1].is_alpha \
            and sent[start - 1].is_lower:
        start -= 1
    at_clause_start = start == 0 or sent[start - 1].text in {",", ";", ":"}
    words = [token.text.casefold() for token in sent[start:end]]
    if not words or not at_clause_start or _NOT_SUBJECTS.intersection(words):
        return []
    return list(sent[start:end])


def _subject_before(sent: Span, verb: int) -> str:
    """The subject of the speech verb at sentence index ``verb``, or ""."""
    end = verb
    while end > 0 and sent[end - 1].text.casefold() in _SKIPPED:
        end -= 1
    if end > 0 and sent[end - 1].text == ",":  # apposition: "A, B, verb"
        second = _name_run(sent, end - 1)
        before = end - 1 - len(second)
        first = _name_run(sent, before - 1) if before > 0 and sent[before - 1].text == "," else []
        bare = [run for run in (first, second) if run and not any(t.is_lower for t in run)]
        chosen = bare[0] if bare else (first or second)
        return sent[chosen[0].i - sent.start:chosen[-1].i - sent.start + 1].text if chosen else ""
    run = _name_run(sent, end) or _lowercase_subject(sent, end)
    return sent[run[0].i - sent.start:run[-1].i - sent.start + 1].text if run else ""


def _according_to(sent: Span) -> str:
    for index in range(len(sent) - 2):
        if sent[index].lower_ == "according" and sent[index + 1].lower_ == "to":
            end = index + 2
            while end < len(sent) and _name_like(sent[end]) and sent[end].text not in _QUOTES:
                end += 1
            run = [token for token in sent[index + 2:end]]
            while run and run[0].text.casefold() in _CONNECTORS:
                run.pop(0)
            if run and run[0].text[:1].isupper():
                return sent[run[0].i - sent.start:run[-1].i - sent.start + 1].text
    return ""


def sentence_speaker(sent: Span) -> str:
    """The mention this sentence attributes itself to, as printed; "" if none.

    A pronoun comes back as printed ("He", "she"); resolve it with
    :func:`resolve_mention`. A leading "The" is dropped.
    """
    verbs = speech_verbs()
    for token in sent:
        # A capitalised "States" or "Said" is a name, not a verb.
        if token.text in verbs and not token._.in_quote and token.i > sent.start:
            subject = _subject_before(sent, token.i - sent.start)
            if subject:
                return _drop_article(subject)
    return _drop_article(_according_to(sent))


def _drop_article(mention: str) -> str:
    for article in ("The ", "the "):
        if mention.startswith(article):
            return mention[len(article):]
    return mention


def _words(mention: str) -> set[str]:
    return {word.casefold() for word in mention.replace("(", " ").replace(")", " ").split()} - {"the", "same"}


def resolve_mention(mention: str, earlier: list[str]) -> str:
    """The fullest earlier mention this one refers to, or the mention itself.

    ``earlier`` lists the explicit mentions met so far (paragraph and the one
    before it), oldest first. A pronoun takes the latest of them; a partial
    name ("Darski", "Committee") the latest single-speaker one containing all
    its words; an acronym ("JS1") stays as printed. "" when a pronoun has
    nothing to refer to.
    """
    if mention.casefold() in PRONOUNS:
        return earlier[-1] if earlier else ""
    if not _PARTIAL_NAME.match(mention):
        return mention  # acronyms ("JS1", "CoE-CPT") are the document's own short names
    words = _words(mention)
    for candidate in reversed(earlier):
        # "JS2 and CoE-Commissioner" names two speakers: no single one to refer back to.
        if words <= _words(candidate) and len(candidate) > len(mention) and not _GROUP.search(candidate):
            return candidate
    return mention
