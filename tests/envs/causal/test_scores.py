import math

import numpy as np
import pytest

from cauarena.envs.causal.scores import DiscreteBIC, LinearGaussianBIC, is_improvement, make_verifier


def test_discrete_bic_by_hand():
    # x = y on four rows, two states each
    data = np.array([[0, 0], [0, 0], [1, 1], [1, 1]])
    bic = DiscreteBIC(data)
    # y alone: -2 * 4 log(1/2) + (2 - 1) * 1 * log 4
    assert bic.local(1, ()) == pytest.approx(8 * math.log(2) + math.log(4))
    # y given x: a perfect fit (log-likelihood 0) with (2 - 1) * 2 parameters
    assert bic.local(1, (0,)) == pytest.approx(2 * math.log(4))


def test_linear_gaussian_bic_by_hand():
    y = np.array([1.0, -1.0, 2.0, -2.0])
    bic = LinearGaussianBIC(y[:, None])
    variance = np.var(y)  # the intercept-only fit's residual variance
    assert bic.local(0, ()) == pytest.approx(4 * (math.log(2 * math.pi * variance) + 1) + 2 * math.log(4))


def test_intervened_rows_leave_the_node_term():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(100, 2))
    mask = np.zeros((100, 2), dtype=np.int8)
    mask[:40, 1] = 1
    bic = LinearGaussianBIC(data, mask)
    assert bic.local(1, (0,)) == pytest.approx(LinearGaussianBIC(data[40:]).local(1, (0,)))
    assert bic.local(0, ()) == pytest.approx(LinearGaussianBIC(data).local(0, ()))


def _chain_data(m, rng, mask=None):
    x = rng.normal(size=m)
    y = x + 0.5 * rng.normal(size=m)
    if mask is not None:
        y[mask[:, 1] == 1] = rng.normal(2, 1, size=int(mask[:, 1].sum()))
    return np.c_[x, y]


def test_score_equivalence_without_interventions_and_orientation_with_them():
    rng = np.random.default_rng(1)
    forward, backward = np.array([[0, 1], [0, 0]]), np.array([[0, 0], [1, 0]])
    obs = LinearGaussianBIC(_chain_data(2000, rng))
    assert obs.score(forward) == pytest.approx(obs.score(backward), abs=1e-6)
    mask = np.zeros((2000, 2), dtype=np.int8)
    mask[1000:, 1] = 1  # do(y) on half the rows
    interventional = LinearGaussianBIC(_chain_data(2000, rng, mask), mask)
    assert interventional.score(forward) < interventional.score(backward) - 10


def test_delta_matches_score_difference_and_is_cached():
    rng = np.random.default_rng(2)
    bic = LinearGaussianBIC(rng.normal(size=(200, 3)))
    empty, one = np.zeros((3, 3), dtype=np.int8), np.array([[0, 0, 1], [0, 0, 0], [0, 0, 0]])
    assert bic.delta(empty, {2: (0,)}) == pytest.approx(bic.score(one) - bic.score(empty))
    assert (2, (0,)) in bic.cached


def test_is_improvement_and_factory():
    assert is_improvement(-1.0, 500.0) and not is_improvement(0.0, 500.0) and not is_improvement(-1e-8, 1e3)
    assert isinstance(make_verifier(np.zeros((3, 2)), None, "discrete"), DiscreteBIC)
    with pytest.raises(ValueError, match="data_type"):
        make_verifier(np.zeros((3, 2)), None, "mixed")
