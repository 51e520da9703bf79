"""Fresh synthetic training batches from the causal simulator (:mod:`cauarena.envs.causal.simulate`).

Every graph of a batch shares ``n`` (drawn from the curriculum stage); the graph family, expected degree,
mechanism, root distribution and whether some rows are interventional are drawn per graph. Noise is always
Gaussian (Laplace and Cauchy stay out of distribution).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cauarena.envs.causal.simulate import intervention_targets, random_dag, regime_mask, simulate_scm
from cauarena.learners.causcale.causcale_config import CauScaleConfig
from cauarena.learners.causcale.features import precision_prior, standardize


@dataclass(frozen=True)
class Batch:
    """Numpy arrays the network reads, plus the true graphs.

    Attributes:
        data: ``float32 [B, m, n]`` standardised samples.
        mask: ``float32 [B, m, n]`` intervention flags.
        prior: ``float32 [B, n, n]`` precision-matrix priors.
        adjacency: ``int64 [B, n, n]`` true DAGs.
    """

    data: np.ndarray
    mask: np.ndarray
    prior: np.ndarray
    adjacency: np.ndarray


def featurize(
    data: np.ndarray, mask: np.ndarray, config: CauScaleConfig, rng: np.random.Generator, max_rows: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(standardised data, mask, prior)`` as float32 arrays for one ``[m, n]`` dataset.

    Columns are standardised and the prior estimated (on the standardised or, with ``prior_source="raw"``, the raw
    values) on all rows (at most ``prior_rows`` of them); the data
    stream keeps at most ``max_rows`` rows (a random subset in their original order; None keeps all).
    """
    x = standardize(data)
    source = x if config.prior_source == "standardized" else np.asarray(data, dtype=np.float64)
    prior = precision_prior(source, rng, rows=config.prior_rows, ledoit_wolf_from=config.ledoit_wolf_from,
                            clip=config.prior_clip)
    mask = np.asarray(mask, dtype=np.float32)
    if max_rows is not None and x.shape[0] > max_rows:
        keep = np.sort(rng.choice(x.shape[0], size=max_rows, replace=False))
        x, mask = x[keep], mask[keep]
    return x.astype(np.float32), mask, prior


def sample_graph(
    config: CauScaleConfig, n: int, mechanism: str, rng: np.random.Generator, *, kind: str | None = None,
    degree: float | None = None, interventional: bool | None = None, root: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One simulated dataset: ``(standardised data, mask, prior, adjacency)``; unset options are drawn.

    ``sim_rows`` rows are simulated (the prior reads them); the data stream keeps ``rows`` of them.
    """
    kind = kind or str(rng.choice(config.graph_kinds))
    if degree is None:
        degree = float(rng.uniform(*config.degree_range))
    degree = min(degree, (n - 1) / 2)
    if interventional is None:
        interventional = bool(rng.random() < config.interventional_prob)
    root = root or ("uniform" if rng.random() < 0.5 else "noise")
    adj = random_dag(kind, n, degree, rng)
    targets = intervention_targets(n, float(rng.uniform(*config.intervention_fraction)) if interventional else 0, rng)
    mask = regime_mask(config.sim_rows, n, targets)
    raw = simulate_scm(adj, config.sim_rows, rng, mechanism=mechanism, root=root, mask=mask)
    x, mask_f, prior = featurize(raw, mask, config, rng, config.rows)
    return x, mask_f, prior, adj.astype(np.int64)


def batch_size(config: CauScaleConfig, n: int) -> int:
    """Graphs per batch at ``n`` variables: about ``batch_pairs`` pairs, at least 1, at most ``max_batch``.

    >>> batch_size(CauScaleConfig(batch_pairs=4000, max_batch=16), 20)
    10
    """
    return max(1, min(config.max_batch, config.batch_pairs // (n * n)))


def sample_batch(config: CauScaleConfig, step: int, rng: np.random.Generator) -> Batch:
    """The training batch of ``step``: ``n`` and mechanisms from the curriculum stage, fresh graphs."""
    n_min, n_max, mechanisms = config.stage(step)
    n = int(rng.integers(n_min, n_max + 1))
    graphs = [sample_graph(config, n, str(rng.choice(mechanisms)), rng) for _ in range(batch_size(config, n))]
    return Batch(*(np.stack(parts) for parts in zip(*graphs, strict=True)))
