"""What became of each recommendation: evidence paragraphs of later documents, linked to tracker rows.

A later document (a State's national report, see :mod:`rectrack.extractors.segment.upr.national`)
gives :class:`~rectrack.extractors.records.EvidenceParagraph` records. Each is linked to earlier
recommendations of the same country in two ways:

- **cited**: the paragraph (or its section heading) cites the previous cycle's recommendations by
  number. The numbers refer to the recommendations of the country's latest UPR Working Group
  report before the evidence's year, but States number them in more than one way: Slovenia's 2014
  report numbers the 97 recommendations of A/HRC/14/15 as printed (``111.N`` is N), its 2024
  report numbers the 215 of A/HRC/43/15 across both paragraphs, ``122.1``-``122.157`` first and
  ``121.1``-``121.58`` after them. :func:`numbering_schemes` lists the readings a report's
  paragraphs allow (the printed sub-number within one paragraph; one count running through the
  paragraphs in each of their orders) and :func:`choose_scheme` keeps the one under which the
  cited recommendations read most like the sections that cite them (word TF-IDF cosine); the
  choice is written into every cited row (``linked_by``). A number no reading resolves is a
  problem row naming it.
  A paragraph that names the report its numbers belong to (a compilation's heading note "For
  relevant recommendations, see A/HRC/28/15, paras. 115.44–115.47") is linked to that report's rows
  of those printed paragraphs, in any family; a report not in the tracker, or a paragraph it does
  not have, is a problem row.
- **similar**: every paragraph, citations hidden, is compared with the country's earlier
  recommendations (:func:`~rectrack.extractors.tracker.similarity.combined_similarity`); the best
  :data:`TOP_K` at or above :data:`SIMILAR_THRESHOLD` are candidates for an analyst to confirm
  (``reviewed_link``: ``right`` or ``wrong``), not facts.

``evidence.csv`` holds one row per link (:data:`EVIDENCE_COLUMNS`), with a stable ``evidence_id``;
an analyst's ``reviewed_link`` is carried over by that id on every run, and a reviewed row is kept
even when the run no longer makes its link. :func:`evidence_columns` gives the tracker its three
columns: ``evidence_count`` (links not marked wrong), ``latest_evidence`` and
``reported_progress`` (:data:`PROGRESS`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rectrack.extractors.records import DocumentResult, DocumentType, EvidenceParagraph, Problem
from rectrack.extractors.tracker.columns import EVIDENCE_COLUMNS
from rectrack.extractors.tracker.identity import document_key, normalise_text
from rectrack.extractors.text.normalize import natural_key

# The families whose paragraphs are evidence: the State's own report, and what the UN and civil society say.
EVIDENCE_TYPES = frozenset({DocumentType.NATIONAL_REPORT, DocumentType.UN_COMPILATION,
                            DocumentType.STAKEHOLDER_SUMMARY, DocumentType.CIVIL_SOCIETY_REPORT})
# Who speaks in each evidence family when a paragraph names nobody: the State, a UN body, or civil society.
SPEAKERS = {DocumentType.NATIONAL_REPORT.value: "State", DocumentType.UN_COMPILATION.value: "UN",
            DocumentType.STAKEHOLDER_SUMMARY.value: "NGO",
            DocumentType.CIVIL_SOCIETY_REPORT.value: "civil society"}
# Chosen on Slovenia's 2014 national report's own citations (tests/benchmarks/bench_evidence.py).
SIMILAR_THRESHOLD = 0.20
TOP_K = 5
CITED, SIMILAR = "cited", "similar"
STATE_REPORT = DocumentType.NATIONAL_REPORT.value
RIGHT, WRONG = "right", "wrong"
# reported_progress, from the links that are facts (cited, or similar and reviewed right):
PROGRESS = ("no information", "candidates to review", "action reported by the State",
            "gaps reported by UN or NGOs", "action reported by the State; gaps reported by UN or NGOs")
EVIDENCE_ID_PREFIX = "e"


@dataclass(frozen=True, slots=True)
class Scheme:
    """One reading of a national report's recommendation numbers: number -> printed paragraph."""

    name: str
    paragraphs: dict[str, str]


def numbering_schemes(paragraphs: Sequence[str]) -> list[Scheme]:
    """The readings a report's printed recommendation numbers (``121.1``, ``122.17``...) allow.

    For each paragraph group (the part before the dot): its printed sub-numbers (N -> ``121.N``);
    and for each order of the groups, one count running through them (N -> the N-th). Readings
    that map every number alike are given once.
    """
    ordered = sorted(dict.fromkeys(p.strip() for p in paragraphs if "." in p), key=natural_key)
    groups: dict[str, list[str]] = defaultdict(list)
    for paragraph in ordered:
        groups[paragraph.split(".", 1)[0]].append(paragraph)
    schemes, seen = [], set()

    def add(name: str, mapping: dict[str, str]) -> None:
        key = tuple(sorted(mapping.items()))
        if mapping and key not in seen:
            seen.add(key)
            schemes.append(Scheme(name, mapping))

    for head, members in groups.items():
        add(f"as printed in {head}", {p.split(".", 1)[1]: p for p in members})
    for order in itertools.permutations(groups) if len(groups) <= 4 else [tuple(groups)]:
        running = [p for head in order for p in groups[head]]
        add("counted through " + ", ".join(order), {str(i): p for i, p in enumerate(running, start=1)})
    return schemes


def choose_scheme(schemes: Sequence[Scheme], sections: Sequence[tuple[str, tuple[str, ...]]],
                  texts: dict[str, str]) -> Scheme | None:
    """The reading under which the cited recommendations read most like the sections that cite them.

    ``sections``: (the text of the paragraphs under one citation, the numbers cited); ``texts``:
    printed paragraph -> recommendation text. Score: the mean TF-IDF cosine of each cited number's
    recommendation with its section (0 for a number the reading does not resolve).
    """
    from rectrack.extractors.tracker.similarity import tfidf_similarity

    if not schemes or not sections:
        return None
    paragraphs = sorted(texts, key=natural_key)
    index = {p: i for i, p in enumerate(paragraphs)}
    matrix = tfidf_similarity([texts[p] for p in paragraphs] + [text for text, _ in sections])
    best, best_score = None, -1.0
    for scheme in schemes:
        scores = []
        for s, (_text, numbers) in enumerate(sections):
            for number in numbers:
                paragraph = scheme.paragraphs.get(number)
                scores.append(matrix[len(paragraphs) + s, index[paragraph]] if paragraph in index else 0.0)
        score = float(np.mean(scores)) if scores else 0.0
        if score > best_score:
            best, best_score = scheme, score
    return best


def evidence_id(rec: str, document: str, paragraph: str, text: str) -> str:
    """``e`` + 16 hex of a sha256 over the rec_id, the evidence document (symbol, else content) and paragraph."""
    parts = [rec, document, paragraph.strip(), normalise_text(text)]
    return EVIDENCE_ID_PREFIX + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Linked:
    """The evidence table of a run and the problems met while linking."""

    table: pd.DataFrame
    problems: tuple[Problem, ...]


def _named_country(result: DocumentResult) -> str:
    """The country most of a document's recommendations concern (civil-society reports name no State in their info)."""
    from collections import Counter

    named = Counter(rec.country for rec in result.recommendations if rec.country)
    return named.most_common(1)[0][0] if named else ""


def _earlier_rows(tracker: pd.DataFrame, country: str, year: str) -> pd.DataFrame:
    years = pd.to_numeric(tracker["year"], errors="coerce")
    return tracker[(tracker["country"] == country) & (years < float(year))]


def _previous_report(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the latest UPR Working Group report among ``rows`` (empty when none)."""
    reports = rows[rows["document_type"] == DocumentType.UPR_REPORT.value]
    if not len(reports):
        return reports
    latest = max(reports["year"], key=lambda y: (int(y) if y.isdigit() else 0))
    reports = reports[reports["year"] == latest]
    symbol = sorted(reports["document_symbol"].unique())[0]
    return reports[reports["document_symbol"] == symbol]


def _row(rec: str, result: DocumentResult, item: EvidenceParagraph, link: str, score: float,
         linked_by: str, cited_as: str) -> dict[str, str]:
    info = result.info
    symbol = info.symbol if info else ""
    return {
        "evidence_id": evidence_id(rec, document_key(result.sha256, symbol), item.paragraph, item.text),
        "rec_id": rec, "link": link, "score": f"{score:.3f}", "linked_by": linked_by, "cited_as": cited_as,
        "evidence_document": result.document, "evidence_symbol": symbol,
        "evidence_type": info.document_type.value if info else "", "evidence_year": info.year if info else "",
        "paragraph": item.paragraph, "page": str(item.page), "heading": item.heading, "text": item.text,
        "speaker": item.speaker or SPEAKERS.get(info.document_type.value, "") if info else item.speaker,
        "country": (info.country or _named_country(result)) if info else "", "reviewed_link": "",
    }


def _cited_links(result: DocumentResult, earlier: pd.DataFrame) -> tuple[list[dict], list[Problem]]:
    """The cited links of one document's evidence, under the numbering that fits its citations best."""
    citing = [item for item in result.evidence if item.cited and not item.cited_report]
    if not citing:
        return [], []
    info = result.info
    report = _previous_report(earlier)
    if not len(report):
        numbers = sorted({n for item in citing for n in item.cited}, key=natural_key)
        return [], [Problem(document=result.document, kind="evidence",
                            reason=f"cites {len(numbers)} recommendations of an earlier UPR cycle, but no UPR Working "
                                   f"Group report of {info.country} before {info.year} is in the tracker",
                            action=f"add {info.country}'s previous Working Group report (A/HRC/...) to the input "
                                   "folder and run again")]
    texts = dict(zip(report["paragraph"], report["text"]))
    rows_by_paragraph: dict[str, list[str]] = defaultdict(list)
    for rec, paragraph in zip(report["rec_id"], report["paragraph"]):
        rows_by_paragraph[paragraph].append(rec)
    sections: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for item in citing:
        sections[(item.heading, item.cited)].append(item.text)
    scheme = choose_scheme(numbering_schemes(list(report["paragraph"])),
                           [(" ".join(parts), key[1]) for key, parts in sections.items()], texts)
    symbol = report["document_symbol"].iloc[0]
    links, unresolved = [], []
    for item in citing:
        for number in item.cited:
            paragraph = scheme.paragraphs.get(number) if scheme else None
            if paragraph is None:
                unresolved.append(number)
                continue
            for rec in rows_by_paragraph[paragraph]:
                links.append(_row(rec, result, item, CITED, 1.0,
                                  f"{symbol} {paragraph} ({scheme.name})", f"{item.cited_by} {number}".strip()))
    problems = []
    if unresolved:
        numbers = sorted(set(unresolved), key=natural_key)
        problems.append(Problem(document=result.document, kind="evidence",
                                reason=f"cites recommendations {', '.join(numbers)}, which {symbol} does not have "
                                       f"(read as {scheme.name if scheme else 'no numbering'})",
                                action="check the numbers in the report; the other citations are linked"))
    return links, problems


def _report_cited_links(result: DocumentResult, tracker: pd.DataFrame) -> tuple[list[dict], list[Problem]]:
    """Links of paragraphs that name the report their numbers are paragraphs of (a compilation's heading note:
    "For relevant recommendations, see A/HRC/28/15, paras. 115.44–115.47"): matched by symbol and paragraph."""
    citing = [item for item in result.evidence if item.cited and item.cited_report]
    if not citing:
        return [], []
    symbols = ["".join(s.split()) for s in tracker["document_symbol"]]
    rows_by_place: dict[tuple[str, str], list[str]] = defaultdict(list)
    for symbol, paragraph, rec in zip(symbols, tracker["paragraph"], tracker["rec_id"]):
        rows_by_place[(symbol, paragraph.strip())].append(rec)
    present = set(symbols)
    links, absent, unknown = [], defaultdict(set), defaultdict(set)
    for item in citing:
        report = "".join(item.cited_report.split())
        if report not in present:
            absent[report].update(item.cited)
            continue
        for number in item.cited:
            recs = rows_by_place.get((report, number))
            if not recs:
                unknown[report].add(number)
            for rec in recs or ():
                links.append(_row(rec, result, item, CITED, 1.0, f"{report} {number} (named by the document)",
                                  f"{item.cited_by} {number}".strip()))
    problems = [Problem(document=result.document, kind="evidence",
                        reason=f"cites {len(numbers)} recommendations of {report}, which is not in the tracker",
                        action=f"add {report} to the input folder and run again to link them")
                for report, numbers in sorted(absent.items())]
    problems += [Problem(document=result.document, kind="evidence",
                         reason=f"cites paragraphs {', '.join(sorted(numbers, key=natural_key))} of {report}, "
                                "which it does not have",
                         action="check the numbers in the document's notes; the other citations are linked")
                 for report, numbers in sorted(unknown.items())]
    return links, problems


def _similar_links(result: DocumentResult, earlier: pd.DataFrame, threshold: float, top_k: int) -> list[dict]:
    """Each paragraph's best ``top_k`` earlier recommendations at or above ``threshold``, citations hidden."""
    items = [item for item in result.evidence if item.text.strip()]
    if not items or not len(earlier):
        return []
    matrix = rank_similar([item.text for item in items], list(earlier["text"]))
    links = []
    for item, scores in zip(items, matrix):
        for column in np.argsort(-scores, kind="stable")[:top_k]:
            if scores[column] >= threshold:
                links.append(_row(earlier["rec_id"].iloc[column], result, item, SIMILAR, float(scores[column]),
                                  "meaning (TF-IDF + WordLlama)", ""))
    return links


def rank_similar(paragraphs: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """The paragraphs x texts matrix of :func:`combined_similarity` scores (the similar links; the benchmark)."""
    from rectrack.extractors.tracker.similarity import combined_similarity

    return combined_similarity(list(texts) + list(paragraphs))[len(texts):, :len(texts)]


def link_evidence(tracker: pd.DataFrame, results: Sequence[DocumentResult], previous: pd.DataFrame | None,
                  processed_documents: set[str], threshold: float = SIMILAR_THRESHOLD,
                  top_k: int = TOP_K) -> Linked:
    """The evidence table: this run's links, the earlier rows of documents not processed this run,
    and every row an analyst reviewed; ``reviewed_link`` carried over by ``evidence_id``.

    A link whose recommendation is both cited and similar is kept once, as cited (with its similarity
    score). Rows are sorted by country, evidence document, paragraph (natural order), link, rec_id.
    """
    rows: list[dict] = []
    problems: list[Problem] = []
    for result in results:
        if not result.evidence or result.info is None or result.info.document_type not in EVIDENCE_TYPES:
            continue
        country = result.info.country or _named_country(result)
        if not country or not result.info.year:
            missing = " and ".join(name for name, value in (("country", country), ("year", result.info.year))
                                   if not value)
            problems.append(Problem(document=result.document, kind="evidence",
                                    reason=f"its {missing} could not be read, so its paragraphs were not compared "
                                           "with earlier recommendations",
                                    action="name the year in the file name (e.g. report-2025.pdf), or check "
                                           "that the document names the country it is about"))
            continue
        earlier = _earlier_rows(tracker, country, result.info.year)
        # Numbers alone refer to the previous Working Group report only in a State's national report;
        # numbers given with their report's symbol are that report's paragraphs, in any family.
        cited, trouble = (_cited_links(result, earlier) if result.info.document_type is DocumentType.NATIONAL_REPORT
                          else ([], []))
        named, named_trouble = _report_cited_links(result, tracker)
        cited += named
        problems += trouble + named_trouble
        similar = _similar_links(result, earlier, threshold, top_k)
        scores = {(row["rec_id"], row["paragraph"]): row["score"] for row in similar}
        for row in cited:
            row["score"] = scores.get((row["rec_id"], row["paragraph"]), "")
        cited_keys = {(row["rec_id"], row["paragraph"]) for row in cited}
        rows += cited + [row for row in similar if (row["rec_id"], row["paragraph"]) not in cited_keys]
    frame = pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS), dtype=str).drop_duplicates("evidence_id")
    if previous is not None and len(previous):
        previous = previous.reindex(columns=list(EVIDENCE_COLUMNS), fill_value="")
        reviews = dict(zip(previous["evidence_id"], previous["reviewed_link"]))
        frame["reviewed_link"] = [reviews.get(e, "") for e in frame["evidence_id"]]
        current = set(frame["evidence_id"])
        kept = previous[~previous["evidence_id"].isin(current)
                        & (~previous["evidence_document"].isin(processed_documents)
                           | (previous["reviewed_link"].str.strip() != ""))]
        frame = pd.concat([frame, kept], ignore_index=True)
    frame = frame.fillna("")
    order = sorted(range(len(frame)), key=lambda i: (
        frame["country"].iloc[i], natural_key(frame["evidence_document"].iloc[i]),
        natural_key(frame["paragraph"].iloc[i]), frame["link"].iloc[i], frame["rec_id"].iloc[i]))
    return Linked(frame.iloc[order].reset_index(drop=True), tuple(problems))


def is_fact(link: str, reviewed: str) -> bool:
    """A cited link not marked wrong, or a similar one an analyst marked right."""
    reviewed = reviewed.strip().casefold()
    return (link == CITED and reviewed != WRONG) or (link == SIMILAR and reviewed == RIGHT)


def evidence_columns(tracker: pd.DataFrame, evidence: pd.DataFrame) -> dict[str, list[str]]:
    """``evidence_count``, ``latest_evidence`` and ``reported_progress`` for each tracker row.

    The rows of one recommendation (one ``recommendation_key``: the report's row and the matrix's,
    see :mod:`rectrack.extractors.tracker.links`) share their evidence. ``evidence_count``: links not
    marked wrong (candidates included); ``latest_evidence``: the newest of them (facts first), as
    "symbol (or file) para. N, year"; ``reported_progress``: from the facts, who reported what
    (:data:`PROGRESS`), "candidates to review" when there are only unreviewed similar links, "no
    information" when there is nothing.
    """
    keys = (list(tracker["recommendation_key"]) if "recommendation_key" in tracker.columns
            else [""] * len(tracker))
    key_of = {rec: key or rec for rec, key in zip(tracker["rec_id"], keys)}
    by_key: dict[str, dict[str, tuple]] = defaultdict(dict)
    for row in evidence[["rec_id", "link", "reviewed_link", "evidence_symbol", "evidence_document",
                         "evidence_year", "paragraph", "evidence_type"]].itertuples(index=False, name=None):
        if row[2].strip().casefold() == WRONG:
            continue
        # One link per evidence paragraph and recommendation, whichever of its rows it names.
        place = (row[4], row[6])
        kept = by_key[key_of.get(row[0], row[0])].get(place)
        if kept is None or (is_fact(row[1], row[2]) and not is_fact(kept[1], kept[2])):
            by_key[key_of.get(row[0], row[0])][place] = row
    counts, latest, progress = [], [], []
    for rec in tracker["rec_id"]:
        links = list(by_key.get(key_of[rec], {}).values())
        counts.append(str(len(links)))
        if not links:
            latest.append("")
            progress.append(PROGRESS[0])
            continue
        facts = [row for row in links if is_fact(row[1], row[2])]
        newest = max(facts or links, key=lambda row: (row[5], natural_key(row[6])))
        latest.append(f"{newest[3] or newest[4]} para. {newest[6]}, {newest[5]}".replace(" para. ,", ","))
        if not facts:
            progress.append(PROGRESS[1])
            continue
        # The State reports action in its own report; the UN and civil society report gaps.
        state = sorted({row[3] or row[4] for row in facts if row[7] == STATE_REPORT})
        others = sorted({row[3] or row[4] for row in facts if row[7] != STATE_REPORT})
        parts = ([f"{PROGRESS[2]} ({', '.join(state)})"] if state else []) + (
            [f"{PROGRESS[3]} ({', '.join(others)})"] if others else [])
        progress.append("; ".join(parts))
    return {"evidence_count": counts, "latest_evidence": latest, "reported_progress": progress}
