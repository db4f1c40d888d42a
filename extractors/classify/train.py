"""``rectrack train``: every model rebuilt from ``data/`` and assembled into ONE classifier pipeline.

:func:`train_all` runs the trainers of each group of taxonomies into
temporary folders (issues, action categories, themes/groups/SDGs), then builds
one blank English pipeline by sourcing their components in that order
(``nlp.add_pipe(name, source=...)``: one tokenisation for every taxonomy),
adds the priority-areas rules last (they read the labels the others set),
and writes it with ``thresholds.json`` (every trainer's thresholds, merged),
``components.json`` (component -> taxonomies, model or rule, the module that
registers its factory) and ``metrics.json`` (every trainer's figures). The
folder is replaced only once the new classifier is complete: a failed
training leaves the previous one in place.

``reviewed`` (:class:`~rectrack.extractors.classify.reviewed.ReviewedRow`, an
analyst's labels read from trackers) goes to every trainer whose signature
takes a ``reviewed`` parameter; each says in its metrics how many it used.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rectrack.extractors.classify.classifier import (
    COMPONENTS_FILE, KEY_SEPARATOR, MODEL_DIR, TAXONOMIES, THRESHOLDS_FILE,
)
from rectrack.extractors.classify.reviewed import ReviewedRow
from rectrack.extractors.files import DATA_DIR

METRICS_FILE = "metrics.json"
# (name, module, function): the trainers, in pipeline order.
TRAINERS: tuple[tuple[str, str, str], ...] = (
    ("issues", "rectrack.extractors.classify.train_issues", "train_issues"),
    ("action_category", "rectrack.extractors.classify.train_action", "train_action"),
    ("themes", "rectrack.extractors.classify.train_themes", "train_themes"),
)
# The taxonomies some trainer learns (priority areas are rules): what `rectrack train --reviewed` reads.
TRAINED_TAXONOMIES: tuple[str, ...] = ("issues", "action_category", "themes", "groups", "sdgs")
PRIORITY_MODULE = "rectrack.extractors.classify.priority"
PRIORITY_COMPONENT = "priority_areas"
MODEL_FACTORIES = frozenset({"textcat", "textcat_multilabel", "rectrack_textcat", "rectrack_textcat_multilabel"})


@dataclass(frozen=True, slots=True)
class TrainReport:
    """What :func:`train_all` built: where, how big, how long, and each trainer's figures."""

    out_dir: str
    components: tuple[str, ...]
    size_bytes: int
    seconds: float
    metrics: dict

    def as_text(self) -> str:
        lines = [f"classifier written to {self.out_dir}: {', '.join(self.components)}; "
                 f"{self.size_bytes / 2**20:.1f} MiB, trained in {self.seconds:.0f} s"]
        for name, figures in self.metrics.items():
            flat = {k: v for k, v in figures.items() if isinstance(v, (int, float, str))}
            lines.append(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in flat.items()))
        return "\n".join(lines)


def _trainer(module: str, function: str) -> Callable[..., dict] | None:
    """The trainer function, or None when its module is not there (that part is left out)."""
    try:
        return getattr(importlib.import_module(module), function)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise
        return None


def _call(trainer: Callable[..., dict], out_dir: Path, data_dir: Path, seed: int,
          reviewed: Sequence[ReviewedRow] = ()) -> dict:
    """Run one trainer; ``data_dir`` and ``reviewed`` are passed only to trainers that take them."""
    kwargs: dict = {"seed": seed}
    parameters = inspect.signature(trainer).parameters
    if "data_dir" in parameters:
        kwargs["data_dir"] = data_dir
    if "reviewed" in parameters:
        kwargs["reviewed"] = reviewed
    metrics = trainer(out_dir, **kwargs) or {}
    if reviewed and "reviewed" not in parameters:
        metrics.update(reviewed_texts=0, reviewed_note="this trainer takes no reviewed labels yet")
    return metrics


def _component_entry(nlp, name: str) -> dict:
    """What components.json says about component ``name`` of ``nlp``."""
    from spacy import registry

    factory = nlp.get_pipe_meta(name).factory
    module = getattr(registry.factories.get(factory), "__module__", "")
    keys = getattr(nlp.get_pipe(name), "labels", ()) or ()
    taxonomies = list(dict.fromkeys(k.partition(KEY_SEPARATOR)[0] for k in keys if KEY_SEPARATOR in k))
    if not taxonomies:      # a rule component: the taxonomies its config names, else its own name
        configured = nlp.config["components"][name].get("taxonomies")
        taxonomies = list(configured) if configured else [name] if name in TAXONOMIES else []
    return {"name": name, "taxonomies": taxonomies, "factory": factory,
            "source": "model" if factory in MODEL_FACTORIES else "rule",
            "module": "" if module.startswith("spacy") else module}


def assemble(parts: list[Path], out_dir: Path, with_priority: bool = True) -> list[dict]:
    """One pipeline from the pipelines in ``parts`` (components in order), saved to ``out_dir``.

    Adds the ``priority_areas`` rule component last when ``with_priority``.
    Returns the components.json entries; also writes the merged thresholds.
    """
    import spacy

    nlp = spacy.blank("en")
    thresholds: dict[str, float] = {}
    for part in parts:
        source = spacy.load(part)
        for name in source.pipe_names:
            if name in nlp.pipe_names:
                raise ValueError(f"two trainers made a component named {name!r} ({part})")
            nlp.add_pipe(name, source=source)
        if (part / THRESHOLDS_FILE).is_file():
            thresholds.update(json.loads((part / THRESHOLDS_FILE).read_text(encoding="utf-8")))
    if with_priority and PRIORITY_COMPONENT not in nlp.pipe_names and _module_exists(PRIORITY_MODULE):
        importlib.import_module(PRIORITY_MODULE)
        nlp.add_pipe(PRIORITY_COMPONENT)
    nlp.meta.update(name="rectrack_classifier", version="0.1.0",
                    description="rectrack: issues, action categories, UHRI themes and groups, SDGs, "
                                "priority areas of recommendations (blank English, trained on data/)")
    nlp.to_disk(out_dir)
    (out_dir / THRESHOLDS_FILE).write_text(json.dumps(thresholds, indent=1, sort_keys=True,
                                                      ensure_ascii=False) + "\n", encoding="utf-8")
    entries = [_component_entry(nlp, name) for name in nlp.pipe_names]
    (out_dir / COMPONENTS_FILE).write_text(json.dumps({"components": entries}, indent=1) + "\n",
                                           encoding="utf-8")
    return entries


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``, the previous folder removed only once ``new`` is in place."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def train_all(data_dir: Path = DATA_DIR, out_dir: Path = MODEL_DIR, *, seed: int = 0,
              reviewed: Sequence[ReviewedRow] = ()) -> TrainReport:
    """Train every model from ``data_dir`` and write the one classifier pipeline to ``out_dir``.

    ``reviewed`` rows are extra training data for the trainers that take
    them (see the module docstring). Returns a :class:`TrainReport` (a
    trainer whose module is absent is skipped and said so in its metrics). A
    trainer's exception propagates and leaves ``out_dir`` as it was.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    metrics: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix=".train-", dir=out_dir.parent) as temp:
        parts = []
        for name, module, function in TRAINERS:
            trainer = _trainer(module, function)
            if trainer is None:
                metrics[name] = {"skipped": f"{module} is not there yet"}
                continue
            part = Path(temp) / name
            metrics[name] = _call(trainer, part, Path(data_dir), seed, reviewed)
            parts.append(part)
        built = Path(temp) / "classifier"
        entries = assemble(parts, built)
        (built / METRICS_FILE).write_text(json.dumps(metrics, indent=1, sort_keys=True, default=str,
                                                     ensure_ascii=False) + "\n", encoding="utf-8")
        _replace_dir(built, out_dir)
    size = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    return TrainReport(str(out_dir), tuple(e["name"] for e in entries), size,
                       time.perf_counter() - started, metrics)
