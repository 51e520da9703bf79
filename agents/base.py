"""The Agent protocol every agent implements, and the optional hooks the runner honours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable


@runtime_checkable
class Agent(Protocol):
    """What the runner needs from an agent: a reset per episode and one action per step.

    Optional hooks (declared with their defaults on :class:`AgentHooks`; :func:`with_hooks` adapts any agent):

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


class AgentHooks:
    """The optional part of the Agent protocol, declared with its defaults.

    Subclass it to override only what an agent needs; the runner reaches any other agent through
    :func:`with_hooks`, so no caller probes for a hook.

    Attributes:
        privileged: True for a built-in agent that reads the env's truth in :meth:`bind` (it then runs beside the
            env and its leaderboard rows are marked and not ranked). Declare it on the class.
        last_usage: the :class:`StepUsage` of the latest ``act`` call (LLM agents); ``None`` for others.
    """

    privileged: ClassVar[bool] = False
    last_usage: StepUsage | None = None

    def bind(self, env: Any) -> None:
        """Called once per env before its episodes: a :class:`PublicEnvView`, or the env for privileged agents."""

    def episode_metrics(self) -> dict[str, float]:
        """Metrics of the agent's own for the episode just played (a guard's decisions), merged into the row's."""
        return {}

    def close(self) -> None:
        """Release resources (a model, a connection) at the end of the run."""


class HookedAgent(AgentHooks):
    """An explicit adapter that gives any Agent the declared hooks: its own where it has them, else the defaults.

    >>> class Bare:
    ...     def reset(self, *, seed=None, info=None): pass
    ...     def act(self, observation, info): return "go"
    >>> agent = with_hooks(Bare())
    >>> agent.act("obs", {}), agent.episode_metrics(), agent.last_usage
    ('go', {}, None)
    """

    def __init__(self, agent: Any) -> None:
        self.agent = agent
        self.privileged = getattr(type(agent), "privileged", False) is True  # type: ignore[misc]

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """The wrapped agent's ``reset``."""
        self.agent.reset(seed=seed, info=info)

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        """The wrapped agent's ``act``."""
        return self.agent.act(observation, info)

    @property
    def last_usage(self) -> StepUsage | None:  # type: ignore[override]
        """The wrapped agent's ``last_usage``, or ``None``."""
        return getattr(self.agent, "last_usage", None)

    def bind(self, env: Any) -> None:
        """The wrapped agent's ``bind``, when it has one."""
        if callable(getattr(self.agent, "bind", None)):
            self.agent.bind(env)

    def episode_metrics(self) -> dict[str, float]:
        """The wrapped agent's ``episode_metrics``, else none."""
        hook = getattr(self.agent, "episode_metrics", None)
        return dict(hook()) if callable(hook) else {}

    def close(self) -> None:
        """The wrapped agent's ``close``, when it has one."""
        if callable(getattr(self.agent, "close", None)):
            self.agent.close()


def with_hooks(agent: Any) -> AgentHooks:
    """``agent`` itself when it subclasses :class:`AgentHooks`, else a :class:`HookedAgent` around it."""
    return agent if isinstance(agent, AgentHooks) else HookedAgent(agent)


class SeededAgent:
    """Small base for scripted agents: keeps a numpy generator reseeded on every ``reset``."""

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        self.rng = np.random.default_rng()

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Reseed the generator from ``seed`` (``None``: fresh entropy)."""
        self.rng = self._np.random.default_rng(seed)
