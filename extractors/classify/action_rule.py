"""UPR Info action categories (1-5) from the first words of a recommendation.

UPR Info codes the action category from the first verb (``data/taxonomies/
action_categories.json``, from its methodology PDF). The component
``action_category`` (factory ``rectrack_action_rule``) looks up the first
three, two, then one lowercase words of a text in a table learned from the
training sessions (category counts, kept where seen at least ``min_count``
times), falls back to the PDF's verb lists, then to the default category, and
writes ``doc.cats["action_category::<1-5>"]`` (shares of the counts; they sum
to 1). Leading numbering, bullets and a leading "to" are skipped.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from rectrack.extractors.files import DATA_DIR

TAXONOMY_PATH = DATA_DIR / "taxonomies" / "action_categories.json"
CATEGORIES = (1, 2, 3, 4, 5)
_WORD = re.compile(r"[a-z]+(?:['\u2019-][a-z]+)*")
# Numbering and bullets before the first word: "1.", "122.13", "(a)", "a)", "-", "*".
_LEADING = re.compile(r"^(?:\s|[\d.\u2022*\-\u2013\u2014:;,]|\(?[a-z]{1,3}\)|\(\d+\))+", re.IGNORECASE)
_SKIPPED_FIRST = {"to"}
_TABLE_FILE = "action_table.json"


def key(category: int) -> str:
    return f"action_category::{category}"


def first_words(text: str, n: int = 3) -> tuple[str, ...]:
    """The first ``n`` lowercase words after numbering, bullets and a leading "to"."""
    words: list[str] = []
    for match in _WORD.finditer(_LEADING.sub("", text).lower()):   # lazily: only the opening words are read
        word = match.group()
        if words or word not in _SKIPPED_FIRST:
            words.append(word)
            if len(words) >= n:
                break
    return tuple(words)


def load_verbs(path: Path = TAXONOMY_PATH) -> tuple[dict[tuple[str, ...], int], int]:
    """The PDF's verb lists as {word tuple: category} and the default category."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    verbs = {tuple(verb.lower().split()): int(category["id"])
             for category in data["categories"] for verb in category["verbs"]}
    return verbs, int(data.get("default_category", 4))


def learn_table(items: Iterable[tuple[str, int]], *, max_words: int = 3,
                min_count: int = 3) -> dict[str, dict[int, int]]:
    """Category counts per first 1..``max_words`` words (joined by spaces), kept if seen ``min_count`` times."""
    counts: dict[str, Counter] = {}
    for text, category in items:
        words = first_words(text, max_words)
        for n in range(1, len(words) + 1):
            counts.setdefault(" ".join(words[:n]), Counter())[int(category)] += 1
    return {prefix: dict(counter) for prefix, counter in counts.items() if sum(counter.values()) >= min_count}


@lru_cache(maxsize=1)
def _shipped_verbs() -> dict[tuple[str, ...], int]:
    return load_verbs()[0]


def first_word_features(text: str, n: int = 3) -> list[str]:
    """Features of the opening words for a model: ``^w1``, ``^w1 w2``, ... and ``=<category>``.

    ``=<category>`` is added when the methodology PDF's verb lists know the
    first two words or the first word.
    """
    words = first_words(text, n)
    features = ["^" + " ".join(words[:k]) for k in range(1, len(words) + 1)]
    verbs = _shipped_verbs()
    for k in (2, 1):
        if len(words) >= k and words[:k] in verbs:
            features.append(f"={verbs[words[:k]]}")
            break
    return features


class ActionRule:
    """The ``action_category`` component: table look-up with back-off (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, taxonomy: str = ""):
        self.name = name
        self.verbs, self.default = load_verbs(Path(taxonomy) if taxonomy else TAXONOMY_PATH)
        self.table: dict[str, dict[int, int]] = {}
        self.max_words = 3

    @property
    def labels(self) -> tuple[str, ...]:
        """The keys it writes, as textcat components list theirs (single-label: one is shown)."""
        return tuple(key(category) for category in CATEGORIES)

    def scores(self, text: str) -> dict[int, float]:
        """Category -> share for one text."""
        words = first_words(text, self.max_words)
        for n in range(len(words), 0, -1):
            counts = self.table.get(" ".join(words[:n]))
            if counts:
                total = sum(counts.values())
                return {c: counts.get(c, 0) / total for c in CATEGORIES}
        for n in (2, 1):
            category = self.verbs.get(words[:n]) if len(words) >= n else None
            if category:
                return {c: float(c == category) for c in CATEGORIES}
        return {c: float(c == self.default) for c in CATEGORIES}

    def __call__(self, doc: Doc) -> Doc:
        for category, score in self.scores(doc.text).items():
            doc.cats[key(category)] = score
        return doc

    def predict(self, text: str) -> int:
        """The most likely category of ``text`` (ties: the lower category)."""
        shares = self.scores(text)
        return max(CATEGORIES, key=lambda c: (shares[c], -c))

    def to_disk(self, path: Path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = {"max_words": self.max_words, "default": self.default,
                "verbs": {" ".join(k): v for k, v in self.verbs.items()},
                "table": {prefix: {str(c): n for c, n in counts.items()}
                          for prefix, counts in sorted(self.table.items())}}
        (path / _TABLE_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")

    def from_disk(self, path: Path, exclude=()) -> ActionRule:
        data = json.loads((Path(path) / _TABLE_FILE).read_text(encoding="utf-8"))
        self.max_words, self.default = int(data["max_words"]), int(data["default"])
        self.verbs = {tuple(k.split()): int(v) for k, v in data["verbs"].items()}
        self.table = {prefix: {int(c): int(n) for c, n in counts.items()} for prefix, counts in data["table"].items()}
        return self


@Language.factory("rectrack_action_rule", default_config={"taxonomy": ""},
                  assigns=["doc.cats"])
def make_action_rule(nlp: Language, name: str, taxonomy: str) -> ActionRule:
    """Factory of :class:`ActionRule` (``taxonomy``: path of the verb lists, default the shipped file)."""
    return ActionRule(nlp, name, taxonomy)
