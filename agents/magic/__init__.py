"""MAGIC players: scripted ones, the seat oracles, LLM prompts, and games through the one rollout loop.

The scripted players live in :mod:`cauarena.envs.magic` (the seat envs play them as opponents); re-exported here.
"""

from cauarena.agents.magic import chat  # noqa: F401  (registers the magic prompts and parser)
from cauarena.agents.magic.play import make_player, play_game
from cauarena.envs.magic.attackers import FOLLOW_UP, Attack, RandomAttacker, ScriptedAttacker, seed_query
from cauarena.envs.magic.classifier import NgramClassifier, featurize, train_classifier
from cauarena.envs.magic.defenders import (
    KEYWORDS,
    ClassifierDefender,
    FilterDefender,
    KeywordDefender,
    OracleDefender,
    RefuseAllDefender,
    base_classifier,
    base_training_set,
)

__all__ = [
    "FOLLOW_UP",
    "KEYWORDS",
    "Attack",
    "ClassifierDefender",
    "FilterDefender",
    "KeywordDefender",
    "NgramClassifier",
    "OracleDefender",
    "RandomAttacker",
    "RefuseAllDefender",
    "ScriptedAttacker",
    "base_classifier",
    "base_training_set",
    "featurize",
    "make_player",
    "play_game",
    "seed_query",
    "train_classifier",
]
