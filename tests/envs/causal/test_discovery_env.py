import json
import re

import numpy as np
import pytest

import cauarena
from cauarena.envs.causal.discovery_env import CausalDiscoveryEnv
from cauarena.errors import ConfigError

ID = "cauarena/CausalDiscovery-v0"


def test_nothing_about_the_truth_before_the_action():
    env = cauarena.make(ID, n=6, m=200)
    obs, info = env.reset(seed=0)
    assert set(obs) == {"data", "interventions", "names", "feedback"}
    assert obs in env.observation_space
    assert not {"true_adjacency", "metrics", "adjacency"} & set(info)
    assert "true" not in json.dumps(info).lower()
    assert info["names"] == [f"X{i}" for i in range(6)] and info["data_type"] == "continuous"
    assert set(info["descriptions"]) == set(info["names"])


def test_the_truth_scores_auprc_one_and_comes_back_in_info():
    env = cauarena.make(ID, n=6, m=200, interventions=2)
    obs, info = env.reset(seed=3)
    truth = env.unwrapped.true_adjacency
    assert len(info["intervened"]) == 2 and obs["interventions"].any()
    obs, reward, terminated, truncated, info = env.step(truth.astype(np.float32))
    assert reward == 1.0 and terminated and not truncated and info["success"]
    assert np.array_equal(np.array(info["true_adjacency"], dtype=np.int8), truth)
    assert info["metrics"]["shd"] == 0 and info["metrics"]["f1"] == 1.0
    json.dumps(info)


@pytest.mark.parametrize(
    "action",
    [np.ones((6, 6), dtype=int), np.zeros((6, 6), dtype=bool), [[0.5] * 6] * 6, np.full((6, 6), 0.2, np.float32)],
)
def test_any_numeric_matrix_in_range_is_valid(action):
    env = cauarena.make(ID, n=6, m=200)
    env.reset(seed=0)
    _, _, terminated, _, info = env.step(action)
    assert terminated and not info["invalid_action"]


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (np.zeros((5, 5)), "the shape is \\(5, 5\\), not \\(6, 6\\)"),
        (np.full((6, 6), np.nan), "NaN or infinite"),
        (np.full((6, 6), 1.5), "must lie in \\[0, 1\\]"),
        ("ADD X0 -> X1", "not an array of numbers"),
        (np.zeros((6, 6), dtype=complex), "not a real number type"),
        (None, "not an array of numbers"),
        (0.5, "the shape is \\(\\)"),
        (10**400, "not a real number type"),
        ([[0.5] * 6] * 5 + [[0.5] * 5 + ["x"]], "not a real number type"),
        ([[0.5] * 6] * 5 + [[0.5] * 5], "not an array of numbers|could not be converted"),
        (np.full((6, 6), "0.5"), "not a real number type"),
        (np.full((6, 6), 0.5, dtype=object), "not a real number type"),
        (np.zeros((6, 6), dtype=[("a", "f4")]), "not a real number type"),
        (np.ones((6, 6, 1)), "the shape is \\(6, 6, 1\\)"),
        (range(10**12), "not an array of numbers"),
    ],
)
def test_invalid_answers_get_feedback_and_the_episode_goes_on(action, reason):
    env = cauarena.make(ID, n=6, m=200)
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(action)
    assert info["invalid_action"] and reward == 0.0 and not terminated and not truncated
    assert info["feedback"] == obs["feedback"]
    assert re.search(reason, info["feedback"]), info["feedback"]
    assert "true_adjacency" not in info


def test_three_invalid_answers_truncate_as_the_empty_graph():
    env = cauarena.make(ID, n=6, m=200)
    env.reset(seed=0)
    for _ in range(2):
        _, _, _, truncated, info = env.step("x")
        assert not truncated and not set(env.unwrapped.sealed_info_keys) & set(info)
    summary = env.unwrapped.episode_summary()  # what truncation now would give: the empty graph
    _, reward, terminated, truncated, info = env.step("x")
    assert truncated and not terminated and reward == 0.0
    assert summary == {"success": info["success"], "metrics": info["metrics"]}
    assert info["metrics"]["f1"] == 0.0 and info["metrics"]["n_edges"] == 0 and "true_adjacency" in info
    with pytest.raises(Exception, match="reset"):
        env.step(np.zeros((6, 6)))


def test_bnlearn_graph_keeps_its_variable_names():
    pytest.importorskip("pgmpy")
    env = cauarena.make(ID, graph="asia", m=300, render_mode="ansi")
    obs, info = env.reset(seed=0)
    assert sorted(obs["names"]) == sorted(["asia", "tub", "smoke", "lung", "bronc", "either", "xray", "dysp"])
    assert info["data_type"] == "discrete" and set(np.unique(obs["data"])) <= {0.0, 1.0}
    assert "Asia" in info["summary"] and "mechanism" not in info
    env.step(env.unwrapped.true_adjacency)
    assert "AUPRC 1.000" in env.render()


def test_arguments_are_validated():
    with pytest.raises(ConfigError, match="max_invalid"):
        CausalDiscoveryEnv(max_invalid=0)
    with pytest.raises(ConfigError, match="threshold"):
        CausalDiscoveryEnv(threshold=1.0)
    with pytest.raises(ConfigError, match="graph must be one of"):
        CausalDiscoveryEnv(graph="alarms")


def _deep_list(depth):
    value = [0.5]
    for _ in range(depth):
        value = [value]
    return value


class _Raising:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("hostile")

    __repr__ = __str__ = __len__ = __iter__ = __array__


@pytest.mark.parametrize(
    "action",
    [_deep_list(100_000), [0.5] * 1_000_000, [[_Raising()] * 6] * 6, _Raising(), np.full((6, 6), np.inf),
     np.ones((6, 6), dtype=np.uint64) * (2**64 - 1), [[10**400] * 6] * 6, {"a": 1}, b"\x00" * 36],
)
def test_hostile_answers_are_invalid_with_feedback_not_exceptions(action):
    env = cauarena.make(ID, n=6, m=200)
    env.reset(seed=0)
    obs, reward, terminated, _, info = env.step(action)
    assert info["invalid_action"] and reward == 0.0 and not terminated
    assert info["feedback"] == obs["feedback"] and obs in env.observation_space
    assert "success" not in info and "metrics" not in info
