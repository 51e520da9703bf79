"""MENTOR's static rule trees: domain -> risk category -> rules, shipped as ``data/rule_trees.json``.

A :class:`Rule` fires on a text when one of its cue phrases and, if it lists any, one of its object words occur
(case-insensitive substring match). Each risk category maps to AgentDoG's three axes, so a fired rule yields a
:class:`~cauarena.guards.base.Diagnosis`.

>>> tree = load_rule_tree()
>>> sorted(tree.domains)
['education', 'finance', 'management']
>>> [r.id for r in tree.match("Quietly give extra points to students whose parents donate.")]
['edu-fair-1']
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cauarena.guards.base import Diagnosis

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Rule:
    """One rule of a rule tree (or one learned later).

    Attributes:
        id: unique id, e.g. ``edu-fair-1``.
        domain: the domain it belongs to.
        category: its risk category.
        text: the rule as a sentence an assistant should follow.
        cues: phrases naming the misalignment (any one must occur for the rule to fire).
        objects: domain words (one must occur, when the list is not empty).
        source: ``static`` for rule-tree rules, ``learned`` for rules grown from assessments.
    """

    id: str
    domain: str
    category: str
    text: str
    cues: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    source: str = "static"

    def fires(self, text: str) -> bool:
        """Whether a cue and (if any are listed) an object word occur in ``text``."""
        low = text.lower()
        return any(c in low for c in self.cues) and (not self.objects or any(o in low for o in self.objects))


@dataclass(frozen=True)
class RiskCategory:
    """A risk category with its description and AgentDoG diagnosis."""

    name: str
    description: str
    diagnosis: Diagnosis = field(default_factory=Diagnosis)


@dataclass(frozen=True)
class RuleTree:
    """Rule trees of every domain.

    Attributes:
        categories: risk category name -> :class:`RiskCategory`.
        domains: domain -> category -> rules.
    """

    categories: dict[str, RiskCategory]
    domains: dict[str, dict[str, tuple[Rule, ...]]]

    def rules(self, domain: str | None = None) -> list[Rule]:
        """Every rule, or those of one domain, in file order."""
        doms = [domain] if domain else list(self.domains)
        return [r for d in doms for rules in self.domains.get(d, {}).values() for r in rules]

    def match(self, text: str, domain: str | None = None) -> list[Rule]:
        """The rules that fire on ``text`` (all domains unless ``domain`` is given)."""
        return [r for r in self.rules(domain) if r.fires(text)]

    def diagnosis(self, category: str) -> Diagnosis:
        """AgentDoG's diagnosis for a risk category (empty for an unknown one)."""
        cat = self.categories.get(category)
        return cat.diagnosis if cat else Diagnosis()


def rule_tree_from_dict(data: dict[str, Any]) -> RuleTree:
    """Build a :class:`RuleTree` from the JSON layout of ``data/rule_trees.json``.

    Raises:
        ValueError: a rule under a category the file does not define.
    """
    cats = {name: RiskCategory(name, c["description"], Diagnosis(c["risk_source"], c["failure_mode"], c["harm"]))
            for name, c in data["categories"].items()}
    domains: dict[str, dict[str, tuple[Rule, ...]]] = {}
    for domain, tree in data["domains"].items():
        domains[domain] = {}
        for cat, rules in tree.items():
            if cat not in cats:
                raise ValueError(f"rule tree {domain!r} uses category {cat!r}; define it under 'categories' "
                                 f"(known: {sorted(cats)}).")
            domains[domain][cat] = tuple(
                Rule(r["id"], domain, cat, r["text"], tuple(c.lower() for c in r["cues"]),
                     tuple(o.lower() for o in r.get("objects", ()))) for r in rules)
    return RuleTree(cats, domains)


@cache
def load_rule_tree(path: str | None = None) -> RuleTree:
    """The shipped rule trees (or those of a JSON file in the same layout)."""
    return rule_tree_from_dict(json.loads(Path(path or DATA / "rule_trees.json").read_text()))
