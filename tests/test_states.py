"""State names: gazetteer look-up, variants, footnote markers, lists."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from rectrack.extractors.reference.states import canonical_state, find_states, parse_state_list, state_names


@pytest.mark.parametrize(("printed", "canonical"), [
    ("Czech Republic 4", "Czech Republic"),
    ("Romania*", "Romania"),
    ("Algeria ∗", "Algeria"),
    ("Poland ", "Poland"),
    ("United Kingdom", "United Kingdom of Great Britain and Northern Ireland"),
    ("The Holy See", "Holy See"),
    ("Democratic Republic of Congo", "Democratic Republic of the Congo"),
    ("Islamic Republic of Iran", "Iran (Islamic Republic of)"),
    ("Bosnia & Herzegovina", "Bosnia and Herzegovina"),
    ("Côte d’Ivoire", "Côte d'Ivoire"),
    ("Kyrgyztan", "Kyrgyzstan"),           # one typo in a long name
])
def test_variants_map_to_un_short_names(printed, canonical):
    assert canonical_state(printed) == canonical


@pytest.mark.parametrize("not_a_state", ["ICCPR-OP2", "arts. 21 and 22", "OP-CAT", "No. 174", "", "CEDAW", "Chad law"])
def test_non_states_are_refused(not_a_state):
    assert parse_state_list(not_a_state) is None


def test_lists_with_and_inside_names():
    assert parse_state_list("Algeria, Egypt, Bosnia and Herzegovina, Argentina") == (
        "Algeria", "Egypt", "Bosnia and Herzegovina", "Argentina")
    assert parse_state_list("Belgium and France") == ("Belgium", "France")
    assert parse_state_list("Trinidad and Tobago") == ("Trinidad and Tobago",)


@given(st.sampled_from(state_names()), st.sampled_from(["", " 1", "*", " 12", "  "]))
def test_every_canonical_name_is_a_fixed_point(name, marker):
    assert canonical_state(name + marker) == name


@pytest.mark.parametrize("upr_info_name, canonical", [
    # Short names the UPR Info database uses for its "From" and "To" columns (sessions 1-20)
    ("UK", "United Kingdom of Great Britain and Northern Ireland"),
    ("DPR Korea", "Democratic People's Republic of Korea"),
    ("St Kitts & Nevis", "Saint Kitts and Nevis"),
    ("St Lucia", "Saint Lucia"),
    ("Macedonia FYR", "The former Yugoslav Republic of Macedonia"),
    ("Sao Tome & Principe", "Sao Tome and Principe"),
    ("Laos", "Lao People's Democratic Republic"),
])
def test_upr_info_short_names(upr_info_name, canonical):
    assert canonical_state(upr_info_name) == canonical


def test_states_named_in_running_text():
    text = ("Referencing the Czech Republic, Belgium noted that Pakistan and Guinea-Bissau; "
            "the United Kingdom of Great Britain and Northern Ireland enquired. Niger and Nigeria")
    assert [name for _, _, name in find_states(text)] == [
        "Czech Republic", "Belgium", "Pakistan", "Guinea-Bissau",
        "United Kingdom of Great Britain and Northern Ireland", "Niger", "Nigeria"]
