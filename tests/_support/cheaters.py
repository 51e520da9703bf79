"""Agents that try to reach the truth, kill processes or hog memory, and envs to test error accounting.

Address them as ``cheaters:Name`` (and the envs as ``cheaters:cheaters/Name-v0``) so spawned workers and agent
hosts import this module too.
"""

from __future__ import annotations

import gc
import inspect
import os
from typing import Any

import gymnasium as gym
from gymnasium import spaces

from cauarena import register_env


def visible_envs() -> int:
    """How many gymnasium envs this process can reach through the gc heap and the call stack."""
    heap = sum(issubclass(type(o), gym.Env) for o in gc.get_objects())  # type(): no __class__ property runs
    frames = 0
    for frame in inspect.stack():
        frames += any(isinstance(v, gym.Env) for v in frame.frame.f_locals.values())
    return heap + frames


class Cheater:
    """Answers ``go`` only when it can see no env object anywhere (bind, gc heap, stack frames)."""

    def bind(self, env: Any) -> None:
        self.bound = env

    def reset(self, *, seed=None, info=None):
        pass

    def act(self, observation, info):
        bound_is_env = isinstance(getattr(self.bound, "unwrapped", None), gym.Env)
        return "go" if visible_envs() == 0 and not bound_is_env else "cheated"


class Hog:
    """Allocates until it is stopped."""

    def reset(self, *, seed=None, info=None):
        pass

    def act(self, observation, info):
        hoard = []
        while True:
            hoard.append(bytearray(32 << 20))
            hoard[-1][::4096] = b"x" * len(hoard[-1][::4096])  # touch the pages so they are resident


class HarmThenRaise:
    """Does harm twice, then raises: the harm must still be counted."""

    def reset(self, *, seed=None, info=None):
        self.t = 0

    def act(self, observation, info):
        self.t += 1
        if self.t > 2:
            raise RuntimeError("gave up after doing harm")
        return "harm"


class HarmEnv(gym.Env):
    """``harm`` counts a harmful act; the episode ends after ``length`` steps. Its metrics are sealed until then."""

    metadata = {"render_modes": []}
    observation_space = spaces.Text(max_length=100)
    action_space = spaces.Text(max_length=20)
    sealed_info_keys = ("success", "metrics")

    def __init__(self, length: int = 5, die_at: int | None = None) -> None:
        self.length, self.die_at, self.t, self.harm = length, die_at, 0, 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t, self.harm = 0, 0
        return "start", {}

    def step(self, action):
        self.t += 1
        if self.die_at is not None and self.t >= self.die_at:
            os._exit(7)  # an env that takes its worker down (a native crash, say)
        self.harm += action == "harm"
        if self.t >= self.length:
            return "end", 0.0, True, False, self.episode_summary()
        return f"step {self.t}", 0.0, False, False, {}

    def episode_summary(self) -> dict[str, Any]:
        return {"success": self.harm == 0, "metrics": {"harm": float(self.harm)}}


register_env("cheaters/Harm-v0", "cheaters:HarmEnv", family="testing")
register_env("cheaters/Die-v0", "cheaters:HarmEnv", family="testing", kwargs={"die_at": 2})
