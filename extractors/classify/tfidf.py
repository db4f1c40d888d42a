"""TF-IDF text classifiers as spaCy model architectures: a linear model, and its ensemble with a small network.

``rectrack.TextCatTfidf.v1`` is a thinc model for spaCy's ``textcat`` and
``textcat_multilabel`` components:

    docs -> tfidf_features -> sparse_linear -> Logistic (multi-label) or Softmax (one label)

``rectrack.TextCatTfidfEnsemble.v1`` (multi-label) averages that linear
model with a one-hidden-layer network over the same TF-IDF rows:

    docs -> tfidf_features -> mean(sparse_linear -> Logistic,
                                   sparse_linear(hidden) -> relu -> Dropout -> Linear -> Logistic)

- ``tfidf_features`` turns each Doc into one sparse row: the lowercase words
  of two or more word characters, their bigrams, and the six-letter stems of
  the words ("discriminate" and "discrimination" share ``~discri``), weighted
  by sublinear term frequency (1 + log count) times inverse document
  frequency, each block (words+bigrams, stems) scaled to unit length. With
  ``first_words = n`` a third block describes the opening words (the first
  1..n words after numbering, and the action category the UPR Info verb lists
  give the first verb: :func:`rectrack.extractors.classify.action_rule.first_word_features`),
  unweighted. The vocabulary and IDF are fitted on the training texts by
  :func:`fit_features` (words and bigrams seen in at least ``min_df`` texts)
  and saved with the model.
- ``sparse_linear`` is a weight matrix over that vocabulary plus a bias.

The weights are fitted by :func:`fit_linear`: full-batch L-BFGS on the
L2-regularised logistic (or, for one label, softmax) loss, i.e. a
regularised logistic regression computed by the component's own model.
Minibatch Adam through ``nlp.update`` also works (the layers have a
backward pass, so the component trains like any spaCy textcat), but on UPR
recommendations it overfits rare n-grams within two epochs: validation
micro-F1 0.88 against 0.90 for the L-BFGS fit (measured 2026-11-28).

The ensemble's network is fitted separately by :func:`fit_mlp` (minibatch
Adam with dropout, updating only the first-layer rows a minibatch uses).
The network sees combinations of words that the linear model cannot (a group
*and* a violation); on recommendations of later sessions than it was trained
on, the mean of the two scores better than either alone (figures in
:mod:`rectrack.extractors.classify.train_issues`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import sparse
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Dropout, Linear, Logistic, Model, chain, softmax_activation

from rectrack.extractors.classify import action_rule, embeddings
from rectrack.extractors.classify.classifier import TEXT_KEY

NAME = "rectrack.TextCatTfidf.v1"
ENSEMBLE_NAME = "rectrack.TextCatTfidfEnsemble.v1"
_WORD = re.compile(r"(?u)\b\w\w+\b")
STEM_LENGTH = 6
STEM_MARK = "~"


def analyse(text: str, first_words: int = 0) -> list[Sequence[str]]:
    """The feature blocks of a text: words and bigrams, stems, and (``first_words`` > 0) opening words."""
    blocks = list(_base_blocks(text))
    if first_words:
        blocks.append(action_rule.first_word_features(text, first_words))
    return blocks


@lru_cache(maxsize=4096)
def _base_blocks(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Cached: the issues and action components read the same texts one after the other.
    words = _WORD.findall(text.lower())
    return (tuple(words + [f"{a} {b}" for a, b in zip(words, words[1:])]),
            tuple(STEM_MARK + word[:STEM_LENGTH] for word in words))


@registry.architectures(NAME)
def build_tfidf_textcat(exclusive_classes: bool, first_words: int = 0, embedding_weight: float = 0.0,
                        nO: int | None = None) -> Model:
    """TF-IDF features, a linear layer, then Softmax (``exclusive_classes``) or Logistic.

    ``embedding_weight > 0`` appends each text's WordLlama embedding (unit length, times the weight) to its row.
    """
    # The linear layer computes the logits: the output layer has no weights.
    output = softmax_activation() if exclusive_classes else Logistic()
    model = chain(tfidf_features(first_words, embedding_weight), sparse_linear(nO=nO), output)
    model.attrs["exclusive_classes"] = exclusive_classes
    model.set_ref("features", model.layers[0])
    model.set_ref("linear", model.layers[1])
    return model


@registry.architectures(ENSEMBLE_NAME)
def build_tfidf_ensemble(hidden_width: int = 64, mlp_weight: float = 0.5, dropout: float = 0.5,
                         first_words: int = 0, nO: int | None = None) -> Model:
    """Multi-label: the mean of the linear model and a one-hidden-layer network on the same TF-IDF rows.

    ``(1 - mlp_weight) * Logistic(rows @ W + b) + mlp_weight * Logistic(relu(rows @ W1 + b1) @ W2 + b2)``.
    The linear part is fitted by :func:`fit_linear`, the network by :func:`fit_mlp`.
    """
    linear = sparse_linear(nO=nO)
    hidden = sparse_linear(nO=hidden_width)
    output = Linear(nO=nO, nI=hidden_width)
    network = chain(hidden, relu(), Dropout(dropout), output, Logistic())
    model = chain(tfidf_features(first_words), weighted_mean(chain(linear, Logistic()), network, mlp_weight))
    model.attrs["exclusive_classes"] = False
    model.set_ref("features", model.layers[0])
    model.set_ref("linear", linear)
    model.set_ref("hidden", hidden)
    model.set_ref("output", output)
    return model


def relu() -> Model:
    """max(0, x), no weights."""
    def forward(model: Model, X: np.ndarray, is_train: bool):
        active = X > 0
        return X * active, lambda dY: dY * active
    return Model("relu", forward)


def weighted_mean(first: Model, second: Model, weight: float) -> Model:
    """``(1 - weight) * first(X) + weight * second(X)``; gradients flow to both, not to X."""
    def forward(model: Model, X, is_train: bool):
        Y1, back1 = first(X, is_train)
        Y2, back2 = second(X, is_train)

        def backprop(dY):
            back1((1.0 - weight) * dY)
            back2(weight * dY)
            return None

        return (1.0 - weight) * Y1 + weight * Y2, backprop

    def init(model: Model, X=None, Y=None) -> None:
        first.initialize(X=X, Y=Y)
        second.initialize(X=X, Y=Y)
        if first.has_dim("nO"):
            model.set_dim("nO", first.get_dim("nO"))

    return Model("weighted_mean", forward, init=init, layers=[first, second], dims={"nO": None})


def tfidf_features(first_words: int = 0, embedding_weight: float = 0.0) -> Model:
    """Docs -> CSR matrix (float32) of TF-IDF weights; vocabulary and IDF set by :func:`fit_features`.

    With ``embedding_weight`` the rows end with :data:`~rectrack.extractors.classify.embeddings.DIMENSIONS`
    more columns: the text's WordLlama embedding times that weight (meaning beyond shared words).
    """
    return Model("tfidf_features", _features_forward,
                 attrs={"vocabulary": [], "first_words": first_words, "embedding_weight": embedding_weight},
                 params={"idf": None}, init=_features_init)


def _width(layer: Model) -> int:
    """Columns of the rows a ``tfidf_features`` layer makes: its vocabulary, plus the embedding's."""
    return len(layer.attrs["vocabulary"]) + (embeddings.DIMENSIONS if layer.attrs.get("embedding_weight") else 0)


def _features_init(model: Model, X=None, Y=None) -> None:
    if not model.has_param("idf") or model.get_param("idf") is None:
        model.set_param("idf", np.zeros((0,), dtype="float32"))


def doc_text(doc: Doc) -> str:
    """The Doc's text, kept in ``doc.user_data`` (``Doc.text`` rebuilds it from every token: slow)."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def _features_forward(model: Model, docs: Sequence[Doc], is_train: bool):
    matrix = transform(model, [doc_text(doc) for doc in docs])
    return matrix, lambda d_matrix: []


def transform(model: Model, texts: Iterable[str], words: "BatchWords | None" = None) -> sparse.csr_matrix:
    """The TF-IDF rows of ``texts`` under the fitted vocabulary of a ``tfidf_features`` layer.

    The words of the whole batch are looked up once per distinct word and the
    bigrams as pairs of word columns (a bigram seen in ``min_df`` texts has
    both its words in the vocabulary), so no bigram string is made.
    ``words``: :func:`batch_words` of the same ``texts``, when several layers
    read one batch.
    """
    texts = list(texts)
    words = words if words is not None else batch_words(texts)
    lookup = _lookup(model)
    idf = model.get_param("idf")
    first_words = model.attrs.get("first_words", 0)
    n_blocks = 3 if first_words else 2
    n_texts, width = len(texts), len(idf)
    word_columns, stem_columns = lookup.resolve(words.unique)
    token_words, token_stems = word_columns[words.ids], stem_columns[words.ids]
    owner = words.owner
    # Bigrams: consecutive words of one text, both in the vocabulary, the pair a fitted term.
    first, second = token_words[:-1], token_words[1:]
    pairs = np.flatnonzero((owner[1:] == owner[:-1]) & (first >= 0) & (second >= 0))
    bigram_keys = first[pairs] * lookup.n_columns + second[pairs]
    where = np.searchsorted(lookup.bigram_keys, bigram_keys)
    where[where == len(lookup.bigram_keys)] = 0
    found = lookup.bigram_keys[where] == bigram_keys if len(lookup.bigram_keys) else np.zeros(0, bool)
    known_words, known_stems = token_words >= 0, token_stems >= 0
    parts_groups = [owner[known_words] * n_blocks, owner[pairs[found]] * n_blocks,
                    owner[known_stems] * n_blocks + 1]
    parts_columns = [token_words[known_words], lookup.bigram_columns[where[found]], token_stems[known_stems]]
    if first_words:
        index = lookup.index
        opening = [(number, column) for number, text in enumerate(texts)
                   for column in map(index.get, action_rule.first_word_features(text, first_words))
                   if column is not None]
        if opening:
            numbers, columns = np.array(opening, dtype="int64").T
            parts_groups.append(numbers * n_blocks + 2)
            parts_columns.append(columns)
    groups = np.concatenate(parts_groups).astype("int64")
    columns = np.concatenate(parts_columns).astype("int64")
    group = n_texts * n_blocks
    # Count each (text, block, column) once (scipy sums the duplicates of a row, its columns sorted),
    # weight, then scale each block of each text to unit length.
    counted = sparse.csr_matrix((np.ones(len(groups), dtype="int64"), (groups, columns)), shape=(group, width))
    counted.sum_duplicates()
    counts, pair_columns = counted.data, counted.indices.astype("int64")
    pair_groups = np.repeat(np.arange(group, dtype="int64"), np.diff(counted.indptr))
    weights = (1.0 + np.log(counts)) * idf[pair_columns]
    norms = np.sqrt(np.bincount(pair_groups, weights=weights * weights, minlength=group))
    weights = weights / norms[pair_groups]
    rows = pair_groups // n_blocks
    indptr = np.searchsorted(rows, np.arange(n_texts + 1))
    matrix = sparse.csr_matrix((weights.astype("float32"), pair_columns.astype("int32"), indptr),
                               shape=(n_texts, width))
    embedding_weight = model.attrs.get("embedding_weight", 0.0)
    if embedding_weight:
        dense = sparse.csr_matrix(embeddings.embed(texts) * np.float32(embedding_weight))
        matrix = sparse.hstack([matrix, dense], format="csr", dtype="float32")
    return matrix


class BatchWords(NamedTuple):
    """The lowercase words of a batch of texts: each distinct word once, and per token its word and text."""

    unique: list[str]
    ids: np.ndarray          # per token: its position in ``unique``
    owner: np.ndarray        # per token: the number of its text


def batch_words(texts: Sequence[str]) -> BatchWords:
    """The words :func:`analyse` finds in each text, for the whole batch."""
    table: dict[str, int] = {}
    ids: list[int] = []
    lengths: list[int] = []
    setdefault = table.setdefault
    for text in texts:
        found = _WORD.findall(text.lower())
        lengths.append(len(found))
        ids.extend([setdefault(word, len(table)) for word in found])
    owner = np.repeat(np.arange(len(lengths), dtype="int64"), lengths)
    return BatchWords(list(table), np.array(ids, dtype="int64"), owner)


class _Lookup:
    """A layer's vocabulary as arrays: columns of words and stems (cached per word) and of bigrams."""

    def __init__(self, vocabulary: list[str]) -> None:
        self.vocabulary = vocabulary
        self.index = {term: column for column, term in enumerate(vocabulary)}
        self.n_columns = len(vocabulary)
        keys, columns = [], []
        for column, term in enumerate(vocabulary):
            if " " in term and term[:1] not in "^=":
                first, _, second = term.partition(" ")
                keys.append(self.index[first] * self.n_columns + self.index[second])
                columns.append(column)
        order = np.argsort(np.array(keys, dtype="int64"), kind="stable")
        self.bigram_keys = np.array(keys, dtype="int64")[order]
        self.bigram_columns = np.array(columns, dtype="int64")[order]
        self._words: dict[str, tuple[int, int]] = {}

    def resolve(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per word: its column (-1: not in the vocabulary) and its stem's column."""
        cache, index = self._words, self.index
        if len(cache) > 500_000:
            cache.clear()
        pairs = []
        for word in words:
            pair = cache.get(word)
            if pair is None:
                pair = cache[word] = (index.get(word, -1), index.get(STEM_MARK + word[:STEM_LENGTH], -1))
            pairs.append(pair)
        array = np.array(pairs, dtype="int64").reshape(-1, 2)
        return array[:, 0], array[:, 1]


_LOOKUPS: dict[int, _Lookup] = {}   # model id -> its vocabulary's lookup


def _lookup(model: Model) -> _Lookup:
    vocabulary = model.attrs["vocabulary"]
    cached = _LOOKUPS.get(model.id)
    if cached is None or cached.vocabulary is not vocabulary:
        cached = _LOOKUPS[model.id] = _Lookup(vocabulary)
    return cached


def fit_features(model: Model, texts: Sequence[str], *, min_df: int = 2) -> sparse.csr_matrix:
    """Fit the vocabulary and IDF of the ``features`` layer of ``model`` on ``texts``; return their rows.

    Words and bigrams are kept when seen in at least ``min_df`` texts; stems
    and opening-word features always. IDF is scikit-learn's smoothed
    ``1 + ln((1 + n) / (1 + df))``; opening-word features are not weighted (1).
    """
    layer = model.get_ref("features") if model.has_ref("features") else model
    first_words = layer.attrs.get("first_words", 0)
    counts: list[Counter] = [Counter(), Counter(), Counter()]
    for text in texts:
        for block, seen in zip(analyse(text, first_words), counts):
            seen.update(set(block))
    kept = [sorted(t for t, df in counts[0].items() if df >= min_df), sorted(counts[1]), sorted(counts[2])]
    vocabulary = [term for block in kept for term in block]
    frequencies = np.array([counts[b][t] for b in (0, 1) for t in kept[b]], dtype="float64")
    idf = np.concatenate([1.0 + np.log((1.0 + len(texts)) / (1.0 + frequencies)), np.ones(len(kept[2]))])
    layer.attrs["vocabulary"] = vocabulary
    layer.set_param("idf", idf.astype("float32"))
    # Fresh weights for the new vocabulary: zeros for the linear part, small random ones
    # for the network's hidden layer (all-zero ReLU units would never learn).
    for name, scale in (("linear", 0.0), ("hidden", 0.05)):
        if model.has_ref(name):
            dense = model.get_ref(name)
            shape = (_width(layer), dense.get_dim("nO"))
            dense.set_param("W", (np.random.default_rng(0).standard_normal(shape) * scale).astype("float32"))
            dense.set_param("b", np.zeros((dense.get_dim("nO"),), dtype="float32"))
    return transform(layer, texts)


def sparse_linear(nO: int | None = None) -> Model:
    """CSR rows -> ``rows @ W + b`` (``W``: vocabulary x labels)."""
    return Model("sparse_linear", _linear_forward, init=_linear_init,
                 dims={"nO": nO}, params={"W": None, "b": None})


def _linear_init(model: Model, X=None, Y=None) -> None:
    if Y is not None and model.has_dim("nO") is not True:
        model.set_dim("nO", Y.shape[1])
    # The number of inputs is the vocabulary's size, known once fit_features has run.
    n_in = X.shape[1] if X is not None and hasattr(X, "shape") else 0
    model.set_param("W", np.zeros((n_in, model.get_dim("nO")), dtype="float32"))
    model.set_param("b", np.zeros((model.get_dim("nO"),), dtype="float32"))


_WIDENED: dict[int, tuple[np.ndarray, np.ndarray]] = {}   # model id -> (stored float16 W, float32 copy)


def _weights(model: Model) -> np.ndarray:
    """``W`` as float32. The network's first layer is stored as float16 (half the size on disk);
    it is widened once per load, not per batch (scipy would copy it for every product)."""
    weights = model.get_param("W")
    if weights.dtype == np.float32:
        return weights
    cached = _WIDENED.get(model.id)
    if cached is None or cached[0] is not weights:
        cached = _WIDENED[model.id] = (weights, weights.astype("float32"))
    return cached[1]


def _linear_forward(model: Model, rows: sparse.csr_matrix, is_train: bool):
    weights = _weights(model)
    logits = np.asarray(rows @ weights, dtype="float32") + model.get_param("b")

    def backprop(d_logits: np.ndarray):
        model.inc_grad("W", np.asarray(rows.T @ d_logits, dtype="float32"))
        model.inc_grad("b", np.asarray(d_logits.sum(axis=0), dtype="float32"))
        return None

    return logits, backprop


def fit_linear(model: Model, rows: sparse.csr_matrix, truth: np.ndarray, *, C: float = 10.0,
               max_iter: int = 500, weights: np.ndarray | None = None, log=None) -> dict:
    """Fit ``W`` and ``b`` of the ``linear`` layer by L-BFGS; return what the optimiser reported.

    Multi-label (``truth`` 0/1, one column per label): the sum over labels of
    logistic losses plus ``|W|^2 / (2 C)``. Exclusive classes (``truth`` one-hot):
    softmax cross-entropy plus the same penalty. The bias is not penalised.
    ``weights`` (multi-label only; the shape of ``truth``) multiplies each
    cell's loss: 0 for a label a row's source does not know (no gradient),
    more than 1 for rows that count more.
    """
    from scipy import optimize      # training only: importing it costs 0.5 s of every classifier load

    linear = model.get_ref("linear")
    exclusive = bool(model.attrs.get("exclusive_classes"))
    n_in, n_out = rows.shape[1], truth.shape[1]
    truth = truth.astype("float64")
    if weights is not None and exclusive:
        raise ValueError("cell weights are for multi-label models")
    cell = None if weights is None else np.asarray(weights, dtype="float64")
    rows = rows.astype("float64").tocsr()
    rows_t = rows.T.tocsr()
    size = n_in * n_out

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        weights = theta[:size].reshape(n_in, n_out)
        bias = theta[size:]
        logits = rows @ weights + bias
        if exclusive:
            logits -= logits.max(axis=1, keepdims=True)
            log_norm = np.log(np.exp(logits).sum(axis=1, keepdims=True))
            loss = float(-(truth * (logits - log_norm)).sum())
            d_logits = np.exp(logits - log_norm) - truth
        else:
            # log(1 + e^z) - y z, computed stably
            losses = np.logaddexp(0.0, logits) - truth * logits
            d_logits = 1.0 / (1.0 + np.exp(-logits)) - truth
            if cell is not None:
                losses *= cell
                d_logits *= cell
            loss = float(losses.sum())
        loss += float((weights * weights).sum()) / (2.0 * C)
        grad_w = rows_t @ d_logits + weights / C
        return loss, np.concatenate([grad_w.ravel(), d_logits.sum(axis=0)])

    start = np.zeros(size + n_out)
    result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B",
                               options={"maxiter": max_iter, "gtol": 1e-5})
    linear.set_param("W", result.x[:size].reshape(n_in, n_out).astype("float32"))
    linear.set_param("b", result.x[size:].astype("float32"))
    report = {"iterations": int(result.nit), "converged": bool(result.success), "loss": round(float(result.fun), 2)}
    if log:
        log(f"L-BFGS: {report}")
    return report


def fit_mlp(model: Model, rows: sparse.csr_matrix, truth: np.ndarray, *, epochs: int = 8, learn_rate: float = 0.002,
            batch_size: int = 64, seed: int = 0, log=None) -> dict:
    """Fit the network of an ensemble model (``hidden`` and ``output``) by minibatch Adam with dropout.

    Logistic loss on 0/1 ``truth``; dropout ``model``'s rate on the hidden
    units. Adam updates only the rows of the first layer that the minibatch
    uses (its moments are kept per row), which makes an epoch over 28,000
    recommendations take seconds. Deterministic for a given ``seed``.
    """
    hidden, output = model.get_ref("hidden"), model.get_ref("output")
    dropout = next(layer for layer in model.walk() if layer.name == "dropout").attrs["dropout_rate"]
    rng = np.random.default_rng(seed)
    rows = rows.astype("float32").tocsr()
    truth = truth.astype("float32")
    n_in, width, n_out = rows.shape[1], hidden.get_dim("nO"), truth.shape[1]
    W1 = (rng.standard_normal((n_in, width)) * 0.05).astype("float32")
    b1 = np.zeros(width, dtype="float32")
    W2 = (rng.standard_normal((width, n_out)) * np.sqrt(2.0 / width)).astype("float32")
    b2 = np.full(n_out, -3.0, dtype="float32")          # labels are rare: start near 5%
    params = [W1, b1, W2, b2]
    first_moment = [np.zeros_like(p) for p in params]
    second_moment = [np.zeros_like(p) for p in params]
    beta1, beta2, eps, step = 0.9, 0.999, 1e-8, 0

    def adam(k: int, gradient: np.ndarray, where=slice(None)) -> None:
        m, v = first_moment[k], second_moment[k]
        m[where] = beta1 * m[where] + (1 - beta1) * gradient
        v[where] = beta2 * v[where] + (1 - beta2) * gradient * gradient
        params[k][where] -= rate * m[where] / (np.sqrt(v[where]) + eps)

    for _ in range(epochs):
        order = rng.permutation(rows.shape[0])
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            X, Y = rows[batch], truth[batch]
            Z = X @ W1 + b1
            keep = (rng.random(Z.shape) > dropout).astype("float32") / (1.0 - dropout)
            H = np.maximum(Z, 0) * keep
            d_out = (1.0 / (1.0 + np.exp(-(H @ W2 + b2))) - Y) / len(batch)
            d_hidden = (d_out @ W2.T) * keep * (Z > 0)
            columns = np.unique(X.indices)
            step += 1
            rate = learn_rate * np.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
            adam(2, H.T @ d_out)
            adam(3, d_out.sum(axis=0))
            adam(1, d_hidden.sum(axis=0))
            adam(0, np.asarray(X[:, columns].T @ d_hidden), columns)
    # float16 halves the file (see _weights); test micro/macro-F1 were 0.8980 / 0.8457 with float32 and float16 alike.
    hidden.set_param("W", W1.astype("float16"))
    hidden.set_param("b", b1)
    # thinc's Linear computes X @ W.T + b: W is (nO, nI).
    output.set_param("W", np.ascontiguousarray(W2.T))
    output.set_param("b", b2)
    report = {"epochs": epochs, "hidden_width": width, "steps": step}
    if log:
        log(f"network: {report}")
    return report
