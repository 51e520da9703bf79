"""KGQA agents: the registry picks them by family, the oracle is not privileged, the chat prompt plays the env."""

import cauarena
from cauarena.agents import AGENT_REGISTRY, make_agent
from cauarena.agents.kgqa import KGQAOracle, whole_reply
from cauarena.agents.llm.parsing import get_parser
from cauarena.agents.llm.prompts import get_prompt


def test_registry_serves_oracle_and_random_for_kgqa_and_the_oracle_is_not_privileged():
    entries = {e.name: e for e in AGENT_REGISTRY if "kgqa" in e.families}
    assert set(entries) >= {"oracle", "random"} and not entries["oracle"].privileged
    assert type(make_agent("oracle", family="kgqa")).__name__ == "KGQAOracle"


def test_the_oracle_needs_only_the_public_info():
    env = cauarena.make("cauarena/KGQA-v0", hops=(3,), choices=False)
    observation, info = env.reset(seed=2)
    public = {k: v for k, v in info.items() if k not in env.unwrapped.sealed_info_keys}
    assert KGQAOracle().act(observation, public) == f"Answer: {env.unwrapped.question.answer}"


def test_the_kgqa_prompt_and_parser_are_registered():
    assert get_prompt("kgqa", strict=True).name == "kgqa"
    assert get_parser("kgqa") is whole_reply
