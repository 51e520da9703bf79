"""Binary structural causal models: a DAG, one conditional probability table per node, exact enumeration.

A model of ``n`` nodes (0..n-1, in topological order) is fully described by its parent lists and, per
node, ``P(node = 1 | parents)`` for every parent configuration. Probabilities are computed exactly by
enumerating all ``2**n`` joint states (``n <= 9``: at most 512), never by sampling.

Besides ``do()`` interventions, :meth:`SCM.joint` takes *edge views*: the value a node's CPT reads for a
given parent, overriding the parent's actual value. That is how the nested counterfactuals of natural
direct and indirect effects (``Y_{x', M_x}``) are enumerated in a Markovian model: the mediators read
``X = x`` while every other child of ``X`` reads ``X = x'``.

Graph helpers (descendants, d-separation, the adjustment criterion) use bitmasks over the node indices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

Assignment = Mapping[int, int]
"""Node index -> value (0 or 1)."""


@lru_cache(maxsize=16)
def state_bits(n: int) -> np.ndarray:
    """``(2**n, n)`` array of 0/1: row ``s`` holds the node values of joint state ``s`` (bit ``i`` = node ``i``)."""
    states = np.arange(2**n, dtype=np.int64)
    bits = (states[:, None] >> np.arange(n, dtype=np.int64)[None, :]) & 1
    bits.setflags(write=False)
    return bits


@dataclass(frozen=True)
class SCM:
    """A binary SCM in topological order.

    Attributes:
        parents: ``parents[i]`` lists node ``i``'s parents (all ``< i``), in increasing order.
        cpts: ``cpts[i][k]`` is ``P(node i = 1 | parents)`` where bit ``j`` of ``k`` is the value of
            ``parents[i][j]``.
    """

    parents: tuple[tuple[int, ...], ...]
    cpts: tuple[tuple[float, ...], ...]
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for i, (pa, cpt) in enumerate(zip(self.parents, self.cpts, strict=True)):
            if any(p >= i for p in pa) or list(pa) != sorted(set(pa)):
                raise ValueError(f"node {i}: parents {pa} must be sorted, distinct and < {i} (topological order)")
            if len(cpt) != 2 ** len(pa) or not all(0.0 < p < 1.0 for p in cpt):
                raise ValueError(f"node {i}: needs {2 ** len(pa)} probabilities strictly inside (0, 1), got {cpt}")

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.parents)

    @property
    def edges(self) -> list[tuple[int, int]]:
        """Every edge ``(parent, child)``, ordered by child then parent."""
        return [(p, i) for i in range(self.n) for p in self.parents[i]]

    def children(self, node: int) -> list[int]:
        """The children of ``node``, increasing."""
        return [i for i in range(self.n) if node in self.parents[i]]

    def joint(
        self, do: Assignment | None = None, views: Mapping[tuple[int, int], int] | None = None
    ) -> np.ndarray:
        """The joint distribution over all ``2**n`` states, shape ``(2**n,)``.

        Args:
            do: interventions ``{node: value}``; an intervened node ignores its CPT.
            views: ``{(parent, child): value}``: the CPT of ``child`` reads ``value`` for ``parent``
                whatever the parent's actual value (edge-specific settings for nested counterfactuals).
        """
        key = (tuple(sorted((do or {}).items())), tuple(sorted((views or {}).items())))
        if key not in self._cache:
            self._cache[key] = self._enumerate(do or {}, views or {})
        return self._cache[key]

    def p(self, event: Assignment, given: Assignment | None = None, do: Assignment | None = None) -> float:
        """``P(event | given)``, under ``do(...)`` when given; marginals are cached per model.

        >>> SCM(((), (0,)), ((0.5,), (0.2, 0.8))).p({1: 1}, {0: 1})
        0.8
        """
        do_key = tuple(sorted(do.items())) if do else ()
        if given:
            num = self._marginal(tuple(sorted({**given, **event}.items())), do_key, do)
            return num / self._marginal(tuple(sorted(given.items())), do_key, do)
        return self._marginal(tuple(sorted(event.items())), do_key, do)

    def p_term(self, event: tuple[tuple[int, int], ...], given: tuple[tuple[int, int], ...] = ()) -> float:
        """Observational ``P(event | given)`` from sorted ``(node, value)`` tuples (the fast path of :meth:`p`)."""
        if given:
            return self._marginal(tuple(sorted(event + given)), (), None) / self._marginal(given, (), None)
        return self._marginal(event, (), None)

    def _marginal(self, event: tuple[tuple[int, int], ...], do_key: tuple, do: Assignment | None) -> float:
        key = ("m", do_key, event)
        cached = self._cache.get(key)
        if cached is None:
            joint = self.joint(do=do)
            cached = self._cache[key] = float(joint @ _event_mask(self.n, event)) if event else 1.0
        return cached

    def _enumerate(self, do: Assignment, views: Mapping[tuple[int, int], int]) -> np.ndarray:
        bits = state_bits(self.n)
        factors = self._factors()
        prob = np.ones(2**self.n)
        for i in range(self.n):
            if i in do:
                prob *= bits[:, i] == do[i]
            elif views and any((p, i) in views for p in self.parents[i]):
                idx = np.zeros(2**self.n, dtype=np.int64)
                for j, p in enumerate(self.parents[i]):
                    column = views[(p, i)] if (p, i) in views else bits[:, p]
                    idx = idx | (np.asarray(column, dtype=np.int64) << j)
                p1 = self._cache["cpts"][i][idx]
                prob *= np.where(bits[:, i] == 1, p1, 1.0 - p1)
            else:
                prob *= factors[i]
        prob.setflags(write=False)
        return prob

    def _factors(self) -> list[np.ndarray]:
        """Per node, ``P(node = its value in the state | parents' values in the state)`` for every state."""
        if "factors" not in self._cache:
            bits = state_bits(self.n)
            cpts = self._cache["cpts"] = [np.asarray(cpt) for cpt in self.cpts]
            factors = []
            for i, idx in enumerate(_parent_index(self.parents)):
                p1 = cpts[i][idx]
                factors.append(np.where(bits[:, i] == 1, p1, 1.0 - p1))
            self._cache["factors"] = factors
        return self._cache["factors"]


@lru_cache(maxsize=4096)
def _parent_index(parents: tuple[tuple[int, ...], ...]) -> list[np.ndarray]:
    """Per node, the CPT row index of every joint state (bit ``j`` = the value of parent ``j``)."""
    bits = state_bits(len(parents))
    out = []
    for pa in parents:
        idx = np.zeros(2 ** len(parents), dtype=np.int64)
        for j, p in enumerate(pa):
            idx |= bits[:, p] << j
        out.append(idx)
    return out


@lru_cache(maxsize=256)
def _value_mask(n: int, node: int, value: int) -> np.ndarray:
    out = state_bits(n)[:, node] == value
    out.setflags(write=False)
    return out


@lru_cache(maxsize=8192)
def _event_mask(n: int, event: tuple[tuple[int, int], ...]) -> np.ndarray:
    keep = np.ones(2**n, dtype=bool)
    for node, value in event:
        keep &= _value_mask(n, node, value)
    out = keep.astype(np.float64)
    out.setflags(write=False)
    return out


def mask(joint: np.ndarray, n: int, event: Assignment) -> np.ndarray:
    """0/1 float mask of the states where every node of ``event`` has its value (``joint @ mask`` sums)."""
    return _event_mask(n, tuple(sorted(event.items())))


def prob(joint: np.ndarray, n: int, event: Assignment, given: Assignment | None = None) -> float:
    """``P(event | given)`` under ``joint``; raises ``ZeroDivisionError`` when ``P(given) = 0``."""
    den = float(joint @ mask(joint, n, given)) if given else 1.0
    num = float(joint @ mask(joint, n, {**given, **event} if given else event))
    if den <= 0.0:
        raise ZeroDivisionError(f"P({given}) is 0")
    return num / den


def configs(nodes: Sequence[int]) -> list[dict[int, int]]:
    """Every 0/1 assignment of ``nodes`` (first node varies slowest).

    >>> configs([3, 5])
    [{3: 0, 5: 0}, {3: 0, 5: 1}, {3: 1, 5: 0}, {3: 1, 5: 1}]
    """
    out: list[dict[int, int]] = [{}]
    for node in nodes:
        out = [{**c, node: v} for c in out for v in (0, 1)]
    return out


# --- graph helpers over parent lists ------------------------------------------------------------------


def _bit(nodes: Iterable[int]) -> int:
    out = 0
    for node in nodes:
        out |= 1 << node
    return out


def nodes_of(bitmask: int) -> list[int]:
    """The node indices set in ``bitmask``, increasing."""
    return [i for i in range(bitmask.bit_length()) if bitmask >> i & 1]


def frozen_graph(parents: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
    """``parents`` as a tuple of tuples (hashable, for the caches); tuples pass through."""
    if type(parents) is tuple and (not parents or type(parents[0]) is tuple):
        return parents  # type: ignore[return-value]
    return tuple(tuple(pa) for pa in parents)


@lru_cache(maxsize=4096)
def _parent_masks(parents: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    return tuple(_bit(pa) for pa in parents)


@lru_cache(maxsize=65536)
def _descendants(parents: tuple[tuple[int, ...], ...], sources: int) -> int:
    reach = sources
    for i, pmask in enumerate(_parent_masks(parents)):  # topological order: one pass suffices
        if pmask & reach:
            reach |= 1 << i
    return reach


@lru_cache(maxsize=65536)
def _ancestors(parents: tuple[tuple[int, ...], ...], targets: int) -> int:
    reach = targets
    pmasks = _parent_masks(parents)
    for i in reversed(range(len(parents))):
        if reach >> i & 1:
            reach |= pmasks[i]
    return reach


def descendants(parents: Sequence[Sequence[int]], sources: Iterable[int]) -> int:
    """Bitmask of ``sources`` and every node reachable from them by directed edges."""
    return _descendants(frozen_graph(parents), _bit(sources))


def ancestors(parents: Sequence[Sequence[int]], targets: Iterable[int]) -> int:
    """Bitmask of ``targets`` and every node with a directed path into them."""
    return _ancestors(frozen_graph(parents), _bit(targets))


def mediators(parents: Sequence[Sequence[int]], x: int, y: int) -> list[int]:
    """Nodes strictly between ``x`` and ``y`` on some directed path ``x -> ... -> y``."""
    between = descendants(parents, [x]) & ancestors(parents, [y]) & ~_bit([x, y])
    return nodes_of(between)


def has_path(parents: Sequence[Sequence[int]], x: int, y: int) -> bool:
    """True when a directed path leads from ``x`` to ``y`` (``x != y``)."""
    return x != y and bool(descendants(parents, [x]) >> y & 1)


def d_separated(parents: Sequence[Sequence[int]], xs: Iterable[int], ys: Iterable[int], zs: Iterable[int]) -> bool:
    """``xs`` and ``ys`` are d-separated by ``zs`` (moralised ancestral graph test)."""
    xs, ys, zs = list(xs), list(ys), list(zs)
    keep = ancestors(parents, [*xs, *ys, *zs])
    n = len(parents)
    adj = [0] * n
    for i in nodes_of(keep):
        pa = list(parents[i])
        for p in pa:
            adj[i] |= 1 << p
            adj[p] |= 1 << i
        for a in pa:  # marry co-parents
            for b in pa:
                if a != b:
                    adj[a] |= 1 << b
    blocked = _bit(zs)
    seen = _bit(xs) & ~blocked
    frontier = seen
    targets = _bit(ys)
    while frontier:
        if frontier & targets:
            return False
        nxt = 0
        for i in nodes_of(frontier):
            nxt |= adj[i]
        nxt &= keep & ~blocked & ~seen
        seen |= nxt
        frontier = nxt
    return True


def without_edges(
    parents: Sequence[Sequence[int]], removed: set[tuple[int, int]]
) -> tuple[tuple[int, ...], ...]:
    """Parent lists with the edges ``(parent, child)`` in ``removed`` taken out."""
    return tuple(tuple(p for p in pa if (p, i) not in removed) for i, pa in enumerate(parents))


def valid_adjustment(
    parents: Sequence[Sequence[int]], treatments: Sequence[int], outcome: int, zs: Sequence[int]
) -> bool:
    """The adjustment criterion for ``P(outcome | do(treatments))`` with a set ``zs`` of non-descendants.

    ``zs`` must hold no descendant of any treatment (a stricter rule than Shpitser et al.'s, which keeps the
    formula ``sum_z P(y | t, z) P(z)`` exact) and block every proper non-causal path from the treatments to
    the outcome: d-separation in the graph without the first edge of each proper causal path.
    """
    treat = _bit(treatments)
    if descendants(parents, treatments) & _bit(zs):
        return False
    # proper causal paths leave the treatment set once: nodes reachable from a treatment child without
    # re-entering the set, that reach the outcome
    outside = tuple(tuple(pa) if not (treat >> i & 1) else () for i, pa in enumerate(parents))
    first = {(t, c) for t in treatments for c in range(len(parents)) if t in parents[c] and not treat >> c & 1}
    removed = set()
    for t, c in first:
        if c == outcome or has_path(outside, c, outcome):
            removed.add((t, c))
    return d_separated(without_edges(parents, removed), treatments, [outcome], zs)
