import doctest
import math

import numpy as np
import pytest

from cauarena.leaderboards import stats
from cauarena.leaderboards.stats import bootstrap_ci, bootstrap_means, comb_ratio, pass_at_k, pass_hat_k


def test_doctests():
    result = doctest.testmod(stats, raise_on_error=False)
    assert result.attempted >= 8
    assert result.failed == 0


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
