"""The agent registry: short names per env family, ``module:attr`` strings, and an entry-point group.

An agent spec is a string, read in this order:

- ``backend/model`` (``mock/...``, ``hf/path/with:colon``, ``openai/llama3:8b``, ``langchain/pkg.mod:obj``,
  ``tiny/babyai``): a ChatAgent on that backend. Any spec with a ``/`` is one, so a ``:`` inside the model
  part never makes it a ``module:attr`` (module paths hold no ``/``);
- ``module.path:Attr``: any importable class or zero-argument factory, also from outside the repo;
- a short name such as ``random`` or ``oracle``; the implementation is chosen by the env's family
  (``oracle`` on BabyAI-Text is the BabyAI bot, on WebShop the scripted buyer);
- a name registered by another package under the ``cauarena.agents`` entry-point group.

Entry points are strings, so registering imports nothing heavy. :func:`resolve_agent` checks a spec the way
:func:`make_agent` reads it, without building the agent or loading a model (the runner's preflight).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from typing import Any, Literal

from cauarena.errors import ConfigError, DependencyNotInstalled, NameNotFound
from cauarena.registry import Registry, load

__all__ = [
    "AGENTS", "AGENT_REGISTRY", "AgentEntry", "AgentResolution", "SpecKind", "agent_names", "agent_serves",
    "check_requires", "is_backend_spec", "is_privileged", "load_attr", "make_agent", "register_agent",
    "resolve_agent", "spec_kind",
]

SpecKind = Literal["backend", "import", "name"]
"""How an agent spec is read: ``backend/model``, ``module:attr`` or a short (or entry-point) name."""


@dataclass(frozen=True)
class AgentEntry:
    """A short agent name bound to an implementation for some env families.

    Attributes:
        name: the short name users type (``oracle``).
        entry_point: ``module:attr`` of a class or factory; called with ``**kwargs``.
        families: glob patterns over env family names this implementation serves (``*`` for all).
        kwargs: constructor kwargs.
        description: one line for ``cauarena agents``.
        privileged: True for a built-in agent that reads the env's truth (an oracle): it runs beside the env,
            and its leaderboard rows are marked and not ranked.
        requires: ``(module, extra)`` pairs the implementation imports when it acts; a preflight reports a
            missing one with its ``pip install 'cauarena[extra]'`` fix before any episode is played.
    """

    name: str
    entry_point: str
    families: tuple[str, ...] = ("*",)
    kwargs: tuple[tuple[str, Any], ...] = ()
    description: str = ""
    privileged: bool = False
    requires: tuple[tuple[str, str], ...] = ()

    @property
    def target(self) -> str:
        """The registry target: the entry point."""
        return self.entry_point


@dataclass(frozen=True)
class AgentResolution:
    """What :func:`resolve_agent` learned of a spec for one env family, without building the agent.

    Attributes:
        spec: the agent spec.
        family: the env family it was resolved for.
        kind: how the spec is read (see :data:`SpecKind`).
        target: the backend spec, the ``module:attr``, or the short name's entry point.
        privileged: True for a registered short name declared privileged (see :func:`is_privileged`).
    """

    spec: str
    family: str
    kind: SpecKind
    target: str
    privileged: bool = False


AGENTS: Registry[AgentEntry] = Registry(
    "agent", group="cauarena.agents", hint="Use a short name, 'module.path:Class' or 'backend/model'."
)
"""Short agent names per env family (newest first), plus the ``cauarena.agents`` entry-point group."""

AGENT_REGISTRY = AGENTS
"""The agent registry under its first name (iterating it gives the entries, newest first)."""


def register_agent(
    name: str,
    entry_point: str,
    families: tuple[str, ...] = ("*",),
    description: str = "",
    *,
    privileged: bool = False,
    requires: tuple[tuple[str, str], ...] = (),
    **kwargs: Any,
) -> None:
    """Register ``name`` for the given env families; a later registration for the same family wins.

    Args:
        name: the short name.
        entry_point: ``module:attr`` of the class or factory.
        families: glob patterns over the env families it serves.
        description: one line for ``cauarena agents``.
        privileged: the implementation reads the env's truth (see :class:`AgentEntry`).
        requires: ``(module, extra)`` pairs of optional dependencies it needs.
        **kwargs: constructor kwargs.
    """
    entry = AgentEntry(name, entry_point, tuple(families), tuple(kwargs.items()), description, privileged,
                       tuple(requires))
    AGENTS.add(entry)


def agent_names() -> list[str]:
    """Every short name in the registry and the ``cauarena.agents`` entry-point group."""
    return AGENTS.names()


load_attr = load
"""The one ``module:attr`` loader (:func:`cauarena.registry.load`), under the name agents code first used."""


def spec_kind(spec: str) -> SpecKind:
    """How ``spec`` is read: a ``/`` makes it ``backend/model`` before a ``:`` makes it ``module:attr``.

    >>> spec_kind("openai/llama3:8b"), spec_kind("langchain/pkg.mod:chat"), spec_kind("pkg.mod:Agent")
    ('backend', 'backend', 'import')
    >>> spec_kind("oracle")
    'name'
    """
    if "/" in spec:
        return "backend"
    return "import" if ":" in spec else "name"


def is_backend_spec(spec: str) -> bool:
    """True when ``spec`` names a chat backend (``backend/model``), whatever its model part holds."""
    return spec_kind(spec) == "backend"


def agent_serves(spec: str, family: str) -> bool:
    """Whether ``spec`` can play an env of ``family``: a registered short name must serve it.

    ``backend/model`` and ``module:attr`` specs, entry-point names and unknown names serve every family (an
    unknown name fails on its own when it is built).
    """
    return spec_kind(spec) != "name" or spec not in AGENTS or AGENTS.serves(spec, family)


def _find(spec: str, family: str) -> AgentEntry | EntryPoint:
    """The registry entry of short name ``spec`` for ``family``, else its ``cauarena.agents`` entry point.

    Raises:
        ConfigError: ``spec`` is registered, but for other families only.
        NameNotFound: ``spec`` is not a name at all; the message suggests close ones.
    """
    if AGENTS.serves(spec, family):
        return AGENTS.find(spec, family)
    plugin = AGENTS.plugin(spec)
    return plugin if plugin is not None else AGENTS.find(spec, family)


def make_agent(spec: str, family: str = "", **kwargs: Any) -> Any:
    """Build the agent named by ``spec`` for an env of ``family``.

    Args:
        spec: ``backend/model``, ``module:attr``, a short name or an entry-point name (read in that order).
        family: the env family (``babyai``...), which picks the implementation of a short name.
        **kwargs: passed to the agent's constructor.

    Raises:
        NameNotFound: an unknown short name or backend prefix; the message suggests close ones.
        ConfigError: a ``module:attr`` that cannot be imported, or a name with no implementation for ``family``.
    """
    kind = spec_kind(spec)
    if kind == "backend":
        from cauarena.agents.llm import make_chat_agent

        return make_chat_agent(spec, family=family, **kwargs)
    if kind == "import":
        return load(spec, what=f"agent {spec!r}")(**kwargs)
    found = _find(spec, family)
    if isinstance(found, AgentEntry):
        return AGENTS.resolve(found)(**{**dict(found.kwargs), **kwargs})
    return found.load()(**kwargs)


def check_requires(requires: tuple[tuple[str, str], ...], what: str) -> None:
    """Raise :class:`DependencyNotInstalled` for the first ``(module, extra)`` whose module is not installed.

    Looks the module up without importing it (``importlib.util.find_spec`` of its top-level package).
    """
    for module, extra in requires:
        if importlib.util.find_spec(module.partition(".")[0]) is None:
            raise DependencyNotInstalled(module, extra, what)


def _declared_privileged(entry: AgentEntry) -> bool:
    """Declared on the registration, or as a class attribute ``privileged = True`` of the implementation."""
    return entry.privileged or getattr(AGENTS.resolve(entry), "privileged", False) is True


def resolve_agent(spec: str, family: str = "") -> AgentResolution:
    """Check ``spec`` for ``family`` as :func:`make_agent` would read it, without building it or loading a model.

    A backend spec gets its backend's cheap check (the prefix is known, the extra installed, a local checkpoint
    exists, a server answers a connect); a ``module:attr`` is imported; a short name is looked up for the
    family, its implementation imported and its optional dependencies looked up.

    Raises:
        NameNotFound: an unknown short name or backend prefix (with "Did you mean").
        ConfigError: a ``module:attr`` that does not import or is not callable; a name that does not serve
            ``family``; a backend that is unreachable or whose model does not exist.
        DependencyNotInstalled: a missing extra; the message names the ``pip install`` fix.
    """
    kind = spec_kind(spec)
    if kind == "backend":
        from cauarena.agents.llm.backends import check_backend

        check_backend(spec)
        return AgentResolution(spec, family, kind, spec)
    if kind == "import":
        if not callable(load(spec, what=f"agent {spec!r}")):
            raise ConfigError(f"Agent {spec!r} is not callable. Fix: point at a class or a zero-argument factory.")
        return AgentResolution(spec, family, kind, spec)
    found = _find(spec, family)
    if not isinstance(found, AgentEntry):
        found.load()
        return AgentResolution(spec, family, kind, found.value)
    check_requires(found.requires, f"the agent {spec!r}")
    AGENTS.resolve(found)
    return AgentResolution(spec, family, kind, found.entry_point, _declared_privileged(found))


def is_privileged(spec: str, family: str) -> bool:
    """True only for a registered short name whose implementation for ``family`` is declared privileged.

    ``module:attr`` and ``backend/model`` specs are never privileged, whatever they point at: only built-in
    agents may read the env's truth. An unknown name is not privileged (building it fails on its own).
    """
    if spec_kind(spec) != "name":
        return False
    try:
        found = _find(spec, family)
    except (ConfigError, NameNotFound):
        return False
    return isinstance(found, AgentEntry) and _declared_privileged(found)
