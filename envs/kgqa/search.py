"""KALE's multi-path A* over the knowledge graph, with the landmark heuristic as published.

From the question's entities to the answer, A* orders partial paths by ``f(e) = g(e) + h(e)``: ``g`` is the
number of hops so far and ``h`` the landmark bound

    h(e) = max_{i <= k} [dist(a_i, e_a) - dist(a_i, e)]^+

over ``k`` anchors ``a_i`` drawn from the ``m``-hop neighbourhood of the answer ``e_a``, with distances from a
bounded BFS around each anchor (KALE, arXiv 2601.07430, section on knowledge-induced synthesis). The graph is
searched undirected (a fact links its head and tail both ways), so the triangle inequality makes ``h`` a lower
bound on the hops left: the search is admissible, and an entity outside an anchor's BFS radius (``r >= m``) only
gives a non-positive term. Partial paths stay simple and are not closed per entity, so the search returns the
``n_paths`` cheapest distinct paths, not just one.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cauarena.envs.kgqa.world import KnowledgeWorld, Triple


@dataclass(frozen=True)
class Path:
    """One path of facts from a question entity to an answer entity.

    Attributes:
        entities: the entities along the path, start first.
        triples: the facts traversed (each as stored, head to tail, whichever way it was walked).
    """

    entities: tuple[str, ...]
    triples: tuple[Triple, ...]

    @property
    def hops(self) -> int:
        """The number of facts on the path."""
        return len(self.triples)


def bfs_distances(world: KnowledgeWorld, source: str, radius: int) -> dict[str, int]:
    """Hop distances from ``source`` to every entity within ``radius`` hops (undirected)."""
    distances = {source: 0}
    queue = deque([source])
    while queue:
        entity = queue.popleft()
        if distances[entity] == radius:
            continue
        for _, other, _ in world.neighbours(entity):
            if other not in distances:
                distances[other] = distances[entity] + 1
                queue.append(other)
    return distances


@dataclass
class Landmarks:
    """Anchors around one answer and their bounded distance maps: the heuristic ``h`` of the search.

    Attributes:
        target: the answer entity ``e_a``.
        anchors: the anchor entities.
        distances: per anchor, hop distances within its BFS radius.
    """

    target: str
    anchors: list[str]
    distances: list[dict[str, int]]

    def h(self, entity: str) -> int:
        """``max_i [dist(a_i, e_a) - dist(a_i, e)]^+`` (an entity out of an anchor's radius adds nothing)."""
        best = 0
        for table in self.distances:
            near = table.get(entity)
            if near is not None:
                best = max(best, table[self.target] - near)
        return best


def landmarks(world: KnowledgeWorld, target: str, *, k: int = 4, m: int = 2, radius: int = 6,
              rng: np.random.Generator | None = None) -> Landmarks:
    """``k`` anchors from the ``m``-hop neighbourhood of ``target``, farthest first, each with a BFS of ``radius``.

    Anchors at distance ``m`` are preferred (they bound the most); ties are broken by ``rng`` (seeded 0 if None).
    ``radius`` must be at least ``m`` for ``h`` to stay admissible; it is raised to ``m`` when smaller.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    around = bfs_distances(world, target, m)
    ranked = sorted(around, key=lambda e: (-around[e], rng.random()))
    anchors = [e for e in ranked if e != target][:k] or [target]
    tables = [bfs_distances(world, anchor, max(radius, m)) for anchor in anchors]
    return Landmarks(target, anchors, tables)


def _heuristic(marks: list[Landmarks], entity: str) -> int:
    return min(mark.h(entity) for mark in marks)


def multipath_astar(world: KnowledgeWorld, sources: Iterable[str], targets: Iterable[str], *, n_paths: int = 3,
                    max_hops: int = 4, k: int = 4, m: int = 2, max_expansions: int = 20000,
                    seed: int = 0) -> list[Path]:
    """The ``n_paths`` cheapest simple paths from any source to any target, by A* with the landmark heuristic.

    Args:
        world: the graph.
        sources: the question's entities ``E_q``.
        targets: the answer's entities ``E_a``.
        n_paths: how many distinct paths to return at most.
        max_hops: the longest path searched.
        k: anchors per target.
        m: the neighbourhood (hops around the target) anchors are drawn from.
        max_expansions: a bound on popped partial paths (hub-heavy graphs would otherwise explode).
        seed: tie-breaking among anchors.

    Returns:
        Paths in order of cost (hops), at most ``n_paths``; empty when none is within ``max_hops``.
    """
    goal = set(targets)
    starts = [s for s in dict.fromkeys(sources) if s in world.entities]
    if not goal or not starts:
        return []
    rng = np.random.default_rng(seed)
    marks = [landmarks(world, t, k=k, m=m, radius=max_hops + m, rng=rng) for t in sorted(goal)]
    frontier: list[tuple[int, int, int, tuple[str, ...], tuple[Triple, ...]]] = []
    counter = 0
    for start in starts:
        heapq.heappush(frontier, (_heuristic(marks, start), 0, counter, (start,), ()))
        counter += 1
    found: list[Path] = []
    expansions = 0
    while frontier and len(found) < n_paths and expansions < max_expansions:
        _, g, _, entities, facts = heapq.heappop(frontier)
        expansions += 1
        if entities[-1] in goal and facts:
            found.append(Path(entities, facts))
            continue
        if g >= max_hops:
            continue
        for relation, other, forward in world.neighbours(entities[-1]):
            if other in entities:
                continue
            h = _heuristic(marks, other)
            if g + 1 + h > max_hops:
                continue
            fact = Triple(entities[-1], relation, other) if forward else Triple(other, relation, entities[-1])
            heapq.heappush(frontier, (g + 1 + h, g + 1, counter, entities + (other,), facts + (fact,)))
            counter += 1
    return found


def verbalise(world: KnowledgeWorld, path: Path) -> str:
    """A path as a rationale by templates: its facts' sentences in walking order.

    >>> from cauarena.envs.kgqa.world import build_world
    >>> world = build_world(0, "small")
    >>> fact = world.triples[0]
    >>> verbalise(world, Path((fact.head, fact.tail), (fact,))) == world.fact_text(fact)
    True
    """
    return " ".join(world.fact_text(fact) for fact in path.triples)


__all__ = ["Landmarks", "Path", "bfs_distances", "landmarks", "multipath_astar", "verbalise"]
