"""Every CauArena environment id, registered with Gymnasium through string entry points.

Registering imports nothing heavy: Gymnasium resolves ``entry_point`` strings only when an environment is
made. Families add their ids to :data:`ENV_SPECS` (one :class:`EnvEntry` per id).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

from cauarena.errors import EnvNotFound


@dataclass(frozen=True)
class EnvEntry:
    """One registered environment id.

    Attributes:
        id: ``cauarena/Name-vN``.
        entry_point: ``module:Class`` string, imported only when the env is made.
        kwargs: default constructor kwargs (deep-copied, then updated by ``make`` kwargs).
        family: the env family (``babyai``, ``causal``, ...); agents register per family.
        max_episode_steps: Gymnasium ``TimeLimit``; ``None`` when the env truncates itself.
        multi_agent: True for PettingZoo environments (made with their own factory, not ``gym.make``).
    """

    id: str
    entry_point: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    family: str = ""
    max_episode_steps: int | None = None
    multi_agent: bool = False


BABYAI_TEXT_LEVELS = ("GoToLocal", "PickupLoc", "GoTo", "PutNextLocal", "BossLevel", "GoToObj", "Pickup")

ENV_SPECS: dict[str, EnvEntry] = {
    f"cauarena/BabyAI-{level}-Text-v0": EnvEntry(
        id=f"cauarena/BabyAI-{level}-Text-v0",
        entry_point="cauarena.envs.babyai_text:BabyAITextEnv",
        kwargs={"level": level},
        family="babyai",
    )
    for level in BABYAI_TEXT_LEVELS
}


def register_envs() -> None:
    """Register every id in :data:`ENV_SPECS` with Gymnasium (idempotent)."""
    for entry in ENV_SPECS.values():
        if entry.multi_agent or entry.id in gym.registry:
            continue
        gym.register(
            id=entry.id,
            entry_point=entry.entry_point,
            kwargs=copy.deepcopy(entry.kwargs),
            max_episode_steps=entry.max_episode_steps,
            disable_env_checker=True,
        )


def env_ids(family: str | None = None) -> list[str]:
    """Every registered CauArena id, optionally only one family's, sorted."""
    return sorted(e.id for e in ENV_SPECS.values() if family is None or e.family == family)


def env_entry(env_id: str) -> EnvEntry:
    """The registry entry of ``env_id``; raises :class:`EnvNotFound` with close matches."""
    if env_id.startswith("cauarena:"):
        env_id = env_id.removeprefix("cauarena:")
    try:
        return ENV_SPECS[env_id]
    except KeyError:
        raise EnvNotFound(env_id, ENV_SPECS) from None


def make(env_id: str, **kwargs: Any) -> Any:
    """Make a registered CauArena environment.

    Args:
        env_id: a registered id such as ``cauarena/BabyAI-GoToLocal-Text-v0``.
        **kwargs: constructor kwargs; they update a deep copy of the registered defaults.

    Returns:
        A ``gymnasium.Env`` (single agent) or a PettingZoo environment (multi-agent ids).

    Raises:
        EnvNotFound: the id is not registered; the message lists close matches.
    """
    entry = env_entry(env_id)
    if entry.multi_agent:
        module_name, _, attr = entry.entry_point.partition(":")
        import importlib

        factory = getattr(importlib.import_module(module_name), attr)
        return factory(**{**copy.deepcopy(entry.kwargs), **kwargs})
    return gym.make(entry.id, **kwargs)
