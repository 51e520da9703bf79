"""The runner: plays a plan of episodes in local worker processes and stores each as it finishes.

Each worker is a spawned process that keeps its envs and agents between episodes. The parent hands one
episode at a time to each worker, watches its wall-clock limit, kills a worker whose episode hangs (the
episode is stored as ``timeout``) and starts a fresh one. Only the parent writes to the store, one
transaction per finished episode, so a killed run loses at most the episodes in flight; re-planning the
same suite gives the same keys and ``resume`` skips those already stored.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from cauarena.errors import ConfigError
from cauarena.leaderboards.episode import run_episode, timeout_result
from cauarena.leaderboards.magic import PlayerPair, is_pair, play_pair
from cauarena.leaderboards.schema import EpisodeResult, Trajectory
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EpisodeSpec


@dataclass
class RunSummary:
    """What a run did."""

    run_id: str
    planned: int
    skipped: int
    finished: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    wall_time_s: float = 0.0


class EpisodePlayer:
    """Plays episodes in one process, caching envs by (id, kwargs) and agents by (spec, env)."""

    def __init__(self, run_id: str, keep_trajectories: bool = True, chat_kwargs: dict[str, Any] | None = None):
        self.run_id = run_id
        self.keep_trajectories = keep_trajectories
        self.chat_kwargs = dict(chat_kwargs or {})
        self._envs: dict[tuple, Any] = {}
        self._agents: dict[tuple, Any] = {}

    def _env(self, spec: EpisodeSpec) -> Any:
        key = (spec.env_id, spec.env_kwargs)
        if key not in self._envs:
            from cauarena.registration import make

            self._envs[key] = make(spec.env_id, **spec.env_kwargs_dict)
        return self._envs[key]

    def _agent(self, spec: EpisodeSpec, env: Any) -> Any:
        key = (spec.agent, spec.guard, spec.env_id, spec.env_kwargs)
        if key not in self._agents and is_pair(spec.agent):  # a two-seat game (MAGIC): "<attacker> vs <defender>"
            self._agents[key] = PlayerPair(spec.agent, guard=spec.guard)
        if key not in self._agents:
            from cauarena.agents import make_agent

            kwargs = self.chat_kwargs if "/" in spec.agent and ":" not in spec.agent else {}
            agent = make_agent(spec.agent, family=spec.family, **kwargs)
            if spec.guard != "none":
                from cauarena.guards import GuardedAgent, make_guard

                guard = make_guard(spec.guard, family=spec.family)
                agent = GuardedAgent(agent, guard, agent_spec=spec.agent, guard_spec=spec.guard)
            if hasattr(agent, "bind"):
                agent.bind(env)
            self._agents[key] = agent
        return self._agents[key]

    def play(self, spec: EpisodeSpec) -> tuple[EpisodeResult, Trajectory | None]:
        """Play one episode; failing to build the env or agent is recorded like any other error."""
        from cauarena.leaderboards.episode import _error

        try:
            env = self._env(spec)
        except Exception as exc:  # noqa: BLE001
            return self._failed(spec, "env_error", _error(exc)), None
        try:
            agent = self._agent(spec, env)
        except Exception as exc:  # noqa: BLE001
            return self._failed(spec, "agent_error", _error(exc)), None
        if isinstance(agent, PlayerPair):
            return play_pair(env, agent, spec, self.run_id, self.keep_trajectories)
        return run_episode(env, agent, spec, self.run_id, self.keep_trajectories)

    def _failed(self, spec: EpisodeSpec, kind: str, message: str) -> EpisodeResult:
        result = timeout_result(spec, self.run_id, 0.0, "build")
        return result.model_copy(update={"error_kind": kind, "error_message": message})

    def close(self) -> None:
        for agent in self._agents.values():
            if hasattr(agent, "close"):
                agent.close()
        for env in self._envs.values():
            env.close()


def _worker_main(conn: Connection, run_id: str, keep: bool, chat_kwargs: dict[str, Any], path: list[str]) -> None:
    sys.path[:] = path
    player = EpisodePlayer(run_id, keep, chat_kwargs)
    while True:
        spec = conn.recv()
        if spec is None:
            break
        conn.send(player.play(spec))
    player.close()


class _Worker:
    """A worker process with up to :data:`PIPELINE` episodes in flight.

    The next episode waits in the pipe, so the worker never idles while the parent stores a result. Only the
    head episode is running; its clock starts when the previous result arrives.
    """

    def __init__(self, ctx: Any, run_id: str, keep: bool, chat_kwargs: dict[str, Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, run_id, keep, chat_kwargs, list(sys.path)),
                                daemon=True)
        self.proc.start()
        child.close()
        self.inflight: deque[EpisodeSpec] = deque()
        self.started = 0.0

    @property
    def head(self) -> EpisodeSpec | None:
        return self.inflight[0] if self.inflight else None

    def give(self, spec: EpisodeSpec) -> None:
        if not self.inflight:
            self.started = time.perf_counter()
        self.inflight.append(spec)
        self.conn.send(spec)

    def finish_head(self) -> None:
        self.inflight.popleft()
        self.started = time.perf_counter()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()


PIPELINE = 2
"""Episodes handed to a worker at once."""


def default_workers() -> int:
    """The number of cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Runner:
    """Plays a plan into a store.

    Args:
        store: where each finished episode goes.
        workers: worker processes (``0`` plays in this process: no wall-clock limit, for debugging).
        run_id: id stored in every row; a fresh one by default.
        keep_trajectories: store each episode's trajectory too.
        chat_kwargs: passed to every ``backend/model`` chat agent (e.g. ``cache_dir``); other agents are built
            with no arguments.
        on_result: called with each stored result (progress bars, logs).
    """

    def __init__(
        self,
        store: ResultsStore,
        workers: int | None = None,
        run_id: str | None = None,
        keep_trajectories: bool = True,
        chat_kwargs: dict[str, Any] | None = None,
        on_result: Callable[[EpisodeResult], None] | None = None,
    ) -> None:
        self.store = store
        self.workers = default_workers() if workers is None else workers
        if self.workers < 0:
            raise ConfigError(f"workers must be >= 0, got {self.workers}.")
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.keep = keep_trajectories
        self.chat_kwargs = dict(chat_kwargs or {})
        self.on_result = on_result

    def pending(self, episodes: Sequence[EpisodeSpec]) -> list[EpisodeSpec]:
        """The planned episodes not yet stored."""
        stored = self.store.stored_keys([e.key for e in episodes])
        return [e for e in episodes if e.key not in stored]

    def run(self, episodes: Sequence[EpisodeSpec]) -> RunSummary:
        """Play every episode of ``episodes`` not already stored."""
        todo = self.pending(episodes)
        summary = RunSummary(self.run_id, planned=len(episodes), skipped=len(episodes) - len(todo))
        start = time.perf_counter()
        if todo and self.workers == 0:
            self._run_inline(todo, summary)
        elif todo:
            self._run_pool(todo, summary)
        summary.wall_time_s = time.perf_counter() - start
        return summary

    def _store(self, result: EpisodeResult, trajectory: Trajectory | None, summary: RunSummary) -> None:
        if self.store.add(result, trajectory):
            summary.finished += 1
            if result.error_kind != "none":
                summary.errors[result.error_kind] = summary.errors.get(result.error_kind, 0) + 1
            if self.on_result is not None:
                self.on_result(result)

    def _run_inline(self, todo: list[EpisodeSpec], summary: RunSummary) -> None:
        player = EpisodePlayer(self.run_id, self.keep, self.chat_kwargs)
        try:
            for spec in todo:
                self._store(*player.play(spec), summary)
        finally:
            player.close()

    def _run_pool(self, todo: list[EpisodeSpec], summary: RunSummary) -> None:
        ctx = mp.get_context("spawn")
        queue = deque(todo)
        pool = [self._new_worker(ctx) for _ in range(min(self.workers, len(todo)))]
        try:
            self._fill(pool, queue)
            while any(w.inflight for w in pool):
                busy = [w for w in pool if w.inflight]
                deadline = min(w.started + w.head.timeout_s for w in busy)
                ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                             timeout=max(0.0, deadline - time.perf_counter()))
                for i, worker in enumerate(pool):
                    if worker.inflight:
                        pool[i] = self._collect(ctx, worker, ready, queue, summary)
                self._fill(pool, queue)
        finally:
            for worker in pool:
                if worker.inflight:
                    worker.kill()
                else:
                    worker.stop()

    def _new_worker(self, ctx: Any) -> _Worker:
        return _Worker(ctx, self.run_id, self.keep, self.chat_kwargs)

    @staticmethod
    def _fill(pool: list[_Worker], queue: deque[EpisodeSpec]) -> None:
        for worker in pool:
            while queue and len(worker.inflight) < PIPELINE:
                worker.give(queue.popleft())

    def _collect(self, ctx: Any, worker: _Worker, ready: list[Any], queue: deque[EpisodeSpec],
                 summary: RunSummary) -> _Worker:
        """Store what ``worker`` finished; replace it if it died or its head episode ran out of time."""
        if worker.conn in ready:
            try:
                while worker.inflight and worker.conn.poll():
                    result, trajectory = worker.conn.recv()
                    worker.finish_head()
                    self._store(result, trajectory, summary)
                return worker
            except (EOFError, OSError):
                pass
        spec, elapsed = worker.head, time.perf_counter() - worker.started
        if worker.conn in ready or worker.proc.sentinel in ready:
            reason = f"exit code {worker.proc.exitcode}"
        elif elapsed >= spec.timeout_s:
            reason = "timeout"
        else:
            return worker
        worker.kill()
        self._store(timeout_result(spec, self.run_id, elapsed, reason), None, summary)
        queue.extendleft(reversed(list(worker.inflight)[1:]))  # not started: play them elsewhere
        return self._new_worker(ctx)
