"""The Agent protocol every agent implements, and the optional hooks the runner honours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Agent(Protocol):
    """What the runner needs from an agent: a reset per episode and one action per step.

    Optional hooks, used when present:

    - ``bind(env)``: called once after each environment is made. Privileged agents (scripted oracles) read
      the unwrapped env here; others may read ``env.action_space``. Never use it to peek at the truth in an
      agent that competes on the leaderboard as a non-oracle.
    - ``last_usage``: a :class:`StepUsage` for the latest ``act`` call (LLM agents); read after every step.
    - ``close()``: release resources at the end of the run.
    """

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Start a new episode; ``info`` is the env's reset info."""
        ...

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        """Return the action for ``observation``; ``info`` is the latest env info."""
        ...


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
