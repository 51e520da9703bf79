"""``RandomAgent``: a seeded uniform baseline for any single-agent env."""

from __future__ import annotations

import copy
from typing import Any

from cauarena.agents.base import SeededAgent
from cauarena.errors import ConfigError


class RandomAgent(SeededAgent):
    """Picks uniformly among ``info["valid_actions"]``; otherwise samples the env's action space.

    Reproducible: ``reset(seed=s)`` reseeds both the choice generator and (when bound) a private copy of the
    env's action space, so the same seed gives the same actions.

    Example:
        >>> agent = RandomAgent()
        >>> agent.reset(seed=0)
        >>> agent.act("obs", {"valid_actions": ["a", "b", "c"]}) in ("a", "b", "c")
        True
    """

    def __init__(self) -> None:
        super().__init__()
        self._action_space: Any = None

    def bind(self, env: Any) -> None:
        """Keep a private copy of ``env.action_space`` for envs without ``info["valid_actions"]``."""
        self._action_space = copy.deepcopy(env.action_space)

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        """Start an episode (the Agent protocol); ``info`` is the env's reset info."""
        super().reset(seed=seed, info=info)
        if self._action_space is not None:
            self._action_space.seed(int(self.rng.integers(2**31 - 1)))

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        """The next action for ``observation`` (the Agent protocol)."""
        valid = info.get("valid_actions") if isinstance(info, dict) else None
        if valid:
            return valid[int(self.rng.integers(len(valid)))]
        if self._action_space is None:
            raise ConfigError(
                "RandomAgent got no info['valid_actions'] and has no action space. "
                "Fix: call agent.bind(env) after making the env (the runner does)."
            )
        return self._action_space.sample()
