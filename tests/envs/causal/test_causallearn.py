"""causal-learn's graph encoding converted correctly: hand-written matrices, then PC/GES on a chain and a collider."""


import numpy as np
import pytest

from cauarena.envs.causal import causallearn
from cauarena.envs.causal.causallearn import causallearn_to_pdag
from cauarena.errors import DependencyNotInstalled

CHAIN_PDAG = [[0, 1, 0], [1, 0, 1], [0, 1, 0]]  # 0 - 1 - 2
COLLIDER = [[0, 1, 0], [0, 0, 0], [0, 1, 0]]  # 0 -> 1 <- 2


def test_encoding_by_hand():
    # causal-learn: G[j, i] = 1 and G[i, j] = -1 is i -> j; -1/-1 undirected; 1/1 bidirected
    assert causallearn_to_pdag(np.array([[0, -1], [1, 0]])).tolist() == [[0, 1], [0, 0]]
    assert causallearn_to_pdag(np.array([[0, -1], [-1, 0]])).tolist() == [[0, 1], [1, 0]]
    assert causallearn_to_pdag(np.array([[0, 1], [1, 0]])).tolist() == [[0, 1], [1, 0]]
    assert causallearn_to_pdag(np.array([[0, -1, 0], [-1, 0, -1], [0, -1, 0]])).tolist() == CHAIN_PDAG


def _chain(rng, m=2000):
    a = rng.normal(size=m)
    b = a + 0.5 * rng.normal(size=m)
    return np.c_[a, b, b + 0.5 * rng.normal(size=m)]


def _collider(rng, m=2000):
    a, c = rng.normal(size=m), rng.normal(size=m)
    return np.c_[a, a + c + 0.5 * rng.normal(size=m), c]


@pytest.fixture
def rng():
    pytest.importorskip("causallearn")
    return np.random.default_rng(0)


def test_pc_on_a_chain_and_a_collider(rng):
    assert causallearn.run_pc(_chain(rng)).tolist() == CHAIN_PDAG
    assert causallearn.run_pc(_collider(rng)).tolist() == COLLIDER


def test_ges_on_a_chain_and_a_collider(rng):
    assert causallearn.run_ges(_chain(rng)).tolist() == CHAIN_PDAG
    assert causallearn.run_ges(_collider(rng)).tolist() == COLLIDER


def test_pc_and_ges_on_discrete_data(rng):
    a = rng.integers(0, 2, size=3000)
    c = rng.integers(0, 2, size=3000)
    b = np.where(rng.random(3000) < 0.9, a | c, 1 - (a | c))  # a -> b <- c (OR with 10% flips)
    data = np.c_[a, b, c]
    assert causallearn.run_pc(data, "discrete").tolist() == COLLIDER
    assert causallearn.run_ges(data, "discrete").tolist() == COLLIDER


def test_lingam_weights_are_transposed_to_our_encoding(rng):
    a = rng.uniform(-1, 1, size=2000)
    w = causallearn.run_lingam(np.c_[a, 0.8 * a + 0.3 * rng.uniform(-1, 1, size=2000)], seed=0)
    assert w[0, 1] == pytest.approx(0.8, abs=0.05) and w[1, 0] == 0


def test_missing_causal_learn_names_the_extra(monkeypatch):
    import importlib

    real = importlib.import_module

    def fake(name, *args, **kwargs):
        if name.startswith("causallearn"):
            raise ImportError("No module named 'causallearn'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(DependencyNotInstalled, match=r"pip install 'cauarena\[causal\]'"):
        causallearn.run_pc(np.zeros((10, 2)))
