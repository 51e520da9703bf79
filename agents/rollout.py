"""The one rollout loop: agents play an env, single-agent or multi-agent, one step at a time.

:class:`Rollout` is an iterator of :class:`Step` records. The runner, the learners' evaluation, the checkers, the
ATBench builder, GRPO's rollouts and MAGIC's games all play through it and keep what they need from each step
(a trajectory record, a turn's tokens, an assertion) instead of writing a loop of their own.

The env's kind picks the path: a Gymnasium env takes one agent; a PettingZoo ``ParallelEnv`` takes one agent per
seat (a mapping ``{agent name: agent}``). At each step of a multi-agent env only the seats whose ``info`` says
``your_turn`` act (every live seat when the env does not say), as in a turn-based game such as MAGIC.

Nothing is caught silently: an exception from an agent or the env ends the rollout as a :class:`RolloutError`
that names the side (``agent`` or ``env``), the call (``reset``, ``act``, ``step``) and keeps the original
exception, so each caller decides what it means (the runner records an error kind, the checker explains a fix).

>>> import gymnasium as gym
>>> class Left:
...     def reset(self, *, seed=None, info=None): pass
...     def act(self, observation, info): return 0
>>> rollout = Rollout(gym.make("CartPole-v1"), Left(), seed=0).run()
>>> rollout.ended, rollout.n_steps == rollout.episode_return()
(True, True)
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from cauarena.agents.base import AgentHooks, StepUsage, with_hooks

SINGLE = "agent"
"""The seat name of the one agent of a single-agent env (in :attr:`Rollout.returns` and :attr:`Rollout.usage`)."""


class RolloutError(Exception):
    """An agent or the env raised during a rollout; the original exception is ``error`` (and ``__cause__``).

    Attributes:
        side: ``"agent"`` or ``"env"``: who raised.
        phase: ``"reset"``, ``"act"`` or ``"step"``: in which call.
        error: the exception raised.
        action: the action being stepped (``phase == "step"``), else None.
        seat: the seat that raised (multi-agent envs; :data:`SINGLE` otherwise; ``""`` for the env).
    """

    def __init__(self, side: str, phase: str, error: BaseException, action: Any = None, seat: str = "") -> None:
        super().__init__(f"{side} {phase} raised {type(error).__name__}: {error}")
        self.side, self.phase, self.error, self.action, self.seat = side, phase, error, action, seat


@dataclass
class Step:
    """One env step of a rollout.

    Attributes:
        index: 0 for the first step.
        observation: what the acting agent saw (multi-agent: ``{seat: observation}`` of the seats that acted).
        action: what it did (multi-agent: ``{seat: action}``).
        reward: the step's reward (multi-agent: ``{seat: reward}``).
        info: the env's info after the step (multi-agent: ``{seat: info}``).
        terminated: the env ended the episode.
        truncated: the env cut it (its own step limit).
        invalid: the env answered an acting agent's action as invalid (``info["invalid_action"]``).
        usage: the acting agents' token counts of this step (None when no agent reports usage).
        latency_s: wall seconds the agents took to act.
    """

    index: int
    observation: Any
    action: Any
    reward: Any
    info: Any
    terminated: bool
    truncated: bool
    invalid: bool
    usage: StepUsage | None
    latency_s: float


class Acted(NamedTuple):
    """What one seat's agent did at a step: its action, the usage it reported, and the seconds it took."""

    action: Any
    usage: StepUsage | None
    latency_s: float


def is_multi_agent(env: Any) -> bool:
    """Whether ``env`` is a PettingZoo multi-agent env (its ``possible_agents`` list) rather than a Gymnasium one.

    >>> import gymnasium as gym
    >>> is_multi_agent(gym.make("CartPole-v1"))
    False
    """
    import gymnasium as gym

    return not isinstance(env, gym.Env) and isinstance(getattr(env, "possible_agents", None), list | tuple)


class Rollout:
    """Agents playing one episode of an env from ``reset(seed=seed)``; iterate it for its :class:`Step` records.

    The rollout neither binds nor closes agents (callers bind once per env, see
    :meth:`~cauarena.agents.base.AgentHooks.bind`). After the iteration the attributes say how it ended.

    Args:
        env: a Gymnasium env, or a PettingZoo ``ParallelEnv`` (see :func:`is_multi_agent`).
        agents: the agent (single-agent env) or ``{seat: agent}`` for every seat of a multi-agent env.
        seed: the env's reset seed.
        agent_seed: the seed of every agent's ``reset`` (default ``seed``).
        max_steps: stop after this many steps (``truncated`` and not ``ended``); None: when the env ends it.
        options: the env's reset options.

    Attributes:
        observation: the latest observation (multi-agent: per seat).
        info: the latest info (multi-agent: per seat; a seat the env dropped keeps its last one).
        n_steps: env steps taken.
        invalid: steps whose action the env answered as invalid.
        returns: the summed reward per seat (:data:`SINGLE` for a single-agent env).
        usage: ``[prompt, completion]`` tokens per seat.
        ended: the env ended the episode (terminated or truncated by the env).
        truncated: the episode was cut (by the env's own limit or ``max_steps``) rather than terminated.

    Raises:
        RolloutError: (while iterating) an agent or the env raised.
    """

    def __init__(self, env: Any, agents: Any, *, seed: int | None = None, agent_seed: int | None = None,
                 max_steps: int | None = None, options: dict[str, Any] | None = None) -> None:
        self.env, self.multi = env, is_multi_agent(env)
        if self.multi != isinstance(agents, Mapping):
            kind = "a multi-agent (PettingZoo) env takes {seat: agent}" if self.multi else \
                "a single-agent (Gymnasium) env takes one agent"
            raise TypeError(f"Rollout: {kind}; got {type(agents).__name__}. Fix: pass "
                            f"{'a mapping of every seat to its agent' if self.multi else 'the agent itself'}.")
        seats = dict(agents) if self.multi else {SINGLE: agents}
        self.agents: dict[str, AgentHooks] = {seat: with_hooks(a) for seat, a in seats.items()}
        self.seed, self.agent_seed = seed, seed if agent_seed is None else agent_seed
        self.max_steps, self.options = max_steps, options
        self.observation: Any = None
        self.info: Any = {}
        self.n_steps = self.invalid = 0
        self.returns = dict.fromkeys(self.agents, 0.0)
        self.usage = {seat: [0, 0] for seat in self.agents}
        self.ended = self.truncated = False

    def run(self) -> Rollout:
        """Play to the end (or ``max_steps``) and return ``self``."""
        for _ in self:
            pass
        return self

    def episode_return(self, seat: str = SINGLE) -> float:
        """The summed reward of ``seat`` (the agent of a single-agent env by default)."""
        return self.returns[seat]

    def seat_info(self, seat: str = SINGLE) -> dict[str, Any]:
        """The latest info of ``seat`` (the whole info of a single-agent env)."""
        info = self.info.get(seat, {}) if self.multi else self.info
        return info if isinstance(info, dict) else {}

    def __iter__(self) -> Iterator[Step]:
        self.begin()
        while not self.finished():
            yield self._step()

    def finished(self) -> bool:
        """Whether the episode is over: the env ended it, or ``max_steps`` were taken (then ``truncated``)."""
        if not self.ended and self.max_steps is not None and self.n_steps >= self.max_steps:
            self.truncated = True
            return True
        return self.ended

    def begin(self, reset_agents: bool = True) -> None:
        """Reset the env and every agent: what iterating does first.

        A caller that schedules many rollouts at once (the runner's lanes) drives them with :meth:`begin`,
        :meth:`finished`, :meth:`requests` and :meth:`advance` instead of iterating; both paths are this loop. Such a
        caller may reset the agents itself (``reset_agents=False``), each with ``reset(seed=agent_seed,
        info=seat_info(seat))``, before their first ``act``.
        """
        try:
            kwargs = {} if self.options is None else {"options": self.options}
            self.observation, self.info = self.env.reset(seed=self.seed, **kwargs)
        except Exception as exc:
            raise RolloutError("env", "reset", exc) from exc
        if not reset_agents:
            return
        for seat, agent in self.agents.items():
            try:
                agent.reset(seed=self.agent_seed, info=self.seat_info(seat))
            except Exception as exc:
                raise RolloutError("agent", "reset", exc, seat=seat) from exc

    def _actors(self) -> list[str]:
        if not self.multi:
            return [SINGLE]
        live = list(self.env.agents)
        return [s for s in live if self.seat_info(s).get("your_turn", True)] or live

    def requests(self) -> dict[str, tuple[Any, dict[str, Any]]]:
        """The seats that act next, each with the ``(observation, info)`` its agent's ``act`` takes."""
        return {seat: (self.observation[seat] if self.multi else self.observation, self.seat_info(seat))
                for seat in self._actors()}

    def _act(self) -> dict[str, Acted]:
        acted = {}
        for seat, (obs, info) in self.requests().items():
            start = time.perf_counter()
            try:
                action = self.agents[seat].act(obs, info)
            except Exception as exc:
                raise RolloutError("agent", "act", exc, seat=seat) from exc
            acted[seat] = Acted(action, self.agents[seat].last_usage, time.perf_counter() - start)
        return acted

    def _step(self) -> Step:
        return self.advance(self._act())

    def advance(self, acted: Mapping[str, Acted | BaseException]) -> Step:
        """Step the env with the actions of the seats :meth:`requests` named; returns the step's record.

        Args:
            acted: per seat, what its agent did, or the exception its ``act`` raised (raised here as a
                :class:`RolloutError` of the agent, as iterating raises it).
        """
        actions, used, latency = {}, None, 0.0
        for seat, outcome in acted.items():
            if isinstance(outcome, BaseException):
                raise RolloutError("agent", "act", outcome, seat=seat) from outcome
            actions[seat], usage = outcome.action, outcome.usage
            latency += outcome.latency_s
            if usage is not None:
                self.usage[seat][0] += usage.prompt_tokens
                self.usage[seat][1] += usage.completion_tokens
                used = usage if used is None else StepUsage(used.prompt_tokens + usage.prompt_tokens,
                                                            used.completion_tokens + usage.completion_tokens)
        action = actions if self.multi else actions[SINGLE]
        seen = {s: self.observation[s] for s in actions} if self.multi else self.observation
        try:
            self.observation, reward, terminated, truncated, info = self.env.step(action)
        except Exception as exc:
            raise RolloutError("env", "step", exc, action=action) from exc
        self.n_steps += 1
        if self.multi:
            self.info = {**self.info, **(info if isinstance(info, dict) else {})}
            for seat, value in reward.items():
                self.returns[seat] = self.returns.get(seat, 0.0) + float(value)
            terminated, truncated = not self.env.agents or all(terminated.values()), any(truncated.values())
        else:
            self.info = info if isinstance(info, dict) else {}
            self.returns[SINGLE] += float(reward)
        invalid = any(bool(self.seat_info(seat).get("invalid_action", False)) for seat in actions)
        self.invalid += invalid
        if terminated or truncated:
            self.ended, self.truncated = True, bool(truncated and not terminated)
        return Step(self.n_steps - 1, seen, action, reward if self.multi else float(reward), info, bool(terminated),
                    bool(truncated), invalid, used, latency)
