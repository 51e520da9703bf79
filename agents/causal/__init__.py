"""Causal-discovery agents for ``cauarena/CausalDiscovery-v0`` and ``cauarena/CauScientist-v0``.

Short names (family ``causal``; each serves both envs): ``oracle``, ``random``, ``corr``, ``precision``,
``pc``, ``ges``, ``lingam``, ``notears``, ``causcientist``. Importing this package imports neither
causal-learn nor scipy's optimisers: they load when an agent first needs them.
"""

from cauarena.agents.causal import prompts  # noqa: F401  (registers the causcientist prompt and parser)
from cauarena.agents.causal.base import GraphAgent, TargetProposer, scores_to_dag
from cauarena.agents.causal.baselines import (
    CorrelationAgent,
    GESAgent,
    LiNGAMAgent,
    PCAgent,
    PrecisionAgent,
    RandomCausalAgent,
    correlation_scores,
    pdag_scores,
    precision_scores,
)
from cauarena.agents.causal.causcientist import CauScientistAgent
from cauarena.agents.causal.notears import NotearsAgent, notears_linear
from cauarena.agents.causal.oracle import CausalOracle
from cauarena.agents.causal.prompts import CAUSCIENTIST_PROMPT, parse_edit_reply
from cauarena.agents.causal.search import best_edit, greedy_search, scored_edits

__all__ = [
    "CAUSCIENTIST_PROMPT",
    "CauScientistAgent",
    "CausalOracle",
    "CorrelationAgent",
    "GESAgent",
    "GraphAgent",
    "LiNGAMAgent",
    "NotearsAgent",
    "PCAgent",
    "PrecisionAgent",
    "RandomCausalAgent",
    "TargetProposer",
    "best_edit",
    "correlation_scores",
    "greedy_search",
    "notears_linear",
    "parse_edit_reply",
    "pdag_scores",
    "precision_scores",
    "scored_edits",
    "scores_to_dag",
]
