"""BIC verifiers for CauScientist: decomposable, intervention-aware scores of a DAG on data.

``BIC(G) = sum_i [-2 log L_i + k_i log N_i]`` (lower is better), where node ``i``'s term is fitted only on
the ``N_i`` rows in which ``i`` was *not* intervened on (CauScientist's intervention-aware BIC: a perfect
intervention cuts ``i`` off its parents, so those rows say nothing about ``P(x_i | parents)``).

- :class:`LinearGaussianBIC` (continuous data): least squares of ``x_i`` on its parents plus an intercept,
  ``-2 log L_i = N_i (log(2 pi sigma^2) + 1)``, ``k_i = |pa_i| + 2``.
- :class:`DiscreteBIC` (bnlearn data, state indices): multinomial CPT by counting,
  ``-2 log L_i = -2 sum N_ijk log(N_ijk / N_ij)``, ``k_i = (r_i - 1) q_i`` with ``r_i`` the variable's
  states and ``q_i`` its parents' joint states (cardinalities are ``max + 1`` of each column).

Local terms are cached per ``(node, parents)``, so scoring a one-edge change costs one or two fits.

>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=500); y = 2 * x + rng.normal(size=500)
>>> bic = LinearGaussianBIC(np.c_[x, y])
>>> bic.score(np.array([[0, 1], [0, 0]])) < bic.score(np.zeros((2, 2)))
True
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from cauarena.envs.causal.graphs import as_adjacency

_MIN_VARIANCE = 1e-12


class BICVerifier(ABC):
    """A decomposable BIC (lower is better) with per-node row masks and a cache of local terms.

    Args:
        data: ``[m, n]`` samples.
        interventions: ``[m, n]`` 0/1 mask; rows where node ``i`` is 1 are left out of ``i``'s term.
    """

    kind = "bic"

    def __init__(self, data: np.ndarray, interventions: np.ndarray | None = None) -> None:
        self.data = np.asarray(data, dtype=float)
        m, n = self.data.shape
        mask = np.zeros((m, n), dtype=bool) if interventions is None else np.asarray(interventions) != 0
        self.rows = [np.flatnonzero(~mask[:, i]) for i in range(n)]
        self._cache: dict[tuple[int, tuple[int, ...]], float] = {}

    @property
    def n(self) -> int:
        """How many variables the data has."""
        return self.data.shape[1]

    @property
    def cached(self) -> frozenset[tuple[int, tuple[int, ...]]]:
        """The ``(node, sorted parents)`` families whose local score is cached."""
        return frozenset(self._cache)

    def local(self, node: int, parents: tuple[int, ...] | list[int] | np.ndarray) -> float:
        """Node ``node``'s BIC term given ``parents`` (cached)."""
        key = (int(node), tuple(sorted(int(p) for p in parents)))
        if key not in self._cache:
            rows = self.rows[key[0]]
            self._cache[key] = self._local(key[0], key[1], rows) if rows.size else 0.0
        return self._cache[key]

    def score(self, adj: np.ndarray) -> float:
        """The BIC of the DAG ``adj`` (``[i, j] = 1`` for ``i -> j``)."""
        adj = as_adjacency(adj)
        return float(sum(self.local(j, np.flatnonzero(adj[:, j])) for j in range(self.n)))

    def delta(self, adj: np.ndarray, changes: dict[int, tuple[int, ...]]) -> float:
        """BIC change when the nodes in ``changes`` get the given parent sets (others unchanged)."""
        adj = as_adjacency(adj)
        return float(
            sum(self.local(j, parents) - self.local(j, np.flatnonzero(adj[:, j])) for j, parents in changes.items())
        )

    @abstractmethod
    def _local(self, node: int, parents: tuple[int, ...], rows: np.ndarray) -> float: ...


class LinearGaussianBIC(BICVerifier):
    """Linear-Gaussian BIC (continuous data); see the module docs."""

    kind = "linear-gaussian BIC"

    def _local(self, node: int, parents: tuple[int, ...], rows: np.ndarray) -> float:
        y = self.data[rows, node]
        n_rows = y.size
        design = np.column_stack([np.ones(n_rows), self.data[np.ix_(rows, list(parents))]])
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        residual = y - design @ coef
        variance = max(float(residual @ residual) / n_rows, _MIN_VARIANCE)
        k = len(parents) + 2
        return n_rows * (np.log(2 * np.pi * variance) + 1.0) + k * np.log(n_rows)


class DiscreteBIC(BICVerifier):
    """Multinomial BIC (discrete data as state indices); see the module docs."""

    kind = "discrete BIC"

    def __init__(self, data: np.ndarray, interventions: np.ndarray | None = None) -> None:
        super().__init__(data, interventions)
        self.codes = np.rint(self.data).astype(np.int64)
        if (self.codes < 0).any():
            raise ValueError("DiscreteBIC needs state indices 0, 1, ...; the data has negative values")
        self.cards = self.codes.max(axis=0) + 1

    def _local(self, node: int, parents: tuple[int, ...], rows: np.ndarray) -> float:
        r = int(self.cards[node])
        config = np.zeros(rows.size, dtype=np.int64)
        q = 1
        for p in parents:
            config = config * self.cards[p] + self.codes[rows, p]
            q *= int(self.cards[p])
        # only parent configurations that occur matter for the likelihood; q counts them all (standard BIC)
        _, joint = np.unique(config * r + self.codes[rows, node], return_counts=True)
        _, marginal = np.unique(config, return_counts=True)
        loglik = float(np.sum(joint * np.log(joint)) - np.sum(marginal * np.log(marginal)))
        return -2.0 * loglik + (r - 1) * q * np.log(rows.size)


def is_improvement(delta: float, bic: float) -> bool:
    """Whether a BIC change counts as an improvement: below ``-(1e-6 + 1e-9 |bic|)`` (ties are not).

    >>> is_improvement(-0.5, 1000.0), is_improvement(-1e-9, 1000.0)
    (True, False)
    """
    return delta < -(1e-6 + 1e-9 * abs(bic))


VERIFIERS = ("linear", "mlp")
"""Verifier kinds for continuous data: linear-Gaussian BIC, or MLP likelihoods (:mod:`.scores_mlp`)."""


def make_verifier(
    data: np.ndarray, interventions: np.ndarray | None, data_type: str, kind: str = "linear"
) -> BICVerifier:
    """The verifier of a dataset: continuous data by ``kind``, discrete data by counting.

    ``continuous``: :class:`LinearGaussianBIC` (``kind="linear"``) or ``MLPBIC`` (``"mlp"``); ``discrete``:
    :class:`DiscreteBIC` (either kind).
    """
    if kind not in VERIFIERS:
        raise ValueError(f"verifier must be one of {VERIFIERS}; got {kind!r}")
    if data_type == "discrete":
        return DiscreteBIC(data, interventions)
    if data_type == "continuous" and kind == "mlp":
        from cauarena.envs.causal.scores_mlp import MLPBIC

        return MLPBIC(data, interventions)
    if data_type == "continuous":
        return LinearGaussianBIC(data, interventions)
    raise ValueError(f"data_type must be 'continuous' or 'discrete'; got {data_type!r}")
