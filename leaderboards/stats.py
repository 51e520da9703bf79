"""Statistics for leaderboards: percentile bootstrap confidence intervals, pass^k and pass@k.

Plain functions on numbers; :mod:`cauarena.leaderboards.report` applies them per leaderboard row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

# Upper bound on the (replicates x sample size) index matrix drawn at once by the resampling path.
_MAX_DRAW_CELLS = 2_000_000


def _without_nan(values: Iterable[float]) -> np.ndarray:
    """``values`` as a flat float array without its NaNs."""
    v = np.asarray(values if hasattr(values, "__len__") else list(values), dtype=float).ravel()
    return v[~np.isnan(v)]


def bootstrap_means(values: Iterable[float], *, n_boot: int = 1000, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_boot`` bootstrap resamples of ``values`` (NaNs dropped).

    When the values take few distinct levels (success flags, sparse rewards) the resample counts are
    drawn from the multinomial distribution they follow, which costs ``n_boot x levels`` instead of
    ``n_boot x len(values)``; otherwise indices are resampled in chunks of bounded memory. Both give the
    same distribution of bootstrap means.

    Args:
        values: The sample.
        n_boot: Number of bootstrap replicates.
        rng: The random generator to draw from.

    Returns:
        An array of ``n_boot`` replicate means, all NaN when the sample is empty.

    Raises:
        ValueError: If ``n_boot`` is not positive.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be a positive number of replicates, got {n_boot}; use e.g. 1000")
    v = _without_nan(values)
    n = v.size
    if n == 0:
        return np.full(n_boot, np.nan)
    levels, counts = np.unique(v, return_counts=True)
    if levels.size == 1:
        return np.full(n_boot, levels[0])
    if levels.size * 4 <= n:
        draws = rng.multinomial(n, counts / n, size=n_boot)
        return draws @ levels / n
    out = np.empty(n_boot)
    chunk = max(1, _MAX_DRAW_CELLS // n)
    for start in range(0, n_boot, chunk):
        rows = min(chunk, n_boot - start)
        out[start : start + rows] = v[rng.integers(0, n, size=(rows, n))].mean(axis=1)
    return out


def percentile_interval(replicates: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """The central ``confidence`` interval of bootstrap replicates (NaN replicates ignored).

    Args:
        replicates: Bootstrap replicate statistics.
        confidence: Coverage of the interval, in (0, 1).

    Returns:
        ``(low, high)``; ``(nan, nan)`` when there is no finite replicate.

    Raises:
        ValueError: If ``confidence`` is not strictly between 0 and 1.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}; use e.g. 0.95")
    reps = np.asarray(replicates, dtype=float)
    reps = reps[~np.isnan(reps)]
    if reps.size == 0:
        return math.nan, math.nan
    alpha = (1.0 - confidence) / 2.0
    low, high = np.percentile(reps, [100.0 * alpha, 100.0 * (1.0 - alpha)])
    return float(low), float(high)


def bootstrap_ci(
    values: Iterable[float], *, n_boot: int = 1000, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of ``values`` with a percentile bootstrap confidence interval.

    NaNs are dropped. The same ``seed`` gives the same interval.

    Args:
        values: The sample (e.g. episode returns, or success flags as 0/1).
        n_boot: Number of bootstrap replicates.
        confidence: Coverage of the interval, in (0, 1).
        seed: Seed of the resampling.

    Returns:
        ``(mean, low, high)``; one value ``v`` gives ``(v, v, v)``, an empty sample ``(nan, nan, nan)``.

    >>> bootstrap_ci([1.0])
    (1.0, 1.0, 1.0)
    >>> mean, low, high = bootstrap_ci([0, 1, 1, 0, 1, 1, 1, 0])
    >>> mean, low <= mean <= high
    (0.625, True)
    """
    v = _without_nan(values)
    if v.size == 0:
        percentile_interval(np.empty(0), confidence)  # validates confidence
        return math.nan, math.nan, math.nan
    reps = bootstrap_means(v, n_boot=n_boot, rng=np.random.default_rng(seed))
    low, high = percentile_interval(reps, confidence)
    return float(v.mean()), low, high


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def _tasks_array(successes_per_task: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.asarray(list(successes_per_task), dtype=float).reshape(-1, 2)
    n, c = pairs[:, 0], pairs[:, 1]
    bad = (c < 0) | (c > n)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"task {i} has (n, c) = ({n[i]:g}, {c[i]:g}); expected 0 <= c <= n, "
            "i.e. (number of trials, number of successes)"
        )
    return n, c


def comb_ratio(top: np.ndarray, n: np.ndarray, k: int) -> np.ndarray:
    """``C(top, k) / C(n, k)`` elementwise, as a product of ``k`` ratios (NaN where ``n < k``).

    Args:
        top: Counts with ``0 <= top <= n``.
        n: Trials per task.
        k: Size of the draw.

    Returns:
        The ratios, as floats.

    >>> comb_ratio(np.array([2.0]), np.array([4.0]), 2).tolist()
    [0.16666666666666666]
    """
    _check_k(k)
    top = np.asarray(top, dtype=float)
    n = np.asarray(n, dtype=float)
    ratio = np.ones(np.broadcast(top, n).shape)
    valid = n >= k
    for i in range(k):
        # A factor (top - i) reaches 0 before it can turn negative, so top < k gives exactly 0.
        ratio *= np.divide(top - i, n - i, out=np.zeros_like(ratio), where=valid)
    return np.where(valid, ratio, np.nan)


def pass_hat_k(successes_per_task: Sequence[tuple[int, int]], k: int) -> float:
    """tau-bench's pass^k: the chance that ``k`` trials of a task, drawn without replacement, all succeed.

    The mean over tasks of ``C(c, k) / C(n, k)``, where a task was tried ``n`` times and succeeded ``c``
    times. Tasks with ``n < k`` are left out.

    Args:
        successes_per_task: One ``(n, c)`` pair per task.
        k: Number of trials that must all succeed.

    Returns:
        pass^k, or NaN when no task has ``n >= k``.

    Raises:
        ValueError: If ``k < 1`` or a pair has ``c`` outside ``[0, n]``.

    >>> pass_hat_k([(4, 2)], 2)  # C(2, 2) / C(4, 2) = 1/6
    0.16666666666666666
    >>> pass_hat_k([(4, 4), (4, 0)], 3)
    0.5
    >>> pass_hat_k([(3, 3), (1, 1)], 2)  # the second task has too few trials for k = 2
    1.0
    """
    _check_k(k)
    n, c = _tasks_array(successes_per_task)
    values = comb_ratio(c, n, k)
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else math.nan


def pass_at_k(successes_per_task: Sequence[tuple[int, int]], k: int) -> float:
    """pass@k: the chance that at least one of ``k`` trials, drawn without replacement, succeeds.

    The mean over tasks of ``1 - C(n - c, k) / C(n, k)`` (the unbiased estimator of Chen et al., 2021).
    Tasks with ``n < k`` are left out.

    Args:
        successes_per_task: One ``(n, c)`` pair per task.
        k: Number of trials drawn.

    Returns:
        pass@k, or NaN when no task has ``n >= k``.

    Raises:
        ValueError: If ``k < 1`` or a pair has ``c`` outside ``[0, n]``.

    >>> pass_at_k([(4, 2)], 2)  # 1 - C(2, 2) / C(4, 2) = 5/6
    0.8333333333333334
    >>> pass_at_k([(5, 0), (5, 5)], 1)
    0.5
    """
    _check_k(k)
    n, c = _tasks_array(successes_per_task)
    values = 1.0 - comb_ratio(n - c, n, k)
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else math.nan
