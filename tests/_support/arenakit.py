"""A generic test env with injectable reset/step, and misbehaving agents, for runner and store tests.

Importing this module registers ``arenakit/Count-v0`` (family ``testing``): address it as
``arenakit:arenakit/Count-v0`` so that spawned runner workers import this module too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
from gymnasium import spaces

from cauarena import register_env
from cauarena.agents.registry import load_attr


def _resolve(func: Callable | str | None) -> Callable | None:
    return load_attr(func) if isinstance(func, str) else func


class GenericTestEnv(gym.Env):
    """Counts to ``length``: action "go" earns 1, anything else is invalid (0, feedback); success at the end.

    ``reset_func`` / ``step_func`` (callables or ``module:attr`` strings) replace the default behaviour;
    ``crash_at`` makes ``step`` raise at that step (an env bug).
    """

    metadata = {"render_modes": []}
    observation_space = spaces.Text(max_length=200)
    action_space = spaces.Text(max_length=20)

    def __init__(self, length: int = 5, crash_at: int | None = None,
                 reset_func: Callable | str | None = None, step_func: Callable | str | None = None) -> None:
        self.length, self.crash_at = length, crash_at
        self.reset_func, self.step_func = _resolve(reset_func), _resolve(step_func)
        self.t = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.t = 0
        if self.reset_func:
            return self.reset_func(self, seed=seed, options=options)
        return f"count 0 of {self.length}", {"valid_actions": ["go"], "success": False}

    def step(self, action: Any):
        if self.step_func:
            return self.step_func(self, action)
        self.t += 1
        if self.crash_at is not None and self.t >= self.crash_at:
            raise RuntimeError(f"GenericTestEnv crashed at step {self.t} as configured")
        valid = action == "go"
        done = self.t >= self.length
        info = {"valid_actions": ["go"], "invalid_action": not valid, "success": done,
                "metrics": {"progress": self.t / self.length}}
        return f"count {self.t} of {self.length}", float(valid), done, False, info


register_env("arenakit/Count-v0", "arenakit:GenericTestEnv", family="testing")
register_env("arenakit/Crash-v0", "arenakit:GenericTestEnv", family="testing", kwargs={"crash_at": 2})


class GoAgent:
    def reset(self, *, seed=None, info=None):
        pass

    def act(self, observation, info):
        return "go"


class SlowAgent(GoAgent):
    def act(self, observation, info):
        time.sleep(0.03)
        return "go"


class RaisingAgent(GoAgent):
    def act(self, observation, info):
        raise ValueError("RaisingAgent fails on purpose")


class HangingAgent(GoAgent):
    def act(self, observation, info):
        time.sleep(3600)


class DyingAgent(GoAgent):
    def act(self, observation, info):
        import os

        os._exit(3)


class StopGuard:
    """A guard that approves ``go`` until ``count 3``, then ends the episode (tests the runner's guard path)."""

    def review(self, trajectory, proposed_action):
        from cauarena.guards import Diagnosis, Verdict

        if trajectory[-1].observation.startswith("count 3"):
            diagnosis = Diagnosis("Inherent Agent/LLM Failures", "Planning Failure", "Functional & Opportunity Harm")
            return Verdict("terminate", "count 3 is off limits", 1.0, diagnosis)
        return Verdict()


class FixGuard:
    """A guard that rewrites any action but ``go`` into ``go``."""

    def review(self, trajectory, proposed_action):
        from cauarena.guards import Verdict

        return Verdict() if proposed_action == "go" else Verdict("modify", "only go is allowed", 0.8, action="go")


class WaitAgent(GoAgent):
    """Always answers ``wait`` (invalid on Count-v0)."""

    def act(self, observation, info):
        return "wait"


class StopEverythingGuard:
    """A guard that ends the episode at the first proposal."""

    def review(self, trajectory, proposed_action):
        from cauarena.guards import Verdict

        return Verdict("terminate", "nothing may run", 1.0)
