"""KGQA agents: the ``oracle`` that looks the answer up in the (public) world, ``random``, and the chat prompt.

The oracle is not privileged: it never touches the env. The world is public knowledge (``info["world"]``
names it, as Wikidata is public), and the question's topic and relation chain are in its text and in the
public ``info``; the oracle rebuilds the world and follows the chain, as a KG-lookup system (ToG, StructGPT)
would. The ``kgqa`` prompt template and parser make any chat agent (``hf/``, ``tiny/``, ``openai/`` ...) play it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cauarena.agents.base import SeededAgent
from cauarena.agents.llm.parsing import register_parser, whole_reply
from cauarena.agents.llm.prompts import PromptTemplate, register_prompt
from cauarena.envs.kgqa import LETTERS, KnowledgeWorld, world_from_spec
from cauarena.errors import ConfigError


def _world(info: Mapping[str, Any]) -> KnowledgeWorld:
    spec = info.get("world")
    if not isinstance(spec, dict):
        raise ConfigError("A KGQA agent needs info['world'] (the world's spec); got none. Fix: play cauarena/KGQA-v0.")
    return world_from_spec(spec)


def _frontier(world: KnowledgeWorld, topic: str, relations: list[str]) -> set[str]:
    entities = {topic}
    for relation in relations:
        entities = {tail for entity in entities for tail in world.tails(entity, relation)}
    return entities


class KGQAOracle:
    """Answers by following the question's relation chain from its topic in the world (100% on the shipped world).

    Example:
        >>> import cauarena
        >>> env = cauarena.make("cauarena/KGQA-v0", world_size="small")
        >>> observation, info = env.reset(seed=0)
        >>> agent, done = KGQAOracle(), False
        >>> agent.reset(seed=0, info=info)
        >>> while not done:
        ...     observation, reward, done, _, info = env.step(agent.act(observation, info))
        >>> reward, info["known_hops"] == [True] * len(info["known_hops"])
        (1.0, True)
    """

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Nothing to reset: each question is looked up."""

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """``Answer: <letter>`` (multiple choice) or ``Answer: <entity>``."""
        world = _world(info)
        found = _frontier(world, str(info.get("topic", "")), list(info.get("relations", [])))
        options = list(info.get("options") or [])
        if options:
            hits = [i for i, option in enumerate(options) if option in found]
            return f"Answer: {LETTERS[hits[0] if hits else 0]}"
        return f"Answer: {sorted(found)[0]}" if found else "Answer: unknown"


class KGQARandom(SeededAgent):
    """A chance baseline: a random option letter, or (short answer) a random entity of the world."""

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """``Answer: <random letter>`` or ``Answer: <random entity>``."""
        if info.get("options"):
            return f"Answer: {LETTERS[int(self.rng.integers(len(info['options'])))]}"
        names = list(_world(info).entities)
        return f"Answer: {names[int(self.rng.integers(len(names)))]}"


KGQA_PROMPT = PromptTemplate(
    name="kgqa",
    system=(
        "You answer questions about a knowledge world of people, places, organisations and works. A question may "
        "chain several facts (the country of the birthplace of the author of a book). Think it through hop by "
        "hop if you need to, then end with 'Answer: ' and the letter of one option (or the entity's name when "
        "there are no options). Only the last 'Answer:' counts."
    ),
    instruction="End your reply with 'Answer: <letter>' (or 'Answer: <name>').",
    max_prompt_tokens=1024,
    max_tokens=128,
)
"""The prompt template of the ``kgqa`` env family."""


register_prompt(KGQA_PROMPT)
register_parser("kgqa", whole_reply)

__all__ = ["KGQA_PROMPT", "KGQAOracle", "KGQARandom", "whole_reply"]
