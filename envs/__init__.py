"""Environments: one family per folder. Ids are registered on ``import cauarena`` (``cauarena.registration``).

:func:`check_text_env` / :func:`check_env_all` are the checks every registered env must pass.
"""

from cauarena.envs.checker import (
    MALFORMED_ACTIONS,
    check_action_answer,
    check_env_all,
    check_info,
    check_malformed_actions,
    check_text_env,
)

__all__ = [
    "MALFORMED_ACTIONS",
    "check_action_answer",
    "check_env_all",
    "check_info",
    "check_malformed_actions",
    "check_text_env",
]
