from importlib.metadata import EntryPoint

import pytest

from cauarena.agents import make_agent, register_agent
from cauarena.agents import registry as reg
from cauarena.agents.babyai import BabyAIOracle
from cauarena.agents.random import RandomAgent
from cauarena.errors import ConfigError, NameNotFound


def test_short_names_resolve_by_family():
    assert isinstance(make_agent("oracle", family="babyai"), BabyAIOracle)
    assert isinstance(make_agent("random", family="anything"), RandomAgent)


def test_module_attr_strings():
    assert isinstance(make_agent("cauarena.agents.random:RandomAgent"), RandomAgent)
    with pytest.raises(ConfigError, match="Cannot import module 'no_such_mod'"):
        make_agent("no_such_mod:Agent")
    with pytest.raises(ConfigError, match="has no attribute 'Nope'"):
        make_agent("cauarena.agents.random:Nope")


def test_unknown_name_says_did_you_mean():
    with pytest.raises(NameNotFound, match="Did you mean: 'oracle'"):
        make_agent("oracel", family="babyai")


def test_name_without_implementation_for_the_family():
    with pytest.raises(ConfigError, match="has no implementation for env family 'nofamily'"):
        make_agent("heuristic", family="nofamily")


def test_later_registration_wins_and_entry_points_load(monkeypatch):
    monkeypatch.setattr(reg, "AGENT_REGISTRY", list(reg.AGENT_REGISTRY))
    register_agent("random", "cauarena.agents.babyai:BabyAIHeuristic", families=("babyai",))
    assert type(make_agent("random", family="babyai")).__name__ == "BabyAIHeuristic"
    assert isinstance(make_agent("random", family="other"), RandomAgent)

    ep = EntryPoint(name="plugged", value="cauarena.agents.random:RandomAgent", group="cauarena.agents")
    monkeypatch.setattr(reg, "entry_points", lambda group: [ep] if group == "cauarena.agents" else [])
    assert isinstance(make_agent("plugged", family="babyai"), RandomAgent)
    assert "plugged" in reg.agent_names()
