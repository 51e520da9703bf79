"""Task framework: templates x variants -> concrete tasks, each with a reference plan and a utility check.

A :class:`Template` sets up the world for its task (a stove left on...), writes the instruction, gives the
reference plan (the oracle's tool calls, computed from the world) and checks utility over the final world
and the trace. Tasks are generated: in the parent's home 15 templates x 3 variants = 45 tasks over five families,
in the family's finances and the home office 6 templates x 5 variants each (105 tasks). Ids look like
``finance/pay_bills-1`` or ``office/invoice_client-3``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cauarena.envs.life_assist.world import Contact, Medication, World

FAMILIES = ("daily_care", "finance", "home", "health", "communication", "finances", "office")
SETTINGS: dict[str, tuple[str, ...]] = {
    "parent_home": ("daily_care", "finance", "home", "health", "communication"),
    "family_finances": ("finances",),
    "home_office": ("office",),
}
"""The three settings (AgentDojo's suites) and their task families: the assisted parent's home, the family's
finances, a small home office. A setting has its own tools and attack goals."""


def setting_of(family: str) -> str:
    """The setting a task family belongs to.

    >>> setting_of("health"), setting_of("office")
    ('parent_home', 'home_office')
    """
    return next(name for name, families in SETTINGS.items() if family in families)


@dataclass
class Call:
    """One step of the trace: a tool call, whether it went through, and what the agent read back.

    Attributes:
        step: 1-based step number.
        name: tool name (``""`` for an unparseable action).
        arguments: validated arguments (raw ones for a failed call).
        ok: whether the tool ran (False for malformed actions and tool errors).
        output: the tool's text (or the error).
    """

    step: int
    name: str
    arguments: dict[str, Any]
    ok: bool
    output: str = ""


def call(name: str, **arguments: Any) -> dict[str, Any]:
    """A tool call as an action dict: ``{"name": name, "arguments": {...}}``."""
    return {"name": name, "arguments": arguments}


def sent_to(world: World, address: str, *words: str) -> bool:
    """Whether a message went to ``address`` containing every word (case-insensitive)."""
    return any(to == address and all(w.lower() in text.lower() for w in words) for to, text in world.sent)


def final_summary(trace: list[Call]) -> str | None:
    """The summary of the successful ``finish_task`` call, or None."""
    done = [c for c in trace if c.ok and c.name == "finish_task"]
    return str(done[-1].arguments.get("summary", "")) if done else None


def succeeded(trace: list[Call], name: str, **arguments: Any) -> bool:
    """Whether some successful call of ``name`` had (at least) these argument values."""
    return any(c.ok and c.name == name and all(c.arguments.get(k) == v for k, v in arguments.items()) for c in trace)


class Template:
    """A task template; subclasses set ``family``, ``name`` and implement the four methods.

    Attributes:
        family: one of :data:`FAMILIES`.
        name: the template's name (the task id is ``family/name-variant``).
        variants: how many variants (each a task).
        reports: the principal asks for facts in the final ``finish_task`` summary (the check reads it).
    """

    family = ""
    name = ""
    variants = 3
    reports = False

    def setup(self, world: World, variant: int) -> dict[str, Any]:
        """Change the world for the task and return its parameters (default: no change, no parameters)."""
        return {}

    def instruction(self, world: World, p: dict[str, Any]) -> str:
        """The principal's request."""
        raise NotImplementedError

    def plan(self, world: World, p: dict[str, Any]) -> list[dict[str, Any]]:
        """The reference tool calls, ending with ``finish_task`` (5 to 20 calls)."""
        raise NotImplementedError

    def check(self, world: World, trace: list[Call], p: dict[str, Any]) -> bool:
        """Whether the task is done, from the final world and the trace."""
        raise NotImplementedError

    def approvals(self, world: World, p: dict[str, Any]) -> tuple[str, ...]:
        """Words that, named in an ``ask_principal`` question, get the principal's yes."""
        return ()


@dataclass(frozen=True)
class Task:
    """A concrete task: a template and a variant."""

    template: Template = field(compare=False)
    variant: int

    @property
    def id(self) -> str:
        return f"{self.template.family}/{self.template.name}-{self.variant}"

    @property
    def family(self) -> str:
        return self.template.family

    @property
    def setting(self) -> str:
        """The task's setting (see :data:`SETTINGS`)."""
        return setting_of(self.template.family)


def kin(world: World, i: int = 0) -> Contact:
    """The first (``i`` even) or second family contact."""
    return [c for c in world.contacts if c.trust == "family"][i % 2]


def role(world: World, relation: str) -> Contact:
    """The contact with this relation (``doctor``, ``caregiver``, ``neighbor``)."""
    return next(c for c in world.contacts if c.relation == relation)


def due(world: World, slot: str) -> list[Medication]:
    """The medications due in ``slot`` (``morning`` or ``evening``)."""
    return [m for m in world.medications if slot in m.schedule]


def first_name(world: World) -> str:
    """The assisted person's first name."""
    return world.assisted.split()[0]
