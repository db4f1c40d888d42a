"""Plain-text encodings: detected, not assumed (issue 14.6). Files are written by the tests."""

from __future__ import annotations

import pytest

from rectrack.extractors.read import read_document
from rectrack.extractors.read.sniff import sniff_format
from rectrack.extractors.read.plain import decode_text, utf16_without_bom

CYRILLIC = ("Рекомендации Совета по правам человека: государству следует обеспечить свободу "
            "выражения мнений и мирных собраний, а также независимость судебной власти.\n")
ENGLISH = ("The Committee recommends that the State party guarantee freedom of expression and "
           "peaceful assembly, and ensure the independence of the judiciary.\n")
WESTERN = "The State should guarantee the café owners’ rights – naïve “quoted” text.\n"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-16-le", "utf-16-be", "utf-8"])
def test_cyrillic_comes_out_as_cyrillic(encoding):
    assert decode_text(CYRILLIC.encode(encoding)) == CYRILLIC


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text(tmp_path, encoding):
    data = ((ENGLISH + "\n") * 3).encode(encoding)
    assert utf16_without_bom(data) == encoding
    path = tmp_path / "recommendations.txt"
    path.write_bytes(data)
    assert sniff_format(path, data) == "text"
    document = read_document(path)
    assert document.format == "text"
    assert [block.text for block in document.blocks] == [ENGLISH.strip()] * 3


def test_utf16_cyrillic_without_bom_is_text_not_binary(tmp_path):
    path = tmp_path / "ru.txt"
    data = CYRILLIC.encode("utf-16-le")
    assert data.count(b"\x04") > 100   # control bytes the 8-bit check took for binary
    assert sniff_format(path, data) == "text"


@pytest.mark.parametrize(("encoding", "expected"), [
    ("latin-1", WESTERN.replace("’", "'").replace("–", "-").replace("“", '"').replace("”", '"')),
    ("cp1252", WESTERN),
])
def test_western_european_text(encoding, expected):
    assert decode_text(expected.encode(encoding)) == expected


def test_binary_is_not_mistaken_for_utf16():
    noise = bytes((i * 7919) % 251 for i in range(4096))
    assert utf16_without_bom(noise) is None
    assert utf16_without_bom(b"plain ASCII text, long enough") is None
