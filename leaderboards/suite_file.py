"""Strict reading of suite files (``.toml``/``.json``): every key known, every value of its type, none repeated.

Each problem is one :class:`~cauarena.errors.ConfigError` line that names the field's path and the fix::

    Suite file mine.toml: envs[2].kwrags: unknown key; did you mean 'kwargs'?
    Suite file mine.toml: seeds: expected an integer >= 1; got '3' (a string). Fix: write it without quotes.

Indices in paths count from 0. :func:`suite_fields` turns the parsed file into the keyword arguments of
:class:`~cauarena.leaderboards.suites.Suite` (its ``envs`` as ``(id, kwargs)`` pairs).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Iterable
from typing import Any

from cauarena.errors import CauArenaError, ConfigError
from cauarena.registration import env_entry

ENV_KEYS = ("id", "kwargs", "label")
"""The keys of an ``[[envs]]`` table."""

_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
               dict: "a table", type(None): "null"}


def _kind(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _fail(path: str, expected: str, value: Any) -> ConfigError:
    numeric = expected.startswith(("an integer", "a number", "a finite number"))
    fix = " Fix: write it without quotes." if isinstance(value, str) and numeric else ""
    return ConfigError(f"{path}: expected {expected}; got {value!r} ({_kind(value)}).{fix}")


def check_keys(table: dict[str, Any], known: Iterable[str], path: str = "") -> None:
    """Raise for the first key of ``table`` not in ``known``, suggesting the closest known key.

    >>> check_keys({"kwrags": {}}, ENV_KEYS, "envs[2]")
    Traceback (most recent call last):
    ...
    cauarena.errors.ConfigError: envs[2].kwrags: unknown key; did you mean 'kwargs'?
    """
    known = sorted(known)
    for key in table:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}."
            raise ConfigError(f"{where}: unknown key; {hint}")


def read_int(value: Any, path: str, minimum: int) -> int:
    """``value`` as an integer of at least ``minimum`` (a boolean is not one)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(path, f"an integer >= {minimum}", value)
    return value


def read_optional_int(value: Any, path: str, minimum: int) -> int | None:
    """Like :func:`read_int`; JSON ``null`` keeps the default (``None``)."""
    return None if value is None else read_int(value, path, minimum)


def read_positive(value: Any, path: str) -> float:
    """``value`` as a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise _fail(path, "a finite number > 0", value)
    return float(value)


def read_str(value: Any, path: str, allow_empty: bool = False) -> str:
    """``value`` as a string (non-empty unless ``allow_empty``)."""
    if not isinstance(value, str) or not (value.strip() or allow_empty):
        raise _fail(path, "a string" if allow_empty else "a non-empty string", value)
    return value


def read_names(value: Any, path: str, check: Callable[[str], Any] | None = None) -> tuple[str, ...]:
    """A non-empty list of distinct non-empty strings, each passed to ``check`` (its errors get the path)."""
    if not isinstance(value, list) or not value:
        raise _fail(path, "a non-empty list of strings", value)
    seen: dict[str, int] = {}
    for i, item in enumerate(value):
        name = read_str(item, f"{path}[{i}]")
        if name in seen:
            raise ConfigError(f"{path}[{i}]: {name!r} is listed twice (also {path}[{seen[name]}]). Fix: keep one.")
        seen[name] = i
        if check is not None:
            _at(f"{path}[{i}]", check, name)
    return tuple(value)


def _at(path: str, check: Callable[[str], Any], name: str) -> None:
    """Run ``check(name)``; its CauArena error becomes one line that starts with ``path``."""
    try:
        check(name)
    except CauArenaError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def read_env(item: Any, path: str) -> tuple[str, tuple[tuple[str, Any], ...], str]:
    """One ``envs`` entry: an id, or a table ``{id, kwargs, label}``; the id must be registered.

    Returns ``(id, sorted kwargs pairs, label)``; the label (``""`` when absent) only names the leaderboard row.
    """
    label = ""
    if isinstance(item, str):
        env_id, kwargs = item, {}
    elif isinstance(item, dict):
        check_keys(item, ENV_KEYS, path)
        if "id" not in item:
            raise ConfigError(f"{path}: missing key 'id'. Fix: id = \"cauarena/Name-v0\" (`cauarena list`).")
        env_id = read_str(item["id"], f"{path}.id")
        kwargs = item.get("kwargs", {})
        label = read_str(item["label"], f"{path}.label") if "label" in item else ""
        if not isinstance(kwargs, dict):
            raise _fail(f"{path}.kwargs", "a table of constructor arguments", kwargs)
        path = f"{path}.id"
    else:
        raise _fail(path, "an env id or a table {id = ..., kwargs = {...}}", item)
    _at(path, env_entry, env_id)
    return env_id, tuple(sorted(kwargs.items())), label


def read_envs(value: Any, path: str = "envs") -> tuple[tuple[str, tuple[tuple[str, Any], ...], str], ...]:
    """The ``envs`` list: at least one entry, no two with the same id and kwargs."""
    if not isinstance(value, list) or not value:
        raise _fail(path, "a non-empty list of env ids or {id, kwargs} tables", value)
    envs, seen = [], {}
    for i, item in enumerate(value):
        env = read_env(item, f"{path}[{i}]")
        key = json.dumps(env[:2], sort_keys=True, default=repr)  # the label does not make another env
        if key in seen:
            raise ConfigError(f"{path}[{i}]: the same env (id and kwargs) as {path}[{seen[key]}]. Fix: remove one; "
                              "seeds and repeats play an env more than once.")
        seen[key] = i
        envs.append(env)
    return tuple(envs)


def read_agent_envs(value: Any, agents: tuple[str, ...], path: str = "agent_envs") -> tuple:
    """The ``agent_envs`` table: agents of the suite -> lists of env ids."""
    if not isinstance(value, dict):
        raise _fail(path, "a table agent -> [env ids]", value)
    check_keys(value, agents, path)
    return tuple((agent, read_names(envs, f"{path}.{agent}", env_entry)) for agent, envs in value.items())


def _guard_check(spec: str) -> None:
    from cauarena.guards.registry import guard_kind

    guard_kind(spec)


def suite_fields(data: Any, known: Iterable[str]) -> dict[str, Any]:
    """The :class:`~cauarena.leaderboards.suites.Suite` keyword arguments of a parsed suite file.

    Args:
        data: the parsed file.
        known: the Suite's field names (the top-level keys a file may hold).

    Raises:
        ConfigError: the first problem, as ``<path>: <what is wrong>; <fix>``.
    """
    if not isinstance(data, dict):
        raise _fail("(top level)", "a table of Suite fields", data)
    check_keys(data, known)
    for required in ("envs", "agents"):
        if required not in data:
            what = "env id" if required == "envs" else "agent"
            raise ConfigError(f"{required}: missing. Fix: list at least one {what}.")
    readers: dict[str, Callable[[Any, str], Any]] = {
        "name": read_str, "description": lambda v, p: read_str(v, p, allow_empty=True),
        "envs": read_envs, "agents": read_names, "guards": lambda v, p: read_names(v, p, _guard_check),
        "seeds": lambda v, p: read_int(v, p, 1), "seed_start": lambda v, p: read_int(v, p, 0),
        "repeats": lambda v, p: read_int(v, p, 1), "max_steps": lambda v, p: read_optional_int(v, p, 1),
        "timeout_s": read_positive,
    }
    fields = {key: reader(data[key], key) for key, reader in readers.items() if key in data}
    if "agent_envs" in data:
        fields["agent_envs"] = read_agent_envs(data["agent_envs"], fields["agents"])
    return fields
