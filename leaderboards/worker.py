"""The worker process: plays episodes with the envs (and privileged agents) it keeps between episodes.

Kept apart from :mod:`cauarena.leaderboards.runner` (the parent's side) so that a worker imports neither the
results store nor SQLAlchemy: a worker starts faster and holds less.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from cauarena.agents.base import AgentHooks
from cauarena.agents.rollout import is_multi_agent
from cauarena.errors import ConfigError
from cauarena.leaderboards.agent_host import HostLink, build_agent
from cauarena.leaderboards.episode import error_of, row_seat, run_episode, stopped_result
from cauarena.leaderboards.schema import EpisodeResult, Trajectory
from cauarena.leaderboards.suites import EpisodeSpec

READY = "ready"
"""What a worker sends once it (and its agent host) has started."""


SEAT_SEPARATOR = " vs "
"""Between the players of a multi-agent spec, in the env's seat order (``"<attacker> vs <defender>"``)."""


def seat_specs(agent: str, seats: Sequence[str]) -> dict[str, str]:
    """The player spec of each seat of a multi-agent env, from the plan's agent spec.

    >>> seat_specs("fixed[caesar] vs defender-keyword", ["attacker_0", "defender_0"])
    {'attacker_0': 'fixed[caesar]', 'defender_0': 'defender-keyword'}

    Raises:
        ConfigError: the spec does not name one player per seat.
    """
    players = [p.strip() for p in agent.split(SEAT_SEPARATOR)]
    if len(players) != len(seats) or not all(players):
        example = SEAT_SEPARATOR.join(f"<{s.rsplit('_', 1)[0]}>" for s in seats)
        raise ConfigError(f"A multi-agent env with seats {list(seats)} takes one player per seat, '{example}' "
                          f"(e.g. 'fixed[caesar] vs defender-keyword' on MAGIC); got {agent!r}.")
    return dict(zip(seats, players, strict=True))


def privileged_spec(agent: str, family: str) -> bool:
    """Whether the agent spec of a planned episode is a built-in privileged agent (an oracle reading the truth).

    A multi-agent episode (``"<a> vs <b>"``) is privileged when any of its players is.
    """
    from cauarena.agents.registry import is_privileged

    return any(is_privileged(player.strip(), family) for player in agent.split(SEAT_SEPARATOR))


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
        key = (spec.env_id, spec.env_config)
        if key not in self._envs:
            from cauarena.registration import make

            self._envs[key] = make(spec.env_id, **spec.env_kwargs_dict)
        return self._envs[key]

    def _agent(self, spec: EpisodeSpec, env: Any, privileged: bool) -> Any:
        key = (spec.agent, spec.guard, spec.env_id, spec.env_config)
        if key not in self._agents:
            if is_multi_agent(env):  # one player per seat; the guard stands in front of the row's seat
                row = row_seat(env)
                self._agents[key] = {seat: self._build(player, spec.guard if seat == row else "none", spec, env,
                                                       seat=seat.rsplit("_", 1)[0])
                                     for seat, player in seat_specs(spec.agent, env.possible_agents).items()}
            else:
                self._agents[key] = self._build(spec.agent, spec.guard, spec, env, privileged=privileged)
        return self._agents[key]

    def _build(self, agent_spec: str, guard: str, spec: EpisodeSpec, env: Any, privileged: bool | None = None,
               seat: str = "") -> AgentHooks:
        """One agent bound to ``env``: beside it when privileged (or without a host), else in the agent host."""
        if privileged is None:
            privileged = privileged_spec(agent_spec, spec.family)
        if privileged or self.host is None:
            agent = build_agent(agent_spec, guard, spec.family, seat, self.chat_kwargs)
        else:
            agent = self.host.agent(agent_spec, guard, spec.env_id, spec.family, self.chat_kwargs, seat=seat)
        agent.bind(env)  # a hosted agent gets the public view only
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
        return run_episode(env, agent, spec, self.run_id, self.keep_trajectories, privileged=privileged)

    def close(self) -> None:
        for agent in self._agents.values():
            for seat in agent.values() if isinstance(agent, dict) else [agent]:
                seat.close()
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
