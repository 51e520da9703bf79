"""The tests' one episode helper: play an episode through the library's rollout loop and keep its steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cauarena.agents.base import with_hooks
from cauarena.agents.rollout import Rollout, Step


@dataclass
class Played:
    """A finished episode: the rollout (its totals and last info) and every step.

    Attributes:
        rollout: the finished :class:`~cauarena.agents.rollout.Rollout`.
        steps: its :class:`~cauarena.agents.rollout.Step` records, in order.
    """

    rollout: Rollout
    steps: list[Step]

    @property
    def info(self) -> dict[str, Any]:
        """The last info (multi-agent: per seat)."""
        return self.rollout.info

    @property
    def reward(self) -> Any:
        """The last step's reward."""
        return self.steps[-1].reward

    @property
    def total(self) -> float:
        """The summed reward of the (single) agent."""
        return self.rollout.episode_return()

    @property
    def n_steps(self) -> int:
        """Steps played."""
        return self.rollout.n_steps


def play(env: Any, agent: Any, seed: int | None = 0, *, bind: bool = True, check_valid: bool = False,
         **rollout_kwargs: Any) -> Played:
    """Play one episode of ``agent`` (or ``{seat: agent}``) on ``env`` from ``reset(seed=seed)``.

    Args:
        env: the env.
        agent: the agent, or one per seat of a multi-agent env.
        seed: the reset seed (the agents' too).
        bind: bind the agent(s) to ``env`` first, as the runner does once per env.
        check_valid: fail on the first step the env answers as invalid, with its feedback.
        **rollout_kwargs: more :class:`~cauarena.agents.rollout.Rollout` arguments (``max_steps``, ``options``).
    """
    if bind:
        for one in agent.values() if isinstance(agent, dict) else [agent]:
            with_hooks(one).bind(env)
    rollout = Rollout(env, agent, seed=seed, **rollout_kwargs)
    steps = []
    for step in rollout:
        if check_valid and step.invalid:
            raise AssertionError(f"step {step.index}: the env answered {step.action!r:.80} as invalid: "
                                 f"{step.info.get('feedback')}")
        steps.append(step)
    return Played(rollout, steps)
