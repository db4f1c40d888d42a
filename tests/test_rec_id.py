"""rec_id pinned (issue 11, part 5): literal IDs of real recommendations, a re-downloaded copy, old trackers.

A rec_id is ``r`` + 16 hex chars of sha256 over (document, paragraph as printed, normalised
text[, occurrence]); the document is its UN symbol where it has one ("A/HRC/43/15"), else its
content hash. The literal IDs below fix that: a change of normaliser, of the key or of the
segmenters' paragraph or text makes this test fail instead of silently re-keying every tracker
(and detaching every analyst's edits). The recommendations are read off the documents:

- Slovenia, A/HRC/43/15 (2019), page 11, 121.1: "Ratify the International Convention for the
  Protection of All Persons from Enforced Disappearance (France) (Lithuania)";
- Tajikistan, A/HRC/19/3 (2011), page 18, 90.10: three recommendations with their own States
  (Czech Republic, Switzerland; Hungary; Belgium, France);
- Brazil, CERD/C/BRA/CO/18-20 (2022), page 2, 8 (a): "Guarantee the consistent application of the
  provisions of the Convention at the federal, state and municipal levels ...";
- the Dushanbe Human Rights Dialogue 2025 (no symbol: keyed by content), paragraph 13: "One of the
  most important steps is preventing torture."
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import DocumentResult
from rectrack.extractors.outputs import update_outputs
from rectrack.extractors.tracker.io import write_csv_atomic
from rectrack.extractors.tracker.io import read_tracker, tracker_needs_rewrite
from rectrack.extractors.tracker.identity import legacy_ids, recommendation_ids

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
SLOVENIA = "upr/slovenia2019-A_HRC_43_15.pdf"
TAJIKISTAN = "upr/tajikistan2011.pdf"
BRAZIL = "treaty-bodies/brazil2022-CERD_C_BRA_CO_18-20.pdf"
DUSHANBE = "dialogue/human-rights-dialogue-2025-dushanbe.txt"
# (document, paragraph, states, start of the text) -> rec_id
PINNED = {
    (SLOVENIA, "121.1", ("France", "Lithuania"),
     "Ratify the International Convention for the Protection of All Persons from Enforced Disappearance"):
        "racb6e9b2632a8318",
    (TAJIKISTAN, "90.10", ("Czech Republic", "Switzerland"),
     "Ratify the Second Optional Protocol to ICCPR, aiming at the abolition of death penalty"):
        "r538c07cf4f6aa61a",
    (TAJIKISTAN, "90.10", ("Hungary",), "Ratify the Second Optional Protocol to the ICCPR"): "r45ea0a3bd2710f9d",
    (TAJIKISTAN, "90.10", ("Belgium", "France"), "Ratify the Second Optional Protocol to ICCPR as soon as possible"):
        "rb2aaafdec1904ad9",
    (BRAZIL, "8 (a)", (), "Guarantee the consistent application of the provisions of the Convention at the federal"):
        "r52c12a1dfe7f4058",
    (DUSHANBE, "13", (), "One of the most important steps is preventing torture."): "rbf7117ae3bdc0bda",
}
# The same recommendations' IDs in rectrack 0.1 (16 hex over the content hash): what old trackers hold.
LEGACY = {"racb6e9b2632a8318": "719aad4e145e6c45", "r538c07cf4f6aa61a": "f2bd8426b3212a71",
          "r45ea0a3bd2710f9d": "1f33454f1b63570b", "rb2aaafdec1904ad9": "af24ffc52765c980",
          "r52c12a1dfe7f4058": "b7a8a52a5187c53c", "rbf7117ae3bdc0bda": "bf7117ae3bdc0bda"}


@lru_cache(maxsize=None)
def _result(name: str) -> DocumentResult:
    return process_document(SAMPLES / name, SAMPLES)


@pytest.mark.parametrize("key", list(PINNED), ids=lambda key: f"{key[0].split('/')[-1]}-{key[1]}-{len(key[2])}")
def test_rec_id_of_real_recommendations_is_pinned(key: tuple) -> None:
    document, paragraph, states, text = key
    result = _result(document)
    found = [(ident, old) for ident, old, rec in zip(recommendation_ids(result), legacy_ids(result),
                                                     result.recommendations)
             if rec.paragraph == paragraph and rec.recommending_states == states and rec.text.startswith(text)]
    assert found == [(PINNED[key], LEGACY[PINNED[key]])]


def test_no_rec_id_of_the_samples_can_be_taken_for_a_number() -> None:
    ids = [i for path in sorted(SAMPLES.rglob("*.*")) for i in recommendation_ids(_result(str(path.relative_to(SAMPLES))))]
    assert len(ids) == 2634 and len(set(ids)) == len(ids)     # 2,465 + the 169 of A/HRC/28/15 (added for issue 19)
    assert all(i.startswith("r") and len(i) == 17 for i in ids)


def _redownloaded(tmp_path: Path, name: str) -> Path:
    """The Slovenia report as another download: same PDF, a comment line after %%EOF (still valid)."""
    copy = tmp_path / "inbox" / name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / SLOVENIA, copy)
    with copy.open("ab") as handle:
        handle.write(b"% downloaded again from documents.un.org\n")
    return copy


def _edit(out: Path, **notes: str) -> None:
    tracker = read_tracker(out / "tracker.csv")
    for ident, note in notes.items():
        tracker.loc[tracker["rec_id"] == ident, ["status", "notes"]] = ["in progress", note]
    write_csv_atomic(tracker, out / "tracker.csv")


@pytest.mark.parametrize("name", ["slovenia2019-A_HRC_43_15.pdf", "A_HRC_43_15-E.pdf"])
def test_a_redownloaded_copy_with_other_bytes_keeps_rec_ids_and_edits(tmp_path: Path, name: str) -> None:
    original = _result(SLOVENIA)
    out = tmp_path / "out"
    update_outputs(out, [original])
    _edit(out, racb6e9b2632a8318="asked the MFA")
    copy = process_document(_redownloaded(tmp_path, name), tmp_path / "inbox")
    assert copy.sha256 != original.sha256 and copy.info.symbol == "A/HRC/43/15"
    assert recommendation_ids(copy) == recommendation_ids(original)

    update_outputs(out, [copy])
    tracker = read_tracker(out / "tracker.csv")
    assert len(tracker) == 219 and set(tracker["document"]) == {name} and (tracker["missing"] == "").all()
    row = tracker[tracker["rec_id"] == "racb6e9b2632a8318"].iloc[0]
    assert (row["status"], row["notes"], row["paragraph"]) == ("in progress", "asked the MFA", "121.1")


def test_two_downloads_of_one_report_in_one_run_are_one_document(tmp_path: Path) -> None:
    copy = process_document(_redownloaded(tmp_path, "zz-copy.pdf"), tmp_path / "inbox")
    out = tmp_path / "out"
    update_outputs(out, [_result(SLOVENIA), copy])
    tracker = read_tracker(out / "tracker.csv")
    assert len(tracker) == 219 and set(tracker["document"]) == {SLOVENIA}
    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    skipped = documents[documents["document"] == "zz-copy.pdf"].iloc[0]
    assert skipped["status"] == "skipped"
    assert skipped["problem"].startswith(f"same UN document (A/HRC/43/15) as {SLOVENIA}")


def test_a_tracker_with_old_ids_keeps_every_edit_and_takes_the_new_ids(tmp_path: Path) -> None:
    results = [_result(name) for name in (SLOVENIA, TAJIKISTAN, BRAZIL, DUSHANBE)]
    update_outputs(tmp_path, results)
    tracker = read_tracker(tmp_path / "tracker.csv")
    new_ids = list(tracker["rec_id"])
    old_of = {new: old for r in results for old, new in zip(legacy_ids(r), recommendation_ids(r))}
    tracker["rec_id"] = [old_of[i] for i in new_ids]          # the tracker as rectrack 0.1 wrote it
    edited = tracker["rec_id"].isin(LEGACY.values())
    tracker.loc[edited, "notes"] = "kept"
    tracker["mine"] = ""
    tracker.loc[edited, "mine"] = "mine too"
    write_csv_atomic(tracker, tmp_path / "tracker.csv")
    assert tracker_needs_rewrite(tmp_path / "tracker.csv")

    update_outputs(tmp_path, results)
    after = read_tracker(tmp_path / "tracker.csv")
    assert list(after["rec_id"]) == new_ids and (after["missing"] == "").all()
    assert sorted(after.loc[after["notes"] == "kept", "rec_id"]) == sorted(PINNED.values())
    assert (after.loc[after["notes"] == "kept", "mine"] == "mine too").all()
    assert not tracker_needs_rewrite(tmp_path / "tracker.csv")
