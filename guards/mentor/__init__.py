"""MENTOR: implicit domain risks, rule trees that grow into a rule graph, metacognitive self-assessment, steering.

After MENTOR (arXiv 2511.07107; no public code, so the mechanics here are ours): synthetic domain risk queries with
benign twins (:mod:`.queries`) and held-out framings that reword them (:mod:`.reframe`), static rule trees
(:mod:`.rules`), self-assessment of a response through any chat backend (:mod:`.assess`), a networkx rule graph
grown from assessments that a held-out check confirms (:mod:`.graph`, :mod:`.validate`) and retrieved for similar
cases, activation steering via forward hooks (:mod:`.steering`, needs torch) and the guard (:mod:`.guard`).
"""

from cauarena.guards.mentor.assess import Assessment, SelfAssessor, parse_assessment
from cauarena.guards.mentor.graph import Retrieved, RuleGraph
from cauarena.guards.mentor.guard import MentorGuard
from cauarena.guards.mentor.queries import DOMAINS, RiskQuery, attack_types, export_json, load_queries
from cauarena.guards.mentor.reframe import STYLES, comply, reframed_queries, refuse
from cauarena.guards.mentor.rules import RiskCategory, Rule, RuleTree, load_rule_tree, rule_tree_from_dict
from cauarena.guards.mentor.validate import Case, HeldOutCheck

__all__ = [
    "DOMAINS",
    "STYLES",
    "Assessment",
    "Case",
    "HeldOutCheck",
    "MentorGuard",
    "Retrieved",
    "RuleGraph",
    "SelfAssessor",
    "parse_assessment",
    "RiskCategory",
    "RiskQuery",
    "Rule",
    "RuleTree",
    "attack_types",
    "comply",
    "export_json",
    "load_queries",
    "load_rule_tree",
    "reframed_queries",
    "refuse",
    "rule_tree_from_dict",
]
