"""The network's inputs, computed in numpy: standardised data and the precision-matrix graph prior.

CauScale (``src/data/dataset.py: compute_features``) estimates the precision matrix from at most 500 random
rows: Ledoit-Wolf shrinkage from 100 variables, the pseudo-inverse of the sample covariance below.
"""

from __future__ import annotations

import numpy as np

from cauarena.agents.causal.baselines import ledoit_wolf


def standardize(data: np.ndarray) -> np.ndarray:
    """Z-score every column (a constant column becomes 0).

    >>> standardize(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    x = np.asarray(data, dtype=np.float64)
    std = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)


def precision_prior(
    data: np.ndarray, rng: np.random.Generator, *, rows: int = 500, ledoit_wolf_from: int = 100, clip: float = 10.0
) -> np.ndarray:
    """``float32 [n, n]`` precision matrix of the standardised data from at most ``rows`` random rows.

    Args:
        data: ``[m, n]`` samples (standardised, or raw for the published prior).
        rng: picks the rows.
        rows: most rows used.
        ledoit_wolf_from: from this many variables, Ledoit-Wolf shrinkage; below, pinv of the covariance.
        clip: entries are clipped to ``+-clip`` (0: no clip, as published).
    """
    x = np.asarray(data, dtype=np.float64)
    if x.shape[0] > rows:
        x = x[np.sort(rng.choice(x.shape[0], size=rows, replace=False))]
    cov = ledoit_wolf(x) if x.shape[1] >= ledoit_wolf_from else np.atleast_2d(np.cov(x, rowvar=False))
    precision = np.nan_to_num(np.linalg.pinv(cov, hermitian=True))
    if clip > 0:
        precision = np.clip(precision, -clip, clip)
    return precision.astype(np.float32)
