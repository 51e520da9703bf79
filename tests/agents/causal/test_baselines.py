"""Each baseline recovers a small easy graph reasonably (strong linear effects, 2000 rows)."""


import numpy as np
import pytest

import cauarena
from cauarena.agents import make_agent
from cauarena.agents.causal.base import scores_to_dag
from cauarena.agents.causal.baselines import ledoit_wolf, pdag_scores, precision_scores
from cauarena.envs.causal.graphs import is_dag

ID = "cauarena/CausalDiscovery-v0"


def play(agent_name, seeds=(0, 1, 2), **env_kwargs):
    env = cauarena.make(ID, **{"n": 6, "m": 2000, "degree": 1.0, **env_kwargs})
    out = []
    for seed in seeds:
        agent = make_agent(agent_name, family="causal")
        obs, info = env.reset(seed=seed)
        agent.reset(seed=seed, info=info)
        action = agent.act(obs, info)
        assert action.shape == (6, 6) and action.min() >= 0 and action.max() <= 1
        out.append(env.step(action)[4]["metrics"])
    return {k: float(np.mean([m[k] for m in out])) for k in out[0]}


@pytest.mark.parametrize(
    ("agent", "env_kwargs", "metric", "at_least"),
    [
        ("corr", {}, "auroc", 0.75),
        ("precision", {}, "auroc", 0.8),
        ("pc", {}, "skeleton_f1", 0.8),
        ("ges", {}, "skeleton_f1", 0.8),
        ("lingam", {"noise": "laplace", "root": "noise"}, "f1", 0.7),
        ("notears", {}, "auprc", 0.7),
    ],
)
def test_baselines_recover_a_small_easy_graph(agent, env_kwargs, metric, at_least):
    metrics = play(agent, **env_kwargs)
    assert metrics[metric] >= at_least, metrics


def test_random_scores_are_chance_and_seeded():
    metrics = play("random", seeds=range(5))
    assert metrics["auprc"] < 0.5
    env = cauarena.make(ID, n=4, m=50)
    obs, info = env.reset(seed=0)
    a, b = make_agent("random", family="causal"), make_agent("random", family="causal")
    a.reset(seed=3, info=info)
    b.reset(seed=3, info=info)
    assert np.array_equal(a.act(obs, info), b.act(obs, info))


def test_pdag_and_symmetric_scores():
    assert pdag_scores(np.array([[0, 1], [1, 0]])).tolist() == [[0, 0.75], [0.75, 0]]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 4))
    s = precision_scores(x)
    assert np.allclose(s, s.T) and np.all(np.diag(s) == 0)
    # Ledoit-Wolf shrinks towards a scaled identity: the off-diagonal mass drops, the trace stays
    cov, shrunk = np.cov(x, rowvar=False, bias=True), ledoit_wolf(x)
    assert np.trace(shrunk) == pytest.approx(np.trace(cov))
    assert np.abs(shrunk - np.diag(np.diag(shrunk))).sum() < np.abs(cov - np.diag(np.diag(cov))).sum()


def test_scores_to_dag_orients_by_score_and_extends_undirected_edges():
    s = np.array([[0, 0.9, 0.75], [0.2, 0, 0], [0.75, 0.6, 0]])
    dag = scores_to_dag(s)
    assert is_dag(dag) and dag[0, 1] and not dag[1, 0] and dag[0, 2] + dag[2, 0] == 1
    # a cycle of strong scores loses its weakest edge
    cyc = np.array([[0, 0.9, 0], [0, 0, 0.8], [0.7, 0, 0]])
    assert scores_to_dag(cyc).tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]


def test_baselines_edit_toward_their_graph_on_causcientist():
    env = cauarena.make("cauarena/CauScientist-v0", init=("empty",))
    obs, info = env.reset(seed=0)
    agent = make_agent("pc", family="causal")
    agent.reset(seed=0, info=info)
    first = agent.act(obs, info)
    assert first.startswith("PRIOR ")
    steps = 0
    while True:
        obs, reward, terminated, truncated, info = env.step(agent.act(obs, info) if steps else first)
        steps += 1
        assert not info["invalid_action"], info["feedback"]
        if terminated or truncated:
            break
    assert info["metrics"]["f1"] >= info["metrics"]["init_f1"] and info["metrics"]["bic"] <= info["metrics"]["init_bic"]
