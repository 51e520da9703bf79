import time

import numpy as np
import pytest

from cauarena.agents.causal.notears import acyclicity, notears_linear


def test_acyclicity_is_zero_exactly_on_dags():
    assert acyclicity(np.zeros((3, 3)))[0] == pytest.approx(0)
    assert acyclicity(np.array([[0, 1.0], [0, 0]]))[0] == pytest.approx(0)
    assert acyclicity(np.array([[0, 1.0], [1.0, 0]]))[0] > 0.5


def test_recovers_a_linear_chain():
    rng = np.random.default_rng(0)
    m = 2000
    a = rng.normal(size=m)
    b = 1.5 * a + rng.normal(size=m)
    c = -1.0 * b + rng.normal(size=m)
    result = notears_linear(np.c_[a, b, c])
    assert not result.timed_out and result.h < 1e-7
    assert np.count_nonzero(result.weights) == 2
    assert result.weights[0, 1] == pytest.approx(1.5, abs=0.15) and result.weights[1, 2] == pytest.approx(-1, abs=0.15)


def test_time_budget_stops_early_with_the_last_iterate():
    x = np.random.default_rng(1).normal(size=(500, 15))
    start = time.perf_counter()
    result = notears_linear(x, time_budget_s=1e-6)  # unreachable, so timing-independent
    assert result.timed_out and time.perf_counter() - start < 2.0
    assert result.raw_weights.shape == (15, 15)


def test_max_iter_caps_the_dual_steps():
    x = np.random.default_rng(2).normal(size=(300, 4))
    assert notears_linear(x, max_iter=1).iterations == 1
