"""spaCy model architectures and textcat factories of rectrack, registered on import.

- ``rectrack.TextCatTfidf.v1`` (:mod:`rectrack.extractors.classify.tfidf`): TF-IDF
  words, bigrams, stems and opening words, a linear layer, Logistic or Softmax.
- ``rectrack_textcat`` and ``rectrack_textcat_multilabel``: spaCy's
  ``textcat`` and ``textcat_multilabel`` (same model, training, scoring and
  config), writing ``doc.cats`` a row at a time. spaCy's ``set_annotations``
  indexes the score array once per label and document: with ~230 labels it
  took a quarter of the classifier's time (measured 2026-11-28, 10,000 UPR
  recommendations: 1.0 s of 4.1 s).

A pipeline using them loads only after this module is imported
(:func:`rectrack.extractors.classify.load_classifier` does so).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.pipeline.textcat import DEFAULT_SINGLE_TEXTCAT_MODEL, TextCategorizer
from spacy.pipeline.textcat_multilabel import DEFAULT_MULTI_TEXTCAT_MODEL, MultiLabel_TextCategorizer

from rectrack.extractors.classify import tfidf

NAME = tfidf.NAME
SINGLE = "rectrack_textcat"
MULTI = "rectrack_textcat_multilabel"


def _set_annotations(component, docs, scores) -> None:
    labels = component.labels
    for doc, row in zip(docs, component.model.ops.to_numpy(scores).tolist()):
        doc.cats.update(zip(labels, row))


class FastTextCategorizer(TextCategorizer):
    """spaCy's single-label textcat with a faster ``set_annotations``."""

    set_annotations = _set_annotations


class FastMultiLabelTextCategorizer(MultiLabel_TextCategorizer):
    """spaCy's multi-label textcat with a faster ``set_annotations``."""

    set_annotations = _set_annotations


@Language.factory(SINGLE, assigns=["doc.cats"], default_config={
    "threshold": 0.0, "model": DEFAULT_SINGLE_TEXTCAT_MODEL, "scorer": {"@scorers": "spacy.textcat_scorer.v2"}})
def make_textcat(nlp: Language, name: str, model, threshold: float, scorer) -> FastTextCategorizer:
    return FastTextCategorizer(nlp.vocab, model, name, threshold=threshold, scorer=scorer)


@Language.factory(MULTI, assigns=["doc.cats"], default_config={
    "threshold": 0.5, "model": DEFAULT_MULTI_TEXTCAT_MODEL,
    "scorer": {"@scorers": "spacy.textcat_multilabel_scorer.v2"}})
def make_multilabel_textcat(nlp: Language, name: str, model, threshold: float,
                            scorer) -> FastMultiLabelTextCategorizer:
    return FastMultiLabelTextCategorizer(nlp.vocab, model, name, threshold=threshold, scorer=scorer)
