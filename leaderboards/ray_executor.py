"""The Ray executor: plays a plan in long-lived Ray actors and stores each result in the driver, as the runner does.

Each actor holds one :class:`~cauarena.leaderboards.runner.EpisodePlayer` for the whole run (an agent with a model
loads once per actor, not per episode) and, beside it, an agent host: a child process of the actor that runs
:func:`~cauarena.leaderboards.agent_host.host_main` over a :class:`~cauarena.leaderboards.agent_host.HostLink`, as
the local worker does, so an agent that is not privileged never shares a process with the env. The host is
started with :mod:`subprocess` over a socket pair, not with :mod:`multiprocessing`: a spawned process re-runs the
parent's ``__main__``, which in an actor is Ray's worker script (it would import Ray into the host). On Linux the
host asks the kernel to kill it when the actor dies (``PR_SET_PDEATHSIG``), so ``ray.kill`` of an actor whose
agent hangs takes the host down too.

The driver hands each actor up to :data:`~cauarena.leaderboards.runner.PIPELINE` episodes, waits on the results
with ``ray.wait`` and stores each through ``Runner._store`` (the same store, the same ``on_result`` progress
callback). Per-episode limits behave as locally: an episode's clock starts when its actor is up (agent host
included) and the previous result is in; past ``spec.timeout_s`` the actor is killed and replaced and the episode is
a ``timeout`` row; a lost actor or node (``RayActorError`` and Ray's other system errors) or one that does not start
is a ``worker_died`` row; an agent that kills its host is ``agent_error`` with the host's exit and the actor is
replaced; Ray's memory monitor, or ``max_memory`` for actors on the driver's node (read from
``/proc``, actor and host together), gives ``oom``. Re-planning gives the same keys, so ``--resume`` works across
executors.

Network: the local runtime is started with ``_node_ip_address="127.0.0.1"``, but Ray (2.60, measured with
``ss -ltnp``) turns a loopback node address into the host's reachable one (``services.resolve_ip_for_localhost``)
and its GCS, raylet and worker gRPC servers listen on every interface; Ray's token authentication, on by default
in this Ray, is what guards them. Leave it on (never set ``RAY_AUTH_MODE=disabled``) on a shared network.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from cauarena.errors import CauArenaError, ConfigError, DependencyNotInstalled
from cauarena.leaderboards.agent_host import HostLink, host_main
from cauarena.leaderboards.episode import EpisodeError, stopped_result
from cauarena.leaderboards.runner import (
    PIPELINE,
    STARTUP_TIMEOUT_S,
    EpisodePlayer,
    Runner,
    RunSummary,
    describe_exit,
    memory_overrun,
    privileged_spec,
)
from cauarena.leaderboards.schema import EpisodeResult, Trajectory
from cauarena.leaderboards.suites import EpisodeSpec

MEMORY_POLL_S = 0.25
"""How often the driver reads the resident memory of the actors on its node."""

HOST_START_TIMEOUT_S = 120.0
"""How long an actor waits for its agent host to start."""

_TRACE_CHARS = 2000
_PR_SET_PDEATHSIG = 1
_UP = "agent host up"


def import_ray() -> Any:
    """The ``ray`` module, or :class:`DependencyNotInstalled` naming the ``dist`` extra."""
    try:
        import ray
    except ImportError as exc:
        raise DependencyNotInstalled("ray", "dist", "--executor ray") from exc
    return ray


def start_local_ray(ray: Any, cpus: int) -> None:
    """Start a local Ray runtime of ``cpus`` CPUs for this process: no dashboard, node address 127.0.0.1.

    Its workers run at the priority of the local executor's (``worker_niceness`` 0; Ray's default, 15, made an
    actor play 1.7-2.4x slower than a plain process beside other work on the shared 2-core machine).
    """
    ray.init(num_cpus=cpus, include_dashboard=False, address="local", _node_ip_address="127.0.0.1",
             logging_level="warning", _system_config={"worker_niceness": 0})


# --- inside an actor ---------------------------------------------------------------------------------------------


def host_entry() -> None:
    """Entry point of an agent host started by an actor: ``<fd> <actor pid> <sys.path as JSON>`` on the argv."""
    fd, parent, path = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    _die_with_parent(parent)
    sys.path[:] = path
    import cauarena.guards  # noqa: F401 - what host_main needs, loaded before the actor is told the host is up

    conn = Connection(fd)
    conn.send(_UP)
    host_main(conn, path)


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent (the actor) dies; exit now if it is already gone."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)


class HostProcess:
    """An agent host as a child process of this process, reached through :attr:`link`."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair()
        code = "from cauarena.leaderboards.ray_executor import host_entry; host_entry()"
        argv = [sys.executable, "-c", code, str(theirs.fileno()), str(os.getpid()), json.dumps(sys.path)]
        self.proc = subprocess.Popen(argv, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        theirs.close()
        conn = Connection(mine.detach())
        if not conn.poll(HOST_START_TIMEOUT_S) or conn.recv() != _UP:
            self.proc.kill()
            raise CauArenaError(f"the agent host did not start within {HOST_START_TIMEOUT_S:g} s "
                                f"({describe_exit(self.proc.wait())}). Fix: check that `{sys.executable} -c "
                                "'import cauarena.guards'` works on this node.")
        self.link = HostLink(conn)

    def exit(self) -> str | None:
        """How the host ended (``exit code 3``), or None while it runs.

        Between episodes no reply is due, so a readable socket means the host closed it: it is ending, and its exit
        status is read once it has.
        """
        if self.proc.poll() is None and self.link.conn.poll(0):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
        code = self.proc.poll()
        return None if code is None else describe_exit(code)

    def stop(self) -> None:
        """Ask the host to close its agents and end; kill it if it does not within 5 s."""
        with contextlib.suppress(OSError):
            self.link.conn.send(None)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.link.conn.close()


class EpisodeActor:
    """The body of a Ray actor: one episode player for the run, and its agent host when ``hosted``.

    Args:
        run_id: stored in every row.
        keep: record trajectories.
        chat_kwargs: passed to every chat agent.
        hosted: start an agent host for the agents that are not privileged.
        path: the driver's ``sys.path``; entries missing here are appended (test kits, user modules).
    """

    def __init__(self, run_id: str, keep: bool, chat_kwargs: dict[str, Any], hosted: bool, path: list[str]) -> None:
        sys.path.extend(p for p in path if p not in sys.path)
        self.run_id, self.keep, self.chat_kwargs, self.hosted = run_id, keep, chat_kwargs, hosted
        self.host: HostProcess | None = None
        self._start()

    def _start(self) -> None:
        self.host = HostProcess() if self.hosted else None
        self.player = EpisodePlayer(self.run_id, self.keep, self.chat_kwargs,
                                    host=None if self.host is None else self.host.link)

    def pids(self) -> tuple[int, ...]:
        """The actor's process id and its agent host's."""
        return (os.getpid(),) + (() if self.host is None else (self.host.proc.pid,))

    def ready(self) -> tuple[tuple[int, ...], str]:
        """``(pids, node id)``: the actor has started and its host is running."""
        import ray

        return self.pids(), ray.get_runtime_context().get_node_id()

    def play(self, spec: EpisodeSpec) -> tuple[EpisodeResult, Trajectory | None, str | None]:
        """Play one episode: ``(result, trajectory, how the agent host ended or None while it runs)``.

        An agent that took its host down is an ``agent_error`` whose message ends with the host's exit; the driver
        then replaces this actor, as the local runner replaces a worker.
        """
        result, trajectory = self.player.play(spec)
        ended = None if self.host is None else self.host.exit()
        if ended is not None and result.error_kind == "agent_error":
            result = result.model_copy(update={"error_message": f"{result.error_message} ({ended})"})
        return result, trajectory, ended

    def close(self) -> None:
        """Close the player's envs and agents and stop the host."""
        self.player.close()
        if self.host is not None:
            self.host.stop()


# --- in the driver -----------------------------------------------------------------------------------------------


@dataclass
class _Slot:
    """One actor as the driver sees it: what it was handed, when its head episode started, where it runs."""

    actor: Any
    ready: Any
    inflight: deque[tuple[EpisodeSpec, Any]] = field(default_factory=deque)
    started: float = 0.0
    pids: tuple[int, ...] = ()
    local: bool = False

    @property
    def head(self) -> tuple[EpisodeSpec, Any]:
        return self.inflight[0]


class RayExecutor:
    """Plays a :class:`~cauarena.leaderboards.runner.Runner`'s plan in Ray actors; the runner's store gets each row.

    Args:
        runner: its store, ``workers`` (actors, and the CPUs of a local runtime), run id, trajectories, chat
            kwargs, ``on_result`` and ``max_memory`` are used as the local executor uses them.
        address: a Ray cluster to join (``ray.init(address=...)``); None starts a local runtime bound to
            127.0.0.1 with ``workers`` CPUs and stops it at the end. An already initialised Ray is used as it is.
        startup_timeout_s: how long an actor may take to start (its agent host included); past it the actor is
            replaced and the episode it held is ``worker_died``, as a local worker that does not start.
    """

    def __init__(self, runner: Runner, address: str | None = None,
                 startup_timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        if runner.workers < 1:
            raise ConfigError(f"--executor ray needs --workers >= 1 (one actor each), got {runner.workers}. "
                              "Fix: pass --workers N, or use --executor local --workers 0 to debug in-process.")
        self.runner, self.address, self.startup_timeout_s = runner, address, startup_timeout_s
        self.ray = import_ray()
        self._actor_cls: Any = None
        self._hosted = True
        self._node = ""

    def run(self, episodes: Sequence[EpisodeSpec]) -> RunSummary:
        """Play every episode of ``episodes`` not already stored (the runner's ``run``, on Ray)."""
        todo = self.runner.pending(episodes)
        summary = RunSummary(self.runner.run_id, planned=len(episodes), skipped=len(episodes) - len(todo))
        start = time.perf_counter()
        if todo:
            self._hosted = getattr(self.runner, "isolate", True) and not all(
                privileged_spec(e.agent, e.family) for e in todo)
            with self._runtime():
                self._play(todo, summary)
        summary.wall_time_s = time.perf_counter() - start
        return summary

    @contextlib.contextmanager
    def _runtime(self) -> Iterator[None]:
        """Ray for this run: the one already initialised, the cluster at ``address``, or a local runtime."""
        ray = self.ray
        started = not ray.is_initialized()
        if started and self.address:
            ray.init(address=self.address, logging_level="warning")
        elif started:
            start_local_ray(ray, self.runner.workers)
        try:
            self._node = ray.get_runtime_context().get_node_id()
            self._actor_cls = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(EpisodeActor)
            yield
        finally:
            if started:
                ray.shutdown()

    def _new_slot(self) -> _Slot:
        r = self.runner
        actor = self._actor_cls.remote(r.run_id, r.keep, r.chat_kwargs, self._hosted, list(sys.path))
        return _Slot(actor, actor.ready.remote(), started=time.perf_counter())

    def _play(self, todo: list[EpisodeSpec], summary: RunSummary) -> None:
        queue = deque(todo)
        pool = [self._new_slot() for _ in range(min(self.runner.workers, len(todo)))]
        next_poll = time.perf_counter() + MEMORY_POLL_S
        try:
            self._fill(pool, queue)
            while any(s.inflight for s in pool):
                done = self._wait(pool, next_poll)
                over = {}
                if time.perf_counter() >= next_poll:
                    over = self._over_memory(pool)
                    next_poll = time.perf_counter() + MEMORY_POLL_S
                pool = [self._collect(s, done, queue, summary, over.get(id(s))) if s.inflight else s for s in pool]
                pool = [s for s in pool if s is not None]
                self._fill(pool, queue)
        finally:
            self._close(pool)

    @staticmethod
    def _fill(pool: list[_Slot], queue: deque[EpisodeSpec]) -> None:
        for slot in pool:
            while queue and len(slot.inflight) < PIPELINE:
                spec = queue.popleft()
                slot.inflight.append((spec, slot.actor.play.remote(spec)))

    def _wait(self, pool: list[_Slot], next_poll: float) -> set[Any]:
        """The refs (actor ready, head results) done before the next deadline or memory poll."""
        busy = [s for s in pool if s.inflight]
        refs = [s.ready if s.ready is not None else s.head[1] for s in busy]
        deadlines = [s.started + (self.startup_timeout_s if s.ready is not None else s.head[0].timeout_s)
                     for s in busy]
        timeout = max(0.0, min(*deadlines, next_poll) - time.perf_counter())
        done, _ = self.ray.wait(refs, num_returns=1, timeout=timeout)
        if done:  # take every other ref that is done too, without waiting
            done, _ = self.ray.wait(refs, num_returns=len(refs), timeout=0)
        return set(done)

    def _collect(self, slot: _Slot, done: set[Any], queue: deque[EpisodeSpec], summary: RunSummary,
                 over_memory: str | None) -> _Slot | None:
        """Store what ``slot`` finished; replace its actor when it died, ran out of time or of memory."""
        if slot.ready is not None:
            return self._start_clock(slot, done, queue, summary)
        spec, ref = slot.head
        error = None
        if over_memory is not None:
            error = EpisodeError("oom", over_memory)
        elif ref in done:
            try:
                result, trajectory, host_ended = self.ray.get(ref)
            except self.ray.exceptions.RayError as exc:
                error = self._lost(exc)
            else:
                slot.inflight.popleft()
                slot.started = time.perf_counter()
                self.runner._store(result, trajectory, summary)  # noqa: SLF001 - the runner's one store path
                return slot if host_ended is None else self._replace(slot, queue, skip_head=False)
        elif time.perf_counter() - slot.started >= spec.timeout_s:
            error = EpisodeError("timeout", f"episode exceeded its wall-clock limit of {spec.timeout_s:g} s; "
                                            "the Ray actor was killed")
        if error is None:
            return slot
        return self._stop_head(slot, error, queue, summary)

    def _stop_head(self, slot: _Slot, error: EpisodeError, queue: deque[EpisodeSpec],
                   summary: RunSummary) -> _Slot | None:
        """Store the head episode of ``slot`` as stopped by ``error`` and replace the actor."""
        spec = slot.head[0]
        elapsed = time.perf_counter() - slot.started
        self.runner._store(stopped_result(spec, self.runner.run_id, elapsed, error,  # noqa: SLF001
                                          privileged_spec(spec.agent, spec.family)), None, summary)
        return self._replace(slot, queue, skip_head=True)

    def _start_clock(self, slot: _Slot, done: set[Any], queue: deque[EpisodeSpec],
                     summary: RunSummary) -> _Slot | None:
        """Start the head episode's clock once the actor is up; an actor that cannot start is ``worker_died``."""
        if slot.ready not in done:
            if time.perf_counter() - slot.started < self.startup_timeout_s:
                return slot
            cpus = self.ray.cluster_resources().get("CPU", 0)
            return self._stop_head(slot, EpisodeError("worker_died", (
                f"the Ray actor did not start within {self.startup_timeout_s:g} s (the cluster has {cpus:g} CPUs, "
                "each actor takes 1)")), queue, summary)
        try:
            slot.pids, node = self.ray.get(slot.ready)
        except self.ray.exceptions.RayError as exc:
            return self._stop_head(slot, EpisodeError("worker_died", f"the Ray actor could not start: "
                                                                      f"{_first_line(exc)}", str(exc)[-_TRACE_CHARS:]),
                                   queue, summary)
        slot.ready, slot.local, slot.started = None, node == self._node, time.perf_counter()
        return slot

    @staticmethod
    def _lost(exc: BaseException) -> EpisodeError:
        """The row of an episode whose actor or node was lost (or ran out of memory under Ray's monitor)."""
        import ray.exceptions as rex

        text = str(exc)[-_TRACE_CHARS:]
        if isinstance(exc, rex.OutOfMemoryError):
            return EpisodeError("oom", f"Ray's memory monitor killed the actor: {_first_line(exc)}", text)
        if isinstance(exc, rex.RayActorError):
            return EpisodeError("worker_died", f"the Ray actor died ({_exit_of(text)})", text)
        return EpisodeError("worker_died", f"the episode's Ray worker failed ({type(exc).__name__}): "
                                           f"{_first_line(exc)}", text)

    def _over_memory(self, pool: list[_Slot]) -> dict[int, str]:
        """Actors on the driver's node whose processes (actor and host together) are over ``max_memory``."""
        over, limit = {}, self.runner.max_memory
        for slot in pool:
            if not (slot.inflight and slot.local and slot.ready is None):
                continue
            pids = dict(zip(("actor", "agent host"), slot.pids, strict=False))
            message = memory_overrun(pids, limit, "the Ray actor was killed")
            if message is not None:
                over[id(slot)] = message
        return over

    def _replace(self, slot: _Slot, queue: deque[EpisodeSpec], skip_head: bool) -> _Slot | None:
        """Kill ``slot``'s actor (its host dies with it); the episodes it had not finished go back to the queue.

        A new actor takes its place while episodes wait; none when the queue is empty (the others finish the run).
        """
        waiting = [spec for spec, _ in list(slot.inflight)[1 if skip_head else 0:]]
        self.ray.kill(slot.actor, no_restart=True)
        queue.extendleft(reversed(waiting))
        return self._new_slot() if queue else None

    def _close(self, pool: list[_Slot]) -> None:
        """Close idle actors (their hosts close the agents), kill busy ones."""
        idle = [s for s in pool if not s.inflight and s.ready is None]
        with contextlib.suppress(self.ray.exceptions.RayError):
            self.ray.get([s.actor.close.remote() for s in idle], timeout=30)
        for slot in pool:
            self.ray.kill(slot.actor, no_restart=True)


def _exit_of(text: str) -> str:
    """The pid, exit type and first sentence of the exit detail in a ``RayActorError``'s text.

    >>> _exit_of("The actor died. pid: 12 Worker exit type: SYSTEM_ERROR Worker exit detail: Worker exits. Causes")
    'pid 12, SYSTEM_ERROR: Worker exits.'
    """
    pid = re.search(r"\bpid: (\d+)", text)
    kind = re.search(r"exit type: (\S+)", text)
    detail = re.search(r"exit detail: (.*?\.)(?:\s|$)", text)
    parts = [f"pid {pid.group(1)}" if pid else "", kind.group(1) if kind else ""]
    head = ", ".join(p for p in parts if p) or "no exit status reported"
    return f"{head}: {detail.group(1)}" if detail else head


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's text, at most 300 characters."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]
