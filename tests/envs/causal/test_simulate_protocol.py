"""The published test protocol as the ``causcale-test`` suite plays it through ``CausalDiscovery-v0``."""

import numpy as np
import pytest

import cauarena
from cauarena.envs.causal.simulate import TEST_GRAPHS, TEST_MECHANISMS, TEST_ROWS, TEST_SIZES
from cauarena.leaderboards.suites import get_suite, plan


def test_causcale_test_suite_is_the_published_140_set_design():
    suite = get_suite("causcale-test")
    settings = [env.kwargs_dict for env in suite.envs]
    assert len(settings) == len(TEST_SIZES) * len(TEST_MECHANISMS) == 28 and suite.seeds == TEST_GRAPHS == 5
    sizes = {(s["n"], round(s["n"] * s["degree"])) for s in settings}
    assert sizes == {(10, 10), (20, 80), (50, 200), (100, 400), (250, 500), (500, 1000), (1000, 2000)}
    assert {s["mechanism"] for s in settings} == {"linear", "nn", "sigmoid_add", "polynomial"}
    assert all(s["graph"] == "er" and s["m"] == TEST_ROWS == 1000 and s["interventions"] == 1.0 for s in settings)
    episodes = plan(suite)
    per_agent = {agent: sum(e.agent == agent for e in episodes) for agent in suite.agents}
    assert set(per_agent.values()) == {140} and len({e.key for e in episodes}) == len(episodes)


@pytest.mark.parametrize(("n", "edges", "mechanism"), [(10, 10, "linear"), (20, 80, "polynomial")])
def test_a_suite_env_intervenes_on_every_node_once_then_observes(n, edges, mechanism):
    kwargs = next(e.kwargs_dict for e in get_suite("causcale-test").envs
                  if e.kwargs_dict["n"] == n and e.kwargs_dict["mechanism"] == mechanism)
    env = cauarena.make("cauarena/CausalDiscovery-v0", **kwargs)
    obs, info = env.reset(seed=1000)
    mask, data = np.asarray(obs["interventions"]), np.asarray(obs["data"])
    observational = TEST_ROWS // (n + 1)
    assert data.shape == mask.shape == (TEST_ROWS, n)
    assert (mask.sum(axis=0) >= (TEST_ROWS - observational) // n).all()  # every node, one regime each
    assert not mask[-observational:].any() and (mask[:-observational].sum(axis=1) == 1).all()
    intervened = data[mask == 1]  # U(-1, 1) values
    assert np.abs(intervened).max() <= 1.0 and intervened.var() == pytest.approx(1 / 3, abs=0.05)
    assert env.unwrapped.true_adjacency.sum() > 0
    env.close()
