"""Per-document limits: bombs and oversized files built here become one ``limit`` row, checked early."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rectrack.extractors.errors import LimitExceeded
from rectrack.extractors.read.limits import Limits
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import Status
from tests.conftest import SAMPLES
from tests.hostile_inputs import ENGLISH, docx_bomb, double_pdf_bomb, pdf, pdf_bomb, text_page

def _raises_limit(path: Path, limits: Limits, variable: str) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as caught:
        read_document(path, limits=limits)
    error = caught.value
    assert error.kind == "limit"
    assert str(error).startswith(path.name + ": ")
    assert variable in error.reason and f"set {variable} higher" in error.action
    return error


def test_limits_from_environment_and_defaults():
    assert Limits.from_env({}) == Limits()
    limits = Limits.from_env({"RECTRACK_MAX_PAGES": "12", "RECTRACK_MAX_FILE_MB": "1_000"})
    assert (limits.max_pages, limits.max_file_mb, limits.max_text_chars) == (12, 1000, 10_000_000)
    assert limits.key() != Limits().key()
    with pytest.raises(ValueError, match="RECTRACK_MAX_PAGES='lots'"):
        Limits.from_env({"RECTRACK_MAX_PAGES": "lots"})
    with pytest.raises(ValueError, match="RECTRACK_MAX_ZIP_RATIO='0'"):
        Limits.from_env({"RECTRACK_MAX_ZIP_RATIO": "0"})


def test_pdf_of_many_pages_is_refused_before_reading_its_pages(tmp_path):
    path = tmp_path / "many-pages.pdf"
    path.write_bytes(pdf([text_page("Page text that is long enough.")] * 40))
    error = _raises_limit(path, Limits(max_pages=39), "RECTRACK_MAX_PAGES")
    assert "the document has 40 pages, over the limit of 39 (RECTRACK_MAX_PAGES)" in error.reason
    assert read_document(path, limits=Limits(max_pages=40)).page_count == 40


def test_pdf_text_layer_over_the_text_limit(tmp_path):
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf([text_page("x" * 300)] * 10))
    error = _raises_limit(path, Limits(max_text_chars=1000), "RECTRACK_MAX_TEXT_CHARS")
    assert "text layer (to page 4)" in error.reason


def test_pdf_flate_bomb_is_a_limit_not_a_scan(tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdf_bomb(64))
    assert path.stat().st_size < 200_000
    error = _raises_limit(path, Limits(max_unzipped_mb=32), "RECTRACK_MAX_UNZIPPED_MB")
    assert "inflate to more than 32 MB" in error.reason
    result = process_document(path, tmp_path)
    assert result.status is Status.FAILED   # default limit 500 MB: read, found empty
    assert result.problems[0].kind == "scan"


def test_pdf_bomb_deflated_twice_is_counted_through_both_layers(tmp_path):
    """The outer layer inflates to about 1 MB; the inner one to 2 GB, which pdfium would decode whole."""
    path = tmp_path / "bomb-in-a-bomb.pdf"
    path.write_bytes(double_pdf_bomb(2048))
    assert path.stat().st_size < 20_000
    error = _raises_limit(path, Limits(), "RECTRACK_MAX_UNZIPPED_MB")
    assert "inflate to more than 500 MB" in error.reason


def test_pdf_streams_are_inflated_only_when_they_could_pass_the_limit(tmp_path, monkeypatch):
    """Deflate inflates a byte to at most 1,032: a real UN report's streams, that many times over, stay under
    the 500 MB limit, so the check inflates nothing; a bomb at deflate's best ratio is still inflated."""
    from rectrack.extractors.read import limits

    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(pdf_bomb(64))
    [(start, end, layers)] = limits._text_streams(bomb.read_bytes())
    inflated = limits._inflated_size(bomb.read_bytes(), start, end, 1 << 40, layers)
    assert 64 << 20 <= inflated <= limits._MAX_DEFLATE_RATIO * (end - start)   # zeros: deflate's best
    _raises_limit(bomb, Limits(max_unzipped_mb=32), "RECTRACK_MAX_UNZIPPED_MB")

    def never(*args):
        raise AssertionError("inflated")

    monkeypatch.setattr(limits, "_inflated_size", never)
    report = SAMPLES / "algeria2008.pdf"
    limits.check_pdf_streams(report, report.read_bytes(), Limits())


# Peak memory of the subprocess's own image: VmHWM, not getrusage's ru_maxrss, which on Linux keeps
# the high-water mark of the process it was forked from (here pytest, 600 MB late in a full run).
_PEAK = 'int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024'
_PEAK_SCRIPT = """
import json, sys
from pathlib import Path
from rectrack.extractors.pipeline import process_document
result = process_document(Path(sys.argv[1]), Path(sys.argv[1]).parent)
print(json.dumps({"kind": result.problems[0].kind, "reason": result.problems[0].reason,
                  "peak_mb": %s}))
""" % _PEAK


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory read from Linux's /proc")
def test_pdf_bomb_over_the_default_limit_keeps_memory_bounded(tmp_path):
    """A 1 GB content stream (about 1 MB on disk): refused with memory of the order of an empty run."""
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdf_bomb(1024))
    assert path.stat().st_size < 1_200_000
    done = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, str(path)], capture_output=True,
                          text=True, timeout=300, check=True)
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["kind"] == "limit", outcome
    assert "over the limit of 500 MB (RECTRACK_MAX_UNZIPPED_MB)" in outcome["reason"]
    assert outcome["peak_mb"] < 400, outcome


def test_docx_zip_bomb_refused_from_declared_sizes(tmp_path):
    path = tmp_path / "bomb.docx"
    docx_bomb(path, 600)
    assert path.stat().st_size < 1_000_000
    error = _raises_limit(path, Limits(), "RECTRACK_MAX_UNZIPPED_MB")
    assert "declares 600 MB uncompressed, over the limit of 500 MB" in error.reason


def test_docx_zip_ratio(tmp_path):
    path = tmp_path / "ratio.docx"
    docx_bomb(path, 20)
    error = _raises_limit(path, Limits(), "RECTRACK_MAX_ZIP_RATIO")
    assert "a zip bomb" in error.reason and "over the limit of 100 (RECTRACK_MAX_ZIP_RATIO)" in error.reason


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text(ENGLISH * 2000)   # 2,544,000 bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read although over the limit"))
    error = _raises_limit(path, Limits(max_file_mb=1), "RECTRACK_MAX_FILE_MB")
    assert "the file is 2.4 MB, over the limit of 1 MB" in error.reason


def test_text_over_the_text_limit(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(ENGLISH * 40)   # 50,880 characters
    error = _raises_limit(path, Limits(max_text_chars=20_000), "RECTRACK_MAX_TEXT_CHARS")
    assert "over the limit of 20,000 characters" in error.reason
    over_bytes = _raises_limit(path, Limits(max_text_chars=10_000), "RECTRACK_MAX_TEXT_CHARS")
    assert "12,720 characters or more" in over_bytes.reason   # refused from its size / 4, before decoding


def test_limit_from_environment_gives_one_problem_row(tmp_path, monkeypatch):
    bomb, good = tmp_path / "bomb.docx", tmp_path / "good.txt"
    docx_bomb(bomb, 20)
    good.write_text(ENGLISH)
    monkeypatch.setenv("RECTRACK_MAX_UNZIPPED_MB", "10")
    refused = process_document(bomb, tmp_path)
    assert refused.status is Status.FAILED
    assert [(p.document, p.kind) for p in refused.problems] == [("bomb.docx", "limit")]
    assert "RECTRACK_MAX_UNZIPPED_MB=40" in refused.problems[0].action
    read = process_document(good, tmp_path)
    assert read.status is not Status.FAILED and "limit" not in {p.kind for p in read.problems}


def test_long_text_is_refused_from_its_size_and_first_4_kb(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    path.write_text(ENGLISH * 40)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read whole although over the limit"))
    error = _raises_limit(path, Limits(max_text_chars=10_000), "RECTRACK_MAX_TEXT_CHARS")
    assert error.reason.startswith("its text is 12,720 characters or more")


def test_fifo_given_to_the_reader_is_refused_not_read(tmp_path):
    import os

    from rectrack.extractors.errors import UnreadableFile

    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(UnreadableFile, match="not a regular file"):
        read_document(tmp_path / "pipe.txt")


_TEXT_PEAK_SCRIPT = """
import json, sys, time
from pathlib import Path
from rectrack.extractors.pipeline import process_document
start = time.perf_counter()
result = process_document(Path(sys.argv[1]), Path(sys.argv[1]).parent)
print(json.dumps({"kind": result.problems[0].kind, "seconds": time.perf_counter() - start,
                  "peak_mb": %s}))
""" % _PEAK


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory read from Linux's /proc")
def test_200_mb_text_is_refused_quickly_with_memory_bounded(tmp_path):
    path = tmp_path / "careless.txt"
    with path.open("wb") as out:
        line = ENGLISH.encode() + b"\n\n"
        for _ in range(200 * (1 << 20) // len(line)):
            out.write(line)
    done = subprocess.run([sys.executable, "-c", _TEXT_PEAK_SCRIPT, str(path)], capture_output=True,
                          text=True, timeout=300, check=True)
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["kind"] == "limit" and outcome["peak_mb"] < 200 and outcome["seconds"] < 5, outcome
