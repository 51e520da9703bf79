"""MENTOR: implicit domain risks, rule trees that grow into a rule graph, metacognitive self-assessment, steering.

After MENTOR (arXiv 2511.07107; no public code, so the mechanics here are ours): synthetic domain risk queries with
benign twins (:mod:`.queries`), static rule trees (:mod:`.rules`), self-assessment through any chat backend
(:mod:`.assess`), a networkx rule graph grown from assessments and retrieved for similar cases (:mod:`.graph`),
activation steering via forward hooks (:mod:`.steering`, needs torch) and the guard (:mod:`.guard`).
"""

from cauarena.guards.mentor.assess import Assessment, SelfAssessor, parse_assessment
from cauarena.guards.mentor.graph import Retrieved, RuleGraph
from cauarena.guards.mentor.guard import MentorGuard
from cauarena.guards.mentor.queries import DOMAINS, RiskQuery, attack_types, export_json, load_queries
from cauarena.guards.mentor.rules import RiskCategory, Rule, RuleTree, load_rule_tree, rule_tree_from_dict

__all__ = [
    "DOMAINS",
    "Assessment",
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
    "export_json",
    "load_queries",
    "load_rule_tree",
    "rule_tree_from_dict",
]
