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

from dataclasses import dataclass
from typing import Any, Literal

from cauarena.errors import ConfigError, NameNotFound
from cauarena.guards.base import APPROVE, Verdict
from cauarena.registry import Registry, load

__all__ = [
    "GUARDS", "GUARD_REGISTRY", "LLM_JUDGE", "ApproveAll", "GuardEntry", "GuardKind", "guard_kind", "guard_names",
    "guard_serves", "load_guard", "make_guard", "register_guard", "resolve_guard",
]

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

    @property
    def target(self) -> str:
        """The registry target: the entry point."""
        return self.entry_point


GUARDS: Registry[GuardEntry] = Registry("guard", hint="`cauarena guards` lists them.")
"""Short guard names per env family, newest first."""

GUARD_REGISTRY = GUARDS
"""The guard registry under its first name (iterating it gives the entries, newest first)."""


def register_guard(name: str, entry_point: str, families: tuple[str, ...] = ("*",), description: str = "") -> None:
    """Register ``name`` for the given env families; a later registration for the same family wins.

    Args:
        name: the short name.
        entry_point: ``module:attr`` of the guard class or factory.
        families: glob patterns over the env families it serves.
        description: one line for ``cauarena guards``.
    """
    GUARDS.add(GuardEntry(name, entry_point, tuple(families), description))


def guard_names() -> list[str]:
    """Every short guard name, plus the LLM-judge prefix."""
    return sorted({*GUARDS.names(), LLM_JUDGE})


def load_guard(spec: str, family: str = "") -> Any:
    """The guard class (or factory) a ``module:Class`` spec or a short name for ``family`` points at, imported.

    Raises:
        ConfigError: the target does not import, or the short name serves other families only.
        NameNotFound: an unknown short name.
    """
    if ":" in spec:
        return load(spec, what=f"guard {spec!r}")
    return GUARDS.resolve(GUARDS.find(spec, family))


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
    if spec not in GUARDS:
        raise NameNotFound("guard", spec, guard_names(), hint=GUARDS.hint)
    return "name"


def make_guard(spec: str, family: str = "", **kwargs: Any) -> Any:
    """Build the guard ``spec`` for an env of ``family`` (see the module docstring for the spec forms).

    Raises:
        NameNotFound: an unknown short name (with close matches).
        ConfigError: a ``module:Class`` that cannot be imported, a name with no implementation for ``family``,
            or ``none``.
    """
    kind = guard_kind(spec)
    if kind == "none":
        raise ConfigError("'none' means no guard; do not build one.")
    if kind == "judge":
        from cauarena.guards.llm_judge import LLMJudgeGuard

        return LLMJudgeGuard(spec[len(LLM_JUDGE) + 1:], **kwargs)
    return load_guard(spec, family)(**kwargs)


def resolve_guard(spec: str, family: str = "") -> GuardKind:
    """Check ``spec`` for ``family`` as :func:`make_guard` reads it, without building it or loading a model.

    A judge's backend gets its cheap check (see ``check_backend``); a ``module:Class`` and a short name's
    implementation are imported, not called.

    Raises:
        NameNotFound: an unknown name or backend prefix.
        ConfigError: an entry point that does not import; a name with no implementation for ``family``; a judge
            backend whose checkpoint does not exist.
        DependencyNotInstalled: the judge backend's extra is missing.
        BackendError: the judge backend's server does not answer.
    """
    kind = guard_kind(spec)
    if kind == "judge":
        from cauarena.agents.llm.backends import check_backend

        check_backend(spec[len(LLM_JUDGE) + 1:])
    elif kind != "none":
        load_guard(spec, family)
    return kind


def guard_serves(spec: str, family: str) -> bool:
    """Whether a short-named guard has an implementation for ``family``.

    ``none``, judge and ``module:Class`` specs and unknown names serve every family (an unknown name fails on
    its own when it is built).
    """
    return spec in ("none", LLM_JUDGE) or "/" in spec or ":" in spec or spec not in GUARDS \
        or GUARDS.serves(spec, family)


class ApproveAll:
    """A guard that approves every action: the cost of the wrapper alone, and a template for your own."""

    def review(self, trajectory: Any, proposed_action: Any) -> Verdict:
        """Approve ``proposed_action``, whatever the trajectory."""
        return APPROVE


register_guard("approve", "cauarena.guards.registry:ApproveAll", description="approves everything (a baseline)")
register_guard("rules", "cauarena.guards.agentdog.rules:RulesGuard", ("life_assist",),
               description="AgentDoG rule diagnostician: provenance of the call + content rules (trajectory only)")
register_guard("classifier", "cauarena.guards.agentdog.classifier:ClassifierGuard", ("life_assist",),
               description="AgentDoG step classifier: n-gram logistic regression trained on ATBench-LifeAssist")
register_guard("mentor", "cauarena.guards.mentor.guard:MentorGuard",
               description="MENTOR: domain rule trees grown into a rule graph, optional self-assessment")
