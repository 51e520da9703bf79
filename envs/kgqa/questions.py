"""Questions of 1 to 3 hops generated from paths of the world, with held-out relation compositions.

A question follows a chain of relations from a topic entity: "What is the country of the birthplace of the author
of The Stegi Cycle?" walks ``author -> born_in -> located_in``. A *composition* is a pair of relations that follow
each other in a chain; a seeded share of the possible pairs is held out (:func:`heldout_pairs`). A multi-hop
question is in the ``test`` split when its chain composes at least one held-out pair, else in ``train``; a one-hop
question (a single fact) is in ``test`` for a seeded fifth of the facts. So a model trained on ``train`` questions
never saw the relations of a held-out pair composed, though it may know each fact on its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from cauarena.envs.kgqa.world import KnowledgeWorld

SPLITS = ("train", "test", "all")
LETTERS = ("A", "B", "C", "D")
HELDOUT_SHARE = 0.3
"""Share of the composable relation pairs held out of training."""
ONE_HOP_TEST_SHARE = 0.2
"""Share of the single facts whose one-hop question is in the test split."""


@dataclass(frozen=True)
class Question:
    """One question and its truth.

    Attributes:
        topic: the entity the question names.
        relations: the relation chain, first hop first.
        path: the entities along the chain: ``topic, ..., answer`` (``len(relations) + 1`` of them).
        text: the question sentence.
        options: four answer options (the answer among them) for multiple choice; empty for short answer.
        heldout: the chain composes a held-out pair (multi-hop) or the fact is held out (one hop).
    """

    topic: str
    relations: tuple[str, ...]
    path: tuple[str, ...]
    text: str
    options: tuple[str, ...]
    heldout: bool

    @property
    def answer(self) -> str:
        """The gold answer entity."""
        return self.path[-1]

    @property
    def hops(self) -> int:
        """The number of hops (relations) of the question."""
        return len(self.relations)

    @property
    def answer_letter(self) -> str:
        """The letter of the gold option (``""`` for short answer)."""
        return LETTERS[self.options.index(self.answer)] if self.options else ""


def _stable(*parts: str) -> float:
    """A number in [0, 1) fixed by ``parts`` (not Python's salted ``hash``)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def composable_pairs(world: KnowledgeWorld) -> list[tuple[str, str]]:
    """Relation pairs ``(r1, r2)`` a chain can compose: some tail of ``r1`` is a head of ``r2``.

    Typed worlds compare types; loaded (untyped) worlds look at the data. Pairs that undo themselves on every
    head (``capital`` then ``located_in`` returns to the same country) are left out.
    """
    heads: dict[str, set[str]] = {}
    tails_of: dict[str, set[str]] = {}
    for triple in world.triples:
        heads.setdefault(triple.relation, set()).add(triple.head)
        tails_of.setdefault(triple.relation, set()).add(triple.tail)
    pairs = []
    for r1 in world.relations.values():
        tails = tails_of.get(r1.name, set())
        for r2 in world.relations.values():
            if r1.tail_type and r2.head_type and r1.tail_type != r2.head_type:
                continue
            if not tails & heads.get(r2.name, set()) or _returns(world, r1.name, r2.name):
                continue
            pairs.append((r1.name, r2.name))
    return sorted(pairs)


def _returns(world: KnowledgeWorld, r1: str, r2: str) -> bool:
    starts = [t.head for t in world.triples if t.relation == r1]
    return all(set(world.tails(m, r2) for m in world.tails(h, r1)) <= {(h,)} for h in starts)


def heldout_pairs(world: KnowledgeWorld, seed: int = 0) -> frozenset[tuple[str, str]]:
    """The seeded :data:`HELDOUT_SHARE` of :func:`composable_pairs` never composed in training (at least one)."""
    pairs = composable_pairs(world)
    ranked = sorted(pairs, key=lambda p: _stable(str(seed), *p))
    return frozenset(ranked[: max(1, round(HELDOUT_SHARE * len(pairs)))])


def chains(world: KnowledgeWorld, hops: int, pairs: list[tuple[str, str]] | None = None) -> list[tuple[str, ...]]:
    """Every relation chain of ``hops`` relations whose neighbours are composable (``pairs``, computed if None)."""
    pairs = composable_pairs(world) if pairs is None else pairs
    result = [(r,) for r in sorted(world.relations)]
    for _ in range(hops - 1):
        result = [c + (r2,) for c in result for (r1, r2) in pairs if r1 == c[-1]]
    return result


def is_heldout(chain: tuple[str, ...], topic: str, held: frozenset[tuple[str, str]], seed: int = 0) -> bool:
    """Whether a question belongs to the test split (see the module docstring)."""
    if len(chain) == 1:
        return _stable(str(seed), "fact", topic, chain[0]) < ONE_HOP_TEST_SHARE
    return any(pair in held for pair in zip(chain, chain[1:], strict=False))


def question_text(world: KnowledgeWorld, topic: str, chain: tuple[str, ...]) -> str:
    """``What is the <noun of the last hop> of the <...> of <topic>?``."""
    phrase = topic
    for relation in chain:
        phrase = f"the {world.relations[relation].noun} of {phrase}"
    return f"What is {phrase}?"


def follow(world: KnowledgeWorld, topic: str, chain: tuple[str, ...]) -> tuple[str, ...] | None:
    """The one path of ``chain`` from ``topic``, or None when a hop has no tail or several (ambiguous)."""
    path = [topic]
    for relation in chain:
        tails = world.tails(path[-1], relation)
        if len(tails) != 1:
            return None
        path.append(tails[0])
    return tuple(path)


def distractors(world: KnowledgeWorld, relation: str, answer: str, rng: np.random.Generator) -> list[str]:
    """Three wrong options of the answer's kind: same type, else other tails of ``relation``, else anything."""
    kind = world.entities[answer]
    pool = [e for e in (world.of_type(kind) if kind else world.tails_of(relation)) if e != answer]
    if len(pool) < 3:
        pool += [e for e in world.entities if e != answer and e not in pool]
    chosen = rng.choice(len(pool), size=3, replace=False)
    return [pool[int(i)] for i in chosen]


def make_question(world: KnowledgeWorld, topic: str, chain: tuple[str, ...], rng: np.random.Generator, *,
                  choices: bool, held: frozenset[tuple[str, str]], seed: int = 0) -> Question | None:
    """The question of ``chain`` from ``topic``; None when the path is ambiguous or revisits an entity."""
    path = follow(world, topic, chain)
    if path is None or len(set(path)) != len(path):
        return None
    options: tuple[str, ...] = ()
    if choices:
        shuffled = [path[-1], *distractors(world, chain[-1], path[-1], rng)]
        options = tuple(shuffled[int(i)] for i in rng.permutation(4))
    return Question(topic, chain, path, question_text(world, topic, chain), options,
                    is_heldout(chain, topic, held, seed))


class QuestionSpace:
    """The questions of one world: composable pairs, held-out pairs and chains, computed once.

    Args:
        world: the knowledge world.
        seed: the seed of the held-out pairs and facts.
        max_hops: the longest chain.
    """

    def __init__(self, world: KnowledgeWorld, seed: int = 0, max_hops: int = 3) -> None:
        self.world, self.seed = world, seed
        self.pairs = composable_pairs(world)
        self.held = heldout_pairs(world, seed)
        self.chains = {h: chains(world, h, self.pairs) for h in range(1, max_hops + 1)}
        self.starts: dict[str, list[str]] = {}
        for triple in world.triples:
            self.starts.setdefault(triple.relation, []).append(triple.head)
        self.starts = {r: sorted(set(heads)) for r, heads in self.starts.items()}

    def sample(self, rng: np.random.Generator, *, hops: tuple[int, ...], split: str, choices: bool,
               tries: int = 400) -> Question:
        """A random question of the split: a hop count from ``hops``, a chain, a topic; retried until one fits.

        Raises:
            ValueError: no question of the split was found in ``tries`` draws (a tiny or disconnected world).
        """
        for _ in range(tries):
            options = self.chains.get(hops[int(rng.integers(len(hops)))], [])
            if not options:
                continue
            chain = options[int(rng.integers(len(options)))]
            starts = self.starts[chain[0]]
            topic = starts[int(rng.integers(len(starts)))]
            if split != "all" and is_heldout(chain, topic, self.held, self.seed) != (split == "test"):
                continue
            question = make_question(self.world, topic, chain, rng, choices=choices, held=self.held, seed=self.seed)
            if question is not None:
                return question
        raise ValueError(f"no {split} question of {hops} hops found in {tries} draws; the world may be too small "
                         "or its relations never compose")


__all__ = ["HELDOUT_SHARE", "LETTERS", "SPLITS", "Question", "QuestionSpace", "chains", "composable_pairs",
           "distractors", "follow", "heldout_pairs", "is_heldout", "make_question", "question_text"]
