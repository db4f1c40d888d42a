"""Issue 14's "done when": a batch holding every hostile input beside three real UPR reports.

The real ``rectrack run`` in a subprocess, default limits, over one folder with:
a PDF bomb, a PDF bombed twice over, a DOCX zip bomb, a 200 MB "text" file, a
FIFO, a link to /dev/zero, a link loop, a folder loop, a broken link, a socket,
a name that is not UTF-8, a folder that cannot be listed, and the output folder
itself (inside the input). It must exit 0, give each hostile item one clear row,
keep the three reports' rows, stay under 1 GiB (the sum of its processes'
resident memory, sampled every 0.1 s) and leave no process behind.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pandas as pd
import pytest

from rectrack.extractors.pipeline import process_document
from tests.conftest import SAMPLES
from tests.hostile_inputs import ENGLISH, double_pdf_bomb, docx_bomb, hostile_folder, pdf_bomb
from tests.process_tree import WatchedCommand, command_environment

REPORTS = ("algeria2008.pdf", "tajikistan2011.pdf", "afghanistan2014.pdf")
GiB = 1 << 30

# Root (as tests run here) can list a folder chmod 000; for root the listing is refused as a
# non-root user's would be, in the command's own process, and the real command runs.
_RUN = """
import os, sys
from pathlib import Path
if os.geteuid() == 0:
    real = os.scandir
    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)
    os.scandir = scandir
from rectrack.flows.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _hostile_inbox(folder: Path) -> dict[str, str]:
    """The inbox; returns each hostile item's document name, the kind of its row and words of its reason."""
    hostile_folder(folder)                       # a FIFO, /dev/zero, loops, a broken link, a Latin-1 name
    for name in REPORTS:
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "bomb.pdf").write_bytes(pdf_bomb(1024))
    (folder / "bomb-in-a-bomb.pdf").write_bytes(double_pdf_bomb(2048))
    docx_bomb(folder / "bomb.docx", 600)
    paragraph = (ENGLISH + "\n\n").encode()
    with (folder / "careless.txt").open("wb") as handle:   # 200 MB of English text
        handle.write(paragraph * ((200 << 20) // len(paragraph)))
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(folder / "socket.pdf"))
    listener.close()
    (folder / "locked").mkdir()
    (folder / "locked" / "inside.txt").write_text("never read")
    (folder / "locked").chmod(0)
    limit = "limit"
    return {"bomb.pdf": (limit, "RECTRACK_MAX_UNZIPPED_MB"), "bomb-in-a-bomb.pdf": (limit, "RECTRACK_MAX_UNZIPPED_MB"),
            "bomb.docx": (limit, "RECTRACK_MAX_UNZIPPED_MB"), "careless.txt": (limit, "RECTRACK_MAX_TEXT_CHARS"),
            "pipe.txt": ("skipped", "a named pipe"), "zero.pdf": ("skipped", "a character device"),
            "socket.pdf": ("skipped", "a socket"), "loop-a": ("skipped", "Too many levels of symbolic links"),
            "loop-b": ("skipped", "Too many levels of symbolic links"), "broken.pdf": ("skipped", "leads nowhere"),
            "sub/up": ("skipped", "a loop"), "locked": ("unreadable", "cannot be listed")}


@pytest.mark.slow
def test_a_batch_of_every_hostile_input_beside_three_real_reports(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    expected = _hostile_inbox(inbox)
    out = inbox / "outputs"                      # --out inside the input folder
    try:
        run = WatchedCommand(["run", str(inbox), "--out", str(out)], command_environment(tmp_path / "prefect"),
                             tmp_path, tmp_path / "run.log", script=_RUN)
        code = run.finish(timeout=900)
    finally:
        (inbox / "locked").chmod(0o755)
    assert code == 0, run.output()
    assert run.leftovers() == []
    print(f"peak {run.peak_rss / (1 << 20):.0f} MiB over {len(run.seen)} processes")
    assert run.peak_rss < GiB, f"peak {run.peak_rss / (1 << 20):.0f} MiB: {run.at_peak}"

    def table(name: str) -> pd.DataFrame:
        return pd.read_csv(out / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")

    documents, problems, tracker = table("documents.csv"), table("problems.csv"), table("tracker.csv")
    assert not any(name.startswith("outputs/") for name in documents["document"])
    for name, (kind, words) in expected.items():
        rows = problems[problems["document"] == name]
        assert len(rows) == 1, (name, rows.to_dict("records"))
        row = rows.iloc[0]
        assert row["kind"] == kind and words in row["reason"] + row["action"], (name, row.to_dict())
        assert row["action"], name
    assert set(documents.loc[documents["document"].isin(expected), "status"]) <= {"failed", "skipped"}
    for name in REPORTS:
        found = process_document(SAMPLES / name, SAMPLES)
        assert (tracker["document"] == name).sum() == len(found.recommendations) > 0, name
    assert dict(zip(documents["document"], documents["status"]))["r\\xe9sum\\xe9.txt"] in ("ok", "partial")
    assert not os.path.exists(inbox / "outputs" / "outputs")
