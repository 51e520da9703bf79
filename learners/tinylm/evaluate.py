"""Play agents on BabyAI-Text (or WebShop) seeds and summarise success, steps and tokens (validation, benchmarks)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cauarena.agents.base import with_hooks
from cauarena.agents.llm.backends import ContextOverflow
from cauarena.agents.rollout import SINGLE, Rollout, RolloutError


@dataclass(frozen=True)
class EpisodeOutcome:
    """One played episode.

    Attributes:
        seed: the env seed.
        success: the mission was completed.
        steps: steps taken.
        prompt_tokens: prompt tokens over the episode (0 for scripted agents).
        completion_tokens: generated tokens over the episode.
        invalid_actions: steps the env answered as invalid.
        wall_s: wall seconds of the episode.
        overflow: the episode ended on an observation too long for the model's context (counted as a failure).
    """

    seed: int
    success: bool
    steps: int
    prompt_tokens: int
    completion_tokens: int
    invalid_actions: int
    wall_s: float
    overflow: bool = False


def play_episode(env: Any, agent: Any, seed: int) -> EpisodeOutcome:
    """Play ``agent`` on ``env`` from ``reset(seed=seed)`` until the episode ends (the env truncates).

    An observation too long for the model's context ends the episode as a failure (``overflow``), as the
    leaderboard stores it as an error row; any other exception propagates.
    """
    start = time.perf_counter()
    rollout = Rollout(env, agent, seed=seed)
    overflow = False
    try:
        rollout.run()
    except RolloutError as exc:
        if not isinstance(exc.error, ContextOverflow):
            raise
        overflow = True
    prompt, completion = rollout.usage[SINGLE]
    success = bool(rollout.info.get("success")) and not overflow
    return EpisodeOutcome(seed, success, rollout.n_steps, prompt, completion, rollout.invalid,
                          time.perf_counter() - start, overflow)


def evaluate_agent(
    agent: Any, env_id: str, seeds: Iterable[int], progress: bool = False,
    env_kwargs: dict[str, Any] | None = None, family: str = "babyai",
) -> list[EpisodeOutcome]:
    """Play ``agent`` (an Agent, or a spec for ``make_agent`` with ``family``'s prompt) on ``env_id`` once per seed."""
    import cauarena
    from cauarena.agents import make_agent

    env = cauarena.make(env_id, **(env_kwargs or {}))
    agent = with_hooks(make_agent(agent, family=family) if isinstance(agent, str) else agent)
    agent.bind(env)
    seeds = list(seeds)
    from tqdm.auto import tqdm

    outcomes = [play_episode(env, agent, seed) for seed in tqdm(seeds, desc=env_id, disable=not progress)]
    env.close()
    return outcomes


def summarize(outcomes: list[EpisodeOutcome]) -> dict[str, float]:
    """Success rate, mean steps, tokens per step and invalid-action rate of ``outcomes``."""
    steps = sum(o.steps for o in outcomes) or 1
    return {
        "episodes": len(outcomes),
        "success": statistics.fmean(o.success for o in outcomes) if outcomes else 0.0,
        "mean_steps": statistics.fmean(o.steps for o in outcomes) if outcomes else 0.0,
        "prompt_tokens_per_step": sum(o.prompt_tokens for o in outcomes) / steps,
        "completion_tokens_per_step": sum(o.completion_tokens for o in outcomes) / steps,
        "invalid_action_rate": sum(o.invalid_actions for o in outcomes) / steps,
        "context_overflows": sum(o.overflow for o in outcomes),
        "seconds_per_step": sum(o.wall_s for o in outcomes) / steps,
    }
