"""The guard registry: short names per env family, ``module:Class`` strings, and ``llm-judge/<backend/model>``.

A guard spec is a string, read in this order:

- ``none``: no guard;
- ``llm-judge/<backend>/<model>``: the LLM judge on any chat backend (``llm-judge/mock/...``,
  ``llm-judge/openai/llama3:8b``, ``llm-judge/langchain/pkg.mod:chat``, ``llm-judge/tiny/...``); any spec with
  a ``/`` is one, so a ``:`` in the model part never makes it a ``module:Class``;
- ``module.path:Class``: any importable guard class or zero-argument factory, also from outside the repo;
- a short name such as ``approve`` (approves everything: measures the wrapper's own cost) or ``rules``; the
  implementation is chosen by the env's family, like agents.

:func:`resolve_guard` checks a spec for a family the way :func:`make_guard` reads it, without building the guard
or loading a model (the runner's preflight).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any, Literal

from cauarena.errors import ConfigError, NameNotFound
from cauarena.guards.base import APPROVE, Verdict

LLM_JUDGE = "llm-judge"
"""The prefix of LLM-judge guard specs."""

GuardKind = Literal["none", "judge", "import", "name"]
"""How a guard spec is read: no guard, ``llm-judge/<backend>/<model>``, ``module:Class`` or a short name."""


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


def guard_kind(spec: str) -> GuardKind:
    """How ``spec`` is read (``llm-judge/...`` before ``module:Class``); checks the names it can without a family.

    >>> guard_kind("llm-judge/openai/llama3:8b"), guard_kind("pkg.mod:Guard"), guard_kind("none")
    ('judge', 'import', 'none')

    Raises:
        NameNotFound: a ``prefix/...`` spec whose prefix is not ``llm-judge``, or an unknown short name.
        ConfigError: ``llm-judge`` without a backend.
    """
    if spec == "none":
        return "none"
    prefix, sep, backend = spec.partition("/")
    if sep or spec == LLM_JUDGE:
        if prefix != LLM_JUDGE:
            raise NameNotFound("guard", prefix, guard_names(), hint=f"Judge specs are {LLM_JUDGE}/<backend>/<model>.")
        if not backend:
            raise ConfigError("llm-judge needs a chat backend: llm-judge/<backend>/<model>, e.g. "
                              "llm-judge/openai/gpt-4o-mini.")
        return "judge"
    if ":" in spec:
        return "import"
    if not any(e.name == spec for e in GUARD_REGISTRY):
        raise NameNotFound("guard", spec, guard_names(), hint="`cauarena guards` lists them.")
    return "name"


def _entry(spec: str, family: str) -> GuardEntry:
    """The implementation of short name ``spec`` for ``family``; raises :class:`NameNotFound` otherwise."""
    entries = [e for e in GUARD_REGISTRY if e.name == spec]
    for entry in entries:
        if any(fnmatch(family, pattern) for pattern in entry.families):
            return entry
    served = sorted({f for e in entries for f in e.families})
    raise NameNotFound("guard", f"{spec} for family {family!r}", [], hint=f"'{spec}' serves the families {served}.")


def make_guard(spec: str, family: str = "", **kwargs: Any) -> Any:
    """Build the guard ``spec`` for an env of ``family`` (see the module docstring for the spec forms).

    Raises:
        NameNotFound: an unknown short name (with close matches), or one with no implementation for ``family``.
        ConfigError: a ``module:Class`` that cannot be imported, or ``none``.
    """
    kind = guard_kind(spec)
    if kind == "none":
        raise ConfigError("'none' means no guard; do not build one.")
    if kind == "judge":
        from cauarena.guards.llm_judge import LLMJudgeGuard

        return LLMJudgeGuard(spec[len(LLM_JUDGE) + 1:], **kwargs)
    if kind == "import":
        return _load(spec)(**kwargs)
    return _load(_entry(spec, family).entry_point)(**kwargs)


def resolve_guard(spec: str, family: str = "") -> GuardKind:
    """Check ``spec`` for ``family`` as :func:`make_guard` reads it, without building it or loading a model.

    A judge's backend gets its cheap check (see ``check_backend``); a ``module:Class`` and a short name's
    implementation are imported, not called.

    Raises:
        NameNotFound: an unknown name or backend prefix, or a name with no implementation for ``family``.
        ConfigError: an entry point that does not import; a judge backend whose checkpoint does not exist.
        DependencyNotInstalled: the judge backend's extra is missing.
        BackendError: the judge backend's server does not answer.
    """
    kind = guard_kind(spec)
    if kind == "judge":
        from cauarena.agents.llm.backends import check_backend

        check_backend(spec[len(LLM_JUDGE) + 1:])
    elif kind == "import":
        _load(spec)
    elif kind == "name":
        _load(_entry(spec, family).entry_point)
    return kind


def guard_serves(spec: str, family: str) -> bool:
    """Whether a short-named guard has an implementation for ``family`` (other specs serve every family)."""
    if spec == "none" or "/" in spec or ":" in spec or spec == LLM_JUDGE:
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
