"""Agents and an env for the runner's lanes: big observations, unpicklable actions (registers lanekit/Big-v0)."""

import gymnasium as gym
from arenakit import GoAgent

from cauarena import register_env


class BigEnv(gym.Env):
    """Five steps; each observation is ``size`` characters (bigger than a pipe's buffer when asked)."""

    metadata = {"render_modes": []}

    def __init__(self, size: int = 100_000):
        self.size = size
        self.action_space = gym.spaces.Text(8)
        self.observation_space = gym.spaces.Text(size + 16)
        self.t = 0

    def _obs(self):
        return f"{self.t}:" + "x" * self.size

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return self._obs(), {}

    def step(self, action):
        self.t += 1
        done = self.t >= 5
        return self._obs(), float(action == "go"), done, False, {"success": done}


class EchoLength(GoAgent):
    """Answers ``go`` after checking it saw the whole observation."""

    def act(self, observation, info):
        assert len(observation) > 100_000
        return "go"


class Unsendable:
    """Returns an action that cannot be pickled (a lambda) at its second step."""

    def reset(self, *, seed=None, info=None):
        self.t = 0

    def act(self, observation, info):
        self.t += 1
        return (lambda: "go") if self.t == 2 else "go"


register_env("lanekit/Big-v0", "lanekit:BigEnv", family="testing")


class FailingReset(GoAgent):
    """Its reset raises on odd seeds (the episode ends as this agent's error before its first step)."""

    def reset(self, *, seed=None, info=None):
        if seed % 2:
            raise RuntimeError("reset fails on purpose")


class ThreadCount(GoAgent):
    """Reports the size of its process's torch thread pool as a metric (the runner's fair share of the CPUs)."""

    def episode_metrics(self):
        import torch

        return {"torch_threads": float(torch.get_num_threads())}
