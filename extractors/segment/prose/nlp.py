"""The prose pipeline: sentences, quotations, recommendation cues, State mentions.

Built from ``spacy.blank("en")`` (no trained model exists on this machine)
with four rule-based components, each ``Doc -> Doc``:

- ``rule_sentences``: sentence boundaries from the code base's one splitter
  (:func:`rectrack.extractors.text.sentences.sentence_starts`), then ``quote_marks``: marks
  every token inside a quotation (``token._.in_quote``, ``token._.quote_id``)
  and moves a sentence boundary put after an opening ``"`` to before it;
- ``recommendation_cues``: Matcher + PhraseMatcher over the patterns of
  ``data/patterns/recommendation_cues.jsonl``; ``doc.spans["cues"]`` holds
  the cue spans that no EXCLUDE pattern overlaps;
- ``state_mentions``: ``doc.spans["states"]``, every canonical State name.

Feed paragraphs through ``nlp.pipe``, never a whole document.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token

from rectrack.extractors.errors import RectrackError
from rectrack.extractors.text.word_lists import PATTERNS
from rectrack.extractors.text.sentences import sentence_starts
from rectrack.extractors.reference.states import state_names

CUES_FILE = PATTERNS / "recommendation_cues.jsonl"
EXCLUDE = "EXCLUDE"
_OPENING, _CLOSING, _STRAIGHT = "“«", "”»", '"'

Token.set_extension("in_quote", default=False, force=True)
Token.set_extension("quote_id", default=-1, force=True)


class PatternFileError(RectrackError):
    """A pattern file under ``data/patterns`` cannot be used."""

    kind = "pattern_file"

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path, reason, f"fix {path.name} (one JSON object per line: "
                                       '{"label": ..., "pattern": "phrase" or [token patterns]})')


def _read_cue_patterns(path: Path) -> list[tuple[str, str | list[dict]]]:
    """(label, pattern) pairs of a JSONL pattern file; raises PatternFileError."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            pairs.append((str(entry["label"]), entry["pattern"]))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise PatternFileError(path, f"line {number} is not a pattern ({error})") from error
    return pairs


@Language.component("rule_sentences", assigns=["token.is_sent_start"])
def rule_sentences(doc: Doc) -> Doc:
    """Sentence starts where :func:`rectrack.extractors.text.sentences.sentence_starts` puts them."""
    starts = set(sentence_starts(doc.text))
    for token in doc:
        token.is_sent_start = token.i == 0 or token.idx in starts
    return doc


@Language.component("quote_marks", assigns=["token._.in_quote", "token._.quote_id", "token.is_sent_start"])
def quote_marks(doc: Doc) -> Doc:
    """Mark quoted tokens; keep an opening quote with the sentence it opens."""
    inside, quote_id = False, -1
    for token in doc:
        opens = token.text in _OPENING or (token.text == _STRAIGHT and not inside)
        closes = token.text in _CLOSING or (token.text == _STRAIGHT and inside)
        if opens and not inside:
            inside, quote_id = True, quote_id + 1
            after = token.i + 1
            # A sentence may end after `... rights. "`; the quote
            # belongs to the next one.
            if 0 < token.i and after < len(doc) and doc[after].is_sent_start and not token.is_sent_start:
                token.is_sent_start = True
                doc[after].is_sent_start = False
        token._.in_quote = inside
        token._.quote_id = quote_id if inside else -1
        if closes and inside and not opens:
            inside = False
    return doc


@Language.factory("recommendation_cues", assigns=["doc.spans"], default_config={"path": str(CUES_FILE)})
class RecommendationCues:
    """Cue spans from a JSONL pattern file, minus those an EXCLUDE span overlaps."""

    def __init__(self, nlp: Language, name: str, path: str) -> None:
        self.matcher = Matcher(nlp.vocab)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, pattern in _read_cue_patterns(Path(path)):
            if isinstance(pattern, str):
                self.phrases.add(label, [nlp.make_doc(pattern)])
            else:
                try:
                    self.matcher.add(label, [pattern])
                except ValueError as error:
                    raise PatternFileError(Path(path), f"pattern for {label} is invalid ({error})") from error

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, start, end, label=match_id)
                 for match_id, start, end in [*self.matcher(doc), *self.phrases(doc)]]
        vetoes = [span for span in spans if span.label_ == EXCLUDE]
        doc.spans["cues"] = [
            span for span in spans if span.label_ != EXCLUDE
            and not any(veto.start < span.end and span.start < veto.end for veto in vetoes)
        ]
        return doc


@Language.factory("state_mentions", assigns=["doc.spans"])
class StateMentions:
    """``doc.spans["states"]``: canonical State names as printed (case-insensitive)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for state in state_names():
            self.matcher.add(state, [nlp.make_doc(state)])

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["states"] = [Span(doc, s, e, label=m) for m, s, e in self.matcher(doc)]
        return doc


@lru_cache(maxsize=1)
def prose_pipeline() -> Language:
    """The prose pipeline, built once per process (the pattern files are read here)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("rule_sentences")
    nlp.add_pipe("quote_marks")
    nlp.add_pipe("recommendation_cues")
    nlp.add_pipe("state_mentions")
    return nlp
