"""The shipped checkpoint through the ``causcale`` agent, on both causal envs."""

import json
import statistics
import subprocess
import sys

import pytest

import cauarena
from cauarena.agents import make_agent
from cauarena.envs.causal.metrics import auprc
from cauarena.errors import ConfigError
from cauarena.learners.causcale import (
    DEFAULT_CHECKPOINT,
    CauScaleConfig,
    checkpoint_dir,
)

pytest.importorskip("torch")
pytest.importorskip("safetensors")


def test_importing_the_agents_and_the_agent_module_imports_no_torch():
    code = "import sys, cauarena.agents, cauarena.learners.causcale.agent; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_the_shipped_checkpoint_is_small_and_documented():
    files = {p.name: p.stat().st_size for p in DEFAULT_CHECKPOINT.iterdir()}
    assert {"config.json", "model.safetensors", "metrics.json", "TRAINING.md"} <= set(files)
    assert files["model.safetensors"] <= 20 * 2**20


def test_an_unknown_checkpoint_says_what_is_shipped():
    with pytest.raises(ConfigError, match="Shipped: .*default"):
        checkpoint_dir("no-such-checkpoint")


def test_the_shipped_checkpoint_beats_correlation_on_fresh_small_graphs():
    env = cauarena.make("cauarena/CausalDiscovery-v0", n=10, degree=2.0, m=1000)
    ours, corr = [], []
    for seed in range(5000, 5003):
        obs, info = env.reset(seed=seed)
        truth = env.unwrapped.true_adjacency
        for name, scores in (("causcale", ours), ("corr", corr)):
            agent = make_agent(name, family="causal")
            agent.reset(seed=seed, info=info)
            action = agent.act(obs, info)
            assert action.shape == truth.shape and 0 <= action.min() and action.max() <= 1
            scores.append(auprc(action, truth))
    assert statistics.fmean(ours) > statistics.fmean(corr) + 0.1, (ours, corr)


def test_causcale_offers_its_graph_as_a_prior_on_causcientist():
    env = cauarena.make("cauarena/CauScientist-v0", init=("empty",))
    obs, info = env.reset(seed=0)
    agent = make_agent("causcale", family="causal")
    agent.reset(seed=0, info=info)
    assert agent.act(obs, info).startswith("PRIOR ")


def test_the_config_defaults_are_the_shipped_checkpoint_settings():
    shipped = CauScaleConfig.from_dict(json.loads((DEFAULT_CHECKPOINT / "config.json").read_text()))
    assert shipped == CauScaleConfig()


def test_predict_with_max_rows_zero_reads_every_row():
    import numpy as np

    from cauarena.envs.causal.simulate import published_test_set
    from cauarena.learners.causcale.checkpoint import load_model, predict

    data, mask, adj = published_test_set(10, 10, "linear", np.random.default_rng(0), m=200)
    net = load_model()
    every = predict(net, data, mask, max_rows=0)
    assert np.isfinite(every).all() and np.array_equal(every, predict(net, data, mask, max_rows=None))
    assert not np.array_equal(every, predict(net, data, mask, max_rows=16))  # a subset is another input
    for bad in (-1, 2.5, True):
        with pytest.raises(ConfigError, match="max_rows must be None, 0"):
            predict(net, data, mask, max_rows=bad)


def test_prior_rows_sets_how_many_rows_the_precision_prior_reads():
    import numpy as np

    from cauarena.envs.causal.simulate import published_test_set
    from cauarena.learners.causcale.agent import CauScaleAgent
    from cauarena.learners.causcale.checkpoint import load_model, predict

    data, mask, _ = published_test_set(10, 10, "linear", np.random.default_rng(0), m=1000)
    net = load_model()
    assert net.config.prior_rows == 500
    published = predict(net, data, mask, max_rows=0)
    assert np.array_equal(published, predict(net, data, mask, max_rows=0, prior_rows=500))
    every = predict(net, data, mask, max_rows=0, prior_rows=0)
    assert np.array_equal(every, predict(net, data, mask, max_rows=0, prior_rows=1000))  # 0 reads all 1000 rows
    assert not np.array_equal(every, published)
    assert net.config.prior_rows == 500  # the loaded network's config is left as it was
    for bad in (-1, 2.5, True):
        with pytest.raises(ConfigError, match="prior_rows must be None, 0"):
            predict(net, data, mask, prior_rows=bad)
    names = [f"X{i}" for i in range(10)]
    assert np.array_equal(CauScaleAgent(max_rows=0).estimate(data, mask, names), every)  # all rows by default
    for bad in (-1, 2.5, True):  # refused when the agent is built, before any episode
        with pytest.raises(ConfigError, match="prior_rows must be None, 0"):
            CauScaleAgent(prior_rows=bad)
        with pytest.raises(ConfigError, match="max_rows must be None, 0"):
            CauScaleAgent(max_rows=bad)
    checkpoint_rows = CauScaleAgent(max_rows=0, prior_rows=None).estimate(data, mask, names)  # 500 random rows
    assert np.isfinite(checkpoint_rows).all() and not np.array_equal(checkpoint_rows, every)
