import json

import numpy as np
import pytest

import cauarena
from cauarena.envs.causal.graphs import edge_list
from cauarena.envs.causal.scientist_env import CauScientistEnv
from cauarena.errors import ConfigError

ID = "cauarena/CauScientist-v0"


def make(**kwargs):
    env = cauarena.make(ID, **{"init": ("empty",), **kwargs})
    obs, info = env.reset(seed=kwargs.pop("seed", 0))
    return env, obs, info


def test_reset_shows_variables_graph_and_syntax_but_no_truth():
    env, obs, info = make(render_mode="ansi")
    assert obs in env.observation_space
    text = obs["text"]
    for name in info["names"]:
        assert f"- {name}: synthetic variable" in text
    assert "Current graph (0 edges" in text and "ADD a -> b, REMOVE a -> b, REVERSE a -> b, or STOP" in text
    assert "PRIOR a -> b" in text and info["prior_allowed"]
    assert "valid_actions" not in info and len(info["edit_examples"]) == 5
    assert not {"true_adjacency", "metrics"} & set(info)
    assert env.render() == text
    json.dumps(info)


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("ADD X0 -> X0", "self-loop"),
        ("ADD X0 -> X9", 'Unknown variable "X9"'),
        ("REMOVE X0 -> X1", "there is no edge X0 -> X1"),
        ("go forward", "Could not parse"),
        (17, "An edit is text"),
    ],
)
def test_invalid_edits_are_rejected_with_the_reason_and_the_episode_continues(action, reason):
    env, _, _ = make()
    obs, reward, terminated, truncated, info = env.step(action)
    assert info["invalid_action"] and info["verdict"] == "invalid" and reward == 0.0
    assert not terminated and not truncated
    assert reason in info["feedback"] and info["feedback"] in obs["text"]
    assert info["failures"] == 0 and reason in info["memory"][0]  # memory only (invalid_is_failure=True: 1)


def test_duplicate_and_cycle_are_rejected():
    env, _, info = make()
    names = info["names"]
    truth = env.unwrapped.true_adjacency
    a, b = edge_list(truth)[0]
    assert env.step(f"ADD {names[a]} -> {names[b]}")[4]["verdict"] == "accepted"
    assert "duplicate" in env.step(f"ADD {names[a]} -> {names[b]}")[4]["feedback"]
    assert "REVERSE" in env.step(f"ADD {names[b]} -> {names[a]}")[4]["feedback"]


def test_an_improving_edit_is_kept_and_clears_the_memory():
    env, _, info = make()
    names = info["names"]
    a, b = edge_list(env.unwrapped.true_adjacency)[0]
    env.step("nonsense")
    obs, reward, _, _, info = env.step({"op": "ADD", "source": names[a], "target": names[b]})
    assert info["verdict"] == "accepted" and info["delta_bic"] < 0 and reward == 0.0
    assert info["failures"] == 0 and info["memory"] == [] and info["edges"] == [[names[a], names[b]]]
    assert f"ADD {names[a]} -> {names[b]}: accepted, BIC" in obs["text"]
    assert env.unwrapped.graph[a, b] == 1


def test_an_edit_that_does_not_improve_is_not_applied_and_enters_the_memory():
    env, _, info = make(interventions=0)
    names = info["names"]
    a, b = edge_list(env.unwrapped.true_adjacency)[0]
    assert env.step(f"ADD {names[a]} -> {names[b]}")[4]["verdict"] == "accepted"
    # without interventions a lone edge and its reversal are Markov equivalent: same BIC, no improvement
    obs, _, _, _, info = env.step(f"REVERSE {names[a]} -> {names[b]}")
    assert info["verdict"] == "rejected" and not info["invalid_action"] and info["feedback"] == ""
    assert abs(info["delta_bic"]) < 1e-6 and info["edges"] == [[names[a], names[b]]] and info["failures"] == 1
    assert info["memory"] == [f"REVERSE {names[a]} -> {names[b]}: BIC unchanged, no improvement"]
    assert "(no improvement); the graph is unchanged" in obs["text"]


def test_failure_limit_and_iteration_budget_end_the_episode_with_f1():
    env, _, _ = make(max_failures=2, invalid_is_failure=True)  # invalid proposals as failures (the old default)
    for _ in range(2):
        assert not any(env.step("x")[2:4])
    _, reward, terminated, truncated, info = env.step("x")
    assert terminated and not truncated and info["metrics"]["invalid"] == 3.0
    assert reward == info["metrics"]["f1"] and "true_adjacency" in info
    env, _, _ = make(max_iterations=2)
    env.step("x")
    _, _, terminated, truncated, info = env.step("x")
    assert truncated and not terminated and info["metrics"]["iterations"] == 2.0


def test_stop_ends_with_the_final_and_initial_metrics():
    env, _, _ = make()
    _, reward, terminated, _, info = env.step("STOP")
    m = info["metrics"]
    assert terminated and reward == m["f1"] == m["init_f1"] == 0.0 and m["f1_gain"] == 0.0
    assert m["n_true_edges"] > 0 and m["shd"] == m["init_shd"] == m["n_true_edges"]


def test_prior_is_kept_when_at_least_as_good_and_only_first():
    env, _, info = make()
    names = info["names"]
    prior = "PRIOR " + ", ".join(f"{names[a]} -> {names[b]}" for a, b in edge_list(env.unwrapped.true_adjacency))
    obs, _, _, _, info = env.step(prior)
    assert info["verdict"] == "prior-accepted" and not info["prior_allowed"]
    assert "Initial graph: prior" in obs["text"]
    _, _, _, _, info = env.step(prior)
    assert info["invalid_action"] and "only allowed as the first action" in info["feedback"]
    _, _, _, _, info = env.step("STOP")
    assert info["metrics"]["init_f1"] == 1.0 and info["success"]


def test_hybrid_init_picks_the_best_bic_candidate():
    pytest.importorskip("causallearn")
    env = cauarena.make(ID)
    _, info = env.reset(seed=1)
    bics = info["init_bics"]
    assert set(bics) == {"empty", "pc", "ges"} and info["init"] == min(bics, key=bics.get)
    assert info["bic"] == pytest.approx(bics[info["init"]])


def test_discrete_networks_use_the_discrete_bic():
    pytest.importorskip("pgmpy")
    env, obs, info = make(graph="asia", m=300)
    assert "discrete BIC" in obs["text"] and "the patient smokes" in obs["text"]


def test_arguments_are_validated():
    with pytest.raises(ConfigError, match="init must"):
        CauScientistEnv(init=("empty", "fges"))
    with pytest.raises(ConfigError, match="init must"):
        CauScientistEnv(init="pc")
    with pytest.raises(ConfigError, match="max_failures must be an int >= 0"):
        CauScientistEnv(max_failures=-1)
    with pytest.raises(ConfigError, match="max_iterations"):
        CauScientistEnv(max_iterations=0)


def test_same_seed_same_start_and_reset_is_cached():
    env = cauarena.make(ID, init=("empty",))
    first = env.reset(seed=4)
    env.step("ADD X0 -> X1")
    second = env.reset(seed=4)
    assert first[0]["text"] == second[0]["text"] and np.array_equal(first[0]["data"], second[0]["data"])
    assert len(env.unwrapped.cached_seeds) == 1


def _deep(depth, leaf):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


class _Raising(dict):
    def get(self, *args):
        raise RuntimeError("hostile")

    __getitem__ = __iter__ = __len__ = __repr__ = items = keys = values = get


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("ADD " + " " * 20_000 + "X0", "too long"),
        ("ADD " + " " * 15_000 + "X0 -> ", "Could not parse"),
        ("ADD " + "X0 " * 5000 + "-> X1", "Unknown variable"),
        ("PRIOR " + "X0 -> X1, " * 1500, "appears twice"),
        ("REMOVE X0 " + "->" * 8000, "Unknown variable|Could not parse"),
        ({"op": "PRIOR", "edges": _deep(100_000, "X0")}, "nested deeper"),
        ({"op": "PRIOR", "edges": [["X0", "X1"]] * 20_000}, "more than 10,000 items"),
        ({"op": "ADD", "source": 10**400, "target": "X1"}, "Variable names are strings"),
        ({"op": object(), "source": "X0"}, "cannot be read"),
        (_Raising(op="STOP"), "dict subclass"),
        (None, "or a plain dict; got NoneType"),
        (np.zeros((5, 5)), "or a plain dict; got ndarray"),
        (float("nan"), "or a plain dict; got float"),
    ],
)
def test_hostile_edits_are_invalid_quickly_and_never_raise(action, reason):
    import re
    import time

    env, _, _ = make()
    start = time.process_time()
    obs, reward, _, _, info = env.step(action)
    assert time.process_time() - start < 1.0
    assert info["invalid_action"] and reward == 0.0 and re.search(reason, info["feedback"]), info["feedback"]
    assert obs in env.observation_space


def test_score_and_truth_are_sealed_until_the_end_and_summary_tracks_the_graph():
    env, _, info = make(max_iterations=3)
    sealed = env.unwrapped.sealed_info_keys
    assert not set(sealed) & set(info)
    before = env.unwrapped.episode_summary()
    assert before["metrics"]["iterations"] == 0.0 and isinstance(before["success"], bool)
    for _ in range(2):
        _, _, terminated, truncated, info = env.step("REMOVE X0 -> X1")
        assert not (terminated or truncated) and not set(sealed) & set(info)
    summary = env.unwrapped.episode_summary()
    _, _, _, truncated, info = env.step("STOP")
    assert summary["metrics"]["f1"] == info["metrics"]["f1"] and summary["success"] == info["success"]
    assert "true_adjacency" in info
