"""``report.html``: one self-contained page of charts and tables about the tracker, for people.

Sections: recommendations by document and position; by theme; by priority
area; recurring recommendations (the follow-up groups made more than once,
across cycles and bodies); progress of ``status``; the run's problems.
Charts are Plotly figures; plotly.js (from the plotly wheel) is inlined once,
so the page loads with no network. Figure ids are fixed and nothing is
timestamped: the same tables give the same bytes. Counts follow
:mod:`rectrack.extractors.views.summaries` (each recommendation once).
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from rectrack.extractors.views.summaries import NOT_GIVEN, count_by, counting_rows, recurring_groups

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1150px;color:#222}
h1{margin-bottom:.2rem} h2{margin-top:2.4rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
.tiles{display:flex;gap:1rem;flex-wrap:wrap}.tile{background:#f3f6fa;border-radius:8px;padding:.8rem 1.2rem}
.tile b{display:block;font-size:1.8rem}.note{color:#666;font-style:italic}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ddd;padding:.35rem;text-align:left;
vertical-align:top}th{background:#f3f6fa}td:nth-child(3){min-width:22rem}
"""
_CONFIG = {"displaylogo": False, "responsive": True}
_POSITIONS = ("supported", "noted", "pending", NOT_GIVEN)
_COLOURS = {"supported": "#2a9d8f", "noted": "#e76f51", "pending": "#e9c46a", NOT_GIVEN: "#9aa5b1"}


def warm_up() -> None:
    """Build one tiny figure now: plotly loads its figure classes on first use (~0.2 s, once per process)."""
    go.Figure(go.Bar(x=["a"], y=[1])).to_json()


def _figure_html(figure: go.Figure, ident: str) -> str:
    figure.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, template="plotly_white")
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=ident, config=_CONFIG)


def _bar(frame: pd.DataFrame, label: str, ident: str, limit: int = 25) -> str:
    """A horizontal bar chart of a count table (largest on top), or a note when it is empty."""
    if not len(frame) or set(frame[label]) == {NOT_GIVEN}:
        return f'<p class="note">No {html.escape(label)} filled in yet: nothing to chart.</p>'
    top = frame.head(limit).iloc[::-1]
    figure = go.Figure(go.Bar(x=top["recommendations"], y=top[label], orientation="h", marker_color="#457b9d"))
    figure.update_layout(height=max(220, 26 * len(top) + 60), yaxis={"automargin": True})
    return _figure_html(figure, ident)


def _by_document(tracker: pd.DataFrame) -> str:
    """Stacked bars: the rows of each document, by position (a matrix's rows too, though they repeat a report)."""
    rows = tracker
    if not len(rows):
        return '<p class="note">No recommendations yet.</p>'
    position = rows["position"].replace("", NOT_GIVEN)
    table = pd.crosstab(rows["document"], position)
    table = table.loc[table.sum(axis=1).sort_values(kind="stable").index]
    figure = go.Figure([go.Bar(name=p, y=table.index, x=table[p], orientation="h", marker_color=_COLOURS[p])
                        for p in _POSITIONS if p in table.columns])
    figure.update_layout(barmode="stack", height=max(260, 28 * len(table) + 80), yaxis={"automargin": True},
                         legend={"orientation": "h", "yanchor": "bottom", "y": 1.02})
    return _figure_html(figure, "by-document")


def _table(frame: pd.DataFrame, empty: str) -> str:
    if not len(frame):
        return f'<p class="note">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False, name=None))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _recurring(groups: pd.DataFrame | None) -> str:
    """The most repeated follow-up groups: a chart (count, coloured by years spanned) and their table."""
    if groups is None:
        return ('<p class="note">No follow-up groups in this tracker yet (the grouping step has not run): '
                "recurring recommendations cannot be shown.</p>")
    top = recurring_groups(groups)
    if not len(top):
        return '<p class="note">No recommendation was made more than once.</p>'
    labels = [f"{g} · {c} · {f}–{latest}" for g, c, f, latest in
              zip(top["follow_up_group"], top["country"], top["first_year"], top["latest_year"])]
    texts = [t if len(t) <= 140 else t[:137] + "..." for t in top["representative_text"]]
    shown = top.iloc[::-1]
    figure = go.Figure(go.Bar(x=pd.to_numeric(shown["recommendations"]), y=labels[::-1], orientation="h",
                              hovertext=texts[::-1], marker_color="#6d597a"))
    figure.update_layout(height=max(220, 30 * len(top) + 60), yaxis={"automargin": True},
                         xaxis={"title": "times recommended", "tickformat": "d", "rangemode": "tozero"})
    columns = ["follow_up_group", "country", "representative_text", "recommendations", "first_year", "latest_year",
               "bodies", "made_by", "latest_position"]
    return _figure_html(figure, "recurring") + _table(top[columns], "")


# reported_progress values (tracker.evidence.PROGRESS) in the order the evidence section shows them.
_PROGRESS_ORDER = ("action reported by the State", "gaps reported by UN or NGOs", "both",
                   "candidates to review", "no information")
_PROGRESS_COLOURS = ("#2a9d8f", "#e76f51", "#6d597a", "#e9c46a", "#b0b0b0")


def _progress_kind(value: str) -> str:
    state, others = "action reported by the State" in value, "gaps reported by UN or NGOs" in value
    return "both" if state and others else (
        "action reported by the State" if state else "gaps reported by UN or NGOs" if others else value)


def _followed_up(tracker: pd.DataFrame, evidence: pd.DataFrame) -> str:
    """The previous cycle's recommendations of each country a later document speaks of, by theme and progress."""
    latest = {}
    for country, year in zip(evidence["country"], evidence["evidence_year"]):
        if year.isdigit():
            latest[country] = max(latest.get(country, 0), int(year))
    years = pd.to_numeric(tracker["year"], errors="coerce")
    rows = tracker[[latest.get(c, 0) > y for c, y in zip(tracker["country"], years.fillna(9999))]]
    if not len(rows):
        return '<p class="note">No recommendation in the tracker is older than the documents that give evidence.</p>'
    kinds = [_progress_kind(v) for v in rows["reported_progress"]]
    table: dict[str, dict[str, int]] = {}
    for themes, kind in zip(rows["themes"], kinds):
        for theme in [t for t in themes.split("|") if t] or ["(no theme)"]:
            table.setdefault(theme, dict.fromkeys(_PROGRESS_ORDER, 0))[kind] += 1
    frame = pd.DataFrame([{"theme": theme, **counts} for theme, counts in table.items()])
    frame["recommendations"] = frame[list(_PROGRESS_ORDER)].sum(axis=1)
    frame = frame.sort_values(["recommendations", "theme"], ascending=[False, True], kind="stable").head(25)
    shown = frame.iloc[::-1]
    figure = go.Figure([go.Bar(name=kind, x=shown[kind], y=shown["theme"], orientation="h", marker_color=colour)
                        for kind, colour in zip(_PROGRESS_ORDER, _PROGRESS_COLOURS)])
    figure.update_layout(barmode="stack", height=max(240, 28 * len(frame) + 90), yaxis={"automargin": True},
                         xaxis={"title": "recommendations", "tickformat": "d"}, legend={"orientation": "h"})
    countries = ", ".join(f"{c} (documents of {y})" for c, y in sorted(latest.items()))
    intro = (f'<p class="note">{len(rows)} recommendations of earlier years for {html.escape(countries)}; '
             "cited links and links reviewed right count as reports, similar links not yet reviewed as "
             "candidates (evidence.csv).</p>")
    return intro + _figure_html(figure, "followed-up") + _table(
        frame[["theme", "recommendations", *_PROGRESS_ORDER]], "")


def _tiles(tracker: pd.DataFrame, documents: pd.DataFrame, problems: pd.DataFrame) -> str:
    rows = counting_rows(tracker)
    figures = (("documents", len(documents)), ("recommendations", len(rows)),
               ("countries", rows["country"].replace("", pd.NA).nunique() if len(rows) else 0),
               ("problems", len(problems)))
    return '<div class="tiles">' + "".join(f'<div class="tile"><b>{n}</b>{label}</div>'
                                           for label, n in figures) + "</div>"


def report_html(tracker: pd.DataFrame, documents: pd.DataFrame, problems: pd.DataFrame,
                groups: pd.DataFrame | None, evidence: pd.DataFrame | None = None) -> str:
    """The whole page as text: self-contained (plotly.js inlined), no external URL, deterministic.

    ``groups`` are the follow-up groups (:func:`rectrack.extractors.views.summaries.read_groups`);
    None puts a note where the recurring recommendations would be. ``evidence`` (``evidence.csv``'s
    rows) adds "What became of the previous cycle's recommendations".
    """
    sections = (
        ("Recommendations by document and position", _by_document(tracker)),
        ("By theme (OHCHR Universal Human Rights Index)", _bar(count_by(tracker, "themes", "theme", True),
                                                               "theme", "by-theme")),
        ("By priority area", _bar(count_by(tracker, "priority_areas", "priority area", True),
                                  "priority area", "by-priority")),
        ("Recurring recommendations (most repeated across cycles and bodies)", _recurring(groups)),
        *([("What became of the previous cycle's recommendations, by theme", _followed_up(tracker, evidence))]
          if evidence is not None else []),
        ("Progress: recommendations by status", _bar(count_by(tracker, "status"), "status", "by-status")),
        ("Problems of the run", _table(problems, "No problems.")),
    )
    body = "".join(f"<h2>{html.escape(title)}</h2>{content}" for title, content in sections)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>rectrack report</title>"
            f"<style>{_STYLE}</style><script type=\"text/javascript\">{get_plotlyjs()}</script></head><body>"
            f"<h1>rectrack report</h1>{_tiles(tracker, documents, problems)}{body}</body></html>\n")
