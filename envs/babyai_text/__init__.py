"""BabyAI-Text: minigrid's BabyAI levels with text observations and six action strings.

Registered as ``cauarena/BabyAI-<Level>-Text-v0``; see :class:`BabyAITextEnv` for the card.
"""

from cauarena.envs.babyai_text.actions import ACTION_NAMES, invalid_action_feedback, parse_action
from cauarena.envs.babyai_text.describe import describe_view
from cauarena.envs.babyai_text.env import BabyAITextEnv, babyai_levels
from cauarena.envs.headline import Metric

HEADLINE = (Metric("success", "success", axis="success"), Metric("steps", "steps", False),
            Metric("tokens", "tokens", False, axis="cost"))
"""Headline metrics of the BabyAI-Text leaderboard table (DEPO reports success against tokens)."""

__all__ = [
    "HEADLINE",
    "ACTION_NAMES",
    "BabyAITextEnv",
    "babyai_levels",
    "describe_view",
    "invalid_action_feedback",
    "parse_action",
]
