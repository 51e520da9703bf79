"""The headline-metric registry: which metrics lead each family's table, read from the family's own package.

A family declares ``HEADLINE`` (a tuple of :class:`~cauarena.envs.headline.Metric`) in the package of its env
(``cauarena.envs.causal.HEADLINE``); :func:`family_headline` finds that package through the env registry. A
family without one falls back to its base family (``magic-defender`` -> ``magic``), then to
:data:`DEFAULT_HEADLINE`. Guarded rows add :data:`GUARD_HEADLINE`, computed from the guard's metric columns.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from functools import cache

import numpy as np
import pandas as pd

from cauarena.envs.headline import Metric

DEFAULT_HEADLINE = (Metric("success", "success"), Metric("return", "return"), Metric("steps", "steps", False))
"""The headline of a family that declares none."""
GUARD_HEADLINE = (Metric("guard_blocked_attack", "blocked attacks"), Metric("guard_false_block", "false blocks", False))
"""Guard metrics: share of attacked episodes in which the guard blocked (rejected or terminated) at least once,
and the same share over benign episodes (an episode is attacked when it has an ``asr`` metric or ``harmful`` = 1,
benign when it has a ``utility`` metric or ``harmful`` = 0)."""
BUILTIN_COLUMNS = {"success": "success_rate", "return": "mean_return", "steps": "steps", "tokens": "total_tokens"}
"""Leaderboard column of each built-in metric key."""
_INTERVALS = {"success_rate": "success", "mean_return": "return"}


def column(metric: Metric | str) -> str:
    """The leaderboard column of a metric (``auprc`` -> ``m_auprc``, ``success`` -> ``success_rate``).

    >>> column("auprc"), column("success")
    ('m_auprc', 'success_rate')
    """
    key = metric.key if isinstance(metric, Metric) else metric
    return BUILTIN_COLUMNS.get(key, f"m_{key}")


def interval_columns(name: str) -> tuple[str, str]:
    """The ``(low, high)`` interval columns of a leaderboard column.

    >>> interval_columns("success_rate"), interval_columns("m_shd")
    (('success_ci_low', 'success_ci_high'), ('m_shd_ci_low', 'm_shd_ci_high'))
    """
    stem = _INTERVALS.get(name, name)
    return f"{stem}_ci_low", f"{stem}_ci_high"


def _package_of(entry_point: str) -> str:
    """The package that holds an entry point's module (a top-level module is its own package)."""
    module = entry_point.split(":", 1)[0]
    if "." not in module:
        return module
    spec = importlib.util.find_spec(module)
    return module if spec is not None and spec.submodule_search_locations is not None else module.rpartition(".")[0]


def _declared(family: str) -> tuple[Metric, ...] | None:
    from cauarena.registration import ENV_SPECS

    for entry in ENV_SPECS.values():
        if entry.family != family:
            continue
        try:
            package = importlib.import_module(_package_of(entry.entry_point))
        except Exception:  # noqa: BLE001 - a missing extra or a broken plugin: its table gets the default headline
            return None
        declared = getattr(package, "HEADLINE", None)
        if declared is not None:
            return tuple(declared)
    return None


@cache
def family_headline(family: str) -> tuple[Metric, ...]:
    """The headline metrics of ``family``: its package's ``HEADLINE``, its base family's, or the default.

    Args:
        family: A registered env family (``causal``, ``life_assist``, ``magic-defender``...).

    Returns:
        The metrics, in the order the family lists them.
    """
    for name in (family, family.split("-", 1)[0]):
        declared = _declared(name)
        if declared is not None:
            return declared
    return DEFAULT_HEADLINE


@cache
def family_of(env_id: str) -> str:
    """The registered family of ``env_id`` (``other`` for ids this process does not know)."""
    from cauarena.registration import env_entry

    try:
        return env_entry(env_id).family
    except Exception:  # noqa: BLE001 - an unregistered or module-qualified id still renders
        return "other"


def _where(metrics: pd.DataFrame, where: str) -> pd.Series:
    name, wanted = where.lstrip("!"), 0.0 if where.startswith("!") else 1.0
    values = metrics.get(f"m_{name}", pd.Series(np.nan, index=metrics.index))
    return values == wanted


def derive(metrics: pd.DataFrame, families: pd.Series) -> pd.DataFrame:
    """Add the derived headline columns (``source``/``where`` metrics, guard metrics) to episode metrics.

    Args:
        metrics: The ``m_<key>`` columns of the episodes (NaN where an episode lacks the key).
        families: The family of each episode (same index).

    Returns:
        ``metrics`` with the derived columns; a derived value is NaN on the episodes it does not apply to.
    """
    out = {}
    for family in families.unique():
        rows = families == family
        for metric in (m for m in family_headline(str(family)) if m.derived):
            source = metrics.get(f"m_{metric.source or metric.key}", pd.Series(np.nan, index=metrics.index))
            keep = rows & (_where(metrics, metric.where) if metric.where else source.notna())
            name = column(metric)  # other families may carry a native metric of that name: keep their values
            base = out.get(name, metrics.get(name, pd.Series(np.nan, index=metrics.index)))
            out[name] = base.where(~rows, source.where(keep))
    out.update(_guard_columns(metrics))
    extra = {k: v for k, v in out.items() if v.notna().any()}
    kept = metrics.drop(columns=[c for c in extra if c in metrics.columns])
    return pd.concat([kept, pd.DataFrame(extra, index=metrics.index)], axis=1) if extra else metrics


def _guard_columns(metrics: pd.DataFrame) -> dict[str, pd.Series]:
    if "m_guard_reviews" not in metrics.columns:
        return {}
    nothing = pd.Series(0.0, index=metrics.index)
    blocks = metrics.get("m_guard_reject", nothing).fillna(0) + metrics.get("m_guard_terminate", nothing).fillna(0)
    blocked = (blocks > 0).astype(float).where(metrics["m_guard_reviews"].notna())
    attacked = metrics.get("m_asr", nothing * np.nan).notna() | _where(metrics, "harmful")
    benign = metrics.get("m_utility", nothing * np.nan).notna() | _where(metrics, "!harmful")
    return {"m_guard_blocked_attack": blocked.where(attacked), "m_guard_false_block": blocked.where(benign)}


def headline_for(families: Iterable[str], guarded: bool = False) -> tuple[Metric, ...]:
    """The headline metrics of several families in order, each key once; guard metrics last when ``guarded``."""
    seen: dict[str, Metric] = {}
    for family in families:
        for metric in family_headline(family):
            seen.setdefault(metric.key, metric)
    for metric in GUARD_HEADLINE if guarded else ():
        seen.setdefault(metric.key, metric)
    return tuple(seen.values())
