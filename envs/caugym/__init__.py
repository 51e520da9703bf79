"""CauGym: causal-inference questions on exact binary SCMs, seven tasks, six test variants, an exact scorer.

Registered as ``cauarena/CauGym-v0`` and ``cauarena/CauGym-<Variant>-v0``; see :class:`CauGymEnv` for the card.
"""

from cauarena.envs.caugym.env import CauGymEnv
from cauarena.envs.caugym.generate import (
    DIFFICULTIES,
    LACK,
    VARIANTS,
    GenerationError,
    Problem,
    generate_problem,
)
from cauarena.envs.caugym.items import (
    CauGymItem,
    Gold,
    generate_item,
    generate_items,
    gold_of,
    load_items,
    save_items,
    to_item,
)
from cauarena.envs.caugym.names import NAME_MODES
from cauarena.envs.caugym.scorer import Answer, Score, find_answers, last_answer, score_answer, score_reply
from cauarena.envs.caugym.tasks import TASK_NAMES, TASKS, YES_NO_TASKS, Query
from cauarena.envs.headline import Metric

HEADLINE = (Metric("correct", "accuracy"),
            *(Metric(f"correct_{task}", f"acc {task}", brief=False) for task in TASKS),
            Metric("false_alarm", "false alarms", False))
"""Headline metrics of the CauGym tables: accuracy overall and per task, false-alarm rate."""

__all__ = [
    "HEADLINE",
    "DIFFICULTIES",
    "LACK",
    "NAME_MODES",
    "TASKS",
    "TASK_NAMES",
    "VARIANTS",
    "YES_NO_TASKS",
    "Answer",
    "CauGymEnv",
    "CauGymItem",
    "GenerationError",
    "Gold",
    "Problem",
    "Query",
    "Score",
    "find_answers",
    "generate_item",
    "generate_items",
    "generate_problem",
    "gold_of",
    "last_answer",
    "load_items",
    "save_items",
    "score_answer",
    "score_reply",
    "to_item",
]
