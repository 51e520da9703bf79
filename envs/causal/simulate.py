"""Seeded synthetic structural causal models: random DAGs, mechanisms, noise and perfect interventions.

Follows the CauScale / DCDI generator (CDT's ``DagGenerator``), re-implemented in numpy:

- **Graphs**: ``er`` (random causal order; each node draws Binomial(#earlier nodes, p) parents with
  ``p = 2 * degree / (n - 1)``, so the expected edge count is ``degree * n``) and ``sf`` (the same parent
  counts, parents drawn with probability proportional to out-degree + 1: preferential attachment on
  out-degree). ``degree`` is the expected number of edges per node (CauScale's convention, 1-4).
- **Mechanisms**: in distribution ``linear`` (weights U(0.25, 1) with a random sign), ``nn_add`` (additive
  MLP, 10 PReLU units), ``nn`` (non-additive MLP on ``[parents, noise]``, 20 tanh units); out of
  distribution ``sigmoid_add`` (CDT's additive sigmoid) and ``polynomial`` (degree 2 per parent, clipped
  to [-1, 1], noise additive or multiplicative with probability 1/2). MLP weights are N(0, 1).
- **Noise**: ``gaussian`` with a per-node standard deviation ``0.4 * sqrt(U(0, 1) + 1)``; ``laplace`` with
  the same standard deviations and ``cauchy`` with the same scales (out of distribution).
- **Roots**: U(-1, 1) (``root="uniform"``, CauScale) or their own noise (``root="noise"``: a strictly
  linear-Gaussian model with ``mechanism="linear"``).
- **Interventions**: perfect single-node ``do`` regimes; a row's intervened variable is redrawn from
  N(2, 1) (DCDI's shifted normal) and its mechanism ignored; the mask marks it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cauarena.envs.causal.graphs import topological_order

GRAPH_KINDS = ("er", "sf")
MECHANISMS = ("linear", "nn_add", "nn", "sigmoid_add", "polynomial")
IN_DISTRIBUTION_MECHANISMS = ("linear", "nn_add", "nn")
NOISES = ("gaussian", "laplace", "cauchy")
ROOTS = ("uniform", "noise")
CLIP = 1e30
"""Simulated values are clipped to +-CLIP so that observations stay finite (Cauchy tails)."""

Mechanism = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``f(parents [m, k], noise [m]) -> values [m]``."""


def edge_probability(n: int, degree: float) -> float:
    """ER edge probability giving ``degree * n`` expected edges (capped at 1)."""
    return min(1.0, 2.0 * degree / (n - 1)) if n > 1 else 0.0


def er_dag(n: int, degree: float, rng: np.random.Generator) -> np.ndarray:
    """An Erdos-Renyi DAG over a random causal order, ``degree * n`` edges expected."""
    return _ordered_dag(n, degree, rng, preferential=False)


def sf_dag(n: int, degree: float, rng: np.random.Generator) -> np.ndarray:
    """A scale-free DAG: ER parent counts, parents chosen proportionally to out-degree + 1."""
    return _ordered_dag(n, degree, rng, preferential=True)


def _ordered_dag(n: int, degree: float, rng: np.random.Generator, preferential: bool) -> np.ndarray:
    p = edge_probability(n, degree)
    order = rng.permutation(n)
    adj = np.zeros((n, n), dtype=np.int8)
    for position in range(1, n):
        node, earlier = order[position], order[:position]
        k = int(rng.binomial(position, p))
        if k == 0:
            continue
        weights = None
        if preferential:
            weights = adj[earlier].sum(axis=1) + 1.0
            weights = weights / weights.sum()
        parents = rng.choice(earlier, size=k, replace=False, p=weights)
        adj[parents, node] = 1
    return adj


def random_dag(kind: str, n: int, degree: float, rng: np.random.Generator, max_tries: int = 100) -> np.ndarray:
    """An ``er`` or ``sf`` DAG with at least one edge (redrawn otherwise, as CDT does)."""
    make = {"er": er_dag, "sf": sf_dag}[kind]
    for _ in range(max_tries):
        adj = make(n, degree, rng)
        if adj.any():
            return adj
    adj = np.zeros((n, n), dtype=np.int8)  # a vanishing degree: one edge so that metrics are defined
    a, b = rng.choice(n, size=2, replace=False)
    adj[min(a, b), max(a, b)] = 1
    return adj


def noise_scales(n: int, rng: np.random.Generator) -> np.ndarray:
    """Per-node noise standard deviations ``0.4 * sqrt(U(0, 1) + 1)``."""
    return 0.4 * np.sqrt(rng.uniform(0.0, 1.0, size=n) + 1.0)


def sample_noise(kind: str, scale: float, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` draws of ``kind`` noise: Gaussian/Laplace with standard deviation ``scale``, Cauchy with scale."""
    if kind == "gaussian":
        return scale * rng.standard_normal(m)
    if kind == "laplace":
        return rng.laplace(0.0, scale / np.sqrt(2.0), size=m)
    if kind == "cauchy":
        return scale * rng.standard_cauchy(m)
    raise ValueError(f"unknown noise {kind!r}; expected one of {NOISES}")


def _linear(k: int, rng: np.random.Generator) -> Mechanism:
    weights = rng.uniform(0.25, 1.0, size=k) * rng.choice([-1.0, 1.0], size=k)
    return lambda x, e: x @ weights + e


def _nn_add(k: int, rng: np.random.Generator, hidden: int = 10, slope: float = 0.25) -> Mechanism:
    w1, b1, w2 = rng.standard_normal((k, hidden)), rng.standard_normal(hidden), rng.standard_normal(hidden)

    def f(x: np.ndarray, e: np.ndarray) -> np.ndarray:
        h = x @ w1 + b1
        return np.where(h > 0, h, slope * h) @ w2 + e

    return f


def _nn(k: int, rng: np.random.Generator, hidden: int = 20) -> Mechanism:
    w1, b1, w2 = rng.standard_normal((k + 1, hidden)), rng.standard_normal(hidden), rng.standard_normal(hidden)
    return lambda x, e: np.tanh(np.column_stack([x, e]) @ w1 + b1) @ w2


def _sigmoid_add(k: int, rng: np.random.Generator) -> Mechanism:
    a = rng.exponential(0.25) + 1.0
    b = rng.uniform(0.5, 2.0) * rng.choice([-1.0, 1.0])
    c = rng.uniform(-2.0, 2.0)

    def f(x: np.ndarray, e: np.ndarray) -> np.ndarray:
        z = b * (x + c)
        return (a * z / (1.0 + np.abs(z))).sum(axis=1) + e

    return f


def _polynomial(k: int, rng: np.random.Generator) -> Mechanism:
    coefficients = rng.uniform(0.0, 1.0, size=(3, k))
    multiplicative = bool(rng.integers(2))

    def f(x: np.ndarray, e: np.ndarray) -> np.ndarray:
        terms = coefficients[0] + coefficients[1] * x + coefficients[2] * x**2
        effect = np.clip(terms, -1.0, 1.0).sum(axis=1)
        return effect * e if multiplicative else effect + e

    return f


_MECHANISMS: dict[str, Callable[[int, np.random.Generator], Mechanism]] = {
    "linear": _linear,
    "nn_add": _nn_add,
    "nn": _nn,
    "sigmoid_add": _sigmoid_add,
    "polynomial": _polynomial,
}


def make_mechanism(kind: str, n_parents: int, rng: np.random.Generator) -> Mechanism:
    """A random mechanism of ``kind`` for a node with ``n_parents`` parents (parameters drawn once)."""
    if kind not in _MECHANISMS:
        raise ValueError(f"unknown mechanism {kind!r}; expected one of {MECHANISMS}")
    return _MECHANISMS[kind](n_parents, rng)


def intervention_targets(n: int, interventions: float, rng: np.random.Generator) -> np.ndarray:
    """Distinct single-node targets: ``interventions`` nodes (an int) or that fraction of ``n`` (a float)."""
    count = interventions if isinstance(interventions, int) else int(round(float(interventions) * n))
    return np.sort(rng.choice(n, size=min(count, n), replace=False)).astype(np.int64)


def regime_mask(m: int, n: int, targets: np.ndarray) -> np.ndarray:
    """``int8 [m, n]`` mask: rows split evenly into an observational regime then one regime per target."""
    mask = np.zeros((m, n), dtype=np.int8)
    for rows, target in zip(np.array_split(np.arange(m), len(targets) + 1)[1:], targets, strict=True):
        mask[rows, target] = 1
    return mask


def simulate_scm(
    adj: np.ndarray,
    m: int,
    rng: np.random.Generator,
    *,
    mechanism: str = "linear",
    noise: str = "gaussian",
    root: str = "uniform",
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Sample ``m`` rows from a random SCM on the DAG ``adj`` (ancestral sampling, vectorised over rows).

    Args:
        adj: ``[n, n]`` DAG, ``[i, j] = 1`` for ``i -> j``.
        m: rows.
        rng: the generator every parameter and draw comes from.
        mechanism: one of :data:`MECHANISMS`.
        noise: one of :data:`NOISES`.
        root: ``uniform`` (roots U(-1, 1)) or ``noise`` (roots are their own noise).
        mask: ``int8 [m, n]``; where 1, the variable is set by a perfect intervention (N(2, 1)).

    Returns:
        ``float64 [m, n]``, clipped to +-:data:`CLIP`.
    """
    n = adj.shape[0]
    order = topological_order(adj)
    if order is None:
        raise ValueError("simulate_scm needs a DAG; the adjacency matrix has a cycle")
    scales = noise_scales(n, rng)
    data = np.zeros((m, n))
    for node in order:
        parents = np.flatnonzero(adj[:, node])
        e = sample_noise(noise, scales[node], m, rng)
        if parents.size == 0:
            values = rng.uniform(-1.0, 1.0, size=m) if root == "uniform" else e
        else:
            values = make_mechanism(mechanism, parents.size, rng)(data[:, parents], e)
        values = np.clip(np.nan_to_num(values, nan=0.0, posinf=CLIP, neginf=-CLIP), -CLIP, CLIP)
        if mask is not None and mask[:, node].any():
            rows = mask[:, node] != 0
            values[rows] = rng.normal(2.0, 1.0, size=int(rows.sum()))
        data[:, node] = values
    return data
