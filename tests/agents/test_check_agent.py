"""check_agent: protocol, signatures, and a short episode, with messages that say the fix."""

import pytest

import cauarena
from cauarena.agents import check_agent
from cauarena.agents.babyai import BabyAIHeuristic, BabyAIOracle
from cauarena.agents.random import RandomAgent
from cauarena.errors import ConfigError

GOTOLOCAL = "cauarena/BabyAI-GoToLocal-Text-v0"


class Good:
    def reset(self, *, seed=None, info=None):
        pass

    def act(self, observation, info):
        return "turn left"


class NoAct:
    def reset(self, *, seed=None, info=None):
        pass


class PositionalReset:
    def reset(self, seed):
        pass

    def act(self, observation, info):
        return "turn left"


class ExtraRequired:
    def reset(self, *, seed=None, info=None, config):
        pass

    def act(self, observation, info):
        return "turn left"


class ActTakesOne:
    def reset(self, **kwargs):
        pass

    def act(self, observation):
        return "turn left"


class Garbage(Good):
    def act(self, observation, info):
        return "fly"


class Crashes(Good):
    def act(self, observation, info):
        raise RuntimeError("model not loaded")


class BadBind(Good):
    bind = 3


@pytest.mark.parametrize("agent", [Good(), RandomAgent(), BabyAIOracle(), BabyAIHeuristic()])
def test_good_agents_pass(agent):
    check_agent(agent)
    check_agent(agent, GOTOLOCAL)


def test_accepts_an_env_object():
    env = cauarena.make(GOTOLOCAL)
    check_agent(Good(), env, seed=3, max_steps=5)


@pytest.mark.parametrize(
    ("agent", "pattern"),
    [
        (Good, r"got the class Good.*pass an instance, e\.g\. check_agent\(Good\(\)\)"),
        (NoAct(), r"does not implement the Agent protocol: missing method\(s\) act\. .*def act\(self"),
        (object(), r"missing method\(s\) reset, act"),
        (PositionalReset(), r"does not accept the keyword argument\(s\) info.*def reset\(self, \*, seed=None"),
        (ExtraRequired(), r"cannot be called as reset\(seed=0, info=\{\}\)"),
        (ActTakesOne(), r"cannot be called as act\(observation, info\)"),
        (BadBind(), r"bind is not callable"),
    ],
)
def test_protocol_errors_say_the_fix(agent, pattern):
    with pytest.raises(ConfigError, match=pattern):
        check_agent(agent)


def test_invalid_actions_are_reported_with_the_valid_ones():
    with pytest.raises(ConfigError, match=r"returned 'fly' at step 0.*not understood.*Fix: return one of"):
        check_agent(Garbage(), GOTOLOCAL)


def test_act_exceptions_are_reported():
    with pytest.raises(ConfigError, match="Crashes.act raised RuntimeError at step 0: model not loaded"):
        check_agent(Crashes(), GOTOLOCAL)


def test_unknown_env_id_suggests_close_ids():
    with pytest.raises(cauarena.EnvNotFound, match="Did you mean"):
        check_agent(Good(), "cauarena/BabyAI-GoToLokal-Text-v0")
