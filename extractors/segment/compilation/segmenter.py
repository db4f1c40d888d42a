"""Segment an OHCHR compilation (…/2) or a summary of stakeholders' submissions (…/3).

Both report other people's recommendations in prose: "The Committee against
Torture recommended that Slovenia ...", "UNHCR urged Slovenia to ...", "JS1
and JS4 recommended ...", "CoE-GRETA considered that Slovenia should ...".
Every such report is one :class:`~rectrack.extractors.records.Recommendation`:

- ``paragraph``: the paragraph number as printed ("14"); ``page`` the page it
  starts on; ``heading`` the innermost section heading ("Women").
- ``source``: who made it, as printed ("Committee on Economic, Social and
  Cultural Rights", "JS3"), several joined with ``|`` ("JS1|JS4"); "It", "He",
  "The same Committee", "the same Special Rapporteur" are resolved to the body named
  before, an office named by its role ("The Ombudsman recommended ...",
  ``data/gazetteers/roles.tsv``) to the body named before that holds it, else to itself. "X and Y made
  similar recommendations" adds X and Y to the sources of the recommendation
  just before it in the paragraph. A passive report ("It was recommended
  that ...") has no source; its ``body`` then comes from the footnote.
- ``body``: compilations: the UN body, normalised (CCPR, CESCR, UNHCR, ILO,
  the mandate's full title ...; ``data/gazetteers/un_bodies.tsv``). Summaries:
  ``civil society``, ``NHRI``, ``Council of Europe``, ``OSCE``, ``European
  Union`` (``data/gazetteers/stakeholder_bodies.tsv``).
- ``text``: the recommendation without the reporting frame and without
  footnote markers. "recommended that Slovenia ratify X" and "urged Slovenia
  to ratify X" both become "Ratify X", with ``addressee`` "Slovenia" (also
  "the Government", "the authorities", ...). Other forms keep their wording
  after the verb, first letter capitalised: "that disaggregated data be
  collated" -> "Disaggregated data be collated", "recommended introducing
  protocols" -> "Introducing protocols". No final full stop.
- ``position`` is always unknown; ``follow_up`` is set under a heading about
  follow-up ("Specific recommendations for follow-up").

Every numbered paragraph, whether it reports recommendations or not, is also
one :class:`~rectrack.extractors.records.EvidenceParagraph` of
``Segmented.evidence``, with who says it
(:mod:`~rectrack.extractors.segment.compilation.evidence`) and the previous
review's recommendations its heading's footnote cites
(:mod:`~rectrack.extractors.segment.compilation.citations`; a note that cannot
be read is a ``citation`` problem).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rectrack.extractors.records import BlockKind, Document, DocumentInfo, Problem, Recommendation
from rectrack.extractors.segment import Segmented
from rectrack.extractors.segment.compilation.citations import heading_citations
from rectrack.extractors.segment.compilation.evidence import collect_evidence
from rectrack.extractors.segment.compilation.paragraphs import Paragraph, collect_footnotes, collect_paragraphs
from rectrack.extractors.segment.compilation.reports import Report, find_reports
from rectrack.extractors.segment.compilation.sources import (
    CIVIL_SOCIETY, Mention, Recogniser, Resolver, StakeholderRules, note_bodies, stakeholder_names,
    stakeholder_recogniser, un_recogniser,
)
from rectrack.extractors.segment.compilation.subjects import sentence_mentions
from rectrack.extractors.text.sentences import Sentence, split_sentences


@dataclass(slots=True)
class _Context:
    """What the segmenter knows while it walks through one document."""

    recogniser: Recogniser
    resolver: Resolver
    footnotes: dict[int, str]
    country: str
    stakeholders: dict[str, str] | None = None     # acronym -> full name (summaries only)


def _body_of(context: _Context, names: list[str], bodies: list[str], heading: str) -> str:
    if context.stakeholders is None:
        return "|".join(dict.fromkeys(b for b in bodies if b))
    rules = StakeholderRules.load()
    # A name the summary does not spell out ("Human Rights Ombudsman", named as a subject) is its own full name.
    found = [rules.body(name, context.stakeholders.get(name) or name, heading) for name in names]
    return "|".join(dict.fromkeys(found)) or CIVIL_SOCIETY


def _recommendation(report: Report, paragraph: Paragraph, sentence: Sentence, context: _Context) -> Recommendation:
    names = [m.name for m in report.sources]
    bodies = [m.body for m in report.sources]
    if not names:   # passive ("It was recommended that"): the footnote says who
        numbers = [n for at, n in paragraph.markers if sentence.start < at <= sentence.end + 1]
        bodies = note_bodies(context.footnotes, numbers) if context.stakeholders is None else []
    return Recommendation(
        paragraph=paragraph.number, text=report.text, page=paragraph.page,
        body=_body_of(context, names, bodies, paragraph.heading),
        source="|".join(dict.fromkeys(names)), heading=paragraph.heading, addressee=report.addressee,
        follow_up="follow-up" in paragraph.heading.casefold(),
    )


def _similar(previous: Recommendation, report: Report, context: _Context, heading: str) -> Recommendation:
    """``previous`` with the sources of "X and Y made similar recommendations" added."""
    names = [*previous.source.split("|"), *(m.name for m in report.sources)]
    names = list(dict.fromkeys(n for n in names if n))
    bodies = [*previous.body.split("|"), *(m.body for m in report.sources)]
    return replace(previous, source="|".join(names), body=_body_of(context, names, bodies, heading))


def _paragraph_recommendations(paragraph: Paragraph, context: _Context) -> tuple[list[Recommendation], list[Problem]]:
    rows: list[Recommendation] = []
    problems: list[Problem] = []
    speaker: list[Mention] = []     # the source of the last report in this paragraph
    addressee = context.country
    for sentence in split_sentences(paragraph.text):
        mentions = context.resolver.read(sentence_mentions(sentence.text, context.recogniser))
        for report in find_reports(sentence.text, mentions, speaker, addressee, context.country):
            if report.similar:
                if rows:
                    rows[-1] = _similar(rows[-1], report, context, paragraph.heading)
                continue
            if not report.sources and not report.passive:
                problems.append(Problem(
                    document="", page=paragraph.page, kind="unknown_source",
                    reason=f"paragraph {paragraph.number}: could not tell who made the recommendation "
                           f"\"{sentence.text[:120]}\"",
                    action="fill in the source of this row by hand: the paragraph before it, or the "
                           "footnote citing the submission, says who made it",
                ))
            rows.append(_recommendation(report, paragraph, sentence, context))
            speaker = list(report.sources) or speaker
            addressee = report.addressee or addressee
        if not speaker and mentions:
            speaker = [mentions[0]]      # "CoE-Commissioner noted ... The authorities should ..."
    return rows, problems


def _segment(document: Document, context: _Context, family: str) -> Segmented:
    paragraphs = collect_paragraphs(document)
    if not paragraphs:
        return Segmented(problems=(Problem(
            document="", kind="no_numbered_paragraphs",
            reason=f"no numbered paragraphs (\"1. ...\", \"2. ...\") found in this {family}",
            action="check that the file is the complete document with a text layer; "
                   "extract its recommendations by hand if it is laid out differently",
        ),))
    rows: list[Recommendation] = []
    problems: list[Problem] = []
    for paragraph in paragraphs:
        found, trouble = _paragraph_recommendations(paragraph, context)
        rows.extend(found)
        problems.extend(trouble)
    if not rows:
        problems.append(Problem(
            document="", kind="no_reported_recommendations",
            reason=f"{len(paragraphs)} numbered paragraphs read, but none reports a recommendation "
                   f"(\"... recommended that\", \"urged ... to\", \"called on ... to\") in this {family}",
            action="check that the file is the complete document; if it does report recommendations "
                   "in other words, add them to the tracker by hand",
        ))
    citations, unread = heading_citations(paragraphs, context.footnotes)
    evidence = collect_evidence(paragraphs, context.recogniser, context.footnotes,
                                summary=context.stakeholders is not None, citations=citations)
    return Segmented(tuple(rows), (*problems, *unread), evidence=evidence)


def segment_compilation(document: Document, info: DocumentInfo) -> Segmented:
    """Every recommendation an OHCHR compilation (A/HRC/WG.6/…/2) reports, in document order, and
    every numbered paragraph as evidence (speaker: the UN bodies it names or cites, else "UN").

    Returns no recommendations and one problem when the document has no
    numbered paragraphs or none of them reports a recommendation; a row whose
    author cannot be told gets an ``unknown_source`` problem, a heading's
    footnote whose cited paragraphs cannot all be read a ``citation`` problem.
    """
    context = _Context(un_recogniser(), Resolver(), collect_footnotes(document), info.country)
    return _segment(document, context, "UN compilation")


def segment_stakeholder_summary(document: Document, info: DocumentInfo) -> Segmented:
    """Every recommendation a summary of stakeholders' submissions (…/3) reports, in order, and every
    numbered paragraph as evidence (speaker: the stakeholders it names or cites, else "NGO").

    Stakeholders are recognised by the acronyms the summary defines (footnote
    1 and "(HRORS)" in the text). Problems as for :func:`segment_compilation`.
    """
    footnotes = collect_footnotes(document)
    body_text = " ".join(b.text for b in document.blocks if b.kind is not BlockKind.FOOTNOTE)
    names = stakeholder_names(body_text, footnotes.get(1, ""))
    context = _Context(stakeholder_recogniser(names), Resolver(), footnotes, info.country, names)
    return _segment(document, context, "summary of stakeholders' submissions")
