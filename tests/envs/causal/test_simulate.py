import numpy as np
import pytest

from cauarena.envs.causal.dataset import DatasetConfig, make_dataset
from cauarena.envs.causal.graphs import is_dag
from cauarena.envs.causal.simulate import (
    MECHANISMS,
    NOISES,
    edge_probability,
    er_dag,
    intervention_targets,
    random_dag,
    regime_mask,
    sf_dag,
    simulate_scm,
)
from cauarena.errors import ConfigError


def test_same_seed_same_dataset_and_different_seed_differs():
    config = DatasetConfig(n=8, m=300, interventions=3, mechanism="nn_add")
    a = make_dataset(config, np.random.default_rng(5))
    b = make_dataset(config, np.random.default_rng(5))
    c = make_dataset(config, np.random.default_rng(6))
    assert np.array_equal(a.data, b.data) and np.array_equal(a.interventions, b.interventions)
    assert np.array_equal(a.adjacency, b.adjacency)
    assert not np.array_equal(a.data, c.data)
    assert a.data.dtype == np.float32 and a.interventions.dtype == np.int8 and a.adjacency.dtype == np.int8


@pytest.mark.parametrize("make", [er_dag, sf_dag])
def test_graphs_are_dags_with_degree_times_n_edges(make):
    rng = np.random.default_rng(0)
    counts = []
    for _ in range(200):
        adj = make(20, 2.0, rng)
        assert is_dag(adj) and not np.diag(adj).any()
        counts.append(adj.sum())
    assert np.mean(counts) == pytest.approx(40, rel=0.1)


def test_scale_free_graphs_have_hubs():
    rng = np.random.default_rng(1)
    er_max = np.mean([er_dag(50, 2.0, rng).sum(axis=1).max() for _ in range(50)])
    sf_max = np.mean([sf_dag(50, 2.0, rng).sum(axis=1).max() for _ in range(50)])
    assert sf_max > er_max + 2


def test_edge_probability_and_nonempty_graphs():
    assert edge_probability(11, 1.0) == pytest.approx(0.2)
    assert edge_probability(3, 4.0) == 1.0
    rng = np.random.default_rng(0)
    assert all(random_dag("er", 5, 0.05, rng).any() for _ in range(20))


def test_intervention_mask_regimes():
    rng = np.random.default_rng(0)
    targets = intervention_targets(10, 3, rng)
    assert len(targets) == len(set(targets)) == 3
    assert len(intervention_targets(10, 0.5, rng)) == 5
    mask = regime_mask(100, 10, targets)
    assert mask.dtype == np.int8
    assert not mask[:25].any()  # the first regime is observational
    assert (mask.sum(axis=1)[25:] == 1).all()  # then one intervened variable per row
    assert set(np.flatnonzero(mask.any(axis=0))) == set(targets)
    assert [int(mask[:, t].sum()) for t in targets] == [25, 25, 25]


def test_perfect_interventions_cut_the_parents():
    rng = np.random.default_rng(3)
    adj = np.array([[0, 1], [0, 0]], dtype=np.int8)  # 0 -> 1
    mask = regime_mask(4000, 2, np.array([1]))
    data = simulate_scm(adj, 4000, rng, mask=mask)
    rows = mask[:, 1] == 1
    assert abs(np.corrcoef(data[~rows, 0], data[~rows, 1])[0, 1]) > 0.3
    assert abs(np.corrcoef(data[rows, 0], data[rows, 1])[0, 1]) < 0.1
    assert data[rows, 1].mean() == pytest.approx(2.0, abs=0.1) and data[rows, 1].std() == pytest.approx(1, abs=0.1)


@pytest.mark.parametrize("mechanism", MECHANISMS)
@pytest.mark.parametrize("noise", NOISES)
def test_every_mechanism_and_noise_gives_finite_data(mechanism, noise):
    dataset = make_dataset(DatasetConfig(n=6, degree=1.5, m=200, mechanism=mechanism, noise=noise, interventions=2),
                           np.random.default_rng(0))
    assert dataset.data.shape == (200, 6) and np.isfinite(dataset.data).all()
    assert np.unique(np.round(dataset.data[:100], 6), axis=0).shape[0] > 50  # not degenerate


def test_linear_gaussian_roots_and_standardize():
    config = DatasetConfig(n=5, m=5000, root="noise", standardize=True)
    data = make_dataset(config, np.random.default_rng(0)).data
    assert np.allclose(data.mean(axis=0), 0, atol=1e-4) and np.allclose(data.std(axis=0), 1, atol=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"graph": "erdos"}, "graph must be one of"),
        ({"n": 1}, "n \\(variables\\) must be an int >= 2"),
        ({"degree": 9.0}, "degree .* must be in"),
        ({"mechanism": "gp"}, "mechanism must be one of"),
        ({"noise": "uniform"}, "noise must be one of"),
        ({"m": 1}, "m \\(rows\\)"),
        ({"interventions": 1.5}, "fraction must be in \\[0, 1\\]"),
        ({"interventions": True}, "int count or a float fraction"),
        ({"interventions": -1}, "count must be >= 0"),
    ],
)
def test_config_errors_explain_the_fix(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        DatasetConfig(**kwargs)


def test_missing_pgmpy_names_the_extra(monkeypatch):
    import sys

    from cauarena.envs.causal import bnlearn
    from cauarena.errors import DependencyNotInstalled

    bnlearn.load_network.cache_clear()
    monkeypatch.setitem(sys.modules, "pgmpy", None)
    monkeypatch.setitem(sys.modules, "pgmpy.utils", None)
    try:
        with pytest.raises(DependencyNotInstalled, match=r"pip install 'cauarena\[causal\]'"):
            make_dataset(DatasetConfig(graph="asia", m=10), np.random.default_rng(0))
    finally:
        bnlearn.load_network.cache_clear()
