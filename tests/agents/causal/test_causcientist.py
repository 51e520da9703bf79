
import numpy as np
import pytest
from episodes import play as play_episode

import cauarena
from cauarena.agents import make_agent
from cauarena.agents.causal.causcientist import CauScientistAgent
from cauarena.agents.causal.prompts import parse_edit_reply
from cauarena.agents.llm import get_parser, get_prompt
from cauarena.errors import ConfigError

SCIENTIST = "cauarena/CauScientist-v0"


def play(env, agent, seed):
    played = play_episode(env, agent, seed, bind=False)
    return played.reward, played.info, [(step.action, step.info) for step in played.steps]


def test_doctests_and_registration():
    assert get_prompt("causal").name == "causcientist" and get_parser("causal") is parse_edit_reply


@pytest.mark.parametrize(
    ("reply", "action"),
    [
        ("Action: **ADD a -> b**", "ADD a -> b"),
        ('{"action": "REMOVE a -> b"}', "REMOVE a -> b"),
        ("Reasoning...\n1. ADD a -> b", "ADD a -> b"),
        ("`STOP`", "STOP"),
        ("PRIOR a -> b, b -> c", "PRIOR a -> b, b -> c"),
        ("I am not sure.", "I am not sure."),
    ],
)
def test_parse_edit_reply(reply, action):
    assert parse_edit_reply(reply) == action


def test_greedy_proposer_improves_f1_over_its_initial_graph():
    env = cauarena.make(SCIENTIST)
    gains, finals = [], []
    for seed in range(8):
        reward, info, trace = play(env, make_agent("causcientist-greedy", family="causal"), seed)
        m = info["metrics"]
        assert m["bic"] <= m["init_bic"] and m["invalid"] == 0 and trace[-1][0] == "STOP"
        gains.append(m["f1_gain"])
        finals.append(m["f1"])
    assert np.mean(gains) > 0.15 and sum(g > 0 for g in gains) >= 3 and np.mean(finals) >= 0.9, (gains, finals)


def test_greedy_runs_the_whole_loop_on_causal_discovery():
    env = cauarena.make("cauarena/CausalDiscovery-v0", n=6, m=1000, interventions=1.0)
    agent = make_agent("causcientist-greedy", family="causal", init=("empty",))
    obs, info = env.reset(seed=0)
    agent.reset(seed=0, info=info)
    scores = agent.act(obs, info)
    assert set(np.unique(scores)) <= {0.0, 1.0}
    assert env.step(scores)[4]["metrics"]["f1"] >= 0.8


def test_llm_proposer_end_to_end_with_a_mock_backend():
    seen = []

    def script(messages):
        seen.append(messages)
        user = messages[-1]["content"]
        if "As your first action you may" in user:  # only the first observation invites a prior
            return "X0 and X1 look related.\nAction: PRIOR X0 -> X1"
        if "ADD X2 -> X2" not in user:
            return "Thought: try a self-loop to see the verifier.\nAction: ADD X2 -> X2"
        return "Action: STOP"

    env = cauarena.make(SCIENTIST, init=("empty",))
    agent = make_agent("causcientist", family="causal", proposer="llm", model="mock/script", replies=script)
    reward, info, trace = play(env, agent, 0)
    actions = [a for a, _ in trace]
    assert actions == ["PRIOR X0 -> X1", "ADD X2 -> X2", "STOP"]
    assert [i["verdict"] for _, i in trace][1:] == ["invalid", "stop"]
    assert "self-loop" in trace[1][1]["feedback"]
    first, last = seen[0], seen[-1]
    assert first[0]["role"] == "system" and "causal scientist" in first[0]["content"]
    assert "- X0: synthetic variable 0" in first[-1]["content"] and "Current graph" in first[-1]["content"]
    assert "Error memory" in last[-1]["content"] and "self-loop" in last[-1]["content"]
    assert agent.last_usage.prompt_tokens > 0 and info["metrics"]["iterations"] == 3


def test_backend_spec_agents_use_the_causal_prompt_and_parser():
    env = cauarena.make(SCIENTIST, init=("empty",))
    agent = make_agent("mock/edits", family="causal", replies=["Action: STOP"])
    reward, info, trace = play(env, agent, 0)
    assert trace[0][0] == "STOP" and info["verdict"] == "stop"


def test_llm_prior_with_the_greedy_proposer():
    env = cauarena.make(SCIENTIST, init=("empty",))
    agent = CauScientistAgent(prior="llm", model="mock/prior", replies=["PRIOR X3 -> X4, X4 -> X0"])
    obs, info = env.reset(seed=0)
    agent.reset(seed=0, info=info)
    assert agent.act(obs, info) == "PRIOR X3 -> X4, X4 -> X0"
    unusable = CauScientistAgent(prior="llm", model="mock/prior", replies=["no idea"])
    unusable.reset(seed=0, info=info)
    assert not unusable.act(obs, info).startswith("PRIOR")  # falls back to the env's start


def test_configuration_errors():
    with pytest.raises(ConfigError, match="needs model="):
        CauScientistAgent(proposer="llm")
    with pytest.raises(ConfigError, match="proposer must be one of"):
        CauScientistAgent(proposer="beam")
    with pytest.raises(ConfigError, match="prior must be one of"):
        CauScientistAgent(prior="pc")
    agent = CauScientistAgent(proposer="llm", model="mock/x", replies=["STOP"])
    env = cauarena.make("cauarena/CausalDiscovery-v0", n=4, m=50)
    obs, info = env.reset(seed=0)
    agent.reset(seed=0, info=info)
    with pytest.raises(ConfigError, match="LLM proposer plays CauScientist-v0"):
        agent.act(obs, info)


def test_mlp_verifier_scores_the_true_graph_better_than_the_linear_bic_graph_on_nonlinear_data():
    """On nn / sigmoid SCMs the linear BIC prefers a wrong graph; the MLP-likelihood BIC prefers the truth."""
    from cauarena.agents.causal.search import greedy_search
    from cauarena.envs.causal.dataset import DatasetConfig, make_dataset
    from cauarena.envs.causal.scores import LinearGaussianBIC, make_verifier
    from cauarena.envs.causal.scores_mlp import MLPBIC

    compared = 0
    for mechanism, seed in (("sigmoid_add", 0), ("sigmoid_add", 1), ("nn", 1)):
        data = make_dataset(DatasetConfig(n=5, m=1000, mechanism=mechanism), np.random.default_rng(seed))
        linear, mlp = LinearGaussianBIC(data.data), make_verifier(data.data, None, "continuous", "mlp")
        assert isinstance(mlp, MLPBIC)
        linear_graph, _ = greedy_search(linear, np.zeros((5, 5), dtype=np.int8))
        truth = data.adjacency
        assert linear.score(linear_graph) < linear.score(truth) and not np.array_equal(linear_graph, truth)
        assert mlp.score(truth) < mlp.score(linear_graph), (mechanism, seed)
        compared += 1
    assert compared == 3


def test_the_env_verifier_option_reaches_the_agents():
    env = cauarena.make(SCIENTIST, n=3, m=200, mechanism="nn", verifier="mlp", init=("empty",))
    obs, info = env.reset(seed=0)
    assert info["verifier"] == "mlp" and env.unwrapped.verifier.kind == "MLP BIC"
    agent = make_agent("causcientist-greedy", family="causal")
    agent.reset(seed=0, info=info)
    assert agent.verifier(np.asarray(obs["data"]), np.asarray(obs["interventions"])).kind == "MLP BIC"
    with pytest.raises(ConfigError, match="verifier must be one of linear, mlp"):
        cauarena.make(SCIENTIST, verifier="gp")


@pytest.mark.parametrize(("flag", "ends_after"), [(False, None), (True, 2)])
def test_invalid_edits_fill_the_error_memory_and_end_the_episode_only_with_the_flag(flag, ends_after):
    env = cauarena.make(SCIENTIST, init=("empty",), max_failures=1, max_iterations=10, invalid_is_failure=flag)
    env.reset(seed=0)
    for step in range(1, 5):
        _, _, terminated, truncated, info = env.step("ADD X9 -> X0")  # no such variable: invalid
        assert info["verdict"] == "invalid" and info["invalid_action"]
        if terminated or truncated:
            break
        assert any("invalid" in line for line in info["memory"]) and len(info["memory"]) == step
    assert (step if terminated else None) == ends_after
    if not flag:
        assert info["failures"] == 0 and not truncated
        _, _, terminated, _, info = env.step("STOP")
        assert terminated and info["metrics"]["invalid"] == 4


def test_llm_alone_baseline_answers_its_prior_then_stops():
    env = cauarena.make(SCIENTIST, init=("empty",))
    agent = make_agent("causcientist-llm-alone", family="causal", model="mock/prior",
                       replies=["PRIOR X0 -> X1, X1 -> X2"])
    reward, info, trace = play(env, agent, 0)
    assert [a for a, _ in trace] == ["PRIOR X0 -> X1, X1 -> X2", "STOP"]
    discovery = cauarena.make("cauarena/CausalDiscovery-v0", n=3, m=100)
    obs, info = discovery.reset(seed=0)
    agent.reset(seed=0, info=info)
    assert agent.act(obs, info).tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    with pytest.raises(ConfigError, match="causcientist-greedy"):
        make_agent("causcientist", family="causal")
    with pytest.raises(ConfigError, match="answers its prior graph only"):
        CauScientistAgent(proposer="none")
