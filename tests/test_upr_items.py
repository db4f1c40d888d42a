"""Splitting one UPR item into recommendations and recommending States."""

from __future__ import annotations

from hypothesis import given, strategies as st

from rectrack.extractors.segment.upr.items import ItemPart, split_item
from rectrack.extractors.reference.states import state_names


def test_one_recommendation_two_states():
    assert split_item("Ratify OP-CAT (France) (Lithuania);") == [ItemPart("Ratify OP-CAT", ("France", "Lithuania"))]


def test_semicolon_separated_states():
    assert split_item("Ratify the Rome Statute of the ICC (Chile); (Estonia); (Slovenia);") == [
        ItemPart("Ratify the Rome Statute of the ICC", ("Chile", "Estonia", "Slovenia"))]


def test_several_recommendations():
    parts = split_item("Abolish the criminal provisions on defamation (Canada); Abolish criminal "
                       "provisions on defamation and insult (Australia);")
    assert parts == [ItemPart("Abolish the criminal provisions on defamation", ("Canada",)),
                     ItemPart("Abolish criminal provisions on defamation and insult", ("Australia",))]


def test_parenthesis_that_is_not_a_state_stays_in_the_text():
    parts = split_item("Withdraw its reservations to CAT (arts. 21 and 22) and ratify OP-CAT (Portugal);")
    assert parts == [ItemPart("Withdraw its reservations to CAT (arts. 21 and 22) and ratify OP-CAT", ("Portugal",))]


def test_nested_parenthesis_state():
    assert split_item("Ratify CRPD (Iran (Islamic Republic of)).") == [
        ItemPart("Ratify CRPD", ("Iran (Islamic Republic of)",))]


def test_closing_remark_after_the_last_state_is_dropped():
    parts = split_item("That Algeria pursue the peace process (Jordan). With respect to special "
                       "procedures, Algeria will consider the requests")
    assert parts == [ItemPart("That Algeria pursue the peace process", ("Jordan",))]


def test_item_without_states_is_kept_whole():
    assert split_item("Continue its efforts.") == [ItemPart("Continue its efforts", ())]
    assert split_item("  ;  ") == []


@given(st.lists(st.tuples(st.text(alphabet="abcdefghij ,", min_size=1, max_size=40).filter(lambda t: t.strip(" ,;.")),
                          st.lists(st.sampled_from(state_names()), min_size=1, max_size=3, unique=True)),
                min_size=1, max_size=4))
def test_split_recovers_every_state_and_text(recommendations):
    item = "; ".join(text + " " + " ".join(f"({s})" for s in states) for text, states in recommendations) + ";"
    parts = split_item("Do " + item)
    assert [p.states for p in parts] == [tuple(states) for _, states in recommendations]
    for part in parts:
        assert "(" not in part.text
