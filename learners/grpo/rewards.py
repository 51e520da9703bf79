"""GRPO reward functions: plain functions of the episode fields the roll-out returns to TRL.

TRL calls each with ``prompts``, ``completions`` and every extra field of the roll-out as a list with one
value per episode (see :func:`~cauarena.learners.grpo.rollout.episode_fields`), and logs each function's
mean apart (``rewards/<name>/mean``). The weighted sum is the episode's reward; the group's rewards give
the advantages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def env_return_reward(prompts: Sequence[Any], completions: Sequence[Any], env_return: Sequence[float],
                      **kwargs: Any) -> list[float]:
    """The episode's return: the sum of the env's rewards over the steps played.

    >>> env_return_reward(["p", "p"], ["c", "c"], env_return=[0.86, 0.0])
    [0.86, 0.0]
    """
    return [float(r) for r in env_return]


def format_reward(prompts: Sequence[Any], completions: Sequence[Any], invalid_actions: Sequence[int],
                  steps: Sequence[int], **kwargs: Any) -> list[float]:
    """Minus the fraction of replies the env answered as invalid actions (0 when every reply was valid).

    >>> format_reward(["p", "p"], ["c", "c"], invalid_actions=[0, 3], steps=[5, 12])
    [0.0, -0.25]
    """
    return [-invalid / max(n, 1) for invalid, n in zip(invalid_actions, steps, strict=True)]


def efficiency_reward(prompts: Sequence[Any], completions: Sequence[Any], steps: Sequence[int],
                      turn_limit: Sequence[int], **kwargs: Any) -> list[float]:
    """Minus the steps taken as a fraction of the turn limit (fewer steps, higher reward).

    >>> efficiency_reward(["p", "p"], ["c", "c"], steps=[6, 24], turn_limit=[24, 24])
    [-0.25, -1.0]
    """
    return [-n / max(limit, 1) for n, limit in zip(steps, turn_limit, strict=True)]


REWARD_FUNCS = (env_return_reward, format_reward, efficiency_reward)
"""The reward functions in the order of ``EnvGRPOConfig.reward_weights``."""
