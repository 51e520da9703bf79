"""Errors that say what was expected, what came, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CauArenaError(Exception):
    """Base class of every error CauArena raises on purpose."""


class ConfigError(CauArenaError, ValueError):
    """A configuration (suite, learner config, CLI option) is invalid; the message says the fix."""


class InvalidAction(CauArenaError, ValueError):
    """An action has the wrong type or shape for an environment that cannot answer it with feedback."""


class DependencyNotInstalled(CauArenaError, ImportError):
    """An optional dependency is missing; the message names the ``pip install`` that fixes it."""

    def __init__(self, package: str, extra: str, what: str = "") -> None:
        needed = f" for {what}" if what else ""
        super().__init__(
            f"{package} is needed{needed} but is not installed. Fix: pip install 'cauarena[{extra}]'"
        )
        self.package = package
        self.extra = extra


class NameNotFound(CauArenaError, KeyError):
    """A name (env id, agent, suite, backend) is not registered; the message suggests close names."""

    def __init__(self, kind: str, name: str, known: Iterable[str], hint: str = "") -> None:
        known = sorted(set(known))
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        msg = f"No {kind} named {name!r}."
        if close:
            msg += f" Did you mean: {', '.join(repr(c) for c in close)}?"
        elif known:
            shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            msg += f" Known: {shown}."
        if hint:
            msg += f" {hint}"
        super().__init__(msg)
        self.name = name
        self.close_matches = close

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0])


class EnvNotFound(NameNotFound):
    """An environment id is not registered."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__("environment", name, known, hint="`cauarena list` prints every registered id.")
