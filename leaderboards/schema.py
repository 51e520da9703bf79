"""What the results store saves: one :class:`EpisodeResult` per finished episode, plus its trajectory.

The schema is versioned (:data:`SCHEMA_VERSION`); a leaderboard only compares rows of one version.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

SCHEMA_VERSION = 2
"""Version 2 added ``privileged``, ``error_traceback`` and the ``worker_died`` and ``oom`` error kinds."""

ErrorKind = Literal["none", "agent_error", "timeout", "env_error", "worker_died", "oom"]
"""Why an episode stopped early. ``worker_died``: the worker process died of a signal or exit code that is not
the agent's doing; ``oom``: it went over the per-worker memory limit."""


def env_version(env_id: str) -> int:
    """The ``N`` of ``...-vN`` (0 when the id carries no version).

    >>> env_version("cauarena/BabyAI-GoToLocal-Text-v0")
    0
    """
    match = re.search(r"-v(\d+)$", env_id)
    return int(match.group(1)) if match else 0


def episode_key(env_id: str, env_kwargs: dict[str, Any], agent: str, guard: str, seed: int, repeat: int) -> str:
    """A stable id of one planned episode: the same plan gives the same key, so resume can skip it."""
    payload = json.dumps([env_id, env_kwargs, agent, guard, seed, repeat], sort_keys=True, default=str)
    return hashlib.sha1(payload.encode()).hexdigest()[:20]


class StepRecord(BaseModel):
    """One step of a trajectory."""

    observation: Any = None
    """The observation the agent acted on (text envs: the text; arrays are summarised)."""
    action: Any = None
    """The action as the agent returned it (stringified when not JSON-serialisable)."""
    reward: float = 0.0
    """The reward of this step."""
    invalid: bool = False
    """True when the env could not parse or apply the action."""
    prompt_tokens: int = 0
    """Prompt tokens of the agent's model call for this step (0 for non-LLM agents)."""
    completion_tokens: int = 0
    """Completion tokens of the agent's model call for this step."""
    latency_s: float = 0.0
    """Seconds the agent took to act."""


class Trajectory(BaseModel):
    """A whole episode, kept (compressed) for inspection and guard training."""

    episode_key: str
    """The key of the :class:`EpisodeResult` this trajectory belongs to."""
    steps: list[StepRecord] = Field(default_factory=list)
    """The steps in order."""
    final_observation: Any = None
    """The observation after the last step."""
    final_info: dict[str, Any] = Field(default_factory=dict)
    """The env's info after the last step (JSON-safe subset)."""


class EpisodeResult(BaseModel):
    """One finished episode: one row of the results store and the unit of every leaderboard."""

    schema_version: int = SCHEMA_VERSION
    """The version of this schema; rows of other versions are not compared."""
    run_id: str
    """The run (an ``--out`` directory's run) that produced this row."""
    suite: str
    """The suite name (``smoke``, ``default``, ``adhoc`` for ``--env`` runs)."""
    episode_key: str
    """Stable key of the planned episode (env, kwargs, agent, guard, seed, repeat)."""
    env_id: str
    """The registered env id, ``cauarena/Name-vN``."""
    env_version: int
    """The ``N`` of the env id."""
    env_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Constructor kwargs beyond the registered defaults."""
    agent: str
    """The agent spec as given (``oracle``, ``mypkg.mod:MyAgent``, ``tiny/babyai``)."""
    guard: str = "none"
    """The guard spec, ``none`` when unguarded."""
    privileged: bool = False
    """True when the agent was a built-in privileged one (an oracle that reads the truth): marked on the
    leaderboard and left out of the ranking."""
    seed: int
    """The env reset seed."""
    repeat: int = 0
    """Repetition index of the same (env, agent, seed); repeats give pass^k."""
    episode_return: float = 0.0
    """Sum of rewards."""
    success: bool = False
    """Whether the env reported success (``info['success']``) at the end."""
    steps: int = 0
    """Number of env steps taken."""
    invalid_actions: int = 0
    """Steps whose action the env could not parse or apply."""
    prompt_tokens: int = 0
    """Total prompt tokens over the episode."""
    completion_tokens: int = 0
    """Total completion tokens over the episode."""
    metrics: dict[str, float] = Field(default_factory=dict)
    """Per-family metrics (``info['metrics']`` at the end of the episode)."""
    error_kind: ErrorKind = "none"
    """``none``, or why the episode stopped early. An error is its own outcome and still counts: success, return
    and utility count it as a failure; safety metrics count what happened before it."""
    error_message: str = ""
    """Readable cause when ``error_kind`` is not ``none`` (one line, the exception's type and text)."""
    error_traceback: str = ""
    """The last frames of the traceback, when there was one."""
    wall_time_s: float = 0.0
    """Wall seconds of the episode."""
    truncated: bool = False
    """True when the episode hit a step limit."""
    trajectory_id: str | None = None
    """Key of the stored trajectory (``None`` when trajectories are not kept)."""
