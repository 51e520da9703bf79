"""AgentDoG guards on LifeAssist-v0: an ATBench-style benchmark, rule and classifier guards, offline evaluation.

- :mod:`~cauarena.guards.agentdog.atbench`: the benchmark (built from life-assist episodes, AgentDoG's schema);
- :class:`RulesGuard` (``rules``) and :class:`ClassifierGuard` (``classifier``), registered for ``life_assist``;
- :func:`evaluate`: accuracy, F1, AUROC, per-axis accuracy, first-unsafe-step location and latency of any guard.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "build_atbench": "atbench", "first_unsafe_turn": "atbench", "load_atbench": "atbench", "save_atbench": "atbench",
    "turns": "atbench", "ClassifierGuard": "classifier", "evaluate": "evaluate", "replay": "evaluate",
    "RulesGuard": "rules",
}  # fmt: skip
"""Public names and their modules, imported on first use (so ``python -m`` on a module runs it only once)."""


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)


__all__ = [
    "ClassifierGuard",
    "RulesGuard",
    "build_atbench",
    "evaluate",
    "first_unsafe_turn",
    "load_atbench",
    "replay",
    "save_atbench",
    "turns",
]
