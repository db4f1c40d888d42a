"""Per-document limits: bombs and oversized files built here become one ``limit`` row, checked early."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from rectrack.extractors.errors import LimitExceeded
from rectrack.extractors.limits import Limits
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import Status

ENGLISH = ("The Working Group held its session and the delegation presented the national report, "
           "answering the questions put by the States that took part in the dialogue. ") * 8


def _pdf(page_contents: list[bytes], filters: str = "") -> bytes:
    """A valid PDF (correct xref) with one page per content stream, text in Helvetica."""
    count = len(page_contents)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
               + b"] /Count %d >>" % count,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for index, content in enumerate(page_contents):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * index))
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(content), filters.encode())
                       + content + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _text_page(text: str) -> bytes:
    return b"BT /F1 10 Tf 50 700 Td (" + text.encode() + b") Tj ET"


def _deflated_zeros(megabytes: int) -> bytes:
    """``megabytes`` MB of zero bytes, deflated (about 1 KB per MB), built without holding them."""
    deflater, block = zlib.compressobj(9), bytes(1 << 20)
    return b"".join([*(deflater.compress(block) for _ in range(megabytes)), deflater.flush()])


def _pdf_bomb(megabytes: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``megabytes`` MB."""
    return _pdf([_deflated_zeros(megabytes)], " /Filter /FlateDecode")


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
    path.write_bytes(_pdf([_text_page("Page text that is long enough.")] * 40))
    error = _raises_limit(path, Limits(max_pages=39), "RECTRACK_MAX_PAGES")
    assert "the document has 40 pages, over the limit of 39 (RECTRACK_MAX_PAGES)" in error.reason
    assert read_document(path, limits=Limits(max_pages=40)).page_count == 40


def test_pdf_text_layer_over_the_text_limit(tmp_path):
    path = tmp_path / "long.pdf"
    path.write_bytes(_pdf([_text_page("x" * 300)] * 10))
    error = _raises_limit(path, Limits(max_text_chars=1000), "RECTRACK_MAX_TEXT_CHARS")
    assert "text layer (to page 4)" in error.reason


def test_pdf_flate_bomb_is_a_limit_not_a_scan(tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(_pdf_bomb(64))
    assert path.stat().st_size < 200_000
    error = _raises_limit(path, Limits(max_unzipped_mb=32), "RECTRACK_MAX_UNZIPPED_MB")
    assert "inflate to more than 32 MB" in error.reason
    result = process_document(path, tmp_path)
    assert result.status is Status.FAILED   # default limit 500 MB: read, found empty
    assert result.problems[0].kind == "scan"


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
    path.write_bytes(_pdf_bomb(1024))
    assert path.stat().st_size < 1_200_000
    done = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, str(path)], capture_output=True,
                          text=True, timeout=300, check=True)
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["kind"] == "limit", outcome
    assert "over the limit of 500 MB (RECTRACK_MAX_UNZIPPED_MB)" in outcome["reason"]
    assert outcome["peak_mb"] < 400, outcome


def _docx_bomb(path: Path, megabytes: int) -> None:
    """A DOCX-looking zip whose document.xml declares ``megabytes`` MB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(megabytes):
                member.write(block)


def test_docx_zip_bomb_refused_from_declared_sizes(tmp_path):
    path = tmp_path / "bomb.docx"
    _docx_bomb(path, 600)
    assert path.stat().st_size < 1_000_000
    error = _raises_limit(path, Limits(), "RECTRACK_MAX_UNZIPPED_MB")
    assert "declares 600 MB uncompressed, over the limit of 500 MB" in error.reason


def test_docx_zip_ratio(tmp_path):
    path = tmp_path / "ratio.docx"
    _docx_bomb(path, 20)
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
    _docx_bomb(bomb, 20)
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
