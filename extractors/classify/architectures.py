"""spaCy model architectures of rectrack (registered on import).

``rectrack.TextCatBOWLower.v1`` is spaCy's ``spacy.TextCatBOW.v3`` with two
changes that matter on UPR recommendations: n-grams are read from the
lowercase form (``LOWER``, not ``ORTH``: a recommendation's first word is
capitalised, "Ratify" and "ratify" should be one feature),. A pipeline using it loads only
after this module is imported (``extractors.classify`` does so).
"""

from __future__ import annotations

from typing import Optional

from spacy.attrs import LOWER
from spacy.util import registry
from spacy.ml.models import textcat as spacy_textcat
from thinc.api import Model

NAME = "rectrack.TextCatBOWLower.v1"


@registry.architectures(NAME)
def build_bow_lower(exclusive_classes: bool, ngram_size: int, no_output_layer: bool,
                    length: int = 262144, nO: Optional[int] = None) -> Model:
    """``spacy.TextCatBOW.v3`` reading lowercase n-grams."""
    model = spacy_textcat.build_bow_text_classifier_v3(
        exclusive_classes, ngram_size, no_output_layer, length, nO)
    # The first layer of the chain extracts ORTH n-grams: replace it.
    inner = model.layers[0]
    while inner.name != "extract_ngrams" and inner.layers:
        inner = inner.layers[0]
    inner.attrs["attr"] = LOWER
    return model

