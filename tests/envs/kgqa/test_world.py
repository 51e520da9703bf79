"""The knowledge world: seeded worlds, the TSV loader, fact sentences."""

import pytest

from cauarena.envs.kgqa import SCHEMA, build_world, load_tsv, world_from_spec
from cauarena.errors import ConfigError


def test_the_default_world_has_thousands_of_typed_functional_facts():
    world = build_world(0)
    assert len(world.triples) == 3192 and len(world.entities) == 1122
    assert {kind for kind in world.entities.values()} == {
        "person", "city", "country", "organisation", "work", "language", "field"}
    for relation in SCHEMA:
        heads = [t.head for t in world.triples if t.relation == relation.name]
        assert len(heads) == len(set(heads)), f"{relation.name} is not functional"
        assert all(world.entities[t.head] == relation.head_type and world.entities[t.tail] == relation.tail_type
                   for t in world.triples if t.relation == relation.name)


def test_capitals_lie_in_their_country():
    world = build_world(3, "small")
    for country in world.of_type("country"):
        (capital,) = world.tails(country, "capital")
        assert world.tails(capital, "located_in") == (country,)


def test_same_seed_same_world_other_seed_other_names():
    assert build_world(5, "small").triples == build_world(5, "small").triples
    assert set(build_world(5, "small").entities) != set(build_world(6, "small").entities)


def test_fact_sentences_name_head_and_tail():
    world = build_world(0, "small")
    for triple in world.triples[:50]:
        text = world.fact_text(triple)
        assert triple.head in text and triple.tail in text and text.endswith(".")


def test_tsv_loader_reads_triples_and_renders_them(tmp_path):
    path = tmp_path / "kg.tsv"
    path.write_text("# a comment\nAda\tborn_in\tLondon\nLondon\tcapital_of\tUK\nAda\tborn_in\tLondon\n\n")
    world = load_tsv(path)
    assert len(world.triples) == 2 and world.tails("Ada", "born_in") == ("London",)
    assert world.fact_text(world.triples[1]) == "London capital of UK."
    assert world_from_spec(world.spec).triples == world.triples
    assert world.lookup(" ada. ") == "Ada"


def test_tsv_loader_names_the_bad_line(tmp_path):
    path = tmp_path / "kg.tsv"
    path.write_text("Ada\tborn_in\tLondon\nonly two\tfields\n")
    with pytest.raises(ConfigError, match=r"kg.tsv:2: expected 3 tab-separated fields"):
        load_tsv(path)
    with pytest.raises(ConfigError, match="No triples file"):
        load_tsv(tmp_path / "missing.tsv")


def test_unknown_sizes_and_specs_are_refused():
    with pytest.raises(ConfigError, match="Unknown world size 'huge'"):
        build_world(0, "huge")
    with pytest.raises(ConfigError, match="A world spec is"):
        world_from_spec({"kind": "wikidata"})
