"""Causal-discovery baselines as agents: random, correlation, precision matrix, PC, GES, DirectLiNGAM.

Each is a :class:`~cauarena.agents.causal.base.GraphAgent`: it returns ``[n, n]`` scores in ``[0, 1]`` on
CausalDiscovery-v0 and edits toward its graph on CauScientist-v0. Every baseline pools all rows (it
ignores the intervention mask). PC, GES and DirectLiNGAM run causal-learn (``pip install
'cauarena[causal]'``; :class:`~cauarena.errors.DependencyNotInstalled` otherwise).

Score conventions (the env reads ``score > 0.5`` as an edge):

- ``corr``: ``|Pearson correlation|``; ``precision``: ``|partial correlation|`` from the precision matrix
  (pseudo-inverse of the covariance below 100 variables, Ledoit-Wolf shrinkage from 100, as CauScale's
  graph prior); both symmetric, so their orientation accuracy is 0.
- ``pc``, ``ges``: 1 for a directed edge, 0.75 both ways for an undirected (or PC's bidirected) edge, else 0.
- ``lingam``: ``|w| / (|w| + w_threshold)`` of DirectLiNGAM's weights (above 0.5 iff ``|w| > w_threshold``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cauarena.agents.causal.base import GraphAgent, is_scientist_observation, observed
from cauarena.envs.causal.causallearn import run_ges, run_lingam, run_pc

UNDIRECTED_SCORE = 0.75
"""Score of each direction of an undirected CPDAG edge (above 0.5: both directions count as predicted)."""


def pdag_scores(pdag: np.ndarray) -> np.ndarray:
    """Scores of a PDAG: 1 for ``i -> j``, :data:`UNDIRECTED_SCORE` both ways for ``i - j``.

    >>> pdag_scores(np.array([[0, 1, 0], [0, 0, 1], [0, 1, 0]])).tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 0.75], [0.0, 0.75, 0.0]]
    """
    p = np.asarray(pdag) != 0
    undirected = p & p.T
    return np.where(undirected, UNDIRECTED_SCORE, p.astype(float))


def correlation_scores(data: np.ndarray) -> np.ndarray:
    """``|corr(x_i, x_j)|`` with a zero diagonal (constant columns score 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(np.asarray(data, dtype=float), rowvar=False)
    corr = np.nan_to_num(np.abs(np.atleast_2d(corr)))
    np.fill_diagonal(corr, 0.0)
    return np.clip(corr, 0.0, 1.0)


def ledoit_wolf(data: np.ndarray) -> np.ndarray:
    """Ledoit-Wolf shrunk covariance ``(1 - d) S + d mu I`` (Ledoit and Wolf, 2004)."""
    x = np.asarray(data, dtype=float)
    x = x - x.mean(axis=0)
    m, p = x.shape
    s = x.T @ x / m
    mu = np.trace(s) / p
    d2 = np.sum((s - mu * np.eye(p)) ** 2) / p
    b2_bar = (np.sum(np.sum(x**2, axis=1) ** 2) - m * np.sum(s**2)) / (m**2 * p)
    shrinkage = 0.0 if d2 == 0 else min(b2_bar, d2) / d2
    return (1 - shrinkage) * s + shrinkage * mu * np.eye(p)


def precision_scores(data: np.ndarray) -> np.ndarray:
    """``|partial correlation|`` from the precision matrix; Ledoit-Wolf from 100 variables, else pinv."""
    x = np.asarray(data, dtype=float)
    cov = ledoit_wolf(x) if x.shape[1] >= 100 else np.cov(x, rowvar=False)
    precision = np.linalg.pinv(np.atleast_2d(cov))
    d = np.sqrt(np.clip(np.diag(precision), 1e-300, None))
    partial = np.nan_to_num(np.abs(precision / np.outer(d, d)))
    np.fill_diagonal(partial, 0.0)
    return np.clip(partial, 0.0, 1.0)


class RandomCausalAgent(GraphAgent):
    """Uniform random scores; on CauScientist, random edits on random pairs (``STOP`` with ``p_stop``).

    Args:
        p_stop: probability of ``STOP`` at each CauScientist step.
    """

    def __init__(self, p_stop: float = 0.05) -> None:
        super().__init__()
        self.p_stop = p_stop

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        scores = self.rng.uniform(0.0, 1.0, size=(len(names), len(names)))
        np.fill_diagonal(scores, 0.0)
        return scores

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        """The next action for ``observation`` (the Agent protocol)."""
        if not is_scientist_observation(observation):
            return super().act(observation, info)
        names = observed(observation)[2]
        if self.rng.random() < self.p_stop or len(names) < 2:
            return "STOP"
        a, b = self.rng.choice(len(names), size=2, replace=False)
        op = ("ADD", "REMOVE", "REVERSE")[int(self.rng.integers(3))]
        return f"{op} {names[a]} -> {names[b]}"


class CorrelationAgent(GraphAgent):
    """``|corr|`` scores (CauScale's CORR baseline)."""

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        return correlation_scores(data)


class PrecisionAgent(GraphAgent):
    """``|partial correlation|`` scores from the precision matrix (CauScale's INVCOV baseline)."""

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        return precision_scores(data)


class PCAgent(GraphAgent):
    """causal-learn's PC (Fisher-z, or chi-square on discrete data).

    Args:
        alpha: the independence tests' level.
        max_k: largest conditioning set (None: unbounded).
    """

    def __init__(self, alpha: float = 0.05, max_k: int | None = None) -> None:
        super().__init__()
        self.alpha, self.max_k = alpha, max_k

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        return pdag_scores(run_pc(data, self.data_type, alpha=self.alpha, max_k=self.max_k))


class GESAgent(GraphAgent):
    """causal-learn's GES (linear-Gaussian BIC, or BDeu on discrete data).

    Args:
        max_parents: cap on parent-set size (None: unbounded).
    """

    def __init__(self, max_parents: int | None = None) -> None:
        super().__init__()
        self.max_parents = max_parents

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        return pdag_scores(run_ges(data, self.data_type, max_parents=self.max_parents))


class LiNGAMAgent(GraphAgent):
    """causal-learn's DirectLiNGAM; scores ``|w| / (|w| + w_threshold)``.

    Args:
        w_threshold: weight magnitude that maps to score 0.5.
    """

    def __init__(self, w_threshold: float = 0.1) -> None:
        super().__init__()
        self.w_threshold = w_threshold

    def estimate(self, data: np.ndarray, interventions: np.ndarray, names: list[str]) -> np.ndarray:
        """``[n, n]`` scores in ``[0, 1]``, ``[i, j]`` for ``names[i] -> names[j]``."""
        weights = np.abs(run_lingam(data, seed=int(self.rng.integers(2**31 - 1))))
        np.fill_diagonal(weights, 0.0)
        return weights / (weights + self.w_threshold)
