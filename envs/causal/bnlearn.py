"""The bnlearn networks shipped inside pgmpy's wheel, read offline, with descriptions for LLM priors.

:func:`load_network` reads a network with pgmpy (``get_example_model``: a gzipped BIF file inside the
wheel, no download) once per process and keeps its CPTs as numpy arrays; :func:`sample_network` draws
rows by ancestral sampling in numpy, with perfect interventions (a uniformly random state) where the mask
says so. Variable names are the networks' own; :data:`DESCRIPTIONS` gives one short line per variable.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np

from cauarena.envs.causal.descriptions import DESCRIPTIONS, NETWORK_SUMMARIES
from cauarena.errors import DependencyNotInstalled

NETWORKS: tuple[str, ...] = tuple(DESCRIPTIONS)
"""The networks with descriptions (all discrete): asia, cancer, earthquake, survey, sachs, child, insurance,
alarm."""


@dataclass(frozen=True)
class Network:
    """A discrete Bayesian network as numpy arrays.

    Attributes:
        name: the bnlearn name.
        names: variable names in the file's order.
        states: each variable's state names.
        parents: each variable's parent indices (the CPT's axis order).
        cpts: ``cpts[i][k, s_1, ..., s_p]`` = P(X_i = k | parents in states s_1..s_p).
    """

    name: str
    names: tuple[str, ...]
    states: tuple[tuple[str, ...], ...]
    parents: tuple[tuple[int, ...], ...]
    cpts: tuple[np.ndarray, ...]

    @property
    def adjacency(self) -> np.ndarray:
        """``int8 [n, n]``, ``[i, j] = 1`` for ``i -> j``."""
        adj = np.zeros((len(self.names), len(self.names)), dtype=np.int8)
        for child, parents in enumerate(self.parents):
            adj[list(parents), child] = 1
        return adj

    @property
    def descriptions(self) -> tuple[str, ...]:
        """One line per variable (its meaning and states)."""
        lines = DESCRIPTIONS[self.name]
        return tuple(f"{lines[v]} (states: {', '.join(s)})" for v, s in zip(self.names, self.states, strict=True))


def _get_example_model(name: str):  # noqa: ANN202 - pgmpy's model type
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pgmpy.utils import get_example_model

            return get_example_model(name)
    except ImportError as exc:
        raise DependencyNotInstalled("pgmpy", "causal", f"the bnlearn network {name!r}") from exc


@functools.lru_cache(maxsize=16)
def load_network(name: str) -> Network:
    """Read a bnlearn network from pgmpy's wheel (offline) into numpy arrays; cached per process.

    Raises:
        ValueError: ``name`` is not one of :data:`NETWORKS`.
        DependencyNotInstalled: pgmpy is missing (``pip install 'cauarena[causal]'``).
    """
    if name not in DESCRIPTIONS:
        raise ValueError(f"unknown bnlearn network {name!r}; known: {', '.join(NETWORKS)}")
    model = _get_example_model(name)
    names = tuple(str(v) for v in model.nodes())
    index = {v: i for i, v in enumerate(names)}
    states, parents, cpts = [], [], []
    for var in names:
        cpd = model.get_cpds(var)
        evidence = [str(v) for v in cpd.variables[1:]]
        states.append(tuple(str(s) for s in cpd.state_names[var]))
        parents.append(tuple(index[v] for v in evidence))
        values = np.asarray(cpd.values, dtype=float).reshape([cpd.cardinality[0], *cpd.cardinality[1:]])
        cpts.append(values / values.sum(axis=0, keepdims=True))
    missing = set(names) - set(DESCRIPTIONS[name])
    if missing:
        raise ValueError(f"descriptions of {name!r} lack {sorted(missing)}")
    return Network(name, names, tuple(states), tuple(parents), tuple(cpts))


def sample_network(
    network: Network, m: int, rng: np.random.Generator, mask: np.ndarray | None = None
) -> np.ndarray:
    """Draw ``m`` rows (state indices) by ancestral sampling; intervened cells get a uniform random state.

    Args:
        network: the network.
        m: rows.
        rng: the generator of every draw.
        mask: ``int8 [m, n]``; where 1 the variable is set by a perfect intervention.

    Returns:
        ``int64 [m, n]`` state indices (column order of ``network.names``).
    """
    n = len(network.names)
    adj = network.adjacency
    from cauarena.envs.causal.graphs import topological_order

    data = np.zeros((m, n), dtype=np.int64)
    for node in topological_order(adj):
        cpt = network.cpts[node]
        probs = cpt[(slice(None), *(data[:, p] for p in network.parents[node]))]  # [card, m]
        if probs.ndim == 1:
            probs = np.repeat(probs[:, None], m, axis=1)
        u = rng.random(m)
        codes = (np.cumsum(probs, axis=0) < u).sum(axis=0)
        codes = np.minimum(codes, cpt.shape[0] - 1)
        if mask is not None and mask[:, node].any():
            rows = mask[:, node] != 0
            codes[rows] = rng.integers(cpt.shape[0], size=int(rows.sum()))
        data[:, node] = codes
    return data


__all__ = ["NETWORKS", "NETWORK_SUMMARIES", "Network", "load_network", "sample_network"]
