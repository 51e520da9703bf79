"""The worker process: plays episodes with the envs (and privileged agents) it keeps between episodes.

Kept apart from :mod:`cauarena.leaderboards.runner` (the parent's side) so that a worker imports neither the
results store nor SQLAlchemy: a worker starts faster and holds less.
"""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection
from typing import Any

from cauarena.leaderboards.agent_host import HostLink, build_agent
from cauarena.leaderboards.episode import error_of, run_episode, stopped_result
from cauarena.leaderboards.magic import SEPARATOR, PlayerPair, is_pair, play_pair
from cauarena.leaderboards.schema import EpisodeResult, Trajectory
from cauarena.leaderboards.suites import EpisodeSpec

READY = "ready"
"""What a worker sends once it (and its agent host) has started."""


def privileged_spec(agent: str, family: str) -> bool:
    """Whether the agent spec of a planned episode is a built-in privileged agent (an oracle reading the truth).

    A MAGIC pair is privileged when either seat is.
    """
    from cauarena.agents.registry import is_privileged

    if is_pair(agent):
        return any(is_privileged(seat.strip(), "magic") for seat in agent.split(SEPARATOR, 1))
    return is_privileged(agent, family)


class EpisodePlayer:
    """Plays episodes in one process, caching envs by (id, kwargs) and agents by (spec, env).

    Privileged agents are built here, beside the env; every other agent is built in the agent host reached through
    ``host`` and gets only the env's public view (see :mod:`cauarena.leaderboards.agent_host`).
    """

    def __init__(self, run_id: str, keep_trajectories: bool = True, chat_kwargs: dict[str, Any] | None = None,
                 host: HostLink | None = None):
        self.run_id = run_id
        self.keep_trajectories = keep_trajectories
        self.chat_kwargs = dict(chat_kwargs or {})
        self.host = host
        self._envs: dict[tuple, Any] = {}
        self._agents: dict[tuple, Any] = {}
        self._privileged: dict[tuple[str, str], bool] = {}

    def _env(self, spec: EpisodeSpec) -> Any:
        key = (spec.env_id, spec.env_kwargs)
        if key not in self._envs:
            from cauarena.registration import make

            self._envs[key] = make(spec.env_id, **spec.env_kwargs_dict)
        return self._envs[key]

    def _agent(self, spec: EpisodeSpec, env: Any, privileged: bool) -> Any:
        key = (spec.agent, spec.guard, spec.env_id, spec.env_kwargs)
        if key in self._agents:
            return self._agents[key]
        if is_pair(spec.agent):  # a two-seat game (MAGIC): "<attacker> vs <defender>"
            seat_host = None if self.host is None else (lambda s, seat: self.host.agent(
                s, "none", spec.env_id, "magic", self.chat_kwargs, seat=seat))
            agent = PlayerPair(spec.agent, guard=spec.guard, host=seat_host)
        elif privileged or self.host is None:
            agent = build_agent(spec.agent, spec.guard, spec.family, "", self.chat_kwargs)
            agent.bind(env)
        else:
            agent = self.host.agent(spec.agent, spec.guard, spec.env_id, spec.family, self.chat_kwargs)
            agent.bind(env)  # sends the public view only
        self._agents[key] = agent
        return agent

    def play(self, spec: EpisodeSpec) -> tuple[EpisodeResult, Trajectory | None]:
        """Play one episode; failing to build the env or agent is recorded like any other error."""
        pair = (spec.agent, spec.family)
        if pair not in self._privileged:  # a registry look-up once per agent, not per episode
            self._privileged[pair] = privileged_spec(*pair)
        privileged = self._privileged[pair]
        try:
            env = self._env(spec)
        except Exception as exc:  # noqa: BLE001
            return stopped_result(spec, self.run_id, 0.0, error_of(exc, "env_error"), privileged), None
        try:
            agent = self._agent(spec, env, privileged)
        except Exception as exc:  # noqa: BLE001
            return stopped_result(spec, self.run_id, 0.0, error_of(exc, "agent_error"), privileged), None
        if isinstance(agent, PlayerPair):
            result, trajectory = play_pair(env, agent, spec, self.run_id, self.keep_trajectories)
            return result.model_copy(update={"privileged": privileged}), trajectory
        return run_episode(env, agent, spec, self.run_id, self.keep_trajectories, privileged=privileged)

    def close(self) -> None:
        for agent in self._agents.values():
            agent.close()
        for env in self._envs.values():
            env.close()


def worker_main(conn: Connection, run_id: str, keep: bool, chat_kwargs: dict[str, Any], path: list[str],
                 host_conn: Connection | None) -> None:
    sys.path[:] = path
    link = None if host_conn is None else HostLink(host_conn)
    player = EpisodePlayer(run_id, keep, chat_kwargs, host=link)
    if link is not None:
        link.request("ping", 0)  # the host has started too
    conn.send(READY)  # episode clocks start now, not while the processes import
    while True:
        try:
            spec = conn.recv()
        except (EOFError, OSError):
            break
        if spec is None:
            break
        conn.send(player.play(spec))
    player.close()
    if host_conn is not None:
        try:
            host_conn.send(None)
        except OSError:
            pass
