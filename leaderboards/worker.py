"""The worker process: plays episodes with the envs (and privileged agents) it keeps between episodes.

Kept apart from :mod:`cauarena.leaderboards.runner` (the parent's side) so that a worker imports neither the
results store nor SQLAlchemy: a worker starts faster and holds less.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from cauarena.agents.base import AgentHooks, StepUsage
from cauarena.agents.rollout import Acted, Rollout, RolloutError, is_multi_agent
from cauarena.errors import ConfigError
from cauarena.leaderboards.agent_host import (
    HOST_DIED,
    AgentHostDied,
    HostLink,
    RemoteAgent,
    build_agent,
    share_threads,
)
from cauarena.leaderboards.episode import (
    EpisodeError,
    episode_result,
    episode_rollout,
    error_of,
    row_seat,
    run_episode,
    step_record,
    stopped,
    stopped_result,
)
from cauarena.leaderboards.schema import EpisodeResult, StepRecord, Trajectory
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

    def _env(self, spec: EpisodeSpec, lane: int = 0) -> Any:
        key = (spec.env_id, spec.env_config, lane)
        if key not in self._envs:
            from cauarena.registration import make

            self._envs[key] = make(spec.env_id, **spec.env_kwargs_dict)
        return self._envs[key]

    def _agent(self, spec: EpisodeSpec, env: Any, privileged: bool, lane: int = 0) -> Any:
        key = (spec.agent, spec.guard, spec.env_id, spec.env_config, lane)
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
        made = self.prepare(spec)
        if isinstance(made, EpisodeResult):
            return made, None
        env, agent, privileged = made
        return run_episode(env, agent, spec, self.run_id, self.keep_trajectories, privileged=privileged)

    def prepare(self, spec: EpisodeSpec, lane: int = 0) -> tuple[Any, Any, bool] | EpisodeResult:
        """The env, agent(s) and privilege of ``spec`` in ``lane`` (each lane has its own).

        Returns:
            ``(env, agent, privileged)``, or the error row of an env or agent that could not be built.
        """
        pair = (spec.agent, spec.family)
        if pair not in self._privileged:  # a registry look-up once per agent, not per episode
            self._privileged[pair] = privileged_spec(*pair)
        privileged = self._privileged[pair]
        try:
            env = self._env(spec, lane)
        except Exception as exc:  # noqa: BLE001
            return stopped_result(spec, self.run_id, 0.0, error_of(exc, "env_error"), privileged)
        try:
            agent = self._agent(spec, env, privileged, lane)
        except Exception as exc:  # noqa: BLE001
            return stopped_result(spec, self.run_id, 0.0, error_of(exc, "agent_error"), privileged)
        return env, agent, privileged

    def close(self) -> None:
        for agent in self._agents.values():
            for seat in agent.values() if isinstance(agent, dict) else [agent]:
                seat.close()
        for env in self._envs.values():
            env.close()


LANES_LOST = "lanes lost"
"""What a worker playing several episodes at once sends when its agent host died under them: the runner plays
each of them again alone, so that the one whose agent killed the host is found and the others are not blamed."""


class _LanesLost(Exception):  # noqa: N818
    pass


@dataclass
class _Lane:
    """One episode in flight in a worker that plays several at once."""

    spec: EpisodeSpec
    rollout: Rollout
    privileged: bool
    steps: list[StepRecord] | None
    own_s: float = 0.0  # its env's and its agents' seconds: its time, not the time other lanes took meanwhile
    resets: list[str] = field(default_factory=list)  # hosted seats whose reset goes with the next batch
    acted: dict[str, Any] = field(default_factory=dict)
    asked: int = 0  # calls of this lane at the host
    failed: RolloutError | None = None  # a hosted agent's reset failed
    ending: bool = False  # over; its hosted agents' metrics are asked for
    error: EpisodeError | None = None  # why it ended early (once ending)
    metrics: dict[str, Any] = field(default_factory=dict)


class LanePlayer:
    """Plays up to ``lanes`` episodes at once in one worker, so the agent host's round trips overlap env steps.

    Each lane has its own env and agents. The lanes take turns in two groups: while the host answers one group's
    calls (one batch, one round trip for all of them: a new episode's agent resets with its first act, a finished
    one's metrics), the worker steps the envs of the other group. An episode's stored ``wall_time_s`` is its own time
    (its env's calls and its agents'), not the wall time of the interleaved run. Privileged agents act in the worker.
    """

    def __init__(self, player: EpisodePlayer, link: HostLink, lanes: int, send: Any) -> None:
        self.player, self.link, self.send = player, link, send
        self.lanes: list[_Lane | None] = [None] * lanes
        self.batches: deque[list[tuple[_Lane, str, str]]] = deque()  # (lane, op, seat) per call, per batch out

    @property
    def busy(self) -> bool:
        return any(lane is not None for lane in self.lanes)

    def free(self) -> int:
        return sum(lane is None for lane in self.lanes)

    def start(self, spec: EpisodeSpec) -> None:
        """Begin ``spec`` in a free lane (its error row is sent at once if its env or agent cannot start)."""
        index = self.lanes.index(None)
        made = self.player.prepare(spec, index)
        if isinstance(made, EpisodeResult):
            self.send((made, None))
            return
        env, agent, privileged = made
        start = time.perf_counter()
        lane = _Lane(spec, episode_rollout(env, agent, spec), privileged,
                     [] if self.player.keep_trajectories else None)
        self.lanes[index] = lane
        rollout = lane.rollout
        try:
            rollout.begin(reset_agents=False)
            for seat, seat_agent in rollout.agents.items():
                if isinstance(seat_agent, RemoteAgent):
                    lane.resets.append(seat)
                    continue
                try:
                    seat_agent.reset(seed=rollout.agent_seed, info=rollout.seat_info(seat))
                except Exception as exc:
                    raise RolloutError("agent", "reset", exc, seat=seat) from exc
        except RolloutError as exc:
            lane.own_s += time.perf_counter() - start
            self._end(lane, stopped(rollout, exc))
            return
        lane.own_s += time.perf_counter() - start
        if rollout.finished() and not lane.resets:
            self._end(lane, None)

    def turn(self, group: int) -> None:
        """Send the calls of ``group``'s lanes (even or odd) as one batch, then step the lanes whose answers are in."""
        items, asked = [], []

        def ask(lane: _Lane, op: str, seat: str, args: tuple) -> None:
            items.append((op, lane.rollout.agents[seat].handle, args))
            asked.append((lane, op, seat))
            lane.asked += 1

        for index in range(group, len(self.lanes), 2):
            lane = self.lanes[index]
            if lane is None or lane.asked:
                continue
            rollout = lane.rollout
            if lane.ending:
                for seat, agent in rollout.agents.items():
                    if isinstance(agent, RemoteAgent):
                        ask(lane, "metrics", seat, ())
                continue
            for seat in lane.resets:
                ask(lane, "reset", seat, (rollout.agent_seed, rollout.seat_info(seat)))
            lane.resets = []
            if rollout.finished():  # a step limit of 0: only the resets were due
                continue
            for seat, (observation, info) in rollout.requests().items():
                agent = rollout.agents[seat]
                if isinstance(agent, RemoteAgent):
                    ask(lane, "act", seat, (observation, info))
                else:  # a privileged agent acts here and now
                    start = time.perf_counter()
                    try:
                        lane.acted[seat] = Acted(agent.act(observation, info), agent.last_usage,
                                                 time.perf_counter() - start)
                    except Exception as exc:  # noqa: BLE001 - raised as the rollout's error by advance()
                        lane.acted[seat] = exc
            if not lane.asked:
                self._advance(lane)
        if items:
            self._call(self.link.send_batch, items)
            self.batches.append(asked)
        while self.link.batches_out > (1 if items else 0):
            answers = self._call(self.link.recv_batch)
            done = []
            for (lane, op, seat), answer in zip(self.batches.popleft(), answers, strict=True):
                self._take(lane, op, seat, answer)
                lane.asked -= 1
                if not lane.asked:
                    done.append(lane)
            for lane in done:
                self._next(lane)

    @staticmethod
    def _take(lane: _Lane, op: str, seat: str, answer: Any) -> None:
        """Keep one call's answer in its lane."""
        failed = isinstance(answer, BaseException)
        if op == "act":
            lane.acted[seat] = answer if failed else Acted(answer[0], None if answer[1] is None else
                                                           StepUsage(*answer[1]), answer[2])
        elif op == "reset" and failed and lane.failed is None:
            lane.failed = RolloutError("agent", "reset", answer, seat=seat)
        elif op == "metrics" and not failed and isinstance(answer, dict):
            lane.metrics.update(answer)

    def _next(self, lane: _Lane) -> None:
        """What a lane does once all its calls are answered: finish, stop on a failed reset, or step its env."""
        if lane.ending:
            self._finish(lane)
        elif lane.failed is not None:
            self._end(lane, stopped(lane.rollout, lane.failed))
        elif lane.rollout.finished():
            self._end(lane, None)
        else:
            self._advance(lane)

    def _call(self, method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except AgentHostDied as exc:
            raise _LanesLost(str(exc)) from exc

    def _advance(self, lane: _Lane) -> None:
        """Step ``lane``'s env with the acts it has; end its episode if it is over."""
        acted, lane.acted = lane.acted, {}
        start = time.perf_counter()
        try:
            step = lane.rollout.advance(acted)
        except RolloutError as exc:
            lane.own_s += time.perf_counter() - start + sum(a.latency_s for a in acted.values()
                                                            if isinstance(a, Acted))
            self._end(lane, stopped(lane.rollout, exc))
            return
        lane.own_s += time.perf_counter() - start + step.latency_s
        if lane.steps is not None:
            lane.steps.append(step_record(step))
        if lane.rollout.finished():
            self._end(lane, None)

    def _end(self, lane: _Lane, error: EpisodeError | None) -> None:
        """The episode is over: its privileged agents' metrics now, its hosted ones' with the group's next batch."""
        lane.ending, lane.error = True, error
        for agent in lane.rollout.agents.values():
            if not isinstance(agent, RemoteAgent):
                try:
                    lane.metrics.update(agent.episode_metrics())
                except Exception:  # noqa: BLE001, S110 - as a hosted agent's failing metrics, left out
                    pass
        if not any(isinstance(agent, RemoteAgent) for agent in lane.rollout.agents.values()):
            self._finish(lane)

    def _finish(self, lane: _Lane) -> None:
        if self.link.dead:  # which lane's agent killed the host is not known here
            raise _LanesLost(f"{HOST_DIED} during metrics()")
        result = episode_result(lane.rollout, lane.spec, self.player.run_id, lane.error, lane.steps, lane.privileged,
                                lane.own_s, agent_metrics=lane.metrics)
        self.lanes[self.lanes.index(lane)] = None
        self.send(result)


def _play_lanes(conn: Connection, player: EpisodePlayer, link: HostLink, lanes: int) -> None:
    """The worker's loop with several episodes in flight (see :class:`LanePlayer`)."""
    lanes_player = LanePlayer(player, link, lanes, conn.send)
    waiting: deque[EpisodeSpec] = deque()
    group = 0
    while True:
        try:
            while conn.poll() or not (waiting or lanes_player.busy):
                spec = conn.recv()
                if spec is None:
                    return
                waiting.append(spec)
        except (EOFError, OSError):
            return
        try:
            while waiting and lanes_player.free():
                lanes_player.start(waiting.popleft())
            lanes_player.turn(group)
        except _LanesLost as lost:
            alive = [lane for lane in lanes_player.lanes if lane is not None]
            if len(alive) == 1 and not waiting:  # alone, its agent killed the host: its row says so
                lane = alive[0]
                result = episode_result(lane.rollout, lane.spec, player.run_id,
                                        EpisodeError("agent_error", str(lost)), lane.steps,
                                        lane.privileged, lane.own_s)
                conn.send(result)
            else:
                conn.send(LANES_LOST)
            return
        group ^= 1


def worker_main(conn: Connection, run_id: str, keep: bool, chat_kwargs: dict[str, Any], path: list[str],
                 host_conn: Connection | None, lanes: int = 1, threads: int | None = None) -> None:
    sys.path[:] = path
    share_threads(threads)
    link = None if host_conn is None else HostLink(host_conn)
    player = EpisodePlayer(run_id, keep, chat_kwargs, host=link)
    if link is not None:
        link.request("ping", 0)  # the host has started too
    conn.send(READY)  # episode clocks start now, not while the processes import
    if link is not None and lanes > 1:
        _play_lanes(conn, player, link, lanes)
    else:
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
