"""Hostile inputs built by the tests, small on disk: bombs, and a folder of things that are not documents."""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

LATIN1_NAME = os.fsdecode(b"r\xe9sum\xe9.txt")   # not valid UTF-8: kept by Python as surrogates
ENGLISH = ("The Working Group held its session and the delegation presented the national report, "
           "answering the questions put by the States that took part in the dialogue. ") * 8


def pdf(page_contents: list[bytes], filters: str = "") -> bytes:
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


def text_page(text: str) -> bytes:
    return b"BT /F1 10 Tf 50 700 Td (" + text.encode() + b") Tj ET"


def deflated_zeros(megabytes: int) -> bytes:
    """``megabytes`` MB of zero bytes, deflated (about 1 KB per MB), built without holding them."""
    deflater, block = zlib.compressobj(9), bytes(1 << 20)
    return b"".join([*(deflater.compress(block) for _ in range(megabytes)), deflater.flush()])


def pdf_bomb(megabytes: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``megabytes`` MB."""
    return pdf([deflated_zeros(megabytes)], " /Filter /FlateDecode")


def double_pdf_bomb(megabytes: int) -> bytes:
    """A one-page PDF whose content stream is deflated twice (``[/FlateDecode /FlateDecode]``): a few KB
    on disk, ``megabytes`` MB once decoded."""
    return pdf([zlib.compress(deflated_zeros(megabytes), 9)], " /Filter [/FlateDecode /FlateDecode]")


def docx_bomb(path: Path, megabytes: int) -> None:
    """A DOCX-looking zip whose document.xml declares ``megabytes`` MB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(megabytes):
                member.write(block)


def hostile_folder(root: Path) -> Path:
    """A folder with one good file and one of each thing discovery must not hang or crash on."""
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text("A document.")
    (root / "sub" / "inner.txt").write_text("Another.")
    os.mkfifo(root / "pipe.txt")
    os.symlink("/dev/zero", root / "zero.pdf")
    os.symlink("loop-a", root / "loop-b")
    os.symlink("loop-b", root / "loop-a")
    os.symlink("missing.pdf", root / "broken.pdf")
    os.symlink("..", root / "sub" / "up")          # a folder loop
    (root / os.fsencode(LATIN1_NAME).decode("utf-8", "surrogateescape")).write_text("Latin-1 name.")
    return root
