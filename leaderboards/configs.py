"""Configuration labels: which leaderboard row an episode's env kwargs belong to.

A row is (env id, configuration, agent, guard). The configuration's label is the suite's ``label`` for that
``[[envs]]`` entry when the run recorded one, else built from the kwargs that differ from the env's defaults
(``surface=tool_output, style=scam``), else :data:`DEFAULTS`. Labels never enter the episode key.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

DEFAULTS = "defaults"
"""The label of an env played with its registered defaults."""
ALL_CONFIGS = "*"
"""The ``config`` of an aggregate row over every configuration of one env (shown as ``all N configs``)."""

LabelMap = Mapping[tuple[str, str], str]
"""Suite labels by ``(env id, canonical kwargs JSON)`` (see :func:`kwargs_key`)."""


def kwargs_key(kwargs: Mapping[str, Any] | Iterable[tuple[str, Any]] | str | None) -> str:
    """Canonical JSON of env kwargs (dict, pairs or JSON text), the join key of suite labels.

    >>> kwargs_key({"b": 1, "a": (1, 2)}) == kwargs_key('{"a": [1, 2], "b": 1}')
    True
    """
    if isinstance(kwargs, str):
        kwargs = json.loads(kwargs or "{}")
    data = dict(kwargs or {})
    return json.dumps(json.loads(json.dumps(data, default=str)), sort_keys=True)


@cache
def env_defaults(env_id: str) -> dict[str, Any]:
    """The kwargs ``env_id`` is built with when none are given: its constructor's defaults, then its registry kwargs.

    An entry point that cannot be imported here contributes its registry kwargs only.
    """
    from cauarena.registration import ENVS, env_entry

    try:
        entry = env_entry(env_id)
    except Exception:  # noqa: BLE001 - an id this process does not know has no known defaults
        return {}
    defaults: dict[str, Any] = {}
    try:  # ConfigError (a ValueError) when the entry point does not import, DependencyNotInstalled an ImportError
        params = inspect.signature(ENVS.resolve(entry)).parameters.values()
        defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
    except (ImportError, TypeError, ValueError):
        pass
    return json.loads(json.dumps(defaults | dict(entry.kwargs), default=str))


def _value(value: Any) -> str:
    if isinstance(value, float):
        return format(value, "g")
    if isinstance(value, list | tuple):
        return "+".join(_value(v) for v in value)
    return str(value)


def config_label(env_id: str, kwargs: Mapping[str, Any] | str | None, labels: LabelMap | None = None) -> str:
    """The configuration label of ``env_id`` played with ``kwargs``.

    Args:
        env_id: The registered env id.
        kwargs: The stored env kwargs (a dict or its JSON).
        labels: Suite labels recorded by the run (see :func:`suite_labels`).

    Returns:
        The suite's label, else ``key=value`` pairs of the kwargs that differ from the defaults (sorted by
        key), else :data:`DEFAULTS`.

    >>> config_label("cauarena/LifeAssist-v0", {"surface": "tool_output", "style": "scam"})
    'style=scam, surface=tool_output'
    >>> config_label("cauarena/LifeAssist-v0", {"surface": "none"})
    'defaults'
    """
    key = kwargs_key(kwargs)
    if labels and (env_id, key) in labels:
        return labels[(env_id, key)]
    defaults = env_defaults(env_id)
    given = json.loads(key)
    differ = {k: v for k, v in sorted(given.items()) if k not in defaults or defaults[k] != v}
    return ", ".join(f"{k}={_value(v)}" for k, v in differ.items()) or DEFAULTS


def suite_labels(suite: Any) -> list[list[Any]]:
    """The labelled ``[[envs]]`` entries of a suite as ``[env id, kwargs, label]`` (JSON for the runs table)."""
    return [[env.env_id, json.loads(kwargs_key(env.kwargs)), env.label] for env in suite.envs
            if getattr(env, "label", "")]  # fmt: skip


def stored_labels(store: Any) -> dict[tuple[str, str], str]:
    """The suite labels every run of ``store`` recorded (``labels`` in its config), later runs winning."""
    import sqlalchemy as sa

    from cauarena.leaderboards.store import RUNS

    labels: dict[tuple[str, str], str] = {}
    with store.engine.connect() as conn:
        for (config,) in conn.execute(sa.select(RUNS.c.config).order_by(RUNS.c.run_id)):
            config = json.loads(config) if isinstance(config, str) else config or {}
            for env_id, kwargs, label in config.get("labels", []):
                labels[(str(env_id), kwargs_key(kwargs))] = str(label)
    return labels
