"""Bad input: each case raises the matching error, naming the file and what to do."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from rectrack.extractors.errors import (
    EncryptedFile,
    NoTextLayer,
    RectrackError,
    UnexpectedLanguage,
    UnreadableFile,
    UnsupportedFormat,
)
from rectrack.extractors.read import read_document

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "fixtures" / "bad-inputs"
UPR = ROOT / "data" / "samples" / "upr"
DUSHANBE = ROOT / "data" / "samples" / "dialogue" / "human-rights-dialogue-2025-dushanbe.txt"

FRENCH = (
    "Le Groupe de travail sur l'Examen périodique universel a tenu sa session du 3 au 14 "
    "octobre. La délégation était dirigée par le Ministre de la justice, qui a présenté le "
    "rapport national et répondu aux questions des États. Les recommandations formulées au "
    "cours du dialogue ont été examinées par le pays, qui y répondra en temps voulu, au plus "
    "tard à la session suivante du Conseil des droits de l'homme. "
) * 6


def _copy(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _raises(error: type[RectrackError], path: Path, *phrases: str) -> RectrackError:
    with pytest.raises(error) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith(path.name + ": ")
    for phrase in phrases:
        assert phrase in message
    return caught.value


def test_truncated_pdf(tmp_path):
    path = _copy(tmp_path, "truncated.pdf", (UPR / "tajikistan2011.pdf").read_bytes()[:20000])
    error = _raises(UnreadableFile, path, "the PDF is damaged or truncated (",
                    "re-download it or re-save it from the source")
    assert error.kind == "unreadable"


def test_pdf_with_damaged_root_object_is_recovered():
    # pdfium rebuilds the cross-reference table of this real UN PDF.
    document = read_document(BAD / "corrupt-no-root-object.pdf")
    assert document.page_count == 17
    assert document.pages[1].lines[0] == "I. BACKGROUND AND FRAMEWORK"
    # ... and says so: the text may be incomplete.
    (warning,) = document.warnings
    assert warning.kind == "damaged"
    assert "the PDF is damaged" in warning.reason and "read 17 pages" in warning.reason
    assert "re-download" in warning.action


def test_sound_pdf_has_no_warning():
    assert read_document(UPR / "tajikistan2011.pdf").warnings == ()


def test_pdf_that_is_really_html_is_read_as_html_and_reported(tmp_path):
    html = b"<html><body><h1>Outcome</h1><p>The Government should ratify OP-CAT.</p></body></html>"
    document = read_document(_copy(tmp_path, "outcome.pdf", html))
    assert document.format == "html"
    assert document.blocks[-1].text == "The Government should ratify OP-CAT."
    (warning,) = document.warnings
    assert warning.kind == "mislabelled"
    assert "HTML despite its .pdf extension" in warning.reason and ".html" in warning.action


def test_scan_without_text_layer():
    _raises(NoTextLayer, BAD / "scanned-no-text-layer.pdf",
            "no text layer on any of its 7 pages: this looks like a scan",
            "run OCR (e.g. `ocrmypdf in.pdf out.pdf`) and add the result")


def test_password_protected_pdf():
    error = _raises(EncryptedFile, BAD / "password-protected.pdf",
                    "password-protected", "ask the sender for an unprotected copy")
    assert error.kind == "encrypted"


def test_empty_file(tmp_path):
    _raises(UnreadableFile, _copy(tmp_path, "empty.pdf", b""), "the file is empty (0 bytes)",
            "re-download it")


def test_missing_file(tmp_path):
    _raises(UnreadableFile, tmp_path / "gone.pdf", "cannot be opened", "check that it exists")


def test_legacy_word_doc(monkeypatch):
    # Without LibreOffice; the conversion itself is tested in test_matrix.py.
    monkeypatch.setattr("rectrack.extractors.read.convert.find_converter", lambda: None)
    _raises(UnsupportedFormat, BAD / "legacy-word-97-egypt2014-matrix.doc",
            "legacy Word 97-2003 .doc",
            "convert it to .docx, e.g. `libreoffice --headless --convert-to docx FILE`")


@pytest.mark.parametrize(("name", "data", "reason", "action"), [
    ("blob.pdf", bytes(range(256)) * 4, "unknown binary format", "convert it to PDF"),
    ("photo.pdf", b"\x89PNG\r\n\x1a\n" + bytes(64), "a PNG image", "run OCR"),
    ("notes.rtf", b"{\\rtf1\\ansi Recommendations}", "an RTF document", "convert it to .docx"),
])
def test_unsupported_formats(tmp_path, name, data, reason, action):
    _raises(UnsupportedFormat, _copy(tmp_path, name, data), reason, action)


def test_spreadsheet_in_a_docx_name(tmp_path):
    path = tmp_path / "matrix.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    _raises(UnsupportedFormat, path, "a spreadsheet (.xlsx)", "save the document as .docx or PDF")


def test_document_not_in_english(tmp_path):
    error = _raises(UnexpectedLanguage, _copy(tmp_path, "rapport.txt", FRENCH.encode("utf-8")),
                    "does not look like English", "add the English version")
    assert error.kind == "language"


def test_english_with_a_foreign_passage_is_accepted(tmp_path):
    data = DUSHANBE.read_bytes() + b"\n\n" + FRENCH[:400].encode("utf-8")
    document = read_document(_copy(tmp_path, "dialogue.txt", data))
    assert document.blocks[-1].text.startswith("Le Groupe de travail")
