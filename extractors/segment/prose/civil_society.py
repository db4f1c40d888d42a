"""Segment a civil-society or dialogue report in prose into recommending sentences.

Such reports (dialogue outcomes, shadow reports, NGO statements) have no
numbered recommendations: they recommend in running prose ("Ratifying the
Optional Protocol ... could pave the way for ...", "JS1 recommended that
..."), in lists, and under "Recommendations" headings. Each paragraph goes
through the rule-based prose pipeline (:mod:`rectrack.extractors.segment.prose.nlp`) and
each sentence that recommends becomes one row:

- a sentence recommends when it holds a cue of
  ``data/patterns/recommendation_cues.jsonl`` (should, must, need to,
  recommend, urge, call on, encourage, "is necessary/essential", "could pave
  the way", ...) that no EXCLUDE pattern vetoes; or when it opens with an
  imperative (``data/patterns/imperative_verbs.txt``) in a list item or under
  a "Recommendations" heading; or when it is a list item's first sentence
  under such a heading;
- ``paragraph`` is the paragraph's ordinal in the document (headings not
  counted): ``"13"`` for its first recommending sentence, ``"13.2"``,
  ``"13.3"`` ... for the next ones, so a row keeps its number when a later
  sentence is added;
- ``text`` is the sentence (a quotation mark it opens or closes without its
  pair is dropped); ``context`` the paragraph's first sentence when the row is
  not that sentence; ``heading`` the heading the paragraph stands under;
- ``source`` is who says it: the subject of a speech verb in the sentence, a
  pronoun or partial name resolved against the mentions of this paragraph
  and the previous one, the speaker of the quotation the sentence is in, or
  else the last speaker named earlier in the paragraph;
- ``country`` is the State the report names most (at least three times and
  twice as often as any other), since such reports carry no cover naming it.

A report that follows an earlier one (a dialogue that meets to assess the
previous dialogue's recommendations) is also evidence of what became of them:
every paragraph that is not itself a recommendation (not all of its sentences
recommend) becomes one :class:`~rectrack.extractors.records.EvidenceParagraph`:

- ``paragraph`` is the ordinal above; in a report whose paragraphs are
  numbered (most of them print a number), the number as printed, "" for the
  unnumbered rest; ``page`` where it starts, ``text`` its whole clean text,
  ``heading`` the heading it stands under;
- ``cited`` the recommendation numbers its text cites ("recommendation 3 of
  the 2024 dialogue", read as national reports' are, see
  :func:`~rectrack.extractors.segment.upr.national.text_citations`), with
  ``cited_by`` "text"; () and "" when it cites none;
- ``speaker`` the speakers its sentences name, as resolved for ``source``
  (several joined by "; "), else "civil society".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Span

from rectrack.extractors.segment.prose.nlp import prose_pipeline
from rectrack.extractors.segment.prose.speakers import resolve_mention, sentence_speaker
from rectrack.extractors.records import Document, DocumentInfo, EvidenceParagraph, Problem, Recommendation
from rectrack.extractors.segment import Segmented
from rectrack.extractors.segment.prose.paragraphs import Paragraph, imperative_verbs, prose_paragraphs
from rectrack.extractors.segment.upr.national import text_citations
from rectrack.extractors.text.sentences import sentence_starts

_MAX_CHARS = 100_000            # far above any real paragraph, far below spaCy's limit
_STATE_MIN_MENTIONS = 3
_STATE_LEAD = 2                 # the first State named at least twice as often as the next
SPEAKER = "civil society"       # an evidence paragraph's speaker when it names none


@dataclass(slots=True)
class _Sentence:
    text: str
    start: int                  # offset in the paragraph's text
    recommends: bool
    speaker: str = ""           # resolved explicit speaker
    quotes: frozenset[int] = frozenset()
    source: str = ""


def _opens_with_imperative(sent: Span, gerund: bool) -> bool:
    """"Ratify the ...", "To ratify ..."; with ``gerund`` also "Ratifying ..."."""
    words = [token.lower_ for token in sent if token.is_alpha][:2]
    if words and words[0] == "to":
        words = words[1:]
    if not words:
        return False
    word, verbs = words[0], imperative_verbs()
    if word in verbs:
        return True
    return gerund and word.endswith("ing") and (word[:-3] in verbs or word[:-3] + "e" in verbs)


def _recommends(sent: Span, paragraph: Paragraph, first: bool) -> bool:
    if any(sent.start <= cue.start < sent.end for cue in sent.doc.spans["cues"]):
        return True
    # A gerund opens list items ("Ratifying the OPCAT;") but also narrative
    # sentences ("Working in four groups, participants ..."): lists only.
    if (paragraph.list_item or paragraph.in_recommendations) and _opens_with_imperative(sent, paragraph.list_item):
        return True
    return first and paragraph.list_item and paragraph.in_recommendations


def clean_sentence(text: str) -> str:
    """``text`` without a quotation mark whose pair is in another sentence."""
    text = text.strip()
    if text.count('"') % 2:
        text = text[1:] if text.startswith('"') else text[:-1] if text.endswith('"') else text
    if text.startswith("“") and "”" not in text:
        text = text[1:]
    if text.endswith("”") and "“" not in text:
        text = text[:-1]
    return text.strip()


def _chunks(paragraph: Paragraph) -> list[tuple[int, str]]:
    """(offset, text) pieces of a paragraph short enough for one ``nlp`` call."""
    if len(paragraph.text) <= _MAX_CHARS:
        return [(0, paragraph.text)]
    chunks: list[tuple[int, str]] = []
    start = 0
    for boundary in sentence_starts(paragraph.text):
        if boundary - start > _MAX_CHARS / 2:
            chunks.append((start, paragraph.text[start:boundary].rstrip()))
            start = boundary
    chunks.append((start, paragraph.text[start:]))
    # A run with no sentence end at all is cut blindly rather than refused.
    return [(offset + cut, text[cut:cut + _MAX_CHARS]) for offset, text in chunks
            for cut in range(0, len(text), _MAX_CHARS)]


def _read_paragraphs(paragraphs: list[Paragraph]) -> tuple[list[list[_Sentence]], Counter[str]]:
    """Every paragraph's sentences, classified, and the States mentioned."""
    pieces = [(index, offset, text) for index, paragraph in enumerate(paragraphs)
              for offset, text in _chunks(paragraph)]
    sentences: list[list[_Sentence]] = [[] for _ in paragraphs]
    states: Counter[str] = Counter()
    docs = prose_pipeline().pipe(text for _, _, text in pieces)
    for (index, offset, _), doc in zip(pieces, docs):
        states.update(span.label_ for span in doc.spans["states"])
        for sent in doc.sents:
            if not any(token.is_alpha for token in sent):
                continue
            first = not sentences[index]
            sentences[index].append(_Sentence(
                text=clean_sentence(sent.text), start=offset + sent.start_char,
                recommends=_recommends(sent, paragraphs[index], first),
                speaker=sentence_speaker(sent),
                quotes=frozenset(t._.quote_id for t in sent if t._.in_quote),
            ))
    return sentences, states


def _attribute(paragraph: list[_Sentence], previous: list[str]) -> list[str]:
    """Fill ``source`` of each sentence; return the paragraph's resolved mentions."""
    mentions: list[str] = []
    for sentence in paragraph:
        if sentence.speaker:
            sentence.speaker = resolve_mention(sentence.speaker, previous + mentions)
            if sentence.speaker:
                mentions.append(sentence.speaker)
    last = ""
    for sentence in paragraph:
        quoted_by = next((other.speaker for other in paragraph
                          if other.speaker and sentence.quotes & other.quotes), "")
        sentence.source = sentence.speaker or quoted_by or last
        last = sentence.speaker or last
    return mentions


def _rows(paragraph: Paragraph, sentences: list[_Sentence], country: str) -> list[Recommendation]:
    rows: list[Recommendation] = []
    for position, sentence in enumerate(sentences):
        if not sentence.recommends:
            continue
        number = str(paragraph.number) if not rows else f"{paragraph.number}.{len(rows) + 1}"
        rows.append(Recommendation(
            paragraph=number, text=sentence.text, page=paragraph.page_at(sentence.start),
            source=sentence.source, heading=paragraph.heading,
            context=sentences[0].text if position else "", country=country,
        ))
    return rows


def dominant_state(mentions: Counter[str]) -> str:
    """The State named far more than any other, or "" (see the module docstring)."""
    ranked = mentions.most_common(2)
    if not ranked or ranked[0][1] < _STATE_MIN_MENTIONS:
        return ""
    if len(ranked) > 1 and ranked[0][1] < _STATE_LEAD * ranked[1][1]:
        return ""
    return ranked[0][0]


def _long_paragraph_problems(paragraphs: list[Paragraph]) -> list[Problem]:
    return [Problem(
        document="", page=p.pages[0][1], kind="long_paragraph",
        reason=f"paragraph {p.number} has {len(p.text):,} characters: the file seems to have lost the "
               "blank lines between its paragraphs; it was read sentence by sentence in pieces",
        action="check the rows of this paragraph; if the numbering matters, restore the paragraph breaks "
               "and add the file again",
    ) for p in paragraphs if len(p.text) > _MAX_CHARS]


def _evidence(paragraphs: list[Paragraph], sentences: list[list[_Sentence]],
              problems: list[Problem]) -> tuple[EvidenceParagraph, ...]:
    """The paragraphs that are not wholly recommendations, as evidence (see the module docstring).

    Call after :func:`_attribute`: the speakers are the sentences' resolved ones. A citation whose
    numbers cannot be read is added to ``problems``.
    """
    kept = [(paragraph, own) for paragraph, own in zip(paragraphs, sentences)
            if own and not all(sentence.recommends for sentence in own)]
    numbered = 2 * sum(bool(paragraph.printed) for paragraph, _ in kept) > len(kept)
    evidence = []
    for paragraph, own in kept:
        cited, unread = text_citations(paragraph.text)
        if unread:
            problems.append(Problem(
                document="", page=paragraph.pages[0][1], kind="citation",
                reason=f"paragraph {paragraph.number} cites recommendations that could not be read: "
                       f"{'; '.join(unread)}",
                action="check the citation in the document and link the recommendations it cites by hand",
            ))
        speakers = dict.fromkeys(sentence.speaker for sentence in own if sentence.speaker)
        evidence.append(EvidenceParagraph(
            paragraph=paragraph.printed if numbered else str(paragraph.number), page=paragraph.pages[0][1],
            text=paragraph.text, heading=paragraph.heading, cited=cited, cited_by="text" if cited else "",
            speaker="; ".join(speakers) or SPEAKER,
        ))
    return tuple(evidence)


def sentence_texts(document: Document) -> list[str]:
    """Every sentence of the document's paragraphs as rows would print it (for evaluation)."""
    sentences, _ = _read_paragraphs(prose_paragraphs(document))
    return [sentence.text for paragraph in sentences for sentence in paragraph]


def segment_civil_society(document: Document, info: DocumentInfo) -> Segmented:
    """Every recommending sentence of a prose report, in reading order, and its other paragraphs as evidence.

    Returns no rows and a problem of kind ``no_text`` when the document has
    no paragraph of prose, or ``no_recommendations`` when no sentence
    recommends (its evidence is kept); a problem of kind ``citation`` for a
    paragraph citing recommendation numbers that cannot be read. ``info`` is
    not needed: such reports are read the same whatever was detected about them.
    """
    paragraphs = prose_paragraphs(document)
    if not paragraphs:
        return Segmented(problems=(Problem(
            document="", kind="no_text",
            reason="no paragraph of prose found in this civil-society report (only headings, tables or nothing)",
            action="check that the file is the report's full text; enter its recommendations by hand if it is",
        ),))
    sentences, states = _read_paragraphs(paragraphs)
    country = dominant_state(states)
    rows: list[Recommendation] = []
    previous: list[str] = []
    for paragraph, paragraph_sentences in zip(paragraphs, sentences):
        previous = _attribute(paragraph_sentences, previous)
        rows.extend(_rows(paragraph, paragraph_sentences, country))
    problems = _long_paragraph_problems(paragraphs)
    evidence = _evidence(paragraphs, sentences, problems)
    if not rows:
        problems.append(Problem(
            document="", kind="no_recommendations",
            reason="no recommendation found: no sentence of this report uses a recommending cue "
                   "(should, must, recommend, urge, call on, need to, ...) or stands in a list under a "
                   "\"Recommendations\" heading",
            action="check that this is the report's full text; if it recommends in other words, add them to "
                   "data/patterns/recommendation_cues.jsonl, or enter its recommendations by hand",
        ))
    return Segmented(recommendations=tuple(rows), problems=tuple(problems), evidence=evidence)
