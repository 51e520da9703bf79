"""Prompt templates per env family and the pure functions that turn an episode into chat messages.

The tiny-LM trainer renders oracle trajectories through :func:`render_messages` and :func:`render_reply`,
so what a model is trained on and what :class:`~cauarena.agents.llm.agent.ChatAgent` sends are the same
text. Every function here is pure: same arguments, same messages.

A prompt is: the system message; one user/assistant pair per past turn (the observation, then the model's
reply); and the current user message, which adds the mission (``info["mission"]``, unless the observation
already contains it), the valid actions (``info["valid_actions"]``, one per line under
:data:`ACTIONS_HEADER`) and the template's instruction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cauarena.agents.llm.backends.base import Message
from cauarena.errors import ConfigError, NameNotFound
from cauarena.registry import Entry, Registry, RegistryView

ACTIONS_HEADER = "Valid actions:"
"""The line above the valid actions, each then on its own line as ``- action``."""


@dataclass(frozen=True)
class PromptTemplate:
    """How an env family is shown to a chat model, and its default decoding parameters.

    Attributes:
        name: the registry name (usually the env family: ``babyai``).
        system: the system message.
        instruction: the last line of the current user message (what to answer).
        reply_format: how an action is written as a reply (``{action}``); used for training targets.
        max_prompt_tokens: the prompt budget; the oldest turns are dropped to fit it.
        max_tokens: default most tokens to generate per step.
        stop: default stop sequences.
    """

    name: str
    system: str
    instruction: str = "Answer with one action from the list."
    reply_format: str = "{action}"
    max_prompt_tokens: int = 2048
    max_tokens: int = 128
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name:
            raise ConfigError("A PromptTemplate needs a name (the env family, e.g. 'babyai').")
        if "{action}" not in self.reply_format:
            raise ConfigError(f"reply_format must contain '{{action}}'; got {self.reply_format!r}.")
        if self.max_prompt_tokens < 1 or self.max_tokens < 1:
            raise ConfigError(
                f"max_prompt_tokens and max_tokens must be >= 1; got {self.max_prompt_tokens}, "
                f"{self.max_tokens}."
            )


@dataclass(frozen=True)
class Turn:
    """One past step of the conversation.

    Attributes:
        observation: the observation text the model saw.
        reply: the model's reply (an oracle's action through :func:`render_reply` when training).
    """

    observation: str
    reply: str


PROMPT_REGISTRY: Registry[Entry] = Registry("prompt template")
"""Prompt templates by name (an :class:`~cauarena.registry.Entry` whose target is the template)."""

PROMPTS: RegistryView[Entry] = PROMPT_REGISTRY.view(value=lambda entry: entry.target, wrap=Entry)
"""Prompt templates by name, read as a dict; :func:`get_prompt` falls back to ``default``."""


def register_prompt(template: PromptTemplate, name: str | None = None) -> None:
    """Register ``template`` under ``name`` (default: its own name); registering another one there warns."""
    PROMPT_REGISTRY.add(Entry(name or template.name, template))


def get_prompt(family: str, *, strict: bool = False) -> PromptTemplate:
    """The template of an env family, or ``default`` when the family has none.

    Args:
        family: the env family (``babyai``) or a template name.
        strict: raise instead of falling back (for names a user typed).

    Raises:
        NameNotFound: ``strict`` and no template of that name.
    """
    if family in PROMPTS:
        return PROMPTS[family]
    if strict:
        raise NameNotFound("prompt template", family, PROMPTS)
    return PROMPTS["default"]


def observation_text(observation: Any) -> str:
    """The text of an observation: a string as is, a dict's ``text`` entry, anything else as JSON.

    >>> observation_text({"text": "You see a wall 1 step forward"})
    'You see a wall 1 step forward'
    """
    if isinstance(observation, str):
        return observation
    if isinstance(observation, Mapping) and isinstance(observation.get("text"), str):
        return observation["text"]
    return json.dumps(observation, default=str, sort_keys=True)


def render_user(template: PromptTemplate, observation: str, info: Mapping[str, Any] | None = None) -> str:
    """The current user message: mission, observation, valid actions and instruction."""
    info = info or {}
    parts = []
    mission = info.get("mission")
    if mission and str(mission) not in observation:
        parts.append(f"Mission: {mission}")
    parts.append(f"Observation:\n{observation}")
    actions = info.get("valid_actions")
    if actions:
        parts.append(ACTIONS_HEADER + "".join(f"\n- {a}" for a in actions))
    parts.append(template.instruction)
    return "\n".join(parts)


def render_messages(
    template: PromptTemplate,
    history: Sequence[Turn],
    observation: Any,
    info: Mapping[str, Any] | None,
) -> list[Message]:
    """Render the chat for one step: system, past turns, then the current observation.

    Args:
        template: the family's prompt template.
        history: past turns, oldest first (already trimmed to the budget, see :func:`fit_history`).
        observation: the current observation (see :func:`observation_text`).
        info: the env's latest info (``mission`` and ``valid_actions`` are shown when present; a
            ``system_prompt`` string is added to the system message and ``chat_history`` turns go before the
            episode's own turns).

    Returns:
        A new list of ``{"role", "content"}`` dicts.
    """
    context = info or {}
    extra = context.get("system_prompt")  # an env's additions to the system message (LifeAssist)
    system = f"{template.system}\n{extra}" if extra else template.system
    messages: list[Message] = [{"role": "system", "content": system}]
    for turn in context.get("chat_history") or ():  # earlier chat turns an env supplies (LifeAssist's memory)
        if isinstance(turn, Mapping) and turn.get("role") in ("user", "assistant"):
            messages.append({"role": turn["role"], "content": str(turn.get("content", ""))})
    for turn in history:
        messages.append({"role": "user", "content": f"Observation:\n{turn.observation}"})
        messages.append({"role": "assistant", "content": turn.reply})
    messages.append({"role": "user", "content": render_user(template, observation_text(observation), info)})
    return messages


def render_reply(template: PromptTemplate, action: str) -> str:
    """Write ``action`` as the model should reply it (the training target for oracle steps).

    >>> render_reply(get_prompt("babyai"), "go forward")
    'go forward'
    """
    return template.reply_format.format(action=action)


def fit_history(
    template: PromptTemplate,
    history: Sequence[Turn],
    observation: Any,
    info: Mapping[str, Any] | None,
    count_tokens: Callable[[list[Message]], int],
    max_prompt_tokens: int,
) -> list[Turn]:
    """The longest suffix of ``history`` whose rendered prompt fits ``max_prompt_tokens``.

    Drops the oldest turns first; returns no turns when even the bare prompt is over budget (the caller
    sends it anyway). Binary search, so a long episode costs O(log n) renders.

    Args:
        template: the prompt template.
        history: past turns, oldest first.
        observation: the current observation.
        info: the env's latest info.
        count_tokens: tokens of a rendered prompt (a backend's ``count_message_tokens``).
        max_prompt_tokens: the budget.
    """

    def fits(start: int) -> bool:
        messages = render_messages(template, history[start:], observation, info)
        return count_tokens(messages) <= max_prompt_tokens

    lo, hi = 0, len(history)  # the answer is the smallest start in [lo, hi] that fits (hi if none)
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    return list(history[lo:])


register_prompt(
    PromptTemplate(
        name="default",
        system=(
            "You are an agent acting in an environment, one step at a time. Each turn you read an "
            "observation and, when given, the list of valid actions. Pursue the goal in as few steps as "
            "possible. Answer with exactly one action and nothing else."
        ),
    )
)
register_prompt(
    PromptTemplate(
        name="babyai",
        system=(
            "You control an agent in a BabyAI grid world, seen from the agent's point of view. Each turn "
            "you read the mission, what the agent sees, and the actions it may take. Complete the mission "
            "in as few steps as possible. Answer with exactly one action, copied from the list, and "
            "nothing else."
        ),
        max_prompt_tokens=1024,
        max_tokens=48,
    )
)
