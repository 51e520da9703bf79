"""The knowledge world: typed entities, typed relations, triples with a text rendering, and a TSV loader.

A seeded world (:func:`build_world`) is invented from syllables, so no pretrained model knows any of it and what
a model knows is exactly what it was taught. :func:`load_tsv` reads a user's own triples (``head<TAB>relation<TAB>
tail`` per line) into the same :class:`KnowledgeWorld`, so a real knowledge graph works the same way. Either is
addressed by a small JSON-safe spec (:func:`world_from_spec`), which the env shows agents in ``info["world"]``:
the world is public knowledge, like Wikidata; only each episode's question and answer are the env's.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from cauarena.errors import ConfigError


@dataclass(frozen=True)
class Relation:
    """A typed relation and its text renderings.

    Attributes:
        name: identifier (``born_in``).
        head_type: entity type of the head (``person``; ``""`` when untyped, as in a loaded TSV).
        tail_type: entity type of the tail.
        fact: sentence template of a fact, with ``{head}`` and ``{tail}``.
        noun: the tail as a noun phrase of the head: ``birthplace`` in "the birthplace of X".
    """

    name: str
    head_type: str
    tail_type: str
    fact: str
    noun: str


@dataclass(frozen=True)
class Triple:
    """One fact: ``(head, relation, tail)``."""

    head: str
    relation: str
    tail: str


SCHEMA: tuple[Relation, ...] = (
    Relation("born_in", "person", "city", "{head} was born in {tail}.", "birthplace"),
    Relation("citizen_of", "person", "country", "{head} is a citizen of {tail}.", "country of citizenship"),
    Relation("works_for", "person", "organisation", "{head} works for {tail}.", "employer"),
    Relation("field", "person", "field", "{head} works in {tail}.", "field of work"),
    Relation("located_in", "city", "country", "{head} is a city in {tail}.", "country"),
    Relation("capital", "country", "city", "The capital of {head} is {tail}.", "capital"),
    Relation("language", "country", "language", "The official language of {head} is {tail}.", "official language"),
    Relation("head_of_state", "country", "person", "The head of state of {head} is {tail}.", "head of state"),
    Relation("headquarters", "organisation", "city", "{head} has its headquarters in {tail}.", "headquarters city"),
    Relation("founder", "organisation", "person", "{head} was founded by {tail}.", "founder"),
    Relation("author", "work", "person", "{head} was written by {tail}.", "author"),
    Relation("written_in", "work", "language", "{head} is written in {tail}.", "language"),
)
"""The relations of the seeded world (every one functional: one tail per head)."""

SIZES: dict[str, dict[str, int]] = {
    "default": {"person": 550, "city": 120, "country": 24, "organisation": 100, "work": 300, "language": 16,
                "field": 12},
    "tiny": {"person": 24, "city": 10, "country": 5, "organisation": 6, "work": 12, "language": 5, "field": 5},
    "small": {"person": 60, "city": 24, "country": 8, "organisation": 16, "work": 40, "language": 6, "field": 6},
}
"""Entity counts per type of the named world sizes (``default``: 1,122 entities, 3,192 triples)."""

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "st", "th", "tr")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ei", "ou")
_CODAS = ("", "", "", "n", "r", "s", "l", "m", "th")
_SUFFIX = {"country": ("ia", "and", "ova", "ora"), "city": ("ton", "burg", "mere", "holm", "ith"),
           "language": ("ic", "ish", "ese"), "organisation": (" Institute", " Works", " Guild", " Company", " Society"),
           "field": (" theory", " studies", " craft", " science")}


@dataclass
class KnowledgeWorld:
    """Entities, relations and triples, with lookups both ways.

    Attributes:
        entities: entity name -> type (``""`` when untyped).
        relations: relation name -> :class:`Relation`.
        triples: every fact, in a stable order.
        spec: the JSON-safe spec that rebuilds this world (:func:`world_from_spec`).
    """

    entities: dict[str, str]
    relations: dict[str, Relation]
    triples: tuple[Triple, ...]
    spec: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._tails: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._adjacent: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
        self._by_type: dict[str, list[str]] = defaultdict(list)
        for triple in self.triples:
            self._tails[(triple.head, triple.relation)].append(triple.tail)
            self._adjacent[triple.head].append((triple.relation, triple.tail, True))
            self._adjacent[triple.tail].append((triple.relation, triple.head, False))
        for name, kind in self.entities.items():
            self._by_type[kind].append(name)
        self._folded = {fold(name): name for name in self.entities}

    def tails(self, head: str, relation: str) -> tuple[str, ...]:
        """The tails of ``(head, relation)`` (empty when the head has no such fact)."""
        return tuple(self._tails.get((head, relation), ()))

    def neighbours(self, entity: str) -> list[tuple[str, str, bool]]:
        """``(relation, other entity, forward)`` for every fact touching ``entity`` (forward: it is the head)."""
        return self._adjacent.get(entity, [])

    def of_type(self, kind: str) -> list[str]:
        """Entities of type ``kind``, in a stable order."""
        return self._by_type.get(kind, [])

    def tails_of(self, relation: str) -> list[str]:
        """Every distinct tail of ``relation`` (the answer pool of a loaded, untyped world)."""
        return sorted({t.tail for t in self.triples if t.relation == relation})

    def lookup(self, text: str) -> str | None:
        """The entity whose name matches ``text`` up to case, spacing and a final period, else None."""
        return self._folded.get(fold(text))

    def fact_text(self, triple: Triple) -> str:
        """The sentence of one fact (``Aren Toleku was born in Velmor.``)."""
        return self.relations[triple.relation].fact.format(head=triple.head, tail=triple.tail)


def fold(text: str) -> str:
    """Case-, space- and final-period-insensitive form of a name.

    >>> fold("  The  Velmor Guild. ")
    'the velmor guild'
    """
    return " ".join(text.split()).rstrip(".").casefold()


def _word(rng: np.random.Generator, syllables: int) -> str:
    parts = [_ONSETS[rng.integers(len(_ONSETS))] + _VOWELS[rng.integers(len(_VOWELS))] for _ in range(syllables)]
    return ("".join(parts) + _CODAS[rng.integers(len(_CODAS))]).capitalize()


def _name(kind: str, rng: np.random.Generator) -> str:
    if kind == "person":
        return f"{_word(rng, 2)} {_word(rng, 2 + int(rng.integers(2)))}"
    if kind == "work":
        return f"The {_word(rng, 2)} {('Chronicle', 'Variations', 'Letters', 'Atlas', 'Cycle')[rng.integers(5)]}"
    suffixes = _SUFFIX[kind]
    return _word(rng, 2) + suffixes[rng.integers(len(suffixes))]


def _invent(sizes: dict[str, int], rng: np.random.Generator) -> dict[str, str]:
    entities: dict[str, str] = {}
    folded: set[str] = set()
    for kind, count in sizes.items():
        made = 0
        while made < count:
            name = _name(kind, rng)
            if fold(name) not in folded:
                entities[name] = kind
                folded.add(fold(name))
                made += 1
    return entities


def _facts(entities: dict[str, str], rng: np.random.Generator) -> list[Triple]:
    """One tail per head and relation, drawn so the world hangs together (capitals lie in their country)."""
    of = defaultdict(list)
    for name, kind in entities.items():
        of[kind].append(name)
    pick = lambda kind: of[kind][int(rng.integers(len(of[kind])))]  # noqa: E731
    country_of = {city: of["country"][i % len(of["country"])] for i, city in enumerate(of["city"])}
    triples = [Triple(c, "located_in", country_of[c]) for c in of["city"]]
    for country in of["country"]:
        cities = [c for c in of["city"] if country_of[c] == country]
        triples += [Triple(country, "capital", cities[0]), Triple(country, "language", pick("language"))]
    for person in of["person"]:
        city = pick("city")
        home = country_of[city] if rng.random() < 0.7 else pick("country")
        triples += [Triple(person, "born_in", city), Triple(person, "citizen_of", home),
                    Triple(person, "works_for", pick("organisation")), Triple(person, "field", pick("field"))]
    citizens = defaultdict(list)
    for t in triples:
        if t.relation == "citizen_of":
            citizens[t.tail].append(t.head)
    for country in of["country"]:
        pool = citizens[country] or of["person"]
        triples.append(Triple(country, "head_of_state", pool[int(rng.integers(len(pool)))]))
    for org in of["organisation"]:
        triples += [Triple(org, "headquarters", pick("city")), Triple(org, "founder", pick("person"))]
    for work in of["work"]:
        triples += [Triple(work, "author", pick("person")), Triple(work, "written_in", pick("language"))]
    return triples


def build_world(seed: int = 0, size: str = "default") -> KnowledgeWorld:
    """The seeded world: invented entities of seven types, the twelve relations of :data:`SCHEMA`.

    Args:
        seed: the world's seed (same seed, same world).
        size: a key of :data:`SIZES`.

    Raises:
        ConfigError: an unknown size.

    >>> world = build_world(0, "small")
    >>> len(world.triples), world.fact_text(world.triples[0]).endswith(".")
    (400, True)
    """
    if size not in SIZES:
        raise ConfigError(f"Unknown world size {size!r}. Fix: one of {', '.join(SIZES)}.")
    rng = np.random.default_rng([seed, 24])
    entities = _invent(SIZES[size], rng)
    relations = {r.name: r for r in SCHEMA}
    return KnowledgeWorld(entities, relations, tuple(_facts(entities, rng)), {"kind": "seeded", "seed": seed,
                                                                                "size": size})


def _tsv_rows(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if not row or (len(row) == 1 and not row[0].strip()) or row[0].startswith("#"):
                continue
            if len(row) != 3 or not all(cell.strip() for cell in row):
                raise ConfigError(f"{path}:{number}: expected 3 tab-separated fields (head, relation, tail), got "
                                  f"{len(row)}: {row!r:.120}. Fix: one fact per line, head<TAB>relation<TAB>tail.")
            rows.append((row[0].strip(), row[1].strip(), row[2].strip()))
    return rows


def load_tsv(path: str | Path) -> KnowledgeWorld:
    """A world from a user's triples: one ``head<TAB>relation<TAB>tail`` per line (``#`` lines are comments).

    Entities are untyped (``""``); each relation renders as ``{head} <relation words> {tail}.`` and as the noun
    ``<relation words>`` (underscores become spaces). Duplicate triples are kept once.

    Raises:
        ConfigError: a missing file, a line without exactly three non-empty fields, or no triples at all.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"No triples file at {path}. Fix: a TSV with head<TAB>relation<TAB>tail lines.")
    rows = list(dict.fromkeys(_tsv_rows(path)))
    if not rows:
        raise ConfigError(f"{path} holds no triples. Fix: one fact per line, head<TAB>relation<TAB>tail.")
    entities = {name: "" for head, _, tail in rows for name in (head, tail)}
    relations = {}
    for _, relation, _ in rows:
        words = relation.replace("_", " ")
        relations[relation] = Relation(relation, "", "", "{head} " + words + " {tail}.", words)
    triples = tuple(Triple(*row) for row in rows)
    return KnowledgeWorld(entities, relations, triples, {"kind": "tsv", "path": str(path.resolve())})


@lru_cache(maxsize=8)
def _cached(kind: str, seed: int, size: str, path: str) -> KnowledgeWorld:
    return build_world(seed, size) if kind == "seeded" else load_tsv(path)


def world_from_spec(spec: dict[str, Any]) -> KnowledgeWorld:
    """The world a spec names: ``{"kind": "seeded", "seed": 0, "size": "default"}`` or ``{"kind": "tsv", "path": ...}``.

    Worlds are cached (a few per process), so agents may call this on every episode.

    Raises:
        ConfigError: a spec of another shape.
    """
    kind = spec.get("kind") if isinstance(spec, dict) else None
    if kind == "seeded":
        return _cached("seeded", int(spec.get("seed", 0)), str(spec.get("size", "default")), "")
    if kind == "tsv" and isinstance(spec.get("path"), str):
        return _cached("tsv", 0, "", spec["path"])
    raise ConfigError(f"A world spec is {{'kind': 'seeded', 'seed': int, 'size': str}} or {{'kind': 'tsv', 'path': "
                      f"str}}; got {spec!r:.120}.")


__all__ = ["SCHEMA", "SIZES", "KnowledgeWorld", "Relation", "Triple", "build_world", "fold", "load_tsv",
           "world_from_spec"]
