"""What a run reads, found without Prefect: the input files' hashes and cache keys, their cached results,
and whether the last run's tables already are what this run would write.

``rectrack run`` asks :func:`unchanged_run` before it starts Prefect's server: when no input,
code, rule file, limit or classifier changed and the tables are the complete set the last
run wrote, nothing would change and the command ends in about a second instead of starting
Prefect for a flow that would only confirm it. The batch flow asks the same question with
the same functions (:func:`last_run_if_unchanged`) for the callers that run it directly.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rectrack import extractors
from rectrack.extractors.files import file_sha256, relative_name
from rectrack.extractors.read.limits import Limits
from rectrack.extractors.records import DocumentResult, RunSummary, Status, failed_result, with_document_name
from rectrack.extractors.unchanged import tracker_as_written, unchanged_summary
from rectrack.flows import settings
from rectrack.flows.discover import Skipped, discover
from rectrack.flows.result_cache import ResultCache


@dataclass(frozen=True, slots=True)
class Input:
    """A file to read: where it is, its name in the tables, its content hash and its cache key."""

    path: Path
    name: str
    sha256: str
    cache_key: str


# Folders of data/ that the extractors do not read at run time: documents, training data, and the
# classifier (its own fingerprint is part of the classification's cache key).
_NOT_READ_AT_RUN_TIME = {"samples", "training", "models"}


def fingerprinted_files(root: Path) -> list[Path]:
    """What a run's results depend on besides its input: the ``extractors`` code under ``root`` and the
    data files it reads (gazetteers, patterns, wording rules, taxonomies, calendars, layouts)."""
    data = root / "data"
    code = sorted((root / "extractors").rglob("*.py"))
    rules = sorted(p for p in data.rglob("*") if p.is_file() and p.name != "README.md"
                   and p.relative_to(data).parts[0] not in _NOT_READ_AT_RUN_TIME)
    return code + rules


def fingerprint(root: Path) -> str:
    """16 hex chars over :func:`fingerprinted_files`: new code or an edited rule file, a new fingerprint."""
    digest = hashlib.sha256()
    for path in fingerprinted_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def extractors_fingerprint() -> str:
    """The :func:`fingerprint` of the installed code and data, once per process (the flow runs in one)."""
    return fingerprint(Path(extractors.__file__).parent.parent)


def cache_key(sha256: str) -> str:
    """The key of a document's result: its content, the extractors' fingerprint and the limits.

    The limits are part of it: a file refused under a limit is read again once the limit is raised.
    """
    limits = hashlib.sha256(Limits.from_env().key().encode()).hexdigest()[:8]
    return f"{sha256}-{extractors_fingerprint()}-{limits}"



def storage_root() -> Path:
    """Prefect's local result storage, ``PREFECT_RESULTS_LOCAL_STORAGE_PATH``: Prefect's own value when prefect
    is imported already, else found as Prefect finds it without importing it (the environment, then the
    active profile of ``profiles.toml``, then ``<PREFECT_HOME>/storage``).
    ``tests/test_unchanged_run.py`` checks the three against Prefect's answer."""
    if "prefect.settings" in sys.modules:
        from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH

        return Path(PREFECT_RESULTS_LOCAL_STORAGE_PATH.value())
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    configured = os.environ.get(settings.RESULT_STORAGE) or _profile_setting(home, settings.RESULT_STORAGE)
    return Path(configured).expanduser() if configured else home / "storage"


def _profile_setting(home: Path, name: str) -> str:
    """``name`` in the active profile of Prefect's ``profiles.toml`` ("" if unset or unreadable)."""
    import tomllib

    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    value = profiles.get("profiles", {}).get(active, {}).get(name, "")
    return str(value) if value else ""


def result_cache(kind: str) -> ResultCache:
    """The JSON result cache of ``kind`` ("documents", "labels") under Prefect's local result storage.

    Prefect's own result persistence is off for these tasks: it stores pickles
    and reads a record with whatever serializer the record names, so anyone who
    can write the folder could run code in the next run. See
    :mod:`rectrack.flows.result_cache`.
    """
    return ResultCache(storage_root() / "rectrack" / kind)


def skipped_results(items: list[Skipped], root: Path) -> list[DocumentResult]:
    """What discovery left out (FIFOs, devices, link loops, folders that cannot be listed), as rows.

    A folder that cannot be listed is ``failed`` (documents may be missing);
    the rest is ``skipped``.
    """
    return [failed_result(relative_name(item.path, root), "", item.reason, item.action, item.kind,
                    Status.FAILED if item.kind == "unreadable" else Status.SKIPPED) for item in items]


def hash_all(files: list[Path], root: Path) -> tuple[list[Input], list[DocumentResult]]:
    """Hash each file; files that cannot even be opened fail here."""
    inputs, unreadable = [], []
    for path in files:
        name = relative_name(path, root)
        try:
            sha256 = file_sha256(path)
        except OSError as error:
            unreadable.append(failed_result(name, "", f"cannot be opened ({error.strerror})",
                                      "check the file exists and is readable", "unreadable"))
            continue
        inputs.append(Input(path, name, sha256, cache_key(sha256)))
    return inputs, unreadable



def cached_results(inputs: list[Input], refresh: bool, store: ResultCache) -> dict[str, DocumentResult]:
    """Results of ``process_file`` already in the JSON result cache, by document name."""
    if refresh:
        return {}
    found = {}
    for item in inputs:
        result = store.read(item.cache_key, DocumentResult)
        if result is not None:
            found[item.name] = with_document_name(result, item.name)
    return found



def last_run_if_unchanged(out_dir: Path, inputs: list[Input], cached: int,
                          unreadable: list[DocumentResult], store: ResultCache,
                          classifier: str) -> RunSummary | None:
    """The last run's summary when this run would write the same tables (see
    :func:`~rectrack.extractors.outputs.unchanged_summary`): every input cached (``cached`` of them)
    and readable, no cache entry refused, the tracker in rectrack's own form; None otherwise."""
    if cached != len(inputs) or unreadable or store.rejected:
        return None
    if not tracker_as_written(out_dir):         # not the bytes rectrack wrote: read it (pandas) to know its form
        from rectrack.extractors.tracker.io import tracker_needs_rewrite

        if tracker_needs_rewrite(out_dir / "tracker.csv"):
            return None
    return unchanged_summary(out_dir, {item.name: item.sha256 for item in inputs}, classifier)


def unchanged_run(paths: list[Path], out_dir: Path, root: Path, model_dir: Path) -> RunSummary | None:
    """:func:`last_run_if_unchanged` for a run over ``paths``, from the files alone (no Prefect)."""
    from rectrack.extractors.classify.classifier import model_fingerprint

    found = discover(paths, exclude=out_dir)
    if found.skipped:
        return None
    inputs, unreadable = hash_all(found.files, root)
    store = result_cache("documents")
    cached = sum(store.holds(item.cache_key) for item in inputs)     # checked, not decoded: not used here
    fingerprint = model_fingerprint(model_dir) if model_dir.is_dir() else ""
    return last_run_if_unchanged(out_dir, inputs, cached, unreadable, store, fingerprint)
