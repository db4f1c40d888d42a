"""The one atomic write (``rectrack.extractors.files``): every table, view, record and cache entry goes through it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rectrack.extractors.files import (
    TEMPORARY_SUFFIX, DATA_DIR, atomic_write, file_sha256, stale_temporaries, temporary_prefix, write_bytes_atomic,
    write_text_atomic,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_mode_open_would_give_not_mkstemps_owner_only(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "tracker.csv", "a\n")
    finally:
        os.umask(umask)
    assert _mode(tmp_path / "tracker.csv") == 0o644


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("old\n")
    path.chmod(0o660)
    write_bytes_atomic(path, b"new\n")
    assert path.read_bytes() == b"new\n" and _mode(path) == 0o660


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_write(path) as handle:
            handle.write("half of the new")
            raise RuntimeError("killed")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.csv"]


def test_text_is_written_with_the_line_ends_given(tmp_path: Path) -> None:
    write_text_atomic(tmp_path / "report.html", "a\nb\r\n")
    assert (tmp_path / "report.html").read_bytes() == b"a\nb\r\n"


def test_the_temporaries_a_killed_run_left_are_found_by_name(tmp_path: Path) -> None:
    """What a SIGKILL between mkstemp and the rename leaves: found for the names asked, nothing else."""
    left = [tmp_path / f"{temporary_prefix(tmp_path / name)}k3j2x9{TEMPORARY_SUFFIX}"
            for name in ("tracker.csv", ".rectrack-manifest.json", "tracker.xlsx")]
    kept = [tmp_path / "notes.tmp", tmp_path / ".my.own.tmp", tmp_path / "tracker.csv", tmp_path / ".report.html.a.tmp"]
    for path in [*left, *kept]:
        path.write_text("x")
    assert stale_temporaries(tmp_path, ["*.csv", ".rectrack-*.json", "tracker.xlsx"]) == sorted(left)


def test_the_one_hasher_and_the_data_folder(tmp_path: Path) -> None:
    (tmp_path / "x").write_bytes(b"abc")
    assert file_sha256(tmp_path / "x") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert (DATA_DIR / "gazetteers" / "states.tsv").is_file()
