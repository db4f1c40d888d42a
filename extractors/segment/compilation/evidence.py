"""Every numbered paragraph of a compilation or stakeholders' summary as evidence, and who says it.

A compilation (…/2) and a summary (…/3) report what became of the last review's recommendations
("At the previous review, Slovenia had supported a recommendation to ...", "JS2 stated that ... had
not been implemented"). :func:`collect_evidence` turns each numbered paragraph (those of
:func:`~rectrack.extractors.segment.compilation.paragraphs.collect_paragraphs`, the ones the
recommendation walk reads) into one :class:`~rectrack.extractors.records.EvidenceParagraph`, in
document order, for the tracker to match by meaning:

- ``paragraph``, ``page``, ``heading``: as printed, the page it starts on, the innermost section
  heading; ``text`` the paragraph whole, footnote marks taken out.
- ``cited``, ``cited_report``, ``cited_by``: these documents cite the previous review's
  recommendations only in footnotes to their headings ("For relevant recommendations, see
  A/HRC/28/15, paras. 115.44–115.47, ..."), not paragraph by paragraph. A paragraph under a citing
  heading (the innermost one: :mod:`~rectrack.extractors.segment.compilation.citations`) carries its
  paragraph numbers ("115.44", "115.45", ...), the report's symbol ("A/HRC/28/15") and ``cited_by``
  "heading"; one under none, or under a citation none of whose numbers could be read, keeps ``()``,
  ``""`` and ``""``.
- ``speaker``: who says it, several joined with ``|`` in order of first appearance.

  * In a sentence, a speaker is a name (or a run of coordinated names: "HRORS and JS2", "The
    Special Rapporteur on minority issues, the Independent Expert ... and the Committee ...") that
    opens a clause (the sentence's start, or after ``,``/``;``/``:``: "In this respect, PTPR
    recommended"; a full name may come first: "The Human Rights Ombudsman of the Republic of
    Slovenia (HRORS) noted") and is followed by its verb (a lower-case word that is not a
    preposition or conjunction). "It", "He", "The same Committee" count as the body named before
    them (:class:`~rectrack.extractors.segment.compilation.sources.Resolver`), but not an
    impersonal "It was recommended", "It is a summary". Names in other places ("contributed to
    OHCHR", "that it had") are not speakers.
  * Summaries: the stakeholders so named, as printed ("JS2", "CoE-Commissioner"); when the text
    names none ("Joint Submission (JS) 1 reported"), the stakeholders the paragraph's footnotes cite
    as their source ("JS1, paras. 7 and 8."; a note that does not open with a stakeholder, and any
    "See also", are left out); else :data:`NGO`.
  * Compilations: the normalised bodies (``CCPR``, ``UNHCR``, the mandate's title;
    ``data/gazetteers/un_bodies.tsv``) of the speakers so named, then those the paragraph's
    footnotes cite by document symbol ("CCPR/C/SVN/CO/3", "UNHCR submission"; "Ibid." is the note
    before); else :data:`UN`.

A paragraph that reports recommendations gives its ``Recommendation`` rows *and* is evidence,
its text whole: a compilation paragraph often both reports ("X noted that ... had not been
implemented") and recommends, and the report is what a later step matches. A paragraph whose
speaker cannot be told gets the family's fallback speaker; the problems of footnotes that cannot be
read are :func:`~rectrack.extractors.segment.compilation.citations.heading_citations`'.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rectrack.extractors.records import EvidenceParagraph
from rectrack.extractors.segment.compilation.citations import Citation
from rectrack.extractors.segment.compilation.paragraphs import Paragraph
from rectrack.extractors.segment.compilation.reports import subject
from rectrack.extractors.segment.compilation.sources import Mention, Recogniser, Resolver, note_bodies
from rectrack.extractors.segment.compilation.subjects import is_organisation, sentence_mentions
from rectrack.extractors.text.sentences import split_sentences

UN = "UN"       # a compilation's paragraph that names no body: the Office's own narrative, or a UN source
NGO = "NGO"     # a summary's paragraph that names no stakeholder

_NOT_A_VERB = (r"(?:of|and|or|nor|but|for|on|in|to|at|by|with|from|the|a|an|as|under|against|between|into|"
               r"which|who|whose|that|where|when|while|during|through|since|about|after|before|per|via)")
# What follows a speaker: a closing bracket, its acronym, "in 2016", an adverb, then a lower-case verb.
_VERB_AFTER = re.compile(rf"\)?(?:\s*\([^()]*\))?(?:\s*,?\s+in\s+\d{{4}},?)?\s+(?!{_NOT_A_VERB}\b)(?=[a-z])")
# What may stand before a speaker in its clause: the sentence's start, or ",", ";", ":" (with any
# connective: "However, he"), then "The" and a full name whose acronym the speaker is.
_FULL_NAME = r"(?:[A-Z][\w’'./-]*\s+(?:(?:of|for|on|in|against|to|and|or|the)\s+)*)+\(\s*"
_CLAUSE_START = re.compile(rf"(?:^|[,;:][”’\"]?\s+)(?:[Tt]he\s+)?(?:{_FULL_NAME})?$")
_IMPERSONAL = re.compile(r"\s+(?:is|was|were|has\s+been|had\s+been)\b"
                         r"(?!\s+(?:also\s+|further\s+|particularly\s+|deeply\s+|seriously\s+)?concerned)")
_SEE_ALSO = re.compile(r"\bSee also\b")
# Between two names of a run, the rest of the first one's full name and the second, its acronym:
# "Partnership in Truth for Peace| and Reconcilation (|PTPR)".
_CUT = re.compile(r"\s+and\s+(?P<rest>[A-Z][^(),]*?)\s*\(\s*$")


def _speakers(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """The speakers of one sentence, in order (module docstring); ``mentions`` resolved."""
    found: list[Mention] = []
    for index, mention in enumerate(mentions):
        verb = _VERB_AFTER.match(sentence, mention.end)
        if verb is None:
            continue
        if sentence[mention.start:mention.end].casefold() == "it" and _IMPERSONAL.match(sentence, mention.end):
            continue         # "It was recommended that", "It is a summary of"
        run = subject(sentence[:verb.end()], mentions[:index + 1], [])
        if not run or run[-1] != mention:
            run = (mention,)
        if _CLAUSE_START.search(sentence[:run[0].start]):
            found.extend(_whole_names(sentence, run))
    return found


def _whole_names(sentence: str, run: Sequence[Mention]) -> list[Mention]:
    """``run`` without a name cut short at an "and" inside it, when its acronym follows in the run."""
    kept = []
    for mention, following in zip(run, [*run[1:], None]):
        cut = _CUT.match(sentence[mention.end:following.start]) if following else None
        if cut is None or is_organisation(cut.group("rest")):
            kept.append(mention)
    return kept


def _joined(names: Sequence[str]) -> str:
    """``names`` joined with "|", in order, each once; spellings that differ only by hyphens
    ("CoEECRI", "CoE-ECRI": a line-end hyphen the reader dropped) count as one, the hyphenated one kept."""
    spellings: dict[str, str] = {}
    for name in names:
        key = name.replace("-", "").casefold()
        if key not in spellings or ("-" in name and "-" not in spellings[key]):
            spellings[key] = name
    return "|".join(spellings.values())


def _note_sources(footnotes: dict[int, str], numbers: Sequence[int], recogniser: Recogniser) -> list[str]:
    """The stakeholders summary footnotes ``numbers`` cite as their source ("HRORS, para. 23 and JS2, para. 8.")."""
    names: list[str] = []
    for number in numbers:
        primary = _SEE_ALSO.split(footnotes.get(number, ""))[0].strip()
        named = [m for m in recogniser.mentions(primary) if not m.anaphor]
        if named and " " not in primary[:named[0].start]:      # opens with a source ("PRPR/JS4, para. 5.1.")
            names.extend(m.name for m in named)
    return names


def collect_evidence(paragraphs: Sequence[Paragraph], recogniser: Recogniser, footnotes: dict[int, str],
                     summary: bool, citations: Sequence[Citation]) -> tuple[EvidenceParagraph, ...]:
    """One evidence paragraph per paragraph of ``paragraphs``, in order (module docstring).

    ``recogniser`` is the family's (UN bodies, or the summary's stakeholders), ``footnotes`` the
    document's notes by number, ``summary`` whether it is a summary of stakeholders' submissions,
    ``citations`` what the headings above each paragraph cite, one per paragraph
    (:func:`~rectrack.extractors.segment.compilation.citations.heading_citations`).
    """
    resolver = Resolver()       # its own: the recommendation walk keeps its references to itself
    evidence = []
    for paragraph, citation in zip(paragraphs, citations, strict=True):
        named: list[Mention] = []
        for sentence in split_sentences(paragraph.text):
            named.extend(_speakers(sentence.text, resolver.read(sentence_mentions(sentence.text, recogniser))))
        notes = [number for _, number in paragraph.markers]
        if summary:
            speakers = [m.name for m in named] or _note_sources(footnotes, notes, recogniser) or [NGO]
        else:
            speakers = ([m.body for m in named] + note_bodies(footnotes, notes)) or [UN]
        evidence.append(EvidenceParagraph(
            paragraph=paragraph.number, page=paragraph.page, text=paragraph.text, heading=paragraph.heading,
            cited=citation.numbers, cited_report=citation.report if citation.numbers else "",
            cited_by="heading" if citation.numbers else "", speaker=_joined(speakers),
        ))
    return tuple(evidence)
