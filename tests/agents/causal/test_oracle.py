import numpy as np
import pytest
from episodes import play

import cauarena
from cauarena.agents import check_agent, make_agent
from cauarena.errors import ConfigError


def run(env, agent, seed):
    played = play(env, agent, seed, bind=False)
    return played.reward, played.info


@pytest.mark.parametrize("kwargs", [{}, {"graph": "sf", "n": 12, "degree": 2.0, "interventions": 0.5}])
def test_oracle_solves_causal_discovery(kwargs):
    env = cauarena.make("cauarena/CausalDiscovery-v0", **kwargs)
    agent = make_agent("oracle", family="causal")
    agent.bind(env)
    for seed in range(3):
        reward, info = run(env, agent, seed)
        assert reward == 1.0 and info["success"] and info["metrics"]["shd_cpdag"] == 0


def test_oracle_solves_causcientist_on_the_default_settings():
    env = cauarena.make("cauarena/CauScientist-v0")
    agent = make_agent("oracle", family="causal")
    agent.bind(env)
    for seed in range(10):
        reward, info = run(env, agent, seed)
        assert reward == 1.0 and info["success"], (seed, info["metrics"])


def test_oracle_on_a_bnlearn_network():
    pytest.importorskip("pgmpy")
    env = cauarena.make("cauarena/CausalDiscovery-v0", graph="sachs", m=200)
    agent = make_agent("oracle", family="causal")
    agent.bind(env)
    reward, info = run(env, agent, 0)
    assert reward == 1.0 and np.asarray(info["true_adjacency"]).sum() == 17


def test_oracle_passes_check_agent_and_refuses_other_envs():
    check_agent(make_agent("oracle", family="causal"), "cauarena/CauScientist-v0")
    agent = make_agent("oracle", family="causal")
    with pytest.raises(ConfigError, match="needs a causal env"):
        agent.bind(cauarena.make("cauarena/BabyAI-GoToLocal-Text-v0"))
