"""The agent registry: short names per env family, ``module:attr`` strings, and an entry-point group.

An agent spec is a string:

- a short name such as ``random`` or ``oracle``; the implementation is chosen by the env's family
  (``oracle`` on BabyAI-Text is the BabyAI bot, on WebShop the scripted buyer);
- ``module.path:Attr``: any importable class or zero-argument factory, also from outside the repo;
- ``backend/model`` (``mock/...``, ``hf/...``, ``tiny/babyai``): a ChatAgent on that backend;
- a name registered by another package under the ``cauarena.agents`` entry-point group.

Entry points are strings, so registering imports nothing heavy.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from fnmatch import fnmatch
from importlib.metadata import entry_points
from typing import Any

from cauarena.errors import ConfigError, NameNotFound


@dataclass(frozen=True)
class AgentEntry:
    """A short agent name bound to an implementation for some env families.

    Attributes:
        name: the short name users type (``oracle``).
        entry_point: ``module:attr`` of a class or factory; called with ``**kwargs``.
        families: glob patterns over env family names this implementation serves (``*`` for all).
        kwargs: constructor kwargs.
        description: one line for ``cauarena agents``.
    """

    name: str
    entry_point: str
    families: tuple[str, ...] = ("*",)
    kwargs: tuple[tuple[str, Any], ...] = ()
    description: str = ""


AGENT_REGISTRY: list[AgentEntry] = []


def register_agent(
    name: str,
    entry_point: str,
    families: tuple[str, ...] = ("*",),
    description: str = "",
    **kwargs: Any,
) -> None:
    """Register ``name`` for the given env families; a later registration for the same family wins."""
    AGENT_REGISTRY.insert(0, AgentEntry(name, entry_point, families, tuple(kwargs.items()), description))


def agent_names() -> list[str]:
    """Every short name in the registry and the ``cauarena.agents`` entry-point group."""
    names = {e.name for e in AGENT_REGISTRY}
    names.update(ep.name for ep in entry_points(group="cauarena.agents"))
    return sorted(names)


def load_attr(spec: str) -> Any:
    """Import ``module.path:attr`` (the current directory is importable, as for ``python -m``)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"Expected 'module.path:Attr', got {spec!r}.")
    if "" not in sys.path and "." not in sys.path:
        sys.path.append("")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            f"Cannot import module {module_name!r} for agent {spec!r}: {exc}. "
            "Fix: install the package or run from the folder that contains it."
        ) from exc
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ConfigError(f"Module {module_name!r} has no attribute {attr!r} (agent {spec!r}).") from None
    return obj


def make_agent(spec: str, family: str = "", **kwargs: Any) -> Any:
    """Build the agent named by ``spec`` for an env of ``family``.

    Args:
        spec: a short name, ``module:attr``, ``backend/model`` or an entry-point name.
        family: the env family (``babyai``...), which picks the implementation of a short name.
        **kwargs: passed to the agent's constructor.

    Raises:
        NameNotFound: an unknown short name; the message suggests close ones.
        ConfigError: a ``module:attr`` that cannot be imported.
    """
    if ":" in spec:
        return load_attr(spec)(**kwargs)
    if "/" in spec:
        from cauarena.agents.llm import make_chat_agent

        return make_chat_agent(spec, family=family, **kwargs)
    for entry in AGENT_REGISTRY:
        if entry.name == spec and any(fnmatch(family, pattern) for pattern in entry.families):
            return load_attr(entry.entry_point)(**{**dict(entry.kwargs), **kwargs})
    for ep in entry_points(group="cauarena.agents"):
        if ep.name == spec:
            return ep.load()(**kwargs)
    if any(entry.name == spec for entry in AGENT_REGISTRY):
        served = sorted({f for e in AGENT_REGISTRY if e.name == spec for f in e.families})
        raise ConfigError(
            f"Agent {spec!r} has no implementation for env family {family!r}; it serves {served}."
        )
    raise NameNotFound(
        "agent", spec, agent_names(), hint="Use a short name, 'module.path:Class' or 'backend/model'."
    )
