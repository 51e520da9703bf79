"""Agents: the Agent protocol, the agent registry, scripted oracles and baselines, LLM chat agents."""

from cauarena.agents.base import Agent, SeededAgent, StepUsage
from cauarena.agents.checker import check_agent
from cauarena.agents.registry import AGENT_REGISTRY, agent_names, load_attr, make_agent, register_agent

register_agent("random", "cauarena.agents.random:RandomAgent", description="uniform over valid actions")
register_agent(
    "oracle", "cauarena.agents.babyai:BabyAIOracle", families=("babyai",),
    description="minigrid's BabyAIBot, replanning every step",
)
register_agent(
    "heuristic", "cauarena.agents.babyai:BabyAIHeuristic", families=("babyai",),
    description="reads the text: walks to the mission object, explores otherwise",
)

__all__ = [
    "AGENT_REGISTRY",
    "Agent",
    "SeededAgent",
    "StepUsage",
    "agent_names",
    "check_agent",
    "load_attr",
    "make_agent",
    "register_agent",
]
