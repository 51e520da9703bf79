"""One registry type for every plug-in kind: envs, agents, guards, backends, prompts, parsers, suites, learners.

A :class:`Registry` holds entries (frozen dataclasses with a ``name`` and the ``families`` they serve, glob
patterns over env family names). It answers the same questions for every kind::

    AGENTS.add(AgentEntry("oracle", "cauarena.agents.babyai:BotAgent", ("babyai",)))
    AGENTS.find("oracle", "babyai")      # the entry serving that family (the latest registration wins)
    AGENTS.serves("oracle", "webshop")   # False unless some entry's pattern matches
    AGENTS.names()                       # registered names and the kind's entry-point group
    with AGENTS.snapshot(): ...          # tests register freely; the registry is restored on exit

Entries point at their implementation with ``"module:attr"`` strings, read by :func:`load`, so registering
imports nothing heavy. Registering the same name for the same families again is a no-op when nothing changed and
a warning (or, with ``on_change="error"``, a :class:`ConfigError`) when something did: an override is never
silent.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatch
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, Literal, Protocol, TypeVar

from cauarena.errors import ConfigError, DependencyNotInstalled, NameNotFound

__all__ = ["Entry", "Registry", "RegistryEntry", "RegistryView", "load"]


class RegistryEntry(Protocol):
    """What a registry needs of an entry: its name and the env families it serves (glob patterns)."""

    @property
    def name(self) -> str:
        """The name users type."""
        ...  # pragma: no cover

    @property
    def families(self) -> tuple[str, ...]:
        """Glob patterns over env family names (``("*",)`` serves every family)."""
        ...  # pragma: no cover

    @property
    def target(self) -> Any:
        """The implementation: a ``module:attr`` string (read by :func:`load`) or the object itself."""
        ...  # pragma: no cover


E = TypeVar("E", bound=RegistryEntry)


@dataclass(frozen=True)
class Entry:
    """A plain entry: a name bound to a target (a ``module:attr`` string or an object) for some families.

    Attributes:
        name: the name users type.
        target: the implementation, usually a ``module:attr`` string read by :func:`load`.
        families: glob patterns over env family names it serves.
        description: one line for listings.
    """

    name: str
    target: Any
    families: tuple[str, ...] = ("*",)
    description: str = ""


def load(spec: str, *, what: str = "") -> Any:
    """Import ``"module.path:attr"`` (``attr`` may be dotted); the current directory is importable, as for ``-m``.

    Args:
        spec: ``module.path:attr``.
        what: what the spec names, for error messages (``"agent 'x'"``).

    Raises:
        ConfigError: the spec is malformed, the module does not import, or it lacks the attribute.
        DependencyNotInstalled: the module needs an optional extra (raised by the module itself).

    >>> load("os.path:join")("a", "b") == __import__("os").path.join("a", "b")
    True
    """
    label = f" ({what})" if what else ""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"Expected 'module.path:attr'{label}, got {spec!r}.")
    if "" not in sys.path and "." not in sys.path:
        sys.path.append("")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        if isinstance(exc, DependencyNotInstalled):
            raise
        raise ConfigError(f"Cannot import module {module_name!r}{label}: {exc}. "
                          "Fix: install the package or run from the folder that contains it.") from exc
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ConfigError(f"Module {module_name!r} has no attribute {attr!r}{label}.") from None
    return obj


class Registry(Generic[E]):
    """Named entries of one plug-in kind, each serving some env families; the latest registration wins.

    Args:
        kind: what the entries are (``"agent"``), for messages.
        group: an ``importlib.metadata`` entry-point group whose names also count as registered.
        hint: appended to "not found" messages (where to look, which spec forms exist).
        on_change: what re-registering a name for the same families with a different entry does:
            ``"warn"`` (replace it and warn) or ``"error"`` (raise :class:`ConfigError`).
    """

    def __init__(self, kind: str, *, group: str | None = None, hint: str = "",
                 on_change: Literal["warn", "error"] = "warn") -> None:
        self.kind = kind
        self.group = group
        self.hint = hint
        self.on_change = on_change
        self._entries: list[E] = []  # newest first

    def add(self, entry: E) -> E:
        """Register ``entry``; a different entry with the same name and families is replaced loudly.

        Returns:
            ``entry``.

        Raises:
            ConfigError: the registry refuses changes (``on_change="error"``) and the entry differs.
        """
        for i, old in enumerate(self._entries):
            if old.name == entry.name and tuple(old.families) == tuple(entry.families):
                if old == entry:
                    return entry
                message = (f"Overriding {self.kind} {entry.name!r} for families {list(entry.families)}: "
                           f"{old} -> {entry}.")
                if self.on_change == "error":
                    raise ConfigError(message + " Fix: register it under another name.")
                warnings.warn(message, UserWarning, stacklevel=3)
                del self._entries[i]
                break
        self._entries.insert(0, entry)
        return entry

    def remove(self, name: str) -> None:
        """Forget every entry named ``name`` (no error when there is none)."""
        self._entries = [e for e in self._entries if e.name != name]

    def __iter__(self) -> Iterator[E]:
        """The entries, newest first."""
        return iter(list(self._entries))

    def __len__(self) -> int:
        """How many entries are registered."""
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        """Whether some entry (not an entry point) has this name."""
        return any(e.name == name for e in self._entries)

    def entries(self, name: str) -> list[E]:
        """Every entry named ``name``, newest first."""
        return [e for e in self._entries if e.name == name]

    def plugins(self) -> list[EntryPoint]:
        """The entry points of this kind's group (empty without a group)."""
        return list(entry_points(group=self.group)) if self.group else []

    def names(self) -> list[str]:
        """Every registered name and every name in the entry-point group, sorted."""
        return sorted({e.name for e in self._entries} | {ep.name for ep in self.plugins()})

    def serves(self, name: str, family: str) -> bool:
        """Whether an entry named ``name`` serves ``family`` (an unknown name serves nothing)."""
        return any(fnmatch(family, p) for e in self.entries(name) for p in e.families)

    def find(self, name: str, family: str = "") -> E:
        """The newest entry named ``name`` that serves ``family``.

        Raises:
            ConfigError: ``name`` is registered, but only for other families.
            NameNotFound: nothing is registered under ``name``; the message lists close names.
        """
        for entry in self._entries:
            if entry.name == name and any(fnmatch(family, p) for p in entry.families):
                return entry
        served = sorted({p for e in self.entries(name) for p in e.families})
        if served:
            article = "an" if self.kind[:1] in "aeiou" else "a"
            raise ConfigError(f"{self.kind.capitalize()} {name!r} has no implementation for env family {family!r}; "
                              f"it serves {served}. Fix: pick {article} {self.kind} that serves the family.")
        raise NameNotFound(self.kind, name, self.names(), hint=self.hint)

    def plugin(self, name: str) -> EntryPoint | None:
        """The entry point called ``name`` in this kind's group, if an installed package declares one."""
        return next((ep for ep in self.plugins() if ep.name == name), None)

    def resolve(self, entry: E) -> Any:
        """The implementation ``entry`` points at: its ``module:attr`` target imported, or the target object."""
        target = entry.target
        return load(target, what=f"{self.kind} {entry.name!r}") if isinstance(target, str) else target

    def make(self, name: str, family: str = "", **kwargs: Any) -> Any:
        """Call the implementation of ``name`` for ``family`` with ``kwargs`` (an entry point's too).

        Raises:
            ConfigError: see :meth:`find`; or the target does not import.
            NameNotFound: see :meth:`find`.
        """
        if name not in self and (ep := self.plugin(name)) is not None:
            return ep.load()(**kwargs)
        return self.resolve(self.find(name, family))(**kwargs)

    def view(self, value: Callable[[E], Any] | None = None,
             wrap: Callable[[str, Any], E] | None = None) -> RegistryView[E]:
        """A dict by name over this registry, for kinds whose names are unique (envs, backends, prompts, suites).

        Args:
            value: what ``view[name]`` gives for the newest entry of ``name`` (default: the entry).
            wrap: how ``view[name] = x`` builds the entry it registers (default: ``x`` is the entry).
        """
        return RegistryView(self, value, wrap)

    @contextmanager
    def snapshot(self) -> Iterator[Registry[E]]:
        """Restore the entries on exit, whatever was registered or removed inside (for tests)."""
        saved = list(self._entries)
        try:
            yield self
        finally:
            self._entries = saved

    def __repr__(self) -> str:
        """``Registry('agent', 42 entries)``."""
        return f"Registry({self.kind!r}, {len(self._entries)} entries)"


class RegistryView(MutableMapping[str, Any], Generic[E]):
    """A :class:`Registry` read and written as a dict by name (see :meth:`Registry.view`).

    Keys are the registered names in registration order; writing registers through :meth:`Registry.add` (so a
    changed entry warns), deleting removes every entry of the name.

    >>> view = Registry("colour").view(value=lambda e: e.target, wrap=lambda name, x: Entry(name, x))
    >>> view["red"] = "#f00"
    >>> dict(view), "red" in view, view.get("blue")
    ({'red': '#f00'}, True, None)
    """

    def __init__(self, registry: Registry[E], value: Callable[[E], Any] | None = None,
                 wrap: Callable[[str, Any], E] | None = None) -> None:
        self.registry = registry
        self._value = value or (lambda entry: entry)
        self._wrap = wrap

    def __getitem__(self, name: str) -> Any:
        """The value of the newest entry named ``name``; ``KeyError`` when there is none."""
        entries = self.registry.entries(name)
        if not entries:
            raise KeyError(name)
        return self._value(entries[0])

    def __setitem__(self, name: str, value: Any) -> None:
        """Register ``value`` (wrapped into an entry) under ``name``."""
        entry = self._wrap(name, value) if self._wrap else value
        if entry.name != name:
            raise ConfigError(f"Cannot register {self.registry.kind} {entry.name!r} under the key {name!r}. "
                              "Fix: use the entry's own name as the key.")
        self.registry.add(entry)

    def __delitem__(self, name: str) -> None:
        """Remove every entry named ``name``; ``KeyError`` when there is none."""
        if name not in self.registry:
            raise KeyError(name)
        self.registry.remove(name)

    def __iter__(self) -> Iterator[str]:
        """The registered names, oldest registration first."""
        return iter(dict.fromkeys(e.name for e in reversed(list(self.registry))))

    def __len__(self) -> int:
        """How many distinct names are registered."""
        return len({e.name for e in self.registry})

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is registered."""
        return name in self.registry

    def __repr__(self) -> str:
        """``RegistryView(Registry('backend', 6 entries))``."""
        return f"RegistryView({self.registry!r})"
