"""What both causal envs sample per episode: a :class:`CausalDataset` built from a :class:`DatasetConfig`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cauarena.envs.causal.descriptions import DESCRIPTIONS, NETWORK_SUMMARIES
from cauarena.envs.causal.simulate import (
    GRAPH_KINDS,
    MECHANISMS,
    NOISES,
    ROOTS,
    intervention_targets,
    random_dag,
    regime_mask,
    simulate_scm,
)
from cauarena.errors import ConfigError


@dataclass(frozen=True)
class CausalDataset:
    """One sampled causal-discovery instance.

    Attributes:
        data: ``float32 [m, n]`` samples (discrete data holds state indices 0, 1, ...).
        interventions: ``int8 [m, n]``; 1 where that variable was intervened on in that row.
        adjacency: ``int8 [n, n]`` true DAG, ``[i, j] = 1`` for ``i -> j`` (privileged).
        names: variable names.
        descriptions: one line per variable.
        data_type: ``continuous`` or ``discrete``.
        summary: one line about the system the variables come from.
    """

    data: np.ndarray
    interventions: np.ndarray
    adjacency: np.ndarray
    names: tuple[str, ...]
    descriptions: tuple[str, ...]
    data_type: str
    summary: str

    @property
    def n(self) -> int:
        """How many variables."""
        return len(self.names)

    @property
    def m(self) -> int:
        """How many rows."""
        return int(self.data.shape[0])


@dataclass(frozen=True)
class DatasetConfig:
    """How to sample a dataset; the shared constructor kwargs of both causal envs.

    Attributes:
        graph: ``er``, ``sf``, or a bnlearn network name (``asia``, ``sachs``, ``child``, ``insurance``,
            ``alarm``, ``cancer``, ``earthquake``, ``survey``).
        n: variables (synthetic graphs only; a network has its own).
        degree: expected edges per node (synthetic graphs; CauScale uses 1-4).
        mechanism: ``linear``, ``nn_add``, ``nn``, ``sigmoid_add`` or ``polynomial`` (synthetic graphs).
        noise: ``gaussian``, ``laplace`` or ``cauchy`` (synthetic graphs).
        m: rows (samples).
        interventions: intervened variables: an int count, or a float fraction of the variables.
        root: distribution of root variables, ``uniform`` (U(-1, 1)) or ``noise`` (synthetic graphs).
        standardize: z-score every column (synthetic graphs).
    """

    graph: str = "er"
    n: int = 10
    degree: float = 1.0
    mechanism: str = "linear"
    noise: str = "gaussian"
    m: int = 1000
    interventions: int | float = 0
    root: str = "uniform"
    standardize: bool = False

    def __post_init__(self) -> None:
        if self.graph not in GRAPH_KINDS and self.graph not in DESCRIPTIONS:
            raise ConfigError(
                f"graph must be one of {', '.join((*GRAPH_KINDS, *DESCRIPTIONS))}; got {self.graph!r}."
            )
        for name, value, choices in (
            ("mechanism", self.mechanism, MECHANISMS),
            ("noise", self.noise, NOISES),
            ("root", self.root, ROOTS),
        ):
            if value not in choices:
                raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
        if not _is_int(self.m) or self.m < 2:
            raise ConfigError(f"m (rows) must be an int >= 2; got {self.m!r}.")
        if self.synthetic:
            if not _is_int(self.n) or self.n < 2:
                raise ConfigError(f"n (variables) must be an int >= 2; got {self.n!r}.")
            if isinstance(self.degree, bool) or not isinstance(self.degree, int | float) or not (
                0 < self.degree <= (self.n - 1) / 2
            ):
                raise ConfigError(
                    f"degree (expected edges per node) must be in (0, (n - 1) / 2] = (0, {(self.n - 1) / 2}]; "
                    f"got {self.degree!r}."
                )
        interventions = self.interventions
        if isinstance(interventions, bool) or not isinstance(interventions, int | float):
            raise ConfigError(f"interventions must be an int count or a float fraction; got {interventions!r}.")
        if isinstance(interventions, float) and not 0.0 <= interventions <= 1.0:
            raise ConfigError(f"interventions as a fraction must be in [0, 1]; got {interventions!r}.")
        if isinstance(interventions, int) and interventions < 0:
            raise ConfigError(f"interventions as a count must be >= 0; got {interventions!r}.")

    @property
    def synthetic(self) -> bool:
        """Whether the graph is sampled (``er``/``sf``) rather than a named network."""
        return self.graph in GRAPH_KINDS


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def make_dataset(config: DatasetConfig, rng: np.random.Generator) -> CausalDataset:
    """Sample one instance: a graph (or a bnlearn network, its variables in a random order) and data."""
    if config.synthetic:
        return _synthetic(config, rng)
    return _bnlearn(config, rng)


def _synthetic(config: DatasetConfig, rng: np.random.Generator) -> CausalDataset:
    adj = random_dag(config.graph, config.n, float(config.degree), rng)
    targets = intervention_targets(config.n, config.interventions, rng)
    mask = regime_mask(config.m, config.n, targets)
    data = simulate_scm(adj, config.m, rng, mechanism=config.mechanism, noise=config.noise, root=config.root,
                        mask=mask)
    if config.standardize:
        std = data.std(axis=0)
        data = (data - data.mean(axis=0)) / np.where(std > 0, std, 1.0)
    names = tuple(f"X{i}" for i in range(config.n))
    descriptions = tuple(f"synthetic variable {i} (no domain knowledge)" for i in range(config.n))
    summary = (f"a synthetic {config.graph.upper()} graph with {config.mechanism} mechanisms and {config.noise} "
               "noise; the names carry no meaning")
    return CausalDataset(data.astype(np.float32), mask, adj, names, descriptions, "continuous", summary)


def _bnlearn(config: DatasetConfig, rng: np.random.Generator) -> CausalDataset:
    from cauarena.envs.causal.bnlearn import load_network, sample_network

    network = load_network(config.graph)
    n = len(network.names)
    perm = rng.permutation(n)  # the file's variable order is often topological: never show it
    targets = intervention_targets(n, config.interventions, rng)
    mask = regime_mask(config.m, n, targets)
    inverse = np.argsort(perm)
    data = sample_network(network, config.m, rng, mask[:, inverse])[:, perm]
    adj = network.adjacency[np.ix_(perm, perm)]
    names = tuple(network.names[i] for i in perm)
    descriptions = tuple(network.descriptions[i] for i in perm)
    return CausalDataset(data.astype(np.float32), mask, adj, names, descriptions, "discrete",
                         NETWORK_SUMMARIES[config.graph])
