"""The agent host: a process of its own for every agent that is not declared privileged.

The env lives in the worker; a non-privileged agent (and the guard in front of it) lives in the host, which holds
no env object, so no agent can read the truth by walking ``env.unwrapped``, stack frames or the ``gc`` heap. The
worker talks to the host over a pipe: ``make`` builds an agent from its spec, ``bind`` hands it a
:class:`~cauarena.agents.base.PublicEnvView` (spaces, id, family, documented metadata), then ``reset`` / ``act``
/ ``metrics`` per episode. :class:`RemoteAgent` is the worker's side: an Agent whose every call is one round trip.

Anything the agent raises comes back as data (kind, message, traceback) and is raised again in the worker as
:class:`AgentFailed`, or as :class:`~cauarena.guards.GuardStop` when its guard ended the episode; a host that died
mid-call raises :class:`AgentHostDied`. The runner records both as ``agent_error``.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
import traceback
from collections import deque
from multiprocessing.connection import Connection
from typing import Any

from cauarena.agents.base import AgentHooks, PublicEnvView, StepUsage, with_hooks

_TRACEBACK_CHARS = 2000


class AgentFailed(Exception):  # noqa: N818 - it mirrors the agent's own exception
    """The hosted agent raised; ``kind`` is ``agent_error``, ``timeout`` or ``oom`` and ``trace`` its traceback."""

    def __init__(self, kind: str, message: str, trace: str = "") -> None:
        super().__init__(message)
        self.kind, self.trace = kind, trace


HOST_DIED = "the agent's process died"
"""How the message of an episode whose agent host died begins (the runner then replaces worker and host)."""


class AgentHostDied(Exception):  # noqa: N818
    """The agent's host process went away during a call (the agent killed it, or it ran out of memory)."""


def failure_kind(exc: BaseException, blame: str = "agent_error") -> str:
    """The error kind of ``exc``, raised by the side ``blame`` names.

    ``oom`` for a MemoryError, ``timeout`` for an agent's TimeoutError (a model backend that did not answer in
    time), else ``blame``.

    >>> failure_kind(MemoryError()), failure_kind(TimeoutError()), failure_kind(TimeoutError(), "env_error")
    ('oom', 'timeout', 'env_error')
    """
    if isinstance(exc, MemoryError):
        return "oom"
    return "timeout" if isinstance(exc, TimeoutError) and blame == "agent_error" else blame


def error_fields(exc: BaseException, blame: str = "agent_error") -> tuple[str, str, str]:
    """``(kind, one-line message, traceback)`` of an exception raised by the side ``blame`` names.

    >>> error_fields(ValueError("bad"))[:2]
    ('agent_error', 'ValueError: bad')
    """
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises still gets a message
        text = "<unprintable>"
    message = f"{type(exc).__name__}: {text}".splitlines()[0][:500] if text else type(exc).__name__
    frames = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-4))
    return failure_kind(exc, blame), message, frames[-_TRACEBACK_CHARS:]


def public_view(env: Any, env_id: str, family: str) -> PublicEnvView:
    """What an agent may know of ``env`` before playing it: spaces, id, family and documented metadata."""
    from cauarena.registration import env_entry

    base = getattr(env, "unwrapped", env)
    multi = env_entry(env_id).multi_agent
    if multi:
        agents = tuple(getattr(env, "possible_agents", ()))
        action_space = {a: env.action_space(a) for a in agents}
        observation_space = {a: env.observation_space(a) for a in agents}
    else:
        agents, action_space, observation_space = (), env.action_space, env.observation_space
    return PublicEnvView(
        env_id=env_id, family=family, action_space=action_space, observation_space=observation_space,
        metadata=dict(getattr(env, "metadata", {}) or {}), possible_agents=agents,
        refusal_action=getattr(base, "refusal_action", None),
    )


def build_agent(agent_spec: str, guard_spec: str, family: str, seat: str, chat_kwargs: dict[str, Any]) -> AgentHooks:
    """The agent of ``agent_spec`` (a MAGIC seat's player when ``seat`` is set), behind its guard if any.

    The agent host builds every hosted agent with it, and a worker its privileged ones (or all, without a host).
    """
    if seat:
        from cauarena.agents.magic.play import make_player

        agent = make_player(agent_spec, seat)
    else:
        from cauarena.agents import make_agent

        agent = make_agent(agent_spec, family=family, **(chat_kwargs if is_chat_spec(agent_spec) else {}))
    if guard_spec != "none":
        from cauarena.guards import GuardedAgent, make_guard

        agent = GuardedAgent(agent, make_guard(guard_spec, family=family), agent_spec=agent_spec,
                             guard_spec=guard_spec)
    return with_hooks(agent)


def is_chat_spec(spec: str) -> bool:
    """Whether ``spec`` names a chat model (``backend/model``, read before ``module:attr``), which takes chat kwargs.

    >>> is_chat_spec("tiny/babyai"), is_chat_spec("openai/llama3:8b"), is_chat_spec("pkg.mod:Agent")
    (True, True, False)
    """
    from cauarena.agents.registry import is_backend_spec

    return is_backend_spec(spec)


def _usage(agent: AgentHooks) -> tuple[int, int, float, bool] | None:
    usage = agent.last_usage
    if usage is None:
        return None
    return (int(usage.prompt_tokens), int(usage.completion_tokens), float(usage.latency_s), bool(usage.cached))


def _answer(agents: dict[int, AgentHooks], op: str, handle: int, args: tuple) -> tuple:
    """Carry out one request and say how it went.

    ``("ok", value)``, ``("guard_stop", verdict, "", "")`` or ``("error", kind, message, traceback)``: an agent's
    failure is data for the worker, never the host's end.
    """
    from cauarena.guards import GuardStop

    try:
        return "ok", _call(agents, op, handle, args)
    except GuardStop as stop:
        return "guard_stop", stop.verdict if _picklable(stop.verdict) else None, "", ""
    except BaseException as exc:  # noqa: BLE001
        return ("error", *error_fields(exc))


def _unsendable(exc: BaseException) -> tuple:
    """The agent's error for an answer that cannot be pickled (the agent's doing, not the host's death)."""
    message = f"the agent returned a value that cannot be sent to the env: {error_fields(exc)[1]}"
    return "error", "agent_error", message, ""


def _send(conn: Connection, answer: tuple) -> None:
    """Send one answer; one that cannot cross the pipe goes as :func:`_unsendable`."""
    try:
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001
        payload = pickle.dumps(_unsendable(exc), protocol=pickle.HIGHEST_PROTOCOL)
    conn.send_bytes(payload)


def _send_batch(conn: Connection, answers: list[tuple]) -> None:
    """Send the answers of a ``batch`` request, each that cannot cross the pipe as :func:`_unsendable`.

    A batch is one ``(op, handle, args)`` call per item (``act``, ``reset``, ``metrics``), carried out in order and
    answered one by one: one agent's failure is its episode's, never the batch's.
    """
    try:
        payload = pickle.dumps(("ok", answers), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - find the answers that cannot be pickled
        sendable = []
        for answer in answers:
            try:
                pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
                sendable.append(answer)
            except Exception as exc:  # noqa: BLE001
                sendable.append(_unsendable(exc))
        payload = pickle.dumps(("ok", sendable), protocol=pickle.HIGHEST_PROTOCOL)
    conn.send_bytes(payload)


def _call(agents: dict[int, AgentHooks], op: str, handle: int, args: tuple) -> Any:
    """Carry out one request on the host's agents."""
    if op == "ping":
        return None
    if op == "make":
        agents[handle] = build_agent(*args)
        return None
    agent = agents[handle]
    if op == "bind":
        agent.bind(args[0])
        return None
    if op == "reset":
        agent.reset(seed=args[0], info=args[1])
        return None
    if op == "act":
        start = time.perf_counter()
        action = agent.act(args[0], args[1])
        return action, _usage(agent), time.perf_counter() - start
    if op == "metrics":
        return dict(agent.episode_metrics())
    raise ValueError(f"unknown agent-host request {op!r}")


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
"""The variables that size the thread pools of torch, numpy's BLAS and their kin."""


def share_threads(threads: int | None) -> None:
    """Size this process's math thread pools to ``threads`` (its share of the CPUs), unless the user set them.

    Without it every worker and agent host of a run sized its torch pool to all the CPUs: two workers with a tiny LM
    agent on two cores ran 100 BabyAI episodes in 146-155 s, 16-17 s with each process's share (the pools fought
    over the cores; BENCHMARKS.md, issue 18). A variable already in the environment is the user's choice and is kept.
    """
    if threads is None or any(var in os.environ for var in THREAD_VARIABLES):
        return
    for var in THREAD_VARIABLES:
        os.environ[var] = str(threads)  # read by a library imported from now on
    torch = sys.modules.get("torch")
    if torch is not None:  # imported already (the fork server preloads what the agents import)
        torch.set_num_threads(threads)


def host_main(conn: Connection, path: list[str], threads: int | None = None) -> None:
    """The host process: serve requests until ``None`` arrives or the pipe closes."""
    sys.path[:] = path
    share_threads(threads)
    agents: dict[int, AgentHooks] = {}
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            break
        if request is None:
            break
        op, handle, args = request
        if op == "batch":
            _send_batch(conn, [_answer(agents, *item) for item in args[0]])
        else:
            _send(conn, _answer(agents, op, handle, args))
    for agent in agents.values():
        try:
            agent.close()
        except Exception:  # noqa: BLE001, S110 - closing is best effort at shutdown
            pass


def _picklable(value: Any) -> bool:
    try:
        pickle.dumps(value)
    except Exception:  # noqa: BLE001
        return False
    return True


_SMALL_BATCH = 16 * 1024
"""A batch of calls up to this many bytes is sent while another batch's answer may still be on its way back.

The host writes an answer while the worker writes the next batch; a message this small fits the pipe's buffer, so
neither side can block on a full pipe while the other does.
"""


class HostLink:
    """The worker's end of the pipe to its agent host; numbers the agents it asks the host to build.

    Besides one round trip per call (:meth:`request`), a worker playing several episodes at once (the runner's
    lanes) sends the ``act`` calls of many agents as one batch (:meth:`send_batch`) and reads the answers of the
    oldest batch later (:meth:`recv_batch`), stepping other episodes' envs in between. A :meth:`request` first reads
    the answers of every batch still out, so the pipe never mixes them up. ``dead`` is set once the host is gone.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._next = 0
        self._out = 0  # batches sent whose answers are not read yet
        self._answers: deque[list[Any]] = deque()  # answers read early, oldest first
        self.dead = False

    def request(self, op: str, handle: int, *args: Any) -> Any:
        """One round trip; raises what the agent raised (see the module docstring)."""
        try:
            while self._out:
                self._answers.append(self._read_batch())
            self.conn.send((op, handle, args))
            reply = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.dead = True
            raise AgentHostDied(f"{HOST_DIED} during {op}()") from exc
        return _unpack(reply)

    def send_batch(self, items: list[tuple[str, int, tuple]]) -> None:
        """Send ``(op, handle, args)`` calls as one batch; their answers come from :meth:`recv_batch`."""
        payload = pickle.dumps(("batch", 0, (items,)), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            while self._out and len(payload) > _SMALL_BATCH:  # a large batch waits until the pipe is clear
                self._answers.append(self._read_batch())
            self.conn.send_bytes(payload)
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.dead = True
            raise AgentHostDied(f"{HOST_DIED} during a batch of calls") from exc
        self._out += 1

    def recv_batch(self) -> list[Any]:
        """The answers of the oldest batch sent, one per item.

        Each is the call's value (an ``act``'s is ``(action, usage, seconds)``), or the exception the agent raised
        (:class:`AgentFailed`, :class:`~cauarena.guards.GuardStop`).
        """
        if self._answers:
            return self._answers.popleft()
        try:
            return self._read_batch()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.dead = True
            raise AgentHostDied(f"{HOST_DIED} during a batch of calls") from exc

    @property
    def batches_out(self) -> int:
        """Batches sent whose answers :meth:`recv_batch` has not returned yet."""
        return self._out + len(self._answers)

    def _read_batch(self) -> list[Any]:
        reply = self.conn.recv()
        self._out -= 1
        return [answer[1] if answer[0] == "ok" else _failure(answer) for answer in _unpack(reply)]

    def agent(self, agent_spec: str, guard_spec: str, env_id: str, family: str, chat_kwargs: dict[str, Any],
              seat: str = "") -> RemoteAgent:
        """Build an agent in the host and return its proxy."""
        self._next += 1
        self.request("make", self._next, agent_spec, guard_spec, family, seat, chat_kwargs)
        return RemoteAgent(self, self._next, env_id, family)


def _unpack(reply: tuple) -> Any:
    """The value of an ``ok`` reply; raise what the agent raised otherwise (see the module docstring)."""
    if reply[0] == "ok":
        return reply[1]
    raise _failure(reply)


def _failure(reply: tuple) -> Exception:
    """The exception a ``guard_stop`` or ``error`` reply stands for, to raise in the worker."""
    if reply[0] == "guard_stop":
        from cauarena.guards import GuardStop

        return GuardStop(reply[1])
    _, kind, message, trace = reply
    return AgentFailed(kind, message, trace)


class RemoteAgent(AgentHooks):
    """An Agent whose calls run in the agent host: the worker's proxy for one hosted agent.

    ``bind`` sends a :class:`PublicEnvView` of the env (never the env), so the agent sees only what
    :func:`public_view` lists.
    """

    def __init__(self, link: HostLink, handle: int, env_id: str, family: str) -> None:
        self.link, self.handle, self.env_id, self.family = link, handle, env_id, family
        self.last_usage: StepUsage | None = None

    def bind(self, env: Any) -> None:
        """Send the hosted agent the public view of ``env`` (made here, in the worker; the env stays here)."""
        view = env if isinstance(env, PublicEnvView) else public_view(env, self.env_id, self.family)
        self.link.request("bind", self.handle, view)

    def reset(self, *, seed: int | None = None, info: dict[str, Any] | None = None) -> None:
        self.link.request("reset", self.handle, seed, info)

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        action, usage, _ = self.link.request("act", self.handle, observation, info)
        self.last_usage = None if usage is None else StepUsage(*usage)
        return action

    def episode_metrics(self) -> dict[str, float]:
        """The hosted agent's per-episode metrics (a guarded agent's guard counts); empty for others."""
        return self.link.request("metrics", self.handle)

    def close(self) -> None:
        """Nothing to do here: the host closes its agents when it stops."""
