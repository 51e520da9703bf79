"""Seeded synthetic structural causal models: random DAGs, mechanisms, noise and perfect interventions.

Follows the CauScale / DCDI generator (CDT's ``DagGenerator``; OpenCausaLab/CauScale @9d4766b,
``data/data_generation/synthetic/``), re-implemented in numpy:

- **Graphs**: ``er`` (random causal order; each node draws Binomial(#earlier nodes, p) parents with
  ``p = 2 * degree / (n - 1)``, so the expected edge count is ``degree * n``) and ``sf`` (the same parent
  counts, parents drawn with probability proportional to out-degree + 1: preferential attachment on
  out-degree). ``degree`` is the expected number of edges per node (CauScale's convention, 1-4).
- **Mechanisms**: in distribution ``linear`` (weights U(0.25, 1) with a random sign), ``nn_add`` (additive
  MLP, 10 PReLU units), ``nn`` (non-additive MLP on ``[parents, noise]``, 20 tanh units); out of
  distribution ``sigmoid_add`` (CDT's additive sigmoid), ``polynomial`` (degree 2 per parent with U(0, 1)
  coefficients, each parent's term clipped to [-1, 1], **additive** noise: the published test mechanism) and
  ``polynomial_mix`` (the same terms times the noise, the published multiplicative variant). MLP weights are
  N(0, 1), biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (torch's default, which the published generator keeps).
- **Noise**: ``gaussian`` with standard deviation ``0.4 * sqrt(U(0, 1) + 1)`` drawn per node **and per
  regime** (the published ``variable_normal_noise`` draws it on every call, one call per regime);
  ``laplace`` with the same standard deviations and ``cauchy`` with the same scales (out of distribution).
- **Roots**: U(-1, 1) (``root="uniform"``, CauScale) or their own noise (``root="noise"``: a strictly
  linear-Gaussian model with ``mechanism="linear"``).
- **Interventions**: perfect single-node ``do`` regimes; a row's intervened variable is drawn from U(-1, 1)
  (the published ``--struct-interv-distr uniform``; ``intervention="shifted_normal"`` gives DCDI's N(2, 1))
  and its mechanism ignored; the mask marks it. :func:`regime_mask` splits rows as the published generator
  does: ``m // (k + 1)`` observational rows **last**, the rest evenly over the ``k`` targets (the first
  ones take the remainder), targets in random order.
- **Test protocol** (:data:`TEST_SIZES`, :data:`TEST_MECHANISMS`): the published 140 test sets are ER graphs,
  1000 rows, every node intervened on once plus the observational regime, 5 graphs per (n, |E|) and
  mechanism; :func:`published_test_set` samples one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cauarena.envs.causal.graphs import topological_order

GRAPH_KINDS = ("er", "sf")
MECHANISMS = ("linear", "nn_add", "nn", "sigmoid_add", "polynomial", "polynomial_mix")
NOISES = ("gaussian", "laplace", "cauchy")
ROOTS = ("uniform", "noise")
INTERVENTIONS = ("uniform", "shifted_normal")
"""Values of an intervened variable: U(-1, 1) (published) or N(2, 1) (DCDI's ``shifted_normal``)."""
TEST_SIZES = ((10, 10), (20, 80), (50, 200), (100, 400), (250, 500), (500, 1000), (1000, 2000))
"""``(n, |E|)`` of the published test sets (ER; expected degree ``|E| / n``)."""
TEST_MECHANISMS = ("linear", "nn", "sigmoid_add", "polynomial")
"""Mechanisms of the published test sets (``sigmoid_add`` and ``polynomial`` out of distribution)."""
TEST_ROWS = 1000
"""Rows of every published test set."""
TEST_GRAPHS = 5
"""Graphs per (size, mechanism) in the published test sets: 7 x 4 x 5 = 140 sets."""
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


def sample_noise(kind: str, scale: float | np.ndarray, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` draws of ``kind`` noise: Gaussian/Laplace with standard deviation ``scale``, Cauchy with scale.

    ``scale`` is one number or one per row.
    """
    if kind == "gaussian":
        return scale * rng.standard_normal(m)
    if kind == "laplace":
        return rng.laplace(0.0, 1.0, size=m) * (np.asarray(scale) / np.sqrt(2.0))
    if kind == "cauchy":
        return scale * rng.standard_cauchy(m)
    raise ValueError(f"unknown noise {kind!r}; expected one of {NOISES}")


def _torch_bias(fan_in: int, size: int, rng: np.random.Generator) -> np.ndarray:
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=size)


def _linear(k: int, rng: np.random.Generator) -> Mechanism:
    weights = rng.uniform(0.25, 1.0, size=k) * rng.choice([-1.0, 1.0], size=k)
    return lambda x, e: x @ weights + e


def _nn_add(k: int, rng: np.random.Generator, hidden: int = 10, slope: float = 0.25) -> Mechanism:
    w1, b1 = rng.standard_normal((k, hidden)), _torch_bias(k, hidden, rng)
    w2, b2 = rng.standard_normal(hidden), _torch_bias(hidden, 1, rng)[0]

    def f(x: np.ndarray, e: np.ndarray) -> np.ndarray:
        h = x @ w1 + b1
        return np.where(h > 0, h, slope * h) @ w2 + b2 + e

    return f


def _nn(k: int, rng: np.random.Generator, hidden: int = 20) -> Mechanism:
    w1, b1 = rng.standard_normal((k + 1, hidden)), _torch_bias(k + 1, hidden, rng)
    w2, b2 = rng.standard_normal(hidden), _torch_bias(hidden, 1, rng)[0]
    return lambda x, e: np.tanh(np.column_stack([x, e]) @ w1 + b1) @ w2 + b2


def _sigmoid_add(k: int, rng: np.random.Generator) -> Mechanism:
    a = rng.exponential(0.25) + 1.0
    b = rng.uniform(0.5, 2.0) * rng.choice([-1.0, 1.0])
    c = rng.uniform(-2.0, 2.0)

    def f(x: np.ndarray, e: np.ndarray) -> np.ndarray:
        z = b * (x + c)
        return (a * z / (1.0 + np.abs(z))).sum(axis=1) + e

    return f


def _polynomial_terms(k: int, rng: np.random.Generator) -> Callable[[np.ndarray], np.ndarray]:
    coefficients = rng.uniform(0.0, 1.0, size=(3, k))

    def effect(x: np.ndarray) -> np.ndarray:
        terms = coefficients[0] + coefficients[1] * x + coefficients[2] * x**2
        return np.clip(terms, -1.0, 1.0).sum(axis=1)

    return effect


def _polynomial(k: int, rng: np.random.Generator) -> Mechanism:
    effect = _polynomial_terms(k, rng)
    return lambda x, e: effect(x) + e


def _polynomial_mix(k: int, rng: np.random.Generator) -> Mechanism:
    effect = _polynomial_terms(k, rng)
    return lambda x, e: effect(x) * e


_MECHANISMS: dict[str, Callable[[int, np.random.Generator], Mechanism]] = {
    "linear": _linear,
    "nn_add": _nn_add,
    "nn": _nn,
    "sigmoid_add": _sigmoid_add,
    "polynomial": _polynomial,
    "polynomial_mix": _polynomial_mix,
}


def make_mechanism(kind: str, n_parents: int, rng: np.random.Generator) -> Mechanism:
    """A random mechanism of ``kind`` for a node with ``n_parents`` parents (parameters drawn once)."""
    if kind not in _MECHANISMS:
        raise ValueError(f"unknown mechanism {kind!r}; expected one of {MECHANISMS}")
    return _MECHANISMS[kind](n_parents, rng)


def intervention_targets(n: int, interventions: float, rng: np.random.Generator) -> np.ndarray:
    """Distinct single-node targets in random order: ``interventions`` nodes (an int) or that fraction of ``n``."""
    count = interventions if isinstance(interventions, int) else int(round(float(interventions) * n))
    return rng.choice(n, size=min(count, n), replace=False).astype(np.int64)


def regime_rows(m: int, k: int) -> list[int]:
    """Rows per regime as the published generator splits them: ``k`` interventional regimes, then one observational.

    The observational regime gets ``m // (k + 1)`` rows; the other rows are split evenly over the ``k``
    targets, the first ones taking the remainder. Without targets every row is observational.

    >>> regime_rows(1000, 100)[:2], regime_rows(1000, 100)[-1], sum(regime_rows(1000, 100))
    ([10, 10], 9, 1000)
    """
    if k == 0:
        return [m]
    observational = m // (k + 1)
    interventional = m - observational
    return [interventional // k + (1 if i < interventional % k else 0) for i in range(k)] + [observational]


def regime_mask(m: int, n: int, targets: np.ndarray) -> np.ndarray:
    """``int8 [m, n]`` mask: one regime per target (in the given order), then the observational regime last."""
    mask = np.zeros((m, n), dtype=np.int8)
    bounds = np.cumsum([0, *regime_rows(m, len(targets))])
    for index, target in enumerate(targets):
        mask[bounds[index] : bounds[index + 1], target] = 1
    return mask


def regime_index(mask: np.ndarray) -> np.ndarray:
    """``int64 [m]``: rows with the same intervention pattern share an index (0, 1, ... by first appearance)."""
    _, first, inverse = np.unique(mask, axis=0, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(first.size)
    return rank[np.asarray(inverse).ravel()]


def _intervened_values(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "uniform":
        return rng.uniform(-1.0, 1.0, size=size)
    if kind == "shifted_normal":
        return rng.normal(2.0, 1.0, size=size)
    raise ValueError(f"unknown intervention {kind!r}; expected one of {INTERVENTIONS}")


def simulate_scm(
    adj: np.ndarray,
    m: int,
    rng: np.random.Generator,
    *,
    mechanism: str = "linear",
    noise: str = "gaussian",
    root: str = "uniform",
    mask: np.ndarray | None = None,
    intervention: str = "uniform",
) -> np.ndarray:
    """Sample ``m`` rows from a random SCM on the DAG ``adj`` (ancestral sampling, vectorised over rows).

    Args:
        adj: ``[n, n]`` DAG, ``[i, j] = 1`` for ``i -> j``.
        m: rows.
        rng: the generator every parameter and draw comes from.
        mechanism: one of :data:`MECHANISMS`.
        noise: one of :data:`NOISES`.
        root: ``uniform`` (roots U(-1, 1)) or ``noise`` (roots are their own noise).
        mask: ``int8 [m, n]``; where 1, the variable is set by a perfect intervention. Rows with the same
            pattern form a regime; each regime draws its own noise scales (None: one observational regime).
        intervention: distribution of intervened values, one of :data:`INTERVENTIONS`.

    Returns:
        ``float64 [m, n]``, clipped to +-:data:`CLIP`.
    """
    n = adj.shape[0]
    order = topological_order(adj)
    if order is None:
        raise ValueError("simulate_scm needs a DAG; the adjacency matrix has a cycle")
    if intervention not in INTERVENTIONS:
        raise ValueError(f"unknown intervention {intervention!r}; expected one of {INTERVENTIONS}")
    regimes = np.zeros(m, dtype=np.int64) if mask is None else regime_index(mask)
    scales = np.stack([noise_scales(n, rng) for _ in range(int(regimes.max()) + 1)])  # [regimes, n]
    data = np.zeros((m, n))
    for node in order:
        parents = np.flatnonzero(adj[:, node])
        e = sample_noise(noise, scales[regimes, node], m, rng)
        if parents.size == 0:
            values = rng.uniform(-1.0, 1.0, size=m) if root == "uniform" else e
        else:
            values = make_mechanism(mechanism, parents.size, rng)(data[:, parents], e)
        values = np.clip(np.nan_to_num(values, nan=0.0, posinf=CLIP, neginf=-CLIP), -CLIP, CLIP)
        if mask is not None and mask[:, node].any():
            rows = mask[:, node] != 0
            values[rows] = _intervened_values(intervention, int(rows.sum()), rng)
        data[:, node] = values
    return data


def published_test_set(
    n: int, edges: int, mechanism: str, rng: np.random.Generator, m: int = TEST_ROWS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One dataset of the published test protocol: ``(data [m, n], mask [m, n], adjacency [n, n])``.

    An ER DAG with ``edges`` expected edges, every node intervened on once (random order, U(-1, 1) values),
    then the observational regime of ``m // (n + 1)`` rows; raw (unstandardised) values, as in the files.
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown mechanism {mechanism!r}; expected one of {MECHANISMS}")
    if not 0 < edges <= n * (n - 1) // 2:
        raise ValueError(f"edges must be in (0, n (n - 1) / 2] = (0, {n * (n - 1) // 2}]; got {edges!r}")
    adj = random_dag("er", n, edges / n, rng)
    mask = regime_mask(m, n, intervention_targets(n, n, rng))
    return simulate_scm(adj, m, rng, mechanism=mechanism, mask=mask), mask, adj
