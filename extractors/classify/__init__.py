"""Classification of recommendations by taxonomy (issues, themes, groups, SDGs, action, priority areas).

The entry point is :func:`load_classifier` (one spaCy pipeline for every
taxonomy, loaded once per process) and :meth:`Classifier.classify`, which
gives each text its :class:`LabelScore` records. Training lives in
``train_*.py`` (one module per group of taxonomies, assembled by
:mod:`rectrack.extractors.classify.train`); applying labels to the tracker in
:mod:`rectrack.extractors.tracker.labels`; metrics in :mod:`rectrack.extractors.classify.evaluate`.
Importing this package does not import spaCy.
"""

from rectrack.extractors.classify.classifier import (
    MODEL_DIR, SINGLE_LABEL, TAXONOMIES, Classifier, LabelScore, classify_texts, load_classifier, model_fingerprint,
)
from rectrack.extractors.errors import ModelNotFound

__all__ = ["MODEL_DIR", "SINGLE_LABEL", "TAXONOMIES", "Classifier", "LabelScore", "ModelNotFound",
           "classify_texts", "load_classifier", "model_fingerprint"]
