"""CausalScene agents: the privileged ``oracle`` (the renderer on the episode's scene) and ``random``.

The diffusion agents (``scene-diffusion``, ``scene-diffusion-lina``) live beside their learners and join the
registry by string entry points, so ``agents/`` never imports ``learners/``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cauarena.agents.base import SeededAgent
from cauarena.envs.scene import all_scenes, render
from cauarena.errors import ConfigError


class SceneOracle:
    """Renders the episode's true scene (privileged: it reads the env's scene), so every element scores 1.

    Example:
        >>> import cauarena
        >>> env = cauarena.make("cauarena/CausalScene-v0")
        >>> observation, info = env.reset(seed=0)
        >>> agent = SceneOracle()
        >>> agent.bind(env)
        >>> agent.reset(seed=0, info=info)
        >>> env.step(agent.act(observation, info))[1]
        1.0
    """

    privileged = True

    def __init__(self) -> None:
        self._env: Any = None

    def bind(self, env: Any) -> None:
        """Keep ``env.unwrapped``; it must expose ``scene`` (``cauarena/CausalScene-v0``)."""
        unwrapped = getattr(env, "unwrapped", env)
        if not hasattr(unwrapped, "scene"):
            raise ConfigError(f"SceneOracle needs a CausalScene env whose unwrapped env has `scene`; got "
                              f"{type(unwrapped).__name__}. Fix: use the oracle on cauarena/CausalScene-v0 only.")
        self._env = unwrapped

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Nothing to reset: the scene is read at each ``act``."""

    def act(self, observation: Any, info: dict[str, Any]) -> np.ndarray:
        """The exact render of the episode's scene."""
        if self._env is None or self._env.scene is None:
            raise ConfigError("SceneOracle.act called before bind(env) and env.reset(). Fix: bind, then reset.")
        return render(self._env.scene)


class SceneRandom(SeededAgent):
    """A chance baseline: the exact render of a random scene of the world (right by luck only)."""

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Reseed from ``(seed, "scene-random")``: not the env's own stream, which would replay its draw."""
        self.rng = np.random.default_rng(None if seed is None else [seed, 0x5CE])

    def act(self, observation: Any, info: dict[str, Any]) -> np.ndarray:
        """The render of a uniformly drawn scene."""
        scenes = all_scenes()
        return render(scenes[int(self.rng.integers(len(scenes)))])


__all__ = ["SceneOracle", "SceneRandom"]
