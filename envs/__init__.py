"""Environments: one family per folder. Ids are registered on ``import cauarena`` (``cauarena.registration``).

:func:`check_text_env` / :func:`check_env_all` are the checks every registered env must pass;
:func:`check_hostile_actions` and :func:`check_sealed_episode` the hostile-action and sealed-truth contracts.
"""

from cauarena.envs.checker import (
    MALFORMED_ACTIONS,
    RaisingObject,
    RaisingStr,
    StepHang,
    check_action_answer,
    check_env_all,
    check_hostile_actions,
    check_info,
    check_malformed_actions,
    check_sealed_episode,
    check_summary,
    check_text_env,
    hostile_actions,
    random_action,
    timed_step,
)

__all__ = [
    "MALFORMED_ACTIONS",
    "RaisingObject",
    "RaisingStr",
    "StepHang",
    "check_action_answer",
    "check_env_all",
    "check_hostile_actions",
    "check_info",
    "check_malformed_actions",
    "check_sealed_episode",
    "check_summary",
    "check_text_env",
    "hostile_actions",
    "random_action",
    "timed_step",
]
