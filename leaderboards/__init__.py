"""Leaderboards: suites, the runner, the results store, statistics and reports.

The names below are the public surface; each is imported from its module on first use, so importing one
module of the package (a worker process imports ``worker``) does not import them all. (Functions named like
their module, ``compare`` and ``preflight``, are imported from the module: ``leaderboards.compare.compare``.)

>>> from cauarena.leaderboards import get_suite
>>> get_suite("smoke").name
'smoke'
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BUILTIN_SUITES": "suites", "SUITES": "suites", "EnvSpec": "suites", "EpisodeSpec": "suites", "Suite": "suites",
    "get_suite": "suites", "load_suite_file": "suites", "override": "suites", "plan": "suites",
    "Runner": "runner", "RunSummary": "runner",
    "ResultsStore": "store", "store_url": "store",
    "EpisodeResult": "schema", "StepRecord": "schema", "Trajectory": "schema", "episode_key": "schema",
    "build_leaderboard": "table", "results_frame": "table",
    "write_reports": "report",
    "PreflightReport": "preflight",
    "bootstrap_ci": "stats", "pass_hat_k": "stats", "wilson_interval": "stats",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cauarena.leaderboards' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cauarena.leaderboards.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names beside the module's own."""
    return sorted({*globals(), *__all__})
