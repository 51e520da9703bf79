"""Every CauArena environment id, registered with Gymnasium through string entry points.

Registering imports nothing heavy: Gymnasium resolves ``entry_point`` strings only when an environment is
made. The ids live in :data:`ENVS`, a :class:`~cauarena.registry.Registry` like every other plug-in kind;
:data:`ENV_SPECS` is the same registry read as a dict by id (families add their ids there, one
:class:`EnvEntry` per id).
"""

from __future__ import annotations

import copy
import importlib
import re
import warnings
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import gymnasium as gym

from cauarena.errors import ConfigError, EnvNotFound
from cauarena.registry import Registry, RegistryView

__all__ = [
    "BABYAI_TEXT_LEVELS", "CAUGYM_VARIANTS", "ENTRY_POINT_GROUP", "ENVS", "ENV_SPECS", "EnvEntry", "env_entry",
    "env_ids", "load_plugins", "make", "register_env", "register_envs", "strip_module",
]


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

    @property
    def name(self) -> str:
        """The registry name: the id."""
        return self.id

    @property
    def families(self) -> tuple[str, ...]:
        """An id is one entry whatever the family asking (ids are unique across families)."""
        return ("*",)

    @property
    def target(self) -> str:
        """The registry target: the entry point."""
        return self.entry_point


ENVS: Registry[EnvEntry] = Registry("environment", hint="`cauarena list` prints every id.")
"""Every registered environment id (see :func:`register_env`)."""

ENV_SPECS: RegistryView[EnvEntry] = ENVS.view()
""":data:`ENVS` as a dict ``id -> EnvEntry``; assigning an entry registers it (Gymnasium follows on
:func:`register_envs`)."""

BABYAI_TEXT_LEVELS = ("GoToLocal", "PickupLoc", "GoTo", "PutNextLocal", "BossLevel", "GoToObj", "Pickup")

ENV_SPECS.update({
    f"cauarena/BabyAI-{level}-Text-v0": EnvEntry(
        id=f"cauarena/BabyAI-{level}-Text-v0",
        entry_point="cauarena.envs.babyai_text:BabyAITextEnv",
        kwargs={"level": level},
        family="babyai",
    )
    for level in BABYAI_TEXT_LEVELS
})
ENV_SPECS.update(
    {
        "cauarena/CausalDiscovery-v0": EnvEntry(
            id="cauarena/CausalDiscovery-v0",
            entry_point="cauarena.envs.causal.discovery_env:CausalDiscoveryEnv",
            family="causal",
        ),
        "cauarena/CauScientist-v0": EnvEntry(
            id="cauarena/CauScientist-v0",
            entry_point="cauarena.envs.causal.scientist_env:CauScientistEnv",
            family="causal",
        ),
    }
)


CAUGYM_VARIANTS = ("base", "rephrased", "omitted", "deconfounding", "redundant", "insufficient")
"""CauGym's six test variants; each has its own id so a leaderboard gets one row per variant."""

ENV_SPECS["cauarena/CauGym-v0"] = EnvEntry(
    id="cauarena/CauGym-v0", entry_point="cauarena.envs.caugym:CauGymEnv", family="caugym"
)
for _variant in CAUGYM_VARIANTS:
    _id = f"cauarena/CauGym-{_variant.capitalize()}-v0"
    ENV_SPECS[_id] = EnvEntry(
        id=_id, entry_point="cauarena.envs.caugym:CauGymEnv", kwargs={"variant": _variant}, family="caugym"
    )

ENV_SPECS["cauarena/WebShop-v0"] = EnvEntry(
    id="cauarena/WebShop-v0", entry_point="cauarena.envs.webshop:WebShopEnv", family="webshop"
)

ENV_SPECS["cauarena/MAGIC-v0"] = EnvEntry(
    id="cauarena/MAGIC-v0", entry_point="cauarena.envs.magic:parallel_env", family="magic", multi_agent=True
)
"""MAGIC's attacker-vs-defender game: a PettingZoo ParallelEnv (``cauarena.envs.magic.env`` for the AEC form)."""

for _seat, _role, _opponent in (
    ("Defender", "attacker", "attacker-random"), ("Attacker", "defender", "defender-keyword")
):
    # one seat of MAGIC against a scripted opponent (a kwarg), both in envs/magic/
    ENV_SPECS[f"cauarena/MAGIC-{_seat}-v0"] = EnvEntry(
        id=f"cauarena/MAGIC-{_seat}-v0", entry_point=f"cauarena.envs.magic.seats:Magic{_seat}Env",
        kwargs={_role: _opponent}, family=f"magic-{_seat.lower()}",
    )


def register_env(
    env_id: str,
    entry_point: str,
    *,
    family: str = "",
    kwargs: dict[str, Any] | None = None,
    max_episode_steps: int | None = None,
    multi_agent: bool = False,
) -> None:
    """Register an environment of your own (from any package) so the runner and CLI can use it.

    Call it at import time of your module and address the env as ``"your.module:your/Name-v0"``: the
    ``module:`` prefix makes every worker process import your module (and so register the env) first.

    Args:
        env_id: ``namespace/Name-vN``.
        entry_point: ``module:Class`` of a ``gymnasium.Env`` (or a PettingZoo env factory).
        family: env family; agents with short names are chosen by it.
        kwargs: default constructor kwargs.
        max_episode_steps: Gymnasium ``TimeLimit``.
        multi_agent: True for a PettingZoo factory.
    """
    if not re.fullmatch(r"[\w.-]+/[\w.-]+-v\d+", env_id):
        raise ConfigError(f"Env ids look like 'namespace/Name-vN', got {env_id!r}.")
    entry = EnvEntry(env_id, entry_point, dict(kwargs or {}), family, max_episode_steps, multi_agent)
    _write_through(ENVS.add(entry))  # add warns when the id changes


def _write_through(entry: EnvEntry) -> None:
    """Make Gymnasium's registry agree with ``entry`` (multi-agent ids are not Gymnasium envs: none there)."""
    if entry.multi_agent:
        gym.registry.pop(entry.id, None)
        return
    spec = gym.registry.get(entry.id)
    if spec is not None and spec.entry_point == entry.entry_point and spec.kwargs == entry.kwargs \
            and spec.max_episode_steps == entry.max_episode_steps:
        return
    gym.registry.pop(entry.id, None)  # replaced quietly: ENVS.add has already warned
    gym.register(id=entry.id, entry_point=entry.entry_point, kwargs=copy.deepcopy(entry.kwargs),
                 max_episode_steps=entry.max_episode_steps, disable_env_checker=True)


def register_envs() -> None:
    """Register every id in :data:`ENVS` with Gymnasium (idempotent)."""
    for entry in ENVS:
        _write_through(entry)


ENTRY_POINT_GROUP = "cauarena.envs"
"""Installed packages list a function here that registers their envs (``register_env`` calls)."""

_plugins_loaded = False


def load_plugins() -> None:
    """Call every ``cauarena.envs`` entry point once, so installed packages' envs appear in ``cauarena list``.

    A plug-in that fails to load is reported as a warning naming it, never an import error of CauArena.
    """
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            ep.load()()
        except Exception as exc:  # noqa: BLE001 - one broken plug-in must not break the arena
            warnings.warn(f"cauarena.envs plug-in {ep.name!r} ({ep.value}) failed to register: {exc}", UserWarning,
                          stacklevel=2)


def env_ids(family: str | None = None) -> list[str]:
    """Every registered CauArena id (plug-ins' too), optionally only one family's, sorted."""
    load_plugins()
    return sorted(e.id for e in ENVS if family is None or e.family == family)


def env_entry(env_id: str) -> EnvEntry:
    """The registry entry of ``env_id``; raises :class:`EnvNotFound` with close matches."""
    module, sep, bare = env_id.rpartition(":")
    if sep:
        if module != "cauarena":
            try:
                importlib.import_module(module)
            except ImportError as exc:
                raise ConfigError(f"Cannot import {module!r} to register {bare!r}: {exc}") from exc
        env_id = bare
    if env_id not in ENVS:
        load_plugins()
    if env_id not in ENVS:
        raise EnvNotFound(env_id, ENV_SPECS)
    return ENVS.find(env_id)


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
        factory = ENVS.resolve(entry)
        try:
            return factory(**{**copy.deepcopy(entry.kwargs), **kwargs})
        except TypeError as exc:  # a bad kwarg: name the env, as gym.make does for single-agent ids
            raise ConfigError(f"Cannot make {entry.id} with kwargs {sorted(kwargs)}: {exc}") from exc
    return gym.make(entry.id, **kwargs)


def strip_module(env_id: str) -> str:
    """``"my.module:ns/Name-v0"`` -> ``"ns/Name-v0"``."""
    return env_id.rpartition(":")[2]


ENV_SPECS["cauarena/LifeAssist-v0"] = EnvEntry(
    id="cauarena/LifeAssist-v0", entry_point="cauarena.envs.life_assist:LifeAssistEnv", family="life_assist"
)

ENV_SPECS["cauarena/KGQA-v0"] = EnvEntry(
    id="cauarena/KGQA-v0", entry_point="cauarena.envs.kgqa:KGQAEnv", family="kgqa"
)
"""KALE's setting: multi-hop questions over a seeded knowledge world, then a probe of each hop."""

ENV_SPECS["cauarena/CausalScene-v0"] = EnvEntry(
    id="cauarena/CausalScene-v0", entry_point="cauarena.envs.scene:CausalSceneEnv", family="scene"
)
"""LINA's setting (LINA-lite): draw a prompt's 32x32 scene with its unnamed causal effects, scored from exact masks."""
