"""Statistics for leaderboards: Wilson intervals for rates, percentile bootstrap intervals for means, pass^k.

Plain functions on numbers; :mod:`cauarena.leaderboards.report` applies them per leaderboard row. Rates (a
sample of 0/1 outcomes: success, error, attack success) get Wilson score intervals, which stay honest at 0 and 1
(5 successes out of 5 give ``[0.57, 1.00]``, where a percentile bootstrap gives ``[1.00, 1.00]``); other means
get a seeded percentile bootstrap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from statistics import NormalDist

import numpy as np

# Upper bound on the (replicates x sample size) index matrix drawn at once by the resampling path.
_MAX_DRAW_CELLS = 2_000_000

BOOTSTRAP_MAX_N = 2_000
"""Above this many values (with many distinct levels) a group's bootstrap replicates come from the normal
approximation; see :func:`bootstrap_means`."""


def _without_nan(values: Iterable[float]) -> np.ndarray:
    """``values`` as a flat float array without its NaNs."""
    v = np.asarray(values if hasattr(values, "__len__") else list(values), dtype=float).ravel()
    return v[~np.isnan(v)]


def bootstrap_means(values: Iterable[float], *, n_boot: int = 1000, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_boot`` bootstrap resamples of ``values`` (NaNs dropped).

    When the values take few distinct levels (success flags, sparse rewards) the resample counts are
    drawn from the multinomial distribution they follow, which costs ``n_boot x levels`` instead of
    ``n_boot x len(values)``; otherwise indices are resampled in chunks of bounded memory. Both give the
    same distribution of bootstrap means. Above :data:`BOOTSTRAP_MAX_N` values with many levels, the
    replicates are drawn from the normal distribution the bootstrap means converge to (mean, standard error):
    at that size the two intervals agree to well under the rounding of a leaderboard, and the cost stays
    ``n_boot`` per group however many episodes a store holds.

    >>> reps = bootstrap_means(np.linspace(0, 1, 5001), rng=np.random.default_rng(0))
    >>> bool(abs(reps.mean() - 0.5) < 0.01 and 0.003 < reps.std() < 0.005)
    True

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
    if n > BOOTSTRAP_MAX_N:
        return rng.normal(v.mean(), v.std(ddof=1) / np.sqrt(n), size=n_boot)
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


def _z(confidence: float) -> float:
    """The two-sided standard normal quantile of ``confidence`` (1.96 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}; use e.g. 0.95")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(successes: float, trials: float, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a binomial rate ``successes / trials``.

    Unlike the percentile bootstrap it never collapses to a point at 0 or 1, and it keeps its coverage for
    small samples (Wilson, 1927; Brown, Cai and DasGupta, 2001). ``trials`` may be fractional (an effective
    sample size, see :func:`stratified_wilson`).

    Args:
        successes: Number of successes, ``0 <= successes <= trials``.
        trials: Number of trials.
        confidence: Coverage of the interval, in (0, 1).

    Returns:
        ``(low, high)`` within ``[0, 1]``; ``(nan, nan)`` when ``trials`` is 0.

    Raises:
        ValueError: If ``successes`` lies outside ``[0, trials]`` or ``confidence`` outside (0, 1).

    >>> low, high = wilson_interval(5, 5)
    >>> round(low, 4), high
    (0.5655, 1.0)
    >>> [round(x, 4) for x in wilson_interval(0, 5)]
    [0.0, 0.4345]
    >>> [round(x, 4) for x in wilson_interval(30, 100)]
    [0.2189, 0.3958]
    >>> wilson_interval(0, 0)
    (nan, nan)
    """
    z = _z(confidence)
    if not 0 <= successes <= trials:
        raise ValueError(
            f"successes must lie in [0, trials], got {successes:g} of {trials:g}; pass (number of successes, "
            "number of trials)"
        )
    if trials == 0:
        return math.nan, math.nan
    p, z2 = successes / trials, z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def stratified_wilson(
    successes: Sequence[float], trials: Sequence[float], confidence: float = 0.95
) -> tuple[float, float, float]:
    """The unweighted mean of per-stratum rates with a Wilson interval on an effective sample size.

    The macro average ``p = mean(c_i / n_i)`` over strata (envs) has variance ``sum(p_i (1 - p_i) / n_i) / K^2``.
    The effective sample size is ``p (1 - p) / variance``, capped at the number of trials (a conservative
    choice: stratification may only narrow the interval, never widen it past the pooled one), and equal to the
    number of trials when the variance is 0 (every stratum at 0 or 1); the Wilson interval of ``p`` at that size
    follows (Kish's design effect applied to Wilson's interval, as survey statistics do).

    Args:
        successes: Successes per stratum.
        trials: Trials per stratum; strata without a trial are left out.
        confidence: Coverage of the interval, in (0, 1).

    Returns:
        ``(rate, low, high)``; all NaN when no stratum has a trial.

    >>> rate, low, high = stratified_wilson([5, 5], [5, 5])
    >>> rate, round(low, 4), high
    (1.0, 0.7225, 1.0)
    >>> rate, low, high = stratified_wilson([2, 8], [10, 10])
    >>> rate, round(low, 3), round(high, 3)
    (0.5, 0.299, 0.701)
    """
    c, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    c, n = c[n > 0], n[n > 0]
    if n.size == 0:
        _z(confidence)
        return math.nan, math.nan, math.nan
    rates = c / n
    rate = float(rates.mean())
    variance = float((rates * (1 - rates) / n).sum()) / n.size**2
    total = float(n.sum())
    effective = min(total, rate * (1 - rate) / variance) if variance > 0 else total
    low, high = wilson_interval(rate * effective, effective, confidence)
    return rate, low, high


def is_binary(values: Iterable[float]) -> bool:
    """True when every non-NaN value is 0 or 1 (and there is one): a sample of a rate.

    >>> is_binary([0, 1, 1.0, float("nan")]), is_binary([0, 0.5]), is_binary([])
    (True, False, False)
    """
    v = _without_nan(values)
    return bool(v.size) and bool(np.isin(v, (0.0, 1.0)).all())


def mean_interval(
    values: Iterable[float], *, rng: np.random.Generator, n_boot: int = 1000, confidence: float = 0.95,
    binary: bool | None = None,
) -> tuple[float, float, float]:
    """Mean of ``values`` (NaNs dropped) with a Wilson interval for a rate, a percentile bootstrap otherwise.

    Args:
        values: The sample, in a fixed order (the bootstrap draws indices, so order the rows first).
        rng: The generator of the bootstrap (not used for a rate).
        n_boot: Bootstrap replicates.
        confidence: Coverage of the interval, in (0, 1).
        binary: Whether the sample is a rate; by default, :func:`is_binary` of the sample. Decide it once per
            column, so every row of a column gets the same kind of interval.

    Returns:
        ``(mean, low, high)``; all NaN for an empty sample.

    >>> mean_interval([1, 1, 1, 1, 1], rng=np.random.default_rng(0))[1] < 0.6
    True
    """
    v = _without_nan(values)
    if v.size == 0:
        _z(confidence)
        return math.nan, math.nan, math.nan
    if is_binary(v) if binary is None else binary:
        return (float(v.mean()), *wilson_interval(float(v.sum()), float(v.size), confidence))
    low, high = percentile_interval(bootstrap_means(v, n_boot=n_boot, rng=rng), confidence)
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
