"""Taxonomy files: they load, validate, and map every label the sample matrices print."""

import shutil
from pathlib import Path

import pytest

from rectrack.extractors.classify.taxonomies import TAXONOMY_DIR, load_taxonomies, normalise_wording
from rectrack.extractors.errors import TaxonomyError
from rectrack.extractors.pipeline import process_document
from rectrack.extractors.records import GivenLabel

MATRICES = Path(__file__).resolve().parents[1] / "data" / "samples" / "matrices"
RATIFICATION = "Ratification of & accession to international instruments"


@pytest.fixture(scope="module")
def tax():
    return load_taxonomies()


def test_files_load(tax):
    assert len(tax.themes.labels) == 104       # 100 UHRI themes + 4 printed by 2025 thematic lists
    assert len(tax.groups.labels) == 35
    assert tax.sdgs.names == tuple(str(goal) for goal in range(1, 18))
    assert "Conditions of detention" in tax.themes.names
    assert all(label.keywords for label in tax.groups.labels)


@pytest.mark.parametrize(("given", "expected"), [
    (GivenLabel("themes", "A12 Acceptance of international norms"), (("themes", RATIFICATION),)),
    (GivenLabel("themes", "2.1. Acceptance of international norms"), (("themes", RATIFICATION),)),
    (GivenLabel("themes", "Acceptance of international norms"), (("themes", RATIFICATION),)),
    (GivenLabel("themes", "Conditions of detention"), (("themes", "Conditions of detention"),)),
    (GivenLabel("themes", "Budget &resources (for human rights implementation)"),
     (("themes", "Budget & resources (for human rights implementation)"),)),
    (GivenLabel("themes", "H1 Human rights defenders"), (("groups", "Human rights defenders & activists"),)),
    (GivenLabel("groups", "general"), ()),
    (GivenLabel("groups", "women"), (("groups", "Women & girls"),)),
    (GivenLabel("sdgs", "16 - PEACE, JUSTICE AND STRONG INSTITUTIONS"), (("sdgs", "16"),)),
    (GivenLabel("sdgs", "18 - NOT A GOAL"), ()),
    (GivenLabel("themes", "Something nobody mapped"), ()),
])
def test_to_2025(tax, given, expected):
    assert tax.to_2025(given) == expected


def test_normalise_wording():
    assert normalise_wording("D33 Arbitrary arrest and detention") == "arbitrary arrest and detention"
    assert normalise_wording("13.1. Liberty & security – general") == "liberty and security general"


def test_every_label_of_the_sample_matrices_is_mapped(tax):
    printed = {given for path in sorted(MATRICES.glob("*.docx"))
               for rec in process_document(path, MATRICES).recommendations for given in rec.given_labels}
    assert len(printed) > 200
    assert sorted((g.taxonomy, g.label) for g in printed if tax.unmapped(g)) == []


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("uhri_wordings.tsv", "detention\tConditions of detention\t", "detention\tConditions of detentions\t", "line 50: unknown themes"),
    ("upr_info_issues_map.tsv", "Death penalty\tDeath penalty\t\t16", "Death penalty\tDeath penalty\t\t18",
     "line 11: unknown sdgs"),
    ("uhri_themes.tsv", "Reservations\t80600\t16", "Reservations\t80600\t99", "line 10: unknown sdgs"),
])
def test_unknown_label_names_file_and_line(tmp_path, file, old, new, message):
    directory = tmp_path / "taxonomies"
    shutil.copytree(TAXONOMY_DIR, directory)
    text = (directory / file).read_text(encoding="utf-8")
    assert old in text
    (directory / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message) as error:
        load_taxonomies(directory)
    assert file in str(error.value)


def test_missing_file_is_named(tmp_path):
    shutil.copytree(TAXONOMY_DIR, tmp_path / "t")
    (tmp_path / "t" / "sdgs.tsv").unlink()
    with pytest.raises(TaxonomyError, match="sdgs.tsv: taxonomy file not found"):
        load_taxonomies(tmp_path / "t")
