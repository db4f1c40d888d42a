"""WordLlama's 256-d static embeddings, read from the files inside its PyPI wheel (nothing is fetched).

Used by the theme, group and SDG classifiers (an embedding block beside their
TF-IDF features, :mod:`rectrack.extractors.classify.tfidf`) and by the
tracker's similarity measures. Pure: no Prefect.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from rectrack.extractors.errors import ModelNotFound

DIMENSIONS = 256
_WEIGHTS = "l2_supercat_256.safetensors"
_TOKENIZER = "l2_supercat_tokenizer_config.json"


@lru_cache(maxsize=1)
def wordllama():
    """The 256-d WordLlama model built from the two files inside the installed wheel (once per process).

    Not ``WordLlama.load()``: wordllama 0.4.0 looks for its tokenizer in a
    ``tokenizer/`` folder while the wheel ships it in ``tokenizers/``, so
    ``load()`` downloads it from Hugging Face. Reading both files directly
    makes no network call. Raises :class:`~rectrack.extractors.errors.ModelNotFound`
    naming the missing file.
    """
    import wordllama as package_module
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    package = Path(package_module.__file__).parent
    weights, tokenizer = package / "weights" / _WEIGHTS, package / "tokenizers" / _TOKENIZER
    for path in (weights, tokenizer):
        if not path.exists():
            raise ModelNotFound(path, "is not in the installed wordllama package",
                                "reinstall rectrack so that pip installs wordllama 0.4 from its wheel")
    with safe_open(str(weights), framework="np", device="cpu") as handle:
        embedding = handle.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, Tokenizer.from_file(str(tokenizer)), binary=False)


_last: tuple[tuple[str, ...], np.ndarray] = ((), np.zeros((0, DIMENSIONS), dtype="float32"))


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 embeddings of ``texts`` (n x 256); the last batch's are reused.

    The three theme/group/SDG classifiers read the same batch in turn, so it is embedded once. The pair
    (texts, vectors) is read and replaced as one object: threads classifying at once never mix batches.
    """
    global _last
    texts = tuple(texts)
    last = _last
    if last[0] == texts:
        return last[1]
    vectors = (np.asarray(wordllama().embed(list(texts), norm=True), dtype="float32") if texts
               else np.zeros((0, DIMENSIONS), dtype="float32"))
    _last = (texts, vectors)
    return vectors
