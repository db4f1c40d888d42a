"""Find the recommendations one sentence of a compilation reports, and who made them.

Three forms count as reporting a recommendation:

- a recommending verb with its author: "X recommended that ...", "urged ...
  to", "called on/upon/for", "encouraged", "requested", "invited", "asked",
  "reiterated its call on", "put forward recommendations to";
- the same verb in the passive, with no author: "It was recommended that",
  "Slovenia was called upon to";
- a "should" clause, reported ("CoE-GRETA considered that Slovenia should
  ...") or standing after a report of the same author ("The authorities
  should ..."), but not in a relative clause ("which should") nor under
  "Despite"/"Although"/"While", nor about "These measures".

"as recommended during the second review" and "recommended by" do not count.
A sentence with two coordinated verbs ("She called on the Government to X,
and encouraged it to Y") gives two reports; "X made similar recommendations"
gives a report marked ``similar`` (its sources join the report before it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rectrack.extractors.segment.compilation.sources import Mention
from rectrack.extractors.segment.compilation.subjects import REPORTING_VERBS, names_no_one

_ACTIVE = re.compile(rf"\b(?:{REPORTING_VERBS})\b")
_NOT_ACTIVE = re.compile(r"\b(?:as|was|were|is|are|be|been|being)\s+(?:\w+\s+)?$")
_PASSIVE = re.compile(r"\b(?:was|were|has been|have been|is|are)\s+(?:also\s+|further\s+)?"
                      r"(?:recommended|urged|called\s+(?:on|upon)|requested|encouraged|invited|asked)\b")
_SIMILAR = re.compile(r"\bmade\s+similar\s+recommendations?\b")
_COORDINATED = re.compile(r"(?:,\s*|\s+)and\s+(?:also\s+|further\s+)?$")
_SHOULD = re.compile(r"(?<!\bwhich )(?<!\bwho )(?<!\bthat )\bshould\b")
_SHOULD_LEAD = re.compile(r"^(?P<lead>.*?\b(?:considered|stated|noted|concluded|added|believed|said|stressed|"
                          r"emphasized|underlined|(?:expressed|was of) (?:its|the) view))\s+that\s+(?P<clause>.+)$")
_NOT_A_REPORT = re.compile(r"^(?:Despite|Although|While|Whereas|Even|If|Unless)\b|^(?:This|These|Such|That|Those)\b")
_TRAILING = re.compile(r"(?:\s*,|\s+(?:also|further|strongly|nonetheless|therefore|again|consequently|"
                       r"in\s+\d{4}))\s*$")
_GAP = re.compile(r"^\)?(?:\s+in\s+\d{4})?\s*(?:,\s*and|,|and)\s+(?:[^(),]*\(\s*)?$")
_TAIL = re.compile(r"^[\s)]*$")
_NOT_A_VERB = r"(?!(?:be|is|are|was|were|had|has|have|should|could|would|may|might)\b)"


@dataclass(frozen=True, slots=True)
class Report:
    """One reported recommendation of a sentence."""

    sources: tuple[Mention, ...]
    text: str = ""
    addressee: str = ""
    passive: bool = False
    similar: bool = False


def _addressees(country: str) -> str:
    names = [r"[Tt]he\s+(?:State\s+party|State|[Gg]overnment|country|"
             r"(?:central\s+|local\s+|relevant\s+|competent\s+|national\s+)?authorities)", r"[Ii]t"]
    if country:
        names.insert(0, re.escape(country))
    return "|".join(names)


def _capitalised(text: str) -> str:
    text = text.strip().rstrip(" .;,:")
    text = re.sub(r"(?:,\s*|\s+)and$", "", text).strip()
    return text[:1].upper() + text[1:]


def normalise(rest: str, previous: str, country: str) -> tuple[str, str]:
    """(text, addressee) of what follows a recommending verb.

    "that Slovenia ratify X" and "Slovenia to ratify X" -> ("Ratify X",
    "Slovenia"); "it" as addressee is the previous addressee. Anything else
    keeps its wording, capitalised, without a leading "that".
    """
    rest = rest.strip()
    addressee = _addressees(country)
    if match := re.match(rf"that\s+({addressee})\s+(?:should\s+)?{_NOT_A_VERB}(.+)$", rest, re.DOTALL):
        text, who = match.group(2), match.group(1)
    elif match := re.match(rf"({addressee})\s*,?\s*(?:inter alia\s*,?\s*)?(not\s+)?to\s+(.+)$", rest, re.DOTALL):
        text, who = (match.group(2) or "") + match.group(3), match.group(1)
    elif match := re.match(rf"({addressee})\s+should\s+{_NOT_A_VERB}(.+)$", rest, re.DOTALL):
        text, who = match.group(2), match.group(1)
    else:
        return _capitalised(re.sub(r"^that\s+", "", rest)), ""
    who = previous if who.casefold() == "it" else re.sub(r"^The\b", "the", " ".join(who.split()))
    return _capitalised(text), who


def subject(prefix: str, mentions: list[Mention], speaker: list[Mention]) -> tuple[Mention, ...]:
    """Who the verb after ``prefix`` belongs to.

    The names standing right before the verb ("The Human Rights Committee
    and the Committee on Economic, Social and Cultural Rights", "CESCR in
    2006 and HR Committee in 2005"), else the first body the sentence names
    ("CoE-Commissioner welcomed ... and encouraged"), else ``speaker``,
    unless the subject is one that names no one ("Several NGOs"): then none.
    """
    while (trimmed := _TRAILING.sub("", prefix)) != prefix:
        prefix = trimmed
    before = [m for m in mentions if m.end <= len(prefix)]
    if before and _TAIL.match(prefix[before[-1].end:]):
        run = [before[-1]]
        for mention in reversed(before[:-1]):
            if not _GAP.match(prefix[mention.end:run[0].start]):
                break
            run.insert(0, mention)
        return tuple(run)
    if before:
        return (before[0],)
    if names_no_one(prefix):
        return ()           # "Several NGOs recommended": not the speaker before, and no one named
    return tuple(speaker)


def _active_reports(sentence: str, mentions: list[Mention], speaker: list[Mention],
                    previous: str, country: str) -> list[Report]:
    verbs = [m for m in _ACTIVE.finditer(sentence) if not _NOT_ACTIVE.search(sentence[:m.start()])]
    if not verbs:
        return []
    # A later verb starts a new report only when coordinated with the one before ("..., and encouraged").
    starts = [verbs[0]] + [v for v in verbs[1:] if _COORDINATED.search(sentence[:v.start()])]
    sources = subject(sentence[:starts[0].start()], mentions, speaker)
    reports = []
    for index, verb in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(sentence)
        text, previous = normalise(sentence[verb.end():end], previous, country)
        reports.append(Report(sources, text, previous))
    return reports


def _should_report(sentence: str, mentions: list[Mention], speaker: list[Mention],
                   previous: str, country: str) -> list[Report]:
    if not _SHOULD.search(sentence) or _NOT_A_REPORT.search(sentence):
        return []
    if lead := _SHOULD_LEAD.match(sentence):
        clause = lead.group("clause")
        sources = subject(lead.group("lead"), mentions, speaker) if mentions else tuple(speaker)
        if _NOT_A_REPORT.search(clause) or not _SHOULD.search(clause):
            return []
    else:
        clause, sources = sentence, tuple(speaker)
    if not sources:
        return []          # a "should" nobody is said to have said: the Office's own narrative
    text, addressee = normalise(clause, previous, country)
    return [Report(sources, text, addressee)]


def find_reports(sentence: str, mentions: list[Mention], speaker: list[Mention],
                 previous: str, country: str = "") -> list[Report]:
    """The recommendations ``sentence`` reports, in order (usually zero or one).

    ``mentions`` are the sentence's resolved mentions, ``speaker`` the
    author of the paragraph's last report (for "The authorities should ..."),
    ``previous`` the last addressee (for "encouraged it to").
    """
    if similar := _SIMILAR.search(sentence):
        return [Report(subject(sentence[:similar.start()], mentions, []), similar=True)]
    if reports := _active_reports(sentence, mentions, speaker, previous, country):
        return reports
    if passive := _PASSIVE.search(sentence):
        rest = sentence[passive.end():]
        who = sentence[:passive.start()].strip()
        if re.match(r"\s*to\s", rest) and re.fullmatch(_addressees(country), who):
            return [Report((), _capitalised(rest.strip()[3:]), who, passive=True)]
        text, addressee = normalise(rest, previous, country)
        return [Report((), text, addressee, passive=True)]
    return _should_report(sentence, mentions, speaker, previous, country)
