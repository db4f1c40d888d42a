"""How alike two recommendations' asks are: word TF-IDF cosine and a static-embedding cosine.

Two measures, both cosines in [0, 1] over the texts of one country:

- :func:`tfidf_similarity`: word unigrams and bigrams of the normalised text
  (:func:`~rectrack.extractors.tracker.identity.normalise_text`), sublinear tf, smooth idf
  over the texts compared, L2-normalised. Exact and near-duplicate wording.
- :func:`embedding_similarity`: cosine of WordLlama's 256-d static embeddings
  (``wordllama``: the weights and tokenizer ship inside its PyPI wheel;
  :func:`~rectrack.extractors.classify.embeddings.wordllama` reads only those two files, nothing is
  fetched). Meaning: "ratify" ~ "accede to".

:func:`combined_similarity` is their mean, the score the grouping thresholds
(chosen on the labelled pairs in ``tests/fixtures/grouping/``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from rectrack.extractors.classify import embeddings
from rectrack.extractors.tracker.identity import normalise_text

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+")


def _terms(text: str) -> list[str]:
    words = _WORD.findall(normalise_text(text))
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def tfidf_similarity(texts: Sequence[str]) -> np.ndarray:
    """The n x n word TF-IDF cosine matrix of ``texts`` (1 on the diagonal of non-empty texts)."""
    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    for row, text in enumerate(texts):
        for term, count in Counter(_terms(text)).items():
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            values.append(1.0 + np.log(count))
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), max(len(vocabulary), 1)))
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = np.log((1 + len(texts)) / (1 + document_frequency)) + 1.0
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    matrix = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ matrix
    return np.asarray((matrix @ matrix.T).todense())


def warm_up() -> None:
    """Load the WordLlama model now (once per process), e.g. in a thread while other work goes on."""
    embeddings.wordllama()


def embedding_similarity(texts: Sequence[str]) -> np.ndarray:
    """The n x n cosine matrix of the WordLlama embeddings of ``texts`` (clipped to [0, 1])."""
    if not texts:
        return np.zeros((0, 0))
    vectors = np.asarray(embeddings.wordllama().embed([normalise_text(t) for t in texts], norm=True), dtype=np.float64)
    return np.clip(vectors @ vectors.T, 0.0, 1.0)


def combined_similarity(texts: Sequence[str]) -> np.ndarray:
    """The score the grouping uses: the mean of :func:`tfidf_similarity` and :func:`embedding_similarity`."""
    return (tfidf_similarity(texts) + embedding_similarity(texts)) / 2.0
