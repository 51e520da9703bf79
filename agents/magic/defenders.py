"""Alias of :mod:`cauarena.envs.magic.defenders`, where the scripted defenders moved with the seat envs.

Kept because the agent registry's entry strings (``cauarena.agents.magic.defenders:KeywordDefender``) name it.
"""

from cauarena.envs.magic.defenders import (
    KEYWORDS,
    REFUSAL,
    ClassifierDefender,
    FilterDefender,
    KeywordDefender,
    OracleDefender,
    RefuseAllDefender,
    base_classifier,
    base_training_set,
)

__all__ = [
    "KEYWORDS",
    "REFUSAL",
    "ClassifierDefender",
    "FilterDefender",
    "KeywordDefender",
    "OracleDefender",
    "RefuseAllDefender",
    "base_classifier",
    "base_training_set",
]
