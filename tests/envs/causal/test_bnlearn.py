import numpy as np
import pytest

pytest.importorskip("pgmpy", reason="bnlearn networks need pgmpy: pip install 'cauarena[causal]'")

from cauarena.envs.causal.bnlearn import NETWORKS, load_network, sample_network  # noqa: E402
from cauarena.envs.causal.dataset import DatasetConfig, make_dataset  # noqa: E402
from cauarena.envs.causal.descriptions import DESCRIPTIONS  # noqa: E402
from cauarena.envs.causal.graphs import is_dag  # noqa: E402


def test_asia_loads_offline_with_its_names():
    net = load_network("asia")
    assert set(net.names) == {"asia", "tub", "smoke", "lung", "bronc", "either", "xray", "dysp"}
    adj = net.adjacency
    assert adj.sum() == 8 and is_dag(adj)
    i = net.names.index
    assert adj[i("smoke"), i("lung")] and adj[i("either"), i("dysp")]
    assert len(net.descriptions) == 8 and all("states: yes, no" in d for d in net.descriptions)


def test_sampler_matches_the_cpts():
    net = load_network("asia")
    i = net.names.index
    data = sample_network(net, 40_000, np.random.default_rng(0))
    smoke_yes = data[:, i("smoke")] == 0  # states are ("yes", "no")
    assert smoke_yes.mean() == pytest.approx(0.5, abs=0.01)
    assert (data[smoke_yes, i("lung")] == 0).mean() == pytest.approx(0.1, abs=0.01)  # P(lung | smoke) = 0.1
    assert (data[~smoke_yes, i("lung")] == 0).mean() == pytest.approx(0.01, abs=0.004)


def test_interventions_give_uniform_states():
    net = load_network("asia")
    mask = np.zeros((20_000, 8), dtype=np.int8)
    mask[:, net.names.index("lung")] = 1
    data = sample_network(net, 20_000, np.random.default_rng(1), mask)
    assert (data[:, net.names.index("lung")] == 0).mean() == pytest.approx(0.5, abs=0.02)


def test_dataset_shuffles_variables_but_keeps_names_with_their_edges():
    a = make_dataset(DatasetConfig(graph="asia", m=50), np.random.default_rng(0))
    b = make_dataset(DatasetConfig(graph="asia", m=50), np.random.default_rng(1))
    assert a.names != b.names and set(a.names) == set(b.names)
    for d in (a, b):
        i = d.names.index
        assert d.adjacency[i("smoke"), i("lung")] == 1 and d.adjacency.sum() == 8
        assert d.data_type == "discrete" and d.descriptions[i("smoke")].startswith("the patient smokes")


@pytest.mark.slow
@pytest.mark.parametrize("name", NETWORKS)
def test_every_described_network_loads_and_samples(name):
    net = load_network(name)
    assert set(net.names) == set(DESCRIPTIONS[name])
    data = sample_network(net, 200, np.random.default_rng(0))
    assert data.shape == (200, len(net.names)) and is_dag(net.adjacency)


@pytest.mark.slow
def test_sampler_marginals_agree_with_pgmpy():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.utils import get_example_model

        model = get_example_model("sachs")
        theirs = model.simulate(20_000, seed=0, show_progress=False)
    net = load_network("sachs")
    ours = sample_network(net, 20_000, np.random.default_rng(0))
    for k, name in enumerate(net.names):
        states = net.states[k]
        for s, state in enumerate(states):
            assert (ours[:, k] == s).mean() == pytest.approx((theirs[name].astype(str) == state).mean(), abs=0.02)
