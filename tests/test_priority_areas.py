"""The priority_areas rule component: the Dushanbe dialogue, rule tables, a user-edited file."""

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import rectrack.extractors.classify.priority  # noqa: F401  (registers the factory)
from rectrack.extractors.classify.taxonomies import load_priority_areas
from rectrack.extractors.errors import TaxonomyError
from rectrack.extractors.pipeline import process_document

DIALOGUE = Path(__file__).resolve().parents[1] / "data" / "samples" / "dialogue" / "human-rights-dialogue-2025-dushanbe.txt"
TORTURE = "Torture prevention (OPCAT, national preventive mechanism)"
PRISON = "Penitentiary reform and conditions of detention"
DIGITAL = "Digital technologies and access to justice"
GENDER = "Gender equality and inclusion"
CIVIL = "Civil society and human rights defenders"
LEGAL_AID = "Legal aid for vulnerable groups in detention"
DOMESTIC = "Domestic violence"
OMBUDSMAN = "Ombudsman and national human rights institution"


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("priority_areas")
    return nlp


def areas(nlp: Language, text: str) -> set[str]:
    return {key.split("::", 1)[1] for key, score in nlp(text).cats.items() if score >= 0.5}


def test_dushanbe_recommendations_land_in_their_areas(nlp):
    texts = [rec.text for rec in process_document(DIALOGUE, DIALOGUE.parent).recommendations]
    # Read from the report: 0 and 1 are general statements; 2 names all four dialogue priorities;
    # 3-4 are about torture (OPCAT, NPM); 5 digital technologies for access to justice; 6 digital
    # solutions, the penitentiary system and gender-sensitive approaches.
    expected = [set(), set(), {TORTURE, PRISON, DIGITAL, GENDER, CIVIL}, {TORTURE}, {TORTURE}, {DIGITAL},
                {PRISON, DIGITAL, GENDER}]
    assert len(texts) == 7
    assert [areas(nlp, text) for text in texts] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("", set()),
    ("   ", set()),
    ("RATIFY THE OPTIONAL PROTOCOL TO THE CONVENTION AGAINST TORTURE", {TORTURE}),
    ("Ratify OP-CAT", {TORTURE}),
    ("Ratify OPCAT and set up a national preventive mechanism", {TORTURE}),
    ("Prevent ill-treatment by the police", {TORTURE}),
    ("Improve conditions in prisons and penitentiaries", {PRISON}),
    ("Release detainees held without charge", {PRISON}),
    ("Introduce e-justice and online court hearings", {DIGITAL}),
    ("Guarantee access to justice for all", {DIGITAL}),
    ("Ensure the inclusion of persons with disabilities", {GENDER}),
    ("Promote the rights of women and girls", {GENDER}),
    ("Provide free legal aid to detainees", {LEGAL_AID, PRISON}),
    ("Provide legal aid in civil cases", set()),
    ("Criminalize domestic violence and marital rape", {DOMESTIC}),
    ("Strengthen the Ombudsman in line with the Paris Principles", {OMBUDSMAN}),
    ("Consult NGOs and protect human rights defenders", {CIVIL}),
    ("Build more roads", set()),
    ("!!! ??? 123", set()),
])
def test_rule_table(nlp, text, expected):
    assert areas(nlp, text) == expected


def test_every_area_has_a_score(nlp):
    doc = nlp("Build more roads")
    assert {key.split("::", 1)[1] for key in doc.cats} == {a.label for a in load_priority_areas()}
    assert set(doc.cats.values()) == {0.0}


def test_implied_by_earlier_components():
    @Language.component("fake_issue_scores")
    def fake(doc):
        doc.cats["issues::Torture and other CID treatment"] = 0.8
        doc.cats["themes::Conditions of detention"] = 0.3
        return doc

    nlp = spacy.blank("en")
    nlp.add_pipe("fake_issue_scores")
    nlp.add_pipe("priority_areas")
    cats = nlp("Take measures in line with the Convention").cats
    assert cats[f"priority_areas::{TORTURE}"] == pytest.approx(0.8)
    assert cats[f"priority_areas::{PRISON}"] == pytest.approx(0.3)


def test_a_new_area_in_an_edited_file_works_without_code(tmp_path):
    path = tmp_path / "priority_areas.toml"
    path.write_text('[[area]]\nlabel = "Climate"\nkeywords = ["climate change", "global warming"]\n'
                    'themes = ["Human rights & climate change"]\n', encoding="utf-8")
    nlp = spacy.blank("en")
    nlp.add_pipe("priority_areas", config={"path": str(path)})
    assert nlp("Adapt to Climate Change").cats == {"priority_areas::Climate": 1.0}
    assert nlp("Abolish torture").cats == {"priority_areas::Climate": 0.0}


@pytest.mark.parametrize(("content", "message"), [
    ("", "no .{2}area.{2} table"),
    ('[[area]]\nlabel = "X"\nkeywords = "torture"\n', "not a list"),
    ('[[area]]\nlabel = "X"\nkeywords = ["x"]\nthemes = ["Torture"]\n', "unknown themes"),
    ('[[area]]\nlabel = "X"\nkeywords = ["x"]\n[[area]]\nlabel = "X"\nkeywords = ["y"]\n', "repeated"),
    ("[[area]\n", "not valid TOML"),
])
def test_bad_files_are_refused_with_the_file_named(tmp_path, content, message):
    path = tmp_path / "areas.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message) as error:
        load_priority_areas(path)
    assert "areas.toml" in str(error.value)
