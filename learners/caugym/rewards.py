"""Reward functions for GRPO on CauGym: the env's own scorer, as plain functions TRL calls.

TRL calls each ``reward(prompts=..., completions=..., **columns)`` with the dataset's other columns as
keyword lists (here ``answer`` and ``Type``, see :func:`~cauarena.learners.caugym.data.grpo_rows`) and
expects one float per completion. Completions are strings or, for conversational data, lists of messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cauarena.envs.caugym import CauGymItem, gold_of, last_answer, score_answer


def completion_text(completion: Any) -> str:
    """The text of a completion: a string, or the last message's content of a conversational one.

    >>> completion_text([{"role": "assistant", "content": "hi"}])
    'hi'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content", ""))
    return str(completion)


def _scores(completions: Sequence[Any], answer: Sequence[str], task: Sequence[str]) -> list[Any]:
    return [
        score_answer(last_answer(completion_text(c)), gold_of(CauGymItem(problem="", answer=a, Type=t)))
        for c, a, t in zip(completions, answer, task, strict=True)
    ]


def correctness_reward(completions: Sequence[Any], answer: Sequence[str], Type: Sequence[str], **kwargs: Any) -> list[float]:  # noqa: N803, E501
    """1.0 when the CauGym scorer judges the reply fully correct (last answer only, exact PROB), else 0.0.

    >>> gold = ['{"ANSWER": "Yes", "PROB": "0.1234"}', "LACK_CONDITION"]
    >>> correctness_reward(['... {"ANSWER": "Yes", "PROB": "0.1234"}', '{"PROB": "0.5"}'], gold, ["ATE", "NIE"])
    [1.0, 0.0]
    """
    return [float(s.success) for s in _scores(completions, answer, Type)]


def direction_reward(completions: Sequence[Any], answer: Sequence[str], Type: Sequence[str], **kwargs: Any) -> list[float]:  # noqa: N803, E501
    """Partial credit: 1.0 for the right Yes/No, or for LACK_CONDITION on an insufficient item; else 0.0.

    PN/PS items (no Yes/No) score 1.0 only when fully correct.

    >>> direction_reward(['{"ANSWER": "No", "PROB": "0.9"}'], ['{"ANSWER": "No", "PROB": "-0.2"}'], ["ATE"])
    [1.0]
    """
    return [
        float(s.yesno_correct if s.yesno_correct is not None else s.success)
        for s in _scores(completions, answer, Type)
    ]


def format_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    r"""1.0 when the reply ends with an answer the scorer can read (JSON or LACK_CONDITION), else 0.0.

    >>> format_reward(['Step 1: ...\\n{"PROB": "0.5"}', "no answer"])
    [1.0, 0.0]
    """
    return [float(last_answer(completion_text(c)) is not None) for c in completions]


REWARD_FUNCS = (correctness_reward, direction_reward, format_reward)
"""The GRPO reward functions, in the order of :data:`REWARD_WEIGHTS`."""

PUBLISHED_REWARD_WEIGHTS = (1.0, 0.0, 1.0)
"""The published online-RL reward: the final answer plus the format (CauGym's train README: "PPO and GRPO rely
only on the final answer reward and format reward"; equal weights is our reading, the weights are not given)."""

SHAPED_REWARD_WEIGHTS = (1.0, 0.5, 0.2)
"""Ours, an option: exact answers dominate; the right Yes/No and the format give a small model a gradient."""

REWARD_WEIGHTS = PUBLISHED_REWARD_WEIGHTS
"""The default weights of (correctness, direction, format)."""
