"""report.html and the follow-up group summaries: content, self-containment, a real headless browser (issue 12 part 3).

Real rows: Slovenia's UPR reports of 2010 (A/HRC/14/15) and 2019 (A/HRC/43/15) and OHCHR's 2019
thematic list of the same recommendations (data/samples). This branch has no grouping step yet, so
the recurring recommendations are grouped by hand, read off the reports: "erased persons" asked in
2010 by Bosnia and Herzegovina (111.82) and Serbia (111.83) and in 2019 by Slovakia (122.156); a
national human rights institution asked in 2019 by Ukraine (121.4) and Jordan (122.15).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from rectrack.extractors.pipeline import process_document
from rectrack.extractors.views.report import report_html
from rectrack.extractors.tracker.grouping import groups_table as derive_groups
from rectrack.extractors.views.summaries import recurring_groups
from rectrack.extractors.outputs import update_outputs
from rectrack.extractors.tracker.columns import PROBLEM_COLUMNS
from rectrack.extractors.tracker.io import read_tracker
from rectrack.extractors.files import SAMPLES_DIR

FILES = ("upr/slovenia2010-A_HRC_14_15.pdf", "upr/slovenia2019-A_HRC_43_15.pdf",
         "matrices/slovenia2019-UPR34-thematic-list.docx")
ERASED = {("upr/slovenia2010-A_HRC_14_15.pdf", "111.82"), ("upr/slovenia2010-A_HRC_14_15.pdf", "111.83"),
          ("upr/slovenia2019-A_HRC_43_15.pdf", "122.156")}
NHRI = {("upr/slovenia2019-A_HRC_43_15.pdf", "121.4"), ("upr/slovenia2019-A_HRC_43_15.pdf", "122.15")}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    update_outputs(folder, [process_document(SAMPLES_DIR / name, SAMPLES_DIR) for name in FILES])
    return folder


@pytest.fixture(scope="module")
def grouped(out: Path) -> pd.DataFrame:
    """The tracker with ``follow_up_group`` set by hand on the two groups above (every other row alone)."""
    tracker = read_tracker(out / "tracker.csv")
    keys = list(zip(tracker["document"], tracker["paragraph"]))
    tracker["follow_up_group"] = ["G-erased00" if k in ERASED else "G-nhri0000" if k in NHRI else f"G-{r[:8]}"
                                  for k, r in zip(keys, tracker["rec_id"])]
    return tracker


def test_groups_derived_from_hand_grouped_real_rows(grouped: pd.DataFrame) -> None:
    groups = derive_groups(grouped).set_index("follow_up_group")
    erased = groups.loc["G-erased00"]
    assert erased[["country", "recommendations", "first_year", "latest_year", "bodies"]].tolist() == [
        "Slovenia", "3", "2010", "2019", "UPR"]
    assert erased["made_by"] == "Bosnia and Herzegovina|Serbia|Slovakia"
    assert erased["first_document"] == "upr/slovenia2010-A_HRC_14_15.pdf"
    assert erased["latest_document"] == "upr/slovenia2019-A_HRC_43_15.pdf"
    # the latest wording (2019, 122.156) represents the group
    assert erased["representative_text"] == "Continue efforts to address effectively the “erased persons” issue"
    assert erased["latest_position"] == "supported"          # 122.156 is under "supported" (paragraph 122) in 2019
    assert groups.loc["G-nhri0000", "made_by"] == "Ukraine|Jordan"
    top = recurring_groups(derive_groups(grouped))
    assert top["follow_up_group"].tolist() == ["G-erased00", "G-nhri0000"]     # 3 times over 9 years, then 2


def test_report_shows_counts_recurring_groups_status_and_problems(out: Path, grouped: pd.DataFrame) -> None:
    grouped = grouped.copy()
    grouped.loc[grouped["paragraph"] == "122.156", "status"] = "in progress"
    problems = pd.DataFrame([["upr/x.pdf", "3", "scan", "no text layer <b>", "run OCR"]], columns=list(PROBLEM_COLUMNS))
    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    page = report_html(grouped, documents, problems, derive_groups(grouped))
    for ident in ("by-document", "by-theme", "recurring", "by-status"):
        assert f'id="{ident}"' in page
    assert "Bosnia and Herzegovina|Serbia|Slovakia" in page and "G-erased00" in page
    assert "no text layer &lt;b&gt;" in page                   # problems are escaped
    assert '"in progress"' in page                             # the status chart's category
    assert "Equality &amp; non-discrimination" in page or "Equality & non-discrimination" in page
    assert page == report_html(grouped, documents, problems, derive_groups(grouped))     # deterministic


def test_report_without_groups_says_so(out: Path) -> None:
    tracker = read_tracker(out / "tracker.csv").drop(columns=["follow_up_group"])
    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    page = report_html(tracker, documents, pd.DataFrame(columns=list(PROBLEM_COLUMNS)), None)
    assert "the grouping step has not run" in page
    assert 'id="recurring"' not in page


def test_the_groups_of_the_run_are_in_the_report_and_the_workbook(out: Path) -> None:
    """The run writes groups.csv (rectrack.extractors.tracker.grouping); the report's recurring section and the
    workbook's "By group" sheet show its groups made more than once."""
    groups = pd.read_csv(out / "groups.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    top = recurring_groups(groups).iloc[0]
    assert int(top["recommendations"]) > 1
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="recurring"' in page and top["follow_up_group"] in page
    rows = list(load_workbook(out / "tracker.xlsx")["By group"].iter_rows(values_only=True))
    assert rows[0][:4] == ("follow_up_group", "country", "representative_text", "recommendations")
    assert (top["follow_up_group"], "Slovenia") in {r[:2] for r in rows}


def _external_references(page: str) -> list[str]:
    """src/href/data attributes of the page's elements that point to another host (script texts are not elements)."""
    soup = BeautifulSoup(page, "html.parser")
    return [f"<{tag.name} {name}={value}>" for tag in soup.find_all(True) for name in ("src", "href", "data")
            if (value := tag.get(name)) and re.match(r"\s*(?:[a-z][a-z0-9+.-]*:)?//", value, re.I)]


def test_report_is_self_contained(out: Path) -> None:
    page = (out / "report.html").read_text(encoding="utf-8")
    assert _external_references(page) == []
    assert _external_references('<img src="https://example.org/x.png"><a href="//cdn.example/x">') != []
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find_all("link") == [] and all(not s.get("src") for s in soup.find_all("script"))
    # plotly.js inlined, by document, by theme, recurring groups (2010 and 2019 asks grouped; no status yet)
    assert len(soup.find_all("script")) == 4


def _chromium(*args: str, user_dir: Path) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", f"--user-data-dir={user_dir}",
               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def _console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; CI does)")
def test_console_capture_sees_an_error(tmp_path: Path) -> None:
    """The check below is not vacuous: a page that throws shows up in the console lines."""
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>", encoding="utf-8")
    run = _chromium("--dump-dom", page.as_uri(), user_dir=tmp_path / "profile")
    assert any("undefinedFunction is not defined" in line for line in _console_lines(run.stderr))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; CI does)")
def test_report_loads_in_headless_chromium_with_charts(out: Path, grouped: pd.DataFrame, tmp_path: Path) -> None:
    from PIL import Image

    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    problems = pd.read_csv(out / "problems.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    page = tmp_path / "report.html"
    page.write_text(report_html(grouped, documents, problems, derive_groups(grouped)), encoding="utf-8")
    dom = _chromium("--dump-dom", page.as_uri(), user_dir=tmp_path / "profile")
    assert _console_lines(dom.stderr) == []
    # by document, by theme, recurring (priority areas and status are empty here: notes, not charts)
    drawn = re.findall(r'<div id="([a-z-]+)" class="plotly-graph-div[^"]*js-plotly-plot', dom.stdout)
    assert drawn == ["by-document", "by-theme", "recurring"]
    assert _external_references(dom.stdout) == []              # nothing added at run time either
    shot = tmp_path / "report.png"
    run = _chromium(f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri(), user_dir=tmp_path / "profile")
    assert _console_lines(run.stderr) == []
    colours = {colour for _, colour in Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 24)}
    assert {(0x2A, 0x9D, 0x8F), (0x45, 0x7B, 0x9D), (0x6D, 0x59, 0x7A)} <= colours   # the bars of three charts
