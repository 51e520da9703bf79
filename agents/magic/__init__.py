"""MAGIC players: scripted attackers, scripted defenders (none, keywords, classifier), LLM prompts, the game loop."""

from cauarena.agents.magic import chat  # noqa: F401  (registers the magic prompts and parser)
from cauarena.agents.magic.attackers import FOLLOW_UP, Attack, RandomAttacker, ScriptedAttacker, seed_query
from cauarena.agents.magic.classifier import NgramClassifier, featurize, train_classifier
from cauarena.agents.magic.defenders import (
    KEYWORDS,
    ClassifierDefender,
    FilterDefender,
    KeywordDefender,
    OracleDefender,
    RefuseAllDefender,
    base_classifier,
    base_training_set,
)
from cauarena.agents.magic.play import make_player, play_game

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
