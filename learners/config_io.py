"""What every learner's command line and config loader share: ``--set key=value`` and strict ``from_dict``."""

from __future__ import annotations

import json
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
