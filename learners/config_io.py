"""What every learner's command line and config loader share: ``--set key=value`` and strict ``from_dict``."""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import fields
from typing import Any

from cauarena.errors import ConfigError


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """``--set`` pairs to a dict: JSON values, else strings.

    >>> parse_overrides(["learning_rate=3e-4", "model=tiny/babyai", "levels=[[1, 3]]"])
    {'learning_rate': 0.0003, 'model': 'tiny/babyai', 'levels': [[1, 3]]}
    """
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"--set takes key=value; got {pair!r}.")
        try:
            overrides[key] = json.loads(value)
        except ValueError:
            overrides[key] = value
    return overrides


def reject_unknown_keys(cls: type, data: dict[str, Any]) -> None:
    """Raise :class:`ConfigError` naming the keys of ``data`` that are not fields of the dataclass ``cls``."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"Unknown {cls.__name__} keys {unknown}. Known: {', '.join(sorted(known))}.")


def section_docs(doc: str | None, section: str = "Attributes") -> dict[str, str]:
    """The entries of a Google-style docstring section, name -> text (continuation lines joined).

    >>> section_docs('''Run.
    ...
    ... Args:
    ...     out: the folder.
    ...     steps (int): how many
    ...         steps.
    ... Returns:
    ...     nothing.''', "Args")
    {'out': 'the folder.', 'steps': 'how many steps.'}
    """
    docs: dict[str, str] = {}
    lines = inspect.cleandoc(doc or "").splitlines()
    inside, name = False, ""
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not inside:
            inside = stripped == f"{section}:" and indent == 0
            continue
        if stripped and indent == 0:
            break
        match = _ENTRY.match(line)
        if match:
            name = match.group(1)
            docs[name] = match.group(2).strip()
        elif stripped and name:
            docs[name] += " " + stripped
    return docs


_ENTRY = re.compile(r"^ {4}(\w+)(?: \([^)]*\))?:\s*(.*)$")


def field_docs(cls: type) -> dict[str, str]:
    """Each field of the dataclass ``cls`` with its ``Attributes:`` text (from ``cls`` or a base class; "" if none)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        docs.update(section_docs(klass.__dict__.get("__doc__"), "Attributes"))
    return {f.name: docs.get(f.name, "") for f in fields(cls)}


def config_from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Build the config dataclass ``cls`` from ``data`` with its own ``from_dict`` (strict ``cls(**data)`` without).

    Raises:
        ConfigError: an unknown key, or a value the config's validation refuses.
    """
    if hasattr(cls, "from_dict"):
        return cls.from_dict(dict(data))
    reject_unknown_keys(cls, data)
    return cls(**data)
