import numpy as np
import pytest

from cauarena.envs.causal.dataset import DatasetConfig, make_dataset
from cauarena.envs.causal.graphs import is_dag
from cauarena.envs.causal.simulate import (
    MECHANISMS,
    NOISES,
    TEST_GRAPHS,
    TEST_MECHANISMS,
    TEST_SIZES,
    edge_probability,
    er_dag,
    intervention_targets,
    make_mechanism,
    published_test_set,
    random_dag,
    regime_mask,
    regime_rows,
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
    assert not mask[75:].any()  # the observational regime comes last, 100 // 4 rows
    assert (mask.sum(axis=1)[:75] == 1).all()  # before it, one intervened variable per row
    assert set(np.flatnonzero(mask.any(axis=0))) == set(targets)
    assert [int(mask[:, t].sum()) for t in targets] == [25, 25, 25]
    assert [int(np.flatnonzero(mask[row])[0]) for row in (0, 25, 50)] == list(targets)  # regimes in target order


def test_regime_rows_split_as_published():
    assert regime_rows(1000, 100) == [10] * 91 + [9] * 9 + [9]  # 1000 // 101 observational, 991 over 100
    assert regime_rows(1000, 10) == [91] * 10 + [90]
    assert regime_rows(1000, 1000) == [1] * 1000 + [0]  # n = 1000: one row per node, no observational row
    assert regime_rows(50, 0) == [50]


def test_published_test_set_intervenes_on_every_node_once_then_observes():
    rng = np.random.default_rng(7)
    data, mask, adj = published_test_set(100, 400, "linear", rng)
    assert data.shape == mask.shape == (1000, 100) and adj.shape == (100, 100) and is_dag(adj)
    assert (mask.sum(axis=0) >= 9).all() and (mask.sum(axis=0) <= 10).all()  # every node, once, 9-10 rows
    assert not mask[-9:].any() and (mask[:-9].sum(axis=1) == 1).all()  # 1000 // 101 observational rows last
    assert len({tuple(np.flatnonzero(mask[:, j])) for j in range(100)}) == 100  # one regime per node
    assert abs(data.std(axis=0).mean() - 1.0) < 2.0  # raw values, not standardised
    counts = [published_test_set(20, 80, "nn", np.random.default_rng(s))[2].sum() for s in range(30)]
    assert np.mean(counts) == pytest.approx(80, rel=0.1)  # (20, 80): 80 edges expected
    with pytest.raises(ValueError, match="edges must be in"):
        published_test_set(10, 50, "linear", rng)
    assert set(TEST_MECHANISMS) <= set(MECHANISMS) and len(TEST_SIZES) * len(TEST_MECHANISMS) * TEST_GRAPHS == 140


def test_perfect_interventions_cut_the_parents_and_draw_uniform_values():
    rng = np.random.default_rng(3)
    adj = np.array([[0, 1], [0, 0]], dtype=np.int8)  # 0 -> 1
    mask = regime_mask(8000, 2, np.array([1]))
    data = simulate_scm(adj, 8000, rng, mask=mask)
    rows = mask[:, 1] == 1
    assert abs(np.corrcoef(data[~rows, 0], data[~rows, 1])[0, 1]) > 0.3
    assert abs(np.corrcoef(data[rows, 0], data[rows, 1])[0, 1]) < 0.1
    values = data[rows, 1]  # U(-1, 1): mean 0, variance 1/3, bounded by 1
    assert values.mean() == pytest.approx(0.0, abs=0.03) and values.var() == pytest.approx(1 / 3, abs=0.02)
    assert np.abs(values).max() <= 1.0
    shifted = simulate_scm(adj, 8000, np.random.default_rng(3), mask=mask, intervention="shifted_normal")
    assert shifted[rows, 1].mean() == pytest.approx(2.0, abs=0.05)
    assert shifted[rows, 1].std() == pytest.approx(1, abs=0.05)
    with pytest.raises(ValueError, match="unknown intervention 'normal'"):
        simulate_scm(adj, 10, rng, mask=mask[:10], intervention="normal")


def test_polynomial_noise_is_additive_and_polynomial_mix_multiplies_it():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(500, 2))
    e = rng.standard_normal(500)
    additive, mix = make_mechanism("polynomial", 2, rng), make_mechanism("polynomial_mix", 2, rng)
    assert np.allclose(additive(x, e) - additive(x, np.zeros(500)), e)  # f(x) + e, for every x
    assert np.allclose(mix(x, e), mix(x, np.ones(500)) * e)  # f(x) * e
    assert np.abs(additive(x, np.zeros(500))).max() <= 2.0  # each parent's term is clipped to [-1, 1]


@pytest.mark.parametrize(("mechanism", "spread"), [("polynomial", (0.8, 1.25)), ("polynomial_mix", (2.0, np.inf))])
def test_simulated_polynomial_residual_spread(mechanism, spread):
    """Additive noise: X1's spread given X0 is the same everywhere; multiplied noise: it follows |f(X0)|."""
    ratios = []
    for seed in range(5):
        data = simulate_scm(np.array([[0, 1], [0, 0]]), 20000, np.random.default_rng(seed), mechanism=mechanism)
        bins = np.digitize(data[:, 0], np.linspace(-1, 1, 11)[1:-1])
        stds = [data[bins == b, 1].std() for b in range(10)]
        ratios.append(max(stds) / max(min(stds), 1e-9))
    low, high = spread
    assert low <= np.median(ratios) <= high


def test_noise_scales_are_drawn_per_regime():
    """Like the published ``variable_normal_noise``: a new standard deviation each regime, in [0.4, 0.566]."""
    adj = np.zeros((2, 2), dtype=np.int8)
    mask = regime_mask(40000, 2, np.array([1]))
    data = simulate_scm(adj, 40000, np.random.default_rng(11), root="noise", mask=mask)
    first, second = data[:20000, 0].std(), data[20000:, 0].std()  # node 0 is never intervened on
    assert 0.39 < first < 0.58 and 0.39 < second < 0.58
    assert abs(first - second) > 0.01  # two draws of the scale, not one


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
