"""The guard registry: short names per env family, ``module:Class`` strings, and ``llm-judge/<backend/model>``.

A guard spec is a string:

- ``none``: no guard;
- a short name such as ``approve`` (approves everything: measures the wrapper's own cost) or ``rules``; the
  implementation is chosen by the env's family, like agents;
- ``llm-judge/<backend>/<model>``: the LLM judge on any chat backend (``llm-judge/mock/...``,
  ``llm-judge/openai/gpt-4o-mini``, ``llm-judge/tiny/...``);
- ``module.path:Class``: any importable guard class or zero-argument factory, also from outside the repo.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any

from cauarena.errors import ConfigError, NameNotFound
from cauarena.guards.base import APPROVE, Verdict

LLM_JUDGE = "llm-judge"
"""The prefix of LLM-judge guard specs."""


@dataclass(frozen=True)
class GuardEntry:
    """A short guard name bound to an implementation for some env families.

    Attributes:
        name: the short name users type.
        entry_point: ``module:attr`` of a class or factory.
        families: glob patterns over env family names this implementation serves.
        description: one line for ``cauarena guards``.
    """

    name: str
    entry_point: str
    families: tuple[str, ...] = ("*",)
    description: str = ""


GUARD_REGISTRY: list[GuardEntry] = []


def register_guard(name: str, entry_point: str, families: tuple[str, ...] = ("*",), description: str = "") -> None:
    """Register ``name`` for the given env families; a later registration for the same family wins."""
    GUARD_REGISTRY.insert(0, GuardEntry(name, entry_point, families, description))


def guard_names() -> list[str]:
    """Every short guard name, plus the LLM-judge prefix."""
    return sorted({e.name for e in GUARD_REGISTRY} | {LLM_JUDGE})


def _load(entry_point: str) -> Any:
    module, _, attr = entry_point.partition(":")
    if not module or not attr:
        raise ConfigError(f"Guard entry point {entry_point!r} must look like 'package.module:Class'.")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"Cannot load guard {entry_point!r}: {exc}. Fix: an importable 'module:Class'.") from exc


def make_guard(spec: str, family: str = "", **kwargs: Any) -> Any:
    """Build the guard ``spec`` for an env of ``family`` (see the module docstring for the spec forms).

    Raises:
        NameNotFound: an unknown short name (with close matches), or one with no implementation for ``family``.
        ConfigError: a ``module:Class`` that cannot be imported, or ``none``.
    """
    if spec == "none":
        raise ConfigError("'none' means no guard; do not build one.")
    if spec == LLM_JUDGE or spec.startswith(LLM_JUDGE + "/"):
        from cauarena.guards.llm_judge import LLMJudgeGuard

        backend = spec[len(LLM_JUDGE) + 1:]
        if not backend:
            raise ConfigError("llm-judge needs a chat backend: llm-judge/<backend>/<model>, e.g. "
                              "llm-judge/openai/gpt-4o-mini or llm-judge/mock/safe.")
        return LLMJudgeGuard(backend, **kwargs)
    if ":" in spec:
        return _load(spec)(**kwargs)
    entries = [e for e in GUARD_REGISTRY if e.name == spec]
    if not entries:
        raise NameNotFound("guard", spec, guard_names())
    for entry in entries:
        if any(fnmatch(family, pattern) for pattern in entry.families):
            return _load(entry.entry_point)(**kwargs)
    served = sorted({f for e in entries for f in e.families})
    raise NameNotFound("guard", f"{spec} for family {family!r}", [], hint=f"'{spec}' serves the families {served}.")


def guard_serves(spec: str, family: str) -> bool:
    """Whether a short-named guard has an implementation for ``family`` (other specs serve every family)."""
    if spec == "none" or ":" in spec or spec.startswith(LLM_JUDGE):
        return True
    entries = [e for e in GUARD_REGISTRY if e.name == spec]
    return not entries or any(fnmatch(family, p) for e in entries for p in e.families)


class ApproveAll:
    """A guard that approves every action: the cost of the wrapper alone, and a template for your own."""

    def review(self, trajectory: Any, proposed_action: Any) -> Verdict:
        return APPROVE


register_guard("approve", "cauarena.guards.registry:ApproveAll", description="approves everything (a baseline)")
register_guard("rules", "cauarena.guards.agentdog.rules:RulesGuard", ("life_assist",),
               description="AgentDoG rule diagnostician: provenance of the call + content rules (trajectory only)")
register_guard("classifier", "cauarena.guards.agentdog.classifier:ClassifierGuard", ("life_assist",),
               description="AgentDoG step classifier: n-gram logistic regression trained on ATBench-LifeAssist")
register_guard("mentor", "cauarena.guards.mentor.guard:MentorGuard",
               description="MENTOR: domain rule trees grown into a rule graph, optional self-assessment (issue 9)")
