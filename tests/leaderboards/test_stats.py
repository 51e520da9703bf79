import math

import numpy as np
import pytest

from cauarena.leaderboards.stats import (
    bootstrap_ci,
    bootstrap_means,
    comb_ratio,
    mean_interval,
    pass_at_k,
    pass_hat_k,
    stratified_wilson,
    wilson_interval,
)


def test_bootstrap_single_value_and_empty():
    assert bootstrap_ci([2.5]) == (2.5, 2.5, 2.5)
    assert bootstrap_ci([3.0, 3.0, 3.0]) == (3.0, 3.0, 3.0)
    assert all(math.isnan(x) for x in bootstrap_ci([]))
    assert all(math.isnan(x) for x in bootstrap_ci([float("nan")]))


def test_bootstrap_ci_contains_mean_and_narrows_with_more_data():
    rng = np.random.default_rng(0)
    small = rng.normal(1.0, 1.0, size=20)
    large = rng.normal(1.0, 1.0, size=2000)
    m_small, lo_small, hi_small = bootstrap_ci(small)
    m_large, lo_large, hi_large = bootstrap_ci(large)
    assert lo_small <= m_small <= hi_small
    assert lo_large <= m_large <= hi_large
    assert m_small == pytest.approx(small.mean())
    assert (hi_large - lo_large) < (hi_small - lo_small) / 5
    # the normal-theory width 2 * 1.96 * sd / sqrt(n) for the large sample
    assert hi_large - lo_large == pytest.approx(2 * 1.96 * large.std() / math.sqrt(large.size), rel=0.15)


def test_bootstrap_binary_path_matches_binomial_spread():
    flags = np.array([1] * 30 + [0] * 70, dtype=float)
    mean, low, high = bootstrap_ci(flags, n_boot=4000)
    assert mean == pytest.approx(0.3)
    half = 1.96 * math.sqrt(0.3 * 0.7 / 100)
    assert low == pytest.approx(0.3 - half, abs=0.03)
    assert high == pytest.approx(0.3 + half, abs=0.03)


def test_bootstrap_is_seeded_and_confidence_widens():
    values = np.arange(50, dtype=float)
    assert bootstrap_ci(values, seed=1) == bootstrap_ci(values, seed=1)
    _, lo90, hi90 = bootstrap_ci(values, confidence=0.90)
    _, lo99, hi99 = bootstrap_ci(values, confidence=0.99)
    assert lo99 < lo90 < hi90 < hi99


def test_bootstrap_means_resampling_path_is_chunked_and_unbiased():
    values = np.random.default_rng(3).normal(size=5000)  # all distinct: the index-resampling path
    reps = bootstrap_means(values, n_boot=1000, rng=np.random.default_rng(0))
    assert reps.shape == (1000,)
    assert reps.mean() == pytest.approx(values.mean(), abs=0.01)


@pytest.mark.parametrize(("kwargs", "match"), [({"n_boot": 0}, "n_boot"), ({"confidence": 1.0}, "confidence")])
def test_bootstrap_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bootstrap_ci([1.0, 2.0], **kwargs)


def test_pass_hat_k_known_values():
    assert pass_hat_k([(4, 2)], 2) == pytest.approx(1 / 6)
    assert pass_hat_k([(4, 2)], 1) == pytest.approx(0.5)
    assert pass_hat_k([(4, 2)], 3) == 0.0
    assert pass_hat_k([(5, 5)], 5) == 1.0
    assert pass_hat_k([(4, 3), (2, 2)], 2) == pytest.approx((3 / 6 + 1) / 2)
    assert math.isnan(pass_hat_k([(1, 1)], 2))  # every task has n < k
    assert math.isnan(pass_hat_k([], 1))


def test_pass_hat_k_matches_math_comb():
    tasks = [(n, c) for n in range(1, 9) for c in range(n + 1)]
    for k in range(1, 9):
        kept = [(n, c) for n, c in tasks if n >= k]
        expected = sum(math.comb(c, k) / math.comb(n, k) for n, c in kept) / len(kept)
        assert pass_hat_k(tasks, k) == pytest.approx(expected)
        expected_at = sum(1 - math.comb(n - c, k) / math.comb(n, k) for n, c in kept) / len(kept)
        assert pass_at_k(tasks, k) == pytest.approx(expected_at)


def test_pass_at_k_known_values():
    assert pass_at_k([(4, 2)], 2) == pytest.approx(5 / 6)
    assert pass_at_k([(10, 0)], 3) == 0.0
    assert pass_at_k([(3, 1)], 3) == 1.0


def test_pass_k_rejects_bad_input():
    with pytest.raises(ValueError, match="k must be at least 1"):
        pass_hat_k([(2, 1)], 0)
    with pytest.raises(ValueError, match="0 <= c <= n"):
        pass_hat_k([(2, 3)], 1)
    with pytest.raises(ValueError, match="0 <= c <= n"):
        pass_at_k([(2, -1)], 1)


def test_comb_ratio_is_nan_below_k():
    out = comb_ratio(np.array([1.0, 2.0]), np.array([1.0, 3.0]), 2)
    assert math.isnan(out[0])
    assert out[1] == pytest.approx(1 / 3)


def test_wilson_is_never_a_point_at_the_ends():
    low, high = wilson_interval(5, 5)
    assert high == 1.0 and low == pytest.approx(0.5655, abs=1e-4)
    low, high = wilson_interval(0, 5)
    assert low == 0.0 and high == pytest.approx(1 - 0.5655, abs=1e-4)
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


@pytest.mark.parametrize(("p", "n"), [(0.1, 20), (0.5, 10), (0.95, 40)])
def test_wilson_coverage_is_near_nominal(p, n):
    coverage = sum(
        math.comb(n, k) * p**k * (1 - p) ** (n - k)
        for k in range(n + 1)
        if wilson_interval(k, n)[0] <= p <= wilson_interval(k, n)[1]
    )
    assert coverage > 0.92  # the percentile bootstrap: 0.876 at (0.1, 20), 0.871 at (0.95, 40)


@pytest.mark.parametrize(("successes", "trials", "match"), [(6, 5, "successes must lie"), (-1, 5, "successes")])
def test_wilson_rejects_impossible_counts(successes, trials, match):
    with pytest.raises(ValueError, match=match):
        wilson_interval(successes, trials)
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 2, confidence=1.5)


def test_stratified_wilson():
    assert stratified_wilson([5, 5, 5], [5, 5, 5])[1] == pytest.approx(wilson_interval(15, 15)[0])
    rate, low, high = stratified_wilson([1, 9, 5], [10, 10, 10])
    assert rate == pytest.approx(0.5) and 0.0 < low < rate < high < 1.0
    # a stratified estimate is never wider than the pooled one (its effective size is capped at the trials)
    assert high - low <= np.subtract(*wilson_interval(15, 30)[::-1]) + 1e-12
    assert stratified_wilson([3, 0], [4, 0])[0] == 0.75  # a stratum without trials is left out
    assert all(math.isnan(x) for x in stratified_wilson([], []))


def test_mean_interval_uses_wilson_for_rates_and_the_bootstrap_for_means():
    flags = [1, 1, 0, 1]
    assert mean_interval(flags, rng=np.random.default_rng(0)) == (0.75, *wilson_interval(3, 4))
    values = [0.5, 1.5, 2.0, 3.0]
    first = mean_interval(values, rng=np.random.default_rng(4), n_boot=200)
    assert first == mean_interval(values, rng=np.random.default_rng(4), n_boot=200)
    assert first[1] < first[0] < first[2]
    assert mean_interval([1.0, 1.0], rng=np.random.default_rng(0), binary=False) == (1.0, 1.0, 1.0)
