"""Guards: the Guard protocol, GuardedAgent, the AgentDoG taxonomy and guards, guard metrics.

A guard reviews every action an agent proposes before it runs (``review(trajectory, proposed_action) ->
Verdict``); ``GuardedAgent(agent, guard)`` is itself an Agent, so ``cauarena run --guard NAME`` plays any agent
with any guard and the leaderboard reports each (agent, guard) pair.
"""

from cauarena.guards.base import (
    APPROVE,
    BLOCKING,
    DECISIONS,
    Decision,
    Diagnosis,
    Guard,
    GuardStep,
    GuardStop,
    Verdict,
)
from cauarena.guards.checker import check_guard
from cauarena.guards.guarded import GuardedAgent
from cauarena.guards.registry import (
    GUARD_REGISTRY,
    GUARDS,
    guard_names,
    guard_serves,
    make_guard,
    register_guard,
    resolve_guard,
)
from cauarena.guards.taxonomy import AXES, FAILURE_MODES, HARMS, RISK_SOURCES, Category, match_category

__all__ = [
    "APPROVE",
    "AXES",
    "BLOCKING",
    "DECISIONS",
    "FAILURE_MODES",
    "GUARDS",
    "GUARD_REGISTRY",
    "HARMS",
    "RISK_SOURCES",
    "Category",
    "Decision",
    "Diagnosis",
    "Guard",
    "GuardStep",
    "GuardStop",
    "GuardedAgent",
    "Verdict",
    "check_guard",
    "guard_names",
    "guard_serves",
    "make_guard",
    "match_category",
    "register_guard",
    "resolve_guard",
]
