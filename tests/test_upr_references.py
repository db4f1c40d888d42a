"""First-cycle UPR reports: recommendations listed by reference, and States inside an item.

Expectations are read off two real reports in ``tests/fixtures/upr/`` (see the
README there): Pakistan 2008 (A/HRC/8/42) and Chile 2014 (A/HRC/26/5).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from rectrack.extractors.detect import detect_document
from rectrack.extractors.read import read_document
from rectrack.extractors.records import Position
from rectrack.extractors.segment import segment_document
from rectrack.extractors.segment.upr.items import ItemPart, split_item
from rectrack.extractors.segment.upr.references import Reference, parse_references

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "upr"


@lru_cache(maxsize=None)
def _rows(name: str):
    document = read_document(FIXTURES / name)
    return segment_document(document, detect_document(document))


@pytest.mark.parametrize("lead, expected", [
    # A/HRC/8/42 (Pakistan), paragraph 108
    ("Pakistan considers that recommendations contained in paragraphs 23(b) and (f), 27(b), 30(b) and (d), "
     "43(c), and 62(b) and (e) in chapter II above are neither universally recognized human rights",
     [Reference("23", ("b", "f")), Reference("27", ("b",)), Reference("30", ("b", "d")), Reference("43", ("c",)),
      Reference("62", ("b", "e"))]),
    # A/HRC/10/71 (Burundi), paragraph 83
    ("Burundi takes note of the recommendations reflected in paragraphs 23, 24 (b), 26 (a), 27, 30, 31, 32 (b), "
     "33 (a) and (b), 35 (c) and (d)",
     [Reference("23"), Reference("24", ("b",)), Reference("26", ("a",)), Reference("27"), Reference("30"),
      Reference("31"), Reference("32", ("b",)), Reference("33", ("a", "b")), Reference("35", ("c", "d"))]),
    # A/HRC/10/83 (Uzbekistan), paragraph 107
    ("Uzbekistan considers that the recommendations contained in paragraphs 33 (a, b), 39 (a), are not acceptable",
     [Reference("33", ("a", "b")), Reference("39", ("a",))]),
    # A/HRC/8/29 (Algeria), paragraph 70
    ("Other recommendations noted in the report in paragraphs 45, 55, 56, last sentence, and 63 above did not "
     "enjoy the support of Algeria.",
     [Reference("45"), Reference("55"), Reference("56", (), "last"), Reference("63")]),
    ("the recommendations in paragraph 12 (b)-(d)", [Reference("12", ("b", "c", "d"))]),
    ("recommendations 121.3 and 121.4 enjoy the support", []),
])
def test_references_are_read_off_the_lead_in(lead, expected):
    assert parse_references(lead) == expected


def test_referred_recommendations_come_from_the_dialogue_pakistan_2008():
    """Paragraph 108 of A/HRC/8/42 rejects eight lettered recommendations of chapter II:
    23 (b), (f) by Canada (page 6), 27 (b) by Belgium, 30 (b), (d) by the United Kingdom
    (page 7), 43 (c) by Switzerland (page 9), 62 (b), (e) by the Czech Republic (page 12)."""
    referred = [r for r in _rows("pakistan2008.pdf").recommendations if "." not in r.paragraph]
    assert [(r.paragraph, r.recommending_states[0], r.page) for r in referred] == [
        ("23 (b)", "Canada", 6), ("23 (f)", "Canada", 6), ("27 (b)", "Belgium", 7),
        ("30 (b)", "United Kingdom of Great Britain and Northern Ireland", 7),
        ("30 (d)", "United Kingdom of Great Britain and Northern Ireland", 7),
        ("43 (c)", "Switzerland", 9), ("62 (b)", "Czech Republic", 12), ("62 (e)", "Czech Republic", 12)]
    assert {r.position for r in referred} == {Position.NOTED}
    assert referred[0].text == ("Repeal provisions of the Hadood Ordinances that criminalize non-marital "
                                "consensual sex and fail to recognize marital rape")
    assert referred[2].text.startswith("Review the legislation on blasphemy")
    assert referred[3].text == ("Review the death penalty with the intention of introducing a moratorium "
                                "and abolishing it")


def test_position_of_a_list_comes_from_the_paragraph_after_it_pakistan_2008():
    """106: "the following recommendations were made to Pakistan:" (no position);
    107: "Pakistan has noted these recommendations for consideration and response in due time"."""
    segmented = _rows("pakistan2008.pdf")
    listed = [r for r in segmented.recommendations if r.paragraph.startswith("106.")]
    assert {r.position for r in listed} == {Position.PENDING}
    assert {r.paragraph for r in listed} == {f"106.{n}" for n in range(1, 44)}   # the last item printed is 43.
    assert not [p for p in segmented.problems if p.kind == "unknown_position"]


def test_each_state_of_a_merged_item_gets_its_own_part_pakistan_2008():
    """106.1: "To remove restrictions ... minorities (Canada) and effectively protect ... non-Muslim
    citizens (Greece) and the repeal of laws discriminating against non-Muslims, if any (Denmark);"."""
    rows = [r for r in _rows("pakistan2008.pdf").recommendations if r.paragraph == "106.1"]
    assert [r.recommending_states for r in rows] == [("Canada",), ("Greece",), ("Denmark",)]
    assert rows[0].text.endswith("against persons belonging to minorities")
    assert rows[1].text.startswith("Effectively protect and satisfy the unimpeded exercise")


def test_states_inside_an_item_chile_2014():
    """121.6 of A/HRC/26/5: "Ratify the Optional Protocol to the Convention on the Elimination of All
    Forms of Discrimination against Women (Austria, Belgium, Madagascar, Paraguay, Slovakia), signed
    by Chile in 1999 (Spain);"."""
    rows = [r for r in _rows("chile2014.pdf").recommendations if r.paragraph == "121.6"]
    optional_protocol = ("Ratify the Optional Protocol to the Convention on the Elimination of All Forms of "
                         "Discrimination against Women")
    assert [(r.text, r.recommending_states) for r in rows] == [
        (optional_protocol, ("Austria", "Belgium", "Madagascar", "Paraguay", "Slovakia")),
        (f"{optional_protocol}, signed by Chile in 1999", ("Spain",))]


@pytest.mark.parametrize("item, expected", [
    # A/HRC/16/8 (Andorra), 84.2
    ("Sign and ratify the Convention on Economic, Social and Cultural Rights (France, Netherlands) as well as "
     "the Optional Protocols thereto (Portugal);",
     [ItemPart("Sign and ratify the Convention on Economic, Social and Cultural Rights", ("France", "Netherlands")),
      ItemPart("Sign and ratify the Convention on Economic, Social and Cultural Rights as well as the Optional "
               "Protocols thereto", ("Portugal",))]),
    # A/HRC/18/13 (Greece), 84.5: Brazil said the whole, Armenia the part after "Consider"
    ("Consider (Brazil) ratifying the Optional Protocol to the Convention against Torture (Armenia, Brazil);",
     [ItemPart("Consider ratifying the Optional Protocol to the Convention against Torture", ("Armenia", "Brazil"))]),
    # A/HRC/10/71 (Burundi), 80.2: Argentina goes on with "and accept"
    ("Consider ratifying the International Convention for the Protection of All Persons from Enforced "
     "Disappearance (Mexico, Argentina) and accept the competence of the relevant committee (Argentina);",
     [ItemPart("Consider ratifying the International Convention for the Protection of All Persons from Enforced "
               "Disappearance", ("Mexico",)),
      ItemPart("Consider ratifying the International Convention for the Protection of All Persons from Enforced "
               "Disappearance and accept the competence of the relevant committee", ("Argentina",))]),
])
def test_states_inside_an_item(item, expected):
    assert split_item(item) == expected
