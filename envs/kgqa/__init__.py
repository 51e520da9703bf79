"""KGQA: multi-hop questions over a seeded knowledge world (or your triples), with probes of each hop (KALE).

Registered as ``cauarena/KGQA-v0``; see :class:`KGQAEnv` for the card. :mod:`~cauarena.envs.kgqa.search` holds
KALE's multi-path A* with the landmark heuristic, used by the KALE learner to synthesise rationales.
"""

from cauarena.envs.headline import Metric
from cauarena.envs.kgqa.env import MAX_INVALID, KGQAEnv
from cauarena.envs.kgqa.questions import LETTERS, SPLITS, Question, QuestionSpace, heldout_pairs, make_question
from cauarena.envs.kgqa.replies import final_part, read_choice, read_entity
from cauarena.envs.kgqa.search import Landmarks, Path, landmarks, multipath_astar, verbalise
from cauarena.envs.kgqa.world import (
    SCHEMA,
    SIZES,
    KnowledgeWorld,
    Relation,
    Triple,
    build_world,
    load_tsv,
    world_from_spec,
)

HEADLINE = (
    Metric("correct", "accuracy"),
    *(Metric(f"correct_{h}hop", f"acc {h}-hop", brief=False) for h in (1, 2, 3)),
    Metric("known_incorrect", "known & incorrect", False),
    Metric("ki_given_known", "K&I | all known", False, source="known_incorrect", where="all_known", brief=False),
    Metric("known_hops", "hops known"),
)
"""Headline metrics of the KGQA tables: accuracy (overall, per hop count), known & incorrect, hops known."""

__all__ = [
    "HEADLINE",
    "LETTERS",
    "MAX_INVALID",
    "SCHEMA",
    "SIZES",
    "SPLITS",
    "KGQAEnv",
    "KnowledgeWorld",
    "Landmarks",
    "Path",
    "Question",
    "QuestionSpace",
    "Relation",
    "Triple",
    "build_world",
    "final_part",
    "heldout_pairs",
    "landmarks",
    "load_tsv",
    "make_question",
    "multipath_astar",
    "read_choice",
    "read_entity",
    "verbalise",
    "world_from_spec",
]
