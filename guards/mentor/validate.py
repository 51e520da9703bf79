"""The held-out check that decides whether an assessment may grow the rule graph.

MENTOR's rule knowledge graph holds *validated* rules. Here an assessment (risky: a new or confirmed rule; safe: a
counter-example) enters the graph only when a held-out check confirms it: on labelled cases that were not assessed
(the validation set), a trial graph with the assessment added must fix at least one case the current graph gets
wrong and break none (no new false block, no new miss). An assessment that is wrong (a benign request called
risky, a risky one called safe) breaks held-out cases of its kind and is refused; one that changes nothing is
refused too, so the graph does not fill with rules nothing confirms.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cauarena.guards.mentor.assess import Assessment
from cauarena.guards.mentor.graph import RuleGraph


@dataclass(frozen=True)
class Case:
    """A labelled held-out case: the text the graph is matched on and whether it is risky."""

    text: str
    risky: bool


def as_cases(items: Iterable[Any]) -> list[Case]:
    """Cases from :class:`Case`, ``(text, risky)`` pairs, dicts with ``text``/``risky`` or :class:`RiskQuery`.

    Raises:
        ValueError: an item of another shape; the message says which shapes are accepted.
    """
    out = []
    for item in items:
        if isinstance(item, Case):
            out.append(item)
        elif isinstance(item, dict) and "text" in item and "risky" in item:
            out.append(Case(str(item["text"]), bool(item["risky"])))
        elif isinstance(item, tuple) and len(item) == 2:
            out.append(Case(str(item[0]), bool(item[1])))
        elif hasattr(item, "text") and hasattr(item, "risky"):
            out.append(Case(item.text, bool(item.risky)))
        else:
            raise ValueError(f"a held-out case must be a (text, risky) pair, a dict with 'text' and 'risky', or a "
                             f"RiskQuery; got {item!r}.")
    return out


@dataclass
class HeldOutCheck:
    """Confirms an assessment when it fixes held-out cases and breaks none.

    Attributes:
        cases: the labelled held-out cases (never assessed).
        confirmed: assessments confirmed so far.
        refused: assessments refused so far.
    """

    cases: list[Case]
    confirmed: int = 0
    refused: int = 0

    def __post_init__(self) -> None:
        self.cases = as_cases(self.cases)
        if not self.cases:
            raise ValueError("HeldOutCheck needs at least one labelled case; pass held-out (text, risky) pairs.")

    def errors(self, graph: RuleGraph, domain: str | None = None) -> frozenset[int]:
        """Indices of the cases ``graph`` gets wrong (a benign one blocked, a risky one let through)."""
        return frozenset(i for i, case in enumerate(self.cases) if bool(graph.match(case.text, domain)) != case.risky)

    def confirms(self, graph: RuleGraph, text: str, assessment: Assessment, domain: str, **case_info: Any) -> bool:
        """Whether adding ``assessment`` of ``text`` to ``graph`` fixes a held-out case and breaks none."""
        ok = False
        if assessment.risky is not None:  # an undecided assessment has nothing to confirm
            trial = copy.deepcopy(graph)
            trial.learn(text, assessment, domain, **case_info)
            before, after = self.errors(graph), self.errors(trial)
            ok = bool(before - after) and after <= before
        if ok:
            self.confirmed += 1
        else:
            self.refused += 1
        return ok
