"""The runner: plays a plan of episodes in local worker processes and stores each as it finishes.

Each worker is a spawned process that keeps its envs and agents between episodes. The parent hands one
episode at a time to each worker, watches its wall-clock limit, kills a worker whose episode hangs (the
episode is stored as ``timeout``) and starts a fresh one. Only the parent writes to the store, one
transaction per finished episode, so a killed run loses at most the episodes in flight; re-planning the
same suite gives the same keys and ``resume`` skips those already stored.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from cauarena.errors import ConfigError
from cauarena.leaderboards.agent_host import HOST_DIED, host_main
from cauarena.leaderboards.episode import EpisodeError, stopped_result
from cauarena.leaderboards.schema import EpisodeResult, Trajectory
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EpisodeSpec
from cauarena.leaderboards.worker import LANES_LOST, READY, EpisodePlayer, privileged_spec, worker_main


@dataclass
class RunSummary:
    """What a run did."""

    run_id: str
    planned: int
    skipped: int
    finished: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    wall_time_s: float = 0.0


class _Worker:
    """A worker process (the envs, privileged agents) and its agent host (every other agent).

    With one lane, up to :data:`PIPELINE` episodes are in flight: the next one waits in the pipe, so the worker
    never idles while the parent stores a result. Only the head episode is running; its clock starts when the
    previous result arrives. With ``lanes`` > 1, ``lanes`` episodes run at once (plus one waiting) and finish in any
    order; the worker's clock restarts at each result, and the episodes running share its deadline (the sum of
    their limits). ``solo`` marks a worker replaying one episode alone (see :meth:`Runner._collect`).
    """

    def __init__(self, ctx: Any, run_id: str, keep: bool, chat_kwargs: dict[str, Any], hosted: bool,
                 cpu: int | None = None, lanes: int = 1, threads: int | None = None) -> None:
        self.cpu = cpu
        self.lanes = lanes if hosted else 1  # lanes overlap the host's round trips; without a host there are none
        self.solo = False
        self.conn, child = ctx.Pipe()
        host_end = worker_end = None
        self.host = None
        if hosted:
            worker_end, host_end = ctx.Pipe()
            self.host = ctx.Process(target=host_main, args=(host_end, list(sys.path), threads), daemon=True)
            self.host.start()
            host_end.close()
        self.proc = ctx.Process(target=worker_main, args=(child, run_id, keep, chat_kwargs, list(sys.path),
                                                           worker_end, self.lanes, threads), daemon=True)
        self.proc.start()
        child.close()
        if worker_end is not None:
            worker_end.close()
        if cpu is not None:
            pin(self.processes, cpu)
        self.inflight: deque[EpisodeSpec] = deque()
        self.ready = False
        self.started = time.perf_counter()

    @property
    def processes(self) -> list[Any]:
        return [p for p in (self.proc, self.host) if p is not None]

    @property
    def head(self) -> EpisodeSpec | None:
        return self.inflight[0] if self.inflight else None

    @property
    def capacity(self) -> int:
        """How many episodes the worker may hold (running and waiting in its pipe)."""
        if self.solo:
            return 1
        return PIPELINE if self.lanes == 1 else self.lanes + 1

    @property
    def running(self) -> int:
        """How many of the episodes in flight may be running now."""
        return min(len(self.inflight), self.lanes)

    @property
    def deadline(self) -> float:
        """When the head episode runs out of time (or, before the worker is ready, its start-up does).

        With lanes, when the episodes running run out of the sum of their limits since the last result.
        """
        if not self.ready:
            return self.started + STARTUP_TIMEOUT_S
        return self.started + sum(spec.timeout_s for spec in list(self.inflight)[:self.running])

    def mark_ready(self) -> None:
        self.ready = True
        self.started = time.perf_counter()

    def give(self, spec: EpisodeSpec) -> None:
        if not self.inflight and self.ready:
            self.started = time.perf_counter()
        self.inflight.append(spec)
        self.conn.send(spec)

    def finish(self, key: str) -> None:
        """The episode ``key`` came back (the head, unless the worker plays lanes)."""
        self.inflight.remove(next(spec for spec in self.inflight if spec.key == key))
        if not self.inflight:
            self.solo = False
        self.started = time.perf_counter()

    def host_exit(self, wait_s: float = 0.0) -> str:
        """How the agent host ended (waiting up to ``wait_s`` for it to end)."""
        if self.host is None:
            return "no agent host"
        self.host.join(wait_s)
        return describe_exit(self.host.exitcode)

    def kill(self) -> None:
        for proc in self.processes:
            proc.kill()
        for proc in self.processes:
            proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        for proc in self.processes:
            proc.join(5)
            if proc.is_alive():
                proc.kill()


def pin(processes: Sequence[Any], cpu: int) -> None:
    """Keep ``processes`` (a worker and its agent host) on one CPU; a platform without affinity leaves them free.

    The two take turns (the worker waits while the host acts, and the other way round), so on one CPU each hand-over
    is a switch on that CPU. On two, each ``act`` wakes a CPU that went idle, and the worker's env step ran ~30%
    slower (cProfile of a worker, BabyAI-Text: its caches go cold at each wake-up); see BENCHMARKS.md.
    """
    for proc in processes:
        try:
            os.sched_setaffinity(proc.pid, {cpu})
        except (AttributeError, OSError):  # no sched_setaffinity (macOS), or the process is already gone
            return


def describe_exit(code: int | None) -> str:
    """A process's exit as words: ``exit code 3``, ``killed by signal SIGKILL``.

    >>> describe_exit(-9), describe_exit(3)
    ('killed by signal SIGKILL', 'exit code 3')
    """
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def rss_bytes(pid: int) -> int:
    """Resident memory of a process, from ``/proc`` (0 when it is gone or the platform has no ``/proc``)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def memory_overrun(pids: dict[str, int], limit: int, action: str) -> str | None:
    """The ``oom`` message when the processes ``pids`` (name -> pid) together hold more than ``limit`` bytes.

    Args:
        pids: the processes of one worker (or Ray actor) and its agent host, by the name the message uses.
        limit: resident bytes they may hold together (``--max-memory``).
        action: what was done about it, ending the message.

    Returns:
        None while they are within the limit.
    """
    used = {name: rss_bytes(pid) for name, pid in pids.items()}
    if sum(used.values()) <= limit:
        return None
    parts = " + ".join(f"{name} {rss / 2**20:.0f} MiB" for name, rss in used.items())
    return f"out of memory: {parts}, over the per-worker limit of {limit / 2**20:.0f} MiB (--max-memory); {action}"


def default_max_memory(workers: int) -> int:
    """The default memory limit of a worker and its agent host together: 80% of RAM over the workers, >= 2 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 << 30
    return max(2 << 30, int(0.8 * total) // max(1, workers))


PIPELINE = 2
"""Episodes handed to a worker at once."""

MAX_LANES = 256
"""The most episodes a worker may play at once (``lanes``): each lane holds an env and an agent of its own."""


def check_lanes(lanes: int, name: str = "lanes") -> None:
    """Refuse a number of lanes outside ``1 .. MAX_LANES`` (``name``: what the caller calls it, e.g. ``--lanes``).

    Raises:
        ConfigError: one line that says the bounds.
    """
    if not 1 <= lanes <= MAX_LANES:
        raise ConfigError(f"{name} must be >= 1 and <= {MAX_LANES} (each lane builds its own env and agent), "
                          f"got {lanes}.")


STARTUP_TIMEOUT_S = 300.0
"""How long a worker may take to start (imports, its agent host) before its first episode is stopped."""


WORKER_PRELOAD = ("cauarena.leaderboards.fork_main", "cauarena.leaderboards.worker", "cauarena.agents")
"""What the fork server imports once, so each worker and agent host starts without importing it again.

The first entry loads the parent's main script there (see :mod:`cauarena.leaderboards.fork_main`): the ``cauarena``
command, a benchmark, or a user's script that registers its agents at import time, which every child needs.
"""


def env_modules(episodes: Sequence[EpisodeSpec]) -> list[str]:
    """The modules that make the envs of ``episodes`` (their registered entry points), for the fork server.

    >>> env_modules([])
    []
    """
    from cauarena.registration import env_entry

    modules = set()
    for env_id in {e.env_id for e in episodes}:
        try:
            modules.add(env_entry(env_id).entry_point.split(":")[0])
        except Exception:  # noqa: BLE001, S112 - an unknown env is the worker's env_error, not the server's
            continue
    return sorted(modules)


def process_context(preload: Sequence[str] = ()) -> Any:
    """Where workers come from: a fork server that has imported :data:`WORKER_PRELOAD` (Linux, macOS), else spawn.

    Each worker is forked from that clean server process, never from the parent (which may hold threads, a
    database connection or an initialised BLAS), so it is as safe as spawning, and starts in milliseconds once
    the server is up. ``preload`` names modules (the run's envs') the server imports too when this call starts it.
    """
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(WORKER_PRELOAD))
    from multiprocessing import forkserver

    from cauarena.leaderboards.fork_main import MAIN_ENV, PRELOAD_ENV, main_preparation

    main = main_preparation()
    if main:
        os.environ[MAIN_ENV] = json.dumps(main)
    os.environ[PRELOAD_ENV] = ",".join(preload)
    try:
        forkserver.ensure_running()  # no-op once started; the server reads both variables when it starts
    finally:
        os.environ.pop(MAIN_ENV, None)
        os.environ.pop(PRELOAD_ENV, None)
    return ctx


def default_workers() -> int:
    """The number of cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_MEMORY_POLL_S = 0.25
"""How often the parent reads the workers' resident memory."""


class Runner:
    """Plays a plan into a store.

    Args:
        store: where each finished episode goes.
        workers: worker processes (``0`` plays in this process, agents included: no wall-clock limit, no
            isolation, for debugging).
        run_id: id stored in every row; a fresh one by default.
        keep_trajectories: store each episode's trajectory too.
        chat_kwargs: passed to every ``backend/model`` chat agent (e.g. ``cache_dir``); other agents are built
            with no arguments.
        on_result: called with each stored result (progress bars, logs).
        max_memory: resident bytes a worker and its agent host may use together; over it both are killed and
            the episode stored as ``oom``. Default: :func:`default_max_memory`.
        isolate: run agents that are not privileged in an agent host process (the default). ``False`` builds
            every agent beside the env, as ``workers=0`` does: only for trusted agents, e.g. to measure the
            host's cost.
        pin_cpus: keep worker ``i`` and its agent host on CPU ``i`` (modulo the CPUs this process may use). It pays
            where a step is as short as the host's round trip (fast envs, trivial agents; on BabyAI-Text 1.35x the
            episodes/s with one worker, 1.04-1.1x with two, see BENCHMARKS.md) and only when those CPUs are free:
            a pinned pair cannot move away from another program busy on its CPU, and a model agent in the host gets
            one CPU.
        lanes: episodes each worker plays at once (default 1). Above 1, the ``act`` calls of the episodes' hosted
            agents go to the agent host in batches, and the worker steps some episodes' envs while the host answers
            the others', so the host's round trip stops costing a step's time (a fast env with a trivial agent) and a
            model's calls overlap the env's steps on another core (one worker); see BENCHMARKS.md. Each lane builds
            its own env and agent (a model agent loads its model once per lane). The
            stored episodes are the same; ``wall_time_s`` counts an episode's own env and agent time. When several
            lanes' episodes are lost together (a hang, a dead worker or agent host, the memory limit), each is played
            again alone, so only the one at fault gets the error row. No effect where no agent is hosted (only
            privileged agents, ``isolate=False``, ``workers=0``).
    """

    def __init__(
        self,
        store: ResultsStore,
        workers: int | None = None,
        run_id: str | None = None,
        keep_trajectories: bool = True,
        chat_kwargs: dict[str, Any] | None = None,
        on_result: Callable[[EpisodeResult], None] | None = None,
        max_memory: int | None = None,
        isolate: bool = True,
        pin_cpus: bool = False,
        lanes: int = 1,
    ) -> None:
        self.store = store
        self.workers = default_workers() if workers is None else workers
        if self.workers < 0:
            raise ConfigError(f"workers must be >= 0, got {self.workers}.")
        self.max_memory = default_max_memory(max(1, self.workers)) if max_memory is None else int(max_memory)
        if self.max_memory <= 0:
            raise ConfigError(f"max_memory must be a positive number of bytes, got {max_memory}.")
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.keep = keep_trajectories
        self.chat_kwargs = dict(chat_kwargs or {})
        self.on_result = on_result
        self.isolate = isolate
        self._hosted = isolate
        self.pin_cpus = pin_cpus
        check_lanes(lanes)
        self.lanes = lanes
        self._solo: deque[EpisodeSpec] = deque()  # episodes lost together with others, to play again alone

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
            pairs = {(e.agent, e.family) for e in todo}  # a registry look-up per distinct pair, not per episode
            self._hosted = self.isolate and not all(privileged_spec(agent, family) for agent, family in pairs)
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
        from cauarena.leaderboards.fork_main import unguarded_main

        script = unguarded_main()
        if script is not None:
            raise ConfigError(f"{script} starts worker processes, and each imports it again (Python's multiprocessing "
                              "does): it would run again in every worker. Fix: put the code that runs it under "
                              "'if __name__ == \"__main__\":', or use workers=0.")
        ctx = process_context(env_modules(todo))
        queue = deque(todo)
        self._solo.clear()
        cpus = sorted(os.sched_getaffinity(0)) if self.pin_cpus and hasattr(os, "sched_getaffinity") else []
        pool = [self._new_worker(ctx, cpus[i % len(cpus)] if cpus else None)
                for i in range(min(self.workers, len(todo)))]
        next_poll = time.perf_counter() + _MEMORY_POLL_S
        try:
            self._fill(pool, queue)
            while any(w.inflight for w in pool) or self._solo:
                busy = [w for w in pool if w.inflight]
                deadline = min(min(w.deadline for w in busy), next_poll)
                sentinels = [p.sentinel for w in busy for p in w.processes]
                ready = wait([w.conn for w in busy] + sentinels, timeout=max(0.0, deadline - time.perf_counter()))
                over = {}
                if time.perf_counter() >= next_poll:
                    over = self._over_memory(busy)
                    next_poll = time.perf_counter() + _MEMORY_POLL_S
                for i, worker in enumerate(pool):
                    if worker.inflight:
                        pool[i] = self._collect(ctx, worker, ready, queue, summary, over.get(id(worker)))
                self._fill(pool, queue)
        finally:
            for worker in pool:
                if worker.inflight:
                    worker.kill()
                else:
                    worker.stop()

    def _over_memory(self, busy: list[_Worker]) -> dict[int, str]:
        """Workers whose processes (worker and agent host together) are over ``max_memory``, with a line."""
        over = {}
        for worker in busy:
            pids = {name: proc.pid for name, proc in (("worker", worker.proc), ("agent host", worker.host))
                    if proc is not None and proc.pid}
            message = memory_overrun(pids, self.max_memory, "the processes were killed")
            if message is not None:
                over[id(worker)] = message
        return over

    def _new_worker(self, ctx: Any, cpu: int | None = None) -> _Worker:
        threads = 1 if cpu is not None else max(1, default_workers() // max(1, self.workers))  # a fair share
        return _Worker(ctx, self.run_id, self.keep, self.chat_kwargs, self._hosted, cpu, self.lanes, threads)

    def _fill(self, pool: list[_Worker], queue: deque[EpisodeSpec]) -> None:
        for worker in pool:
            if self._solo and not worker.inflight:
                worker.solo = True
                worker.give(self._solo.popleft())
            while queue and len(worker.inflight) < worker.capacity:
                worker.give(queue.popleft())

    def _collect(self, ctx: Any, worker: _Worker, ready: list[Any], queue: deque[EpisodeSpec],
                 summary: RunSummary, over_memory: str | None = None) -> _Worker:
        """Store what ``worker`` finished; replace it if it died, ran out of time or of memory."""
        if worker.conn in ready and over_memory is None:
            try:
                while worker.inflight and worker.conn.poll():
                    message = worker.conn.recv()
                    if message == READY:
                        worker.mark_ready()
                        continue
                    if message == LANES_LOST:  # its host died under several episodes: each is played alone
                        return self._replace(ctx, worker, queue, skip_head=False, solo=True)
                    result, trajectory = message
                    worker.finish(result.episode_key)
                    if result.error_message.startswith(HOST_DIED):  # the agent took its host down: say how
                        end = worker.host_exit(wait_s=5.0)
                        result = result.model_copy(update={"error_message": f"{result.error_message} ({end})"})
                        self._store(result, trajectory, summary)
                        return self._replace(ctx, worker, queue, skip_head=False)
                    self._store(result, trajectory, summary)
                return worker
            except (EOFError, OSError):
                pass
        error = self._stop_reason(worker, ready, over_memory)
        if error is None:
            return worker
        if worker.running > 1:  # which of the episodes running caused it is not known: each is played alone
            return self._replace(ctx, worker, queue, skip_head=False, solo=True)
        spec, elapsed = worker.head, time.perf_counter() - worker.started
        self._store(stopped_result(spec, self.run_id, elapsed, error, privileged_spec(spec.agent, spec.family)),
                    None, summary)
        return self._replace(ctx, worker, queue, skip_head=True)

    def _stop_reason(self, worker: _Worker, ready: list[Any], over_memory: str | None) -> EpisodeError | None:
        """Why the head episode of ``worker`` must stop now, or None when it may go on.

        Exit codes are read after the processes are joined: a dead worker is ``worker_died`` with its exit code or
        signal; an agent that took its own host down is ``agent_error`` (the worker usually reports it itself).
        """
        if over_memory is not None:
            return EpisodeError("oom", over_memory)
        if worker.conn in ready or any(p.sentinel in ready for p in worker.processes):
            worker.proc.join(2 if worker.conn in ready else 0)
            if worker.proc.exitcode is not None:
                worker.kill()
                return EpisodeError("worker_died", f"the worker process died ({describe_exit(worker.proc.exitcode)})")
            if worker.host is not None and not worker.host.is_alive():
                if worker.conn.poll(5.0):  # the worker reports the episode itself, collected on the next pass
                    return None
                worker.kill()
                return EpisodeError("agent_error", f"{HOST_DIED} ({describe_exit(worker.host.exitcode)})")
        spec = worker.head
        if time.perf_counter() >= worker.deadline:
            if not worker.ready:
                return EpisodeError("worker_died", f"the worker did not start within {STARTUP_TIMEOUT_S:g} s")
            return EpisodeError("timeout", f"episode exceeded its wall-clock limit of {spec.timeout_s:g} s; "
                                           "the worker was killed")
        return None

    def _replace(self, ctx: Any, worker: _Worker, queue: deque[EpisodeSpec], skip_head: bool,
                 solo: bool = False) -> _Worker:
        """Kill ``worker`` and its host; the episodes it had not finished go back to the queue.

        With ``solo`` they go to the queue of episodes played one at a time, each alone in a worker.
        """
        waiting = list(worker.inflight)[1:] if skip_head else list(worker.inflight)
        worker.kill()
        (self._solo if solo else queue).extendleft(reversed(waiting))
        return self._new_worker(ctx, worker.cpu)
