"""The Agent protocol every agent implements, and the optional hooks the runner honours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Agent(Protocol):
    """What the runner needs from an agent: a reset per episode and one action per step.

    Optional hooks, used when present:

    - ``bind(env)``: called once after each environment is made. An agent that is not declared privileged runs in
      a process of its own (the agent host) and gets a :class:`PublicEnvView` here: the env's spaces, id,
      family and documented metadata, never the env itself. Built-in agents that need the truth (scripted
      oracles) declare ``privileged = True``, run beside the env and read ``env.unwrapped``; their leaderboard
      rows are marked and not ranked.
    - ``last_usage``: a :class:`StepUsage` for the latest ``act`` call (LLM agents); read after every step.
    - ``close()``: release resources at the end of the run.
    """

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Start a new episode; ``info`` is the env's reset info."""
        ...

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        """Return the action for ``observation``; ``info`` is the latest env info."""
        ...


@dataclass(frozen=True)
class PublicEnvView:
    """What an agent that is not privileged may know of its env: it gets this in ``bind`` instead of the env.

    ``unwrapped`` is the view itself, so code written for a Gymnasium env (``env.unwrapped.action_space``) reads
    the same fields; nothing else of the env (its state, its truth, its score) is here.

    Attributes:
        env_id: the registered id (``cauarena/BabyAI-GoToLocal-Text-v0``).
        family: the env family (``babyai``).
        action_space: the action space (multi-agent envs: a dict per agent).
        observation_space: the observation space (multi-agent envs: a dict per agent).
        metadata: the env's ``metadata``.
        possible_agents: the agent names of a multi-agent env (empty for single-agent envs).
        refusal_action: the env's documented action that declines the task, when it has one.
    """

    env_id: str
    family: str
    action_space: Any = None
    observation_space: Any = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    possible_agents: tuple[str, ...] = ()
    refusal_action: Any = None

    @property
    def unwrapped(self) -> PublicEnvView:
        """The view itself (there is nothing underneath to unwrap)."""
        return self


@dataclass
class StepUsage:
    """Token and latency accounting for one ``act`` call.

    Attributes:
        prompt_tokens: tokens sent to the model for this step.
        completion_tokens: tokens the model generated for this step.
        latency_s: wall seconds spent in the model call.
        cached: True when the reply came from the response cache.
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cached: bool = False


class SeededAgent:
    """Small base for scripted agents: keeps a numpy generator reseeded on every ``reset``."""

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        self.rng = np.random.default_rng()

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        self.rng = self._np.random.default_rng(seed)
