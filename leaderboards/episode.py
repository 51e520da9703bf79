"""Play one episode of one agent on one env, turning every failure into its own recorded outcome."""

from __future__ import annotations

import json
import time
from typing import Any, NamedTuple

import numpy as np

from cauarena.agents.base import AgentHooks, with_hooks
from cauarena.errors import InvalidAction
from cauarena.guards import GuardStop
from cauarena.leaderboards.agent_host import HOST_DIED, AgentFailed, AgentHostDied, error_fields
from cauarena.leaderboards.schema import EpisodeResult, StepRecord, Trajectory, env_version
from cauarena.leaderboards.suites import EpisodeSpec
from cauarena.registration import strip_module

_MAX_TEXT = 4000


def agent_seed(seed: int, repeat: int) -> int:
    """The agent's seed for (env seed, repeat): repeats of a stochastic agent differ, reruns do not."""
    return int(np.random.SeedSequence([seed, repeat]).generate_state(1)[0])


def json_safe(value: Any, depth: int = 0) -> Any:
    """A JSON-serialisable copy of ``value``; arrays become a shape/dtype summary, long text is cut.

    It never raises and never recurses deeper than four levels: an object whose ``__repr__`` raises, or a
    structure nested thousands deep, is stored as a short placeholder, so recording a step can never kill a worker.

    >>> json_safe({"a": [1, 2.5, "x"]})
    {'a': [1, 2.5, 'x']}
    >>> nested = []
    >>> for _ in range(5000):
    ...     nested = [nested]
    >>> json_safe(nested)[0][0][0][0][:14]
    '<list of 1 ite'
    """
    try:
        return _json_safe(value, depth)
    except Exception as exc:  # noqa: BLE001 - a hostile object: keep a placeholder, never fail the episode
        return f"<unrecordable {type(value).__name__}: {type(exc).__name__}>"


def _json_safe(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "...[cut]"
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist() if value.size <= 16 else {"array": list(value.shape), "dtype": str(value.dtype)}
    if isinstance(value, dict | list | tuple) and depth >= 4:
        return f"<{type(value).__name__} of {len(value)} items, nested too deep to record>"
    if isinstance(value, dict):
        return {str(k)[:_MAX_TEXT]: json_safe(v, depth + 1) for k, v in list(value.items())[:256]}
    if isinstance(value, list | tuple):
        return [json_safe(v, depth + 1) for v in value[:256]]
    return _short_repr(value)


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001
        return f"<unprintable {type(value).__name__}: {type(exc).__name__}>"
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "...[cut]"


def _metrics(metrics: Any) -> dict[str, float]:
    """The numeric entries of a metrics dict as floats (others are dropped)."""
    out = {}
    for name, value in (metrics if isinstance(metrics, dict) else {}).items():
        try:
            out[str(name)] = float(value)
        except (TypeError, ValueError, OverflowError):
            continue
    return out


class EpisodeError(NamedTuple):
    """Why an episode stopped early: a kind, one readable line, and the traceback when there was one."""

    kind: str
    message: str
    traceback: str = ""


def error_of(exc: BaseException, kind: str) -> EpisodeError:
    """The :class:`EpisodeError` of ``exc``, raised by the side ``kind`` blames.

    The kind becomes ``oom`` or ``timeout`` as :func:`~cauarena.leaderboards.agent_host.failure_kind` says.

    >>> error_of(ValueError("bad move"), "agent_error")[:2]
    ('agent_error', 'ValueError: bad move')
    """
    if isinstance(exc, AgentFailed):
        return EpisodeError(exc.kind, str(exc), exc.trace)
    if isinstance(exc, AgentHostDied):
        return EpisodeError("agent_error", str(exc))
    return EpisodeError(*error_fields(exc, kind))


def env_summary(env: Any) -> dict[str, Any]:
    """The env's account of an episode that stopped before it ended (``episode_summary``); empty if it has none."""
    summarise = getattr(getattr(env, "unwrapped", env), "episode_summary", None)
    if summarise is None:
        return {}
    try:
        summary = summarise()
    except Exception:  # noqa: BLE001 - a broken summary must not hide the episode's own error
        return {}
    return summary if isinstance(summary, dict) else {}


class _Play:
    """The running totals of one episode."""

    def __init__(self) -> None:
        self.steps: list[StepRecord] = []
        self.total, self.n_steps, self.invalid, self.p_tok, self.c_tok = 0.0, 0, 0, 0, 0
        self.error: EpisodeError | None = None
        self.truncated, self.ended = False, False
        self.obs: Any = None
        self.info: dict[str, Any] = {}

    def fail(self, exc: BaseException, kind: str) -> None:
        self.error = error_of(exc, kind)


def _take_step(env: Any, agent: AgentHooks, play: _Play, keep_trajectory: bool) -> bool:
    """One agent action and one env step; False when the episode is over."""
    t_act = time.perf_counter()
    try:
        action = agent.act(play.obs, play.info)
    except GuardStop:  # the guard ended the episode: a normal end, counted in the guard's metrics
        play.truncated = True
        return False
    except Exception as exc:  # noqa: BLE001 - an agent failure is its own outcome (TimeoutError: "timeout")
        play.fail(exc, "agent_error")
        return False
    record = StepRecord(observation=json_safe(play.obs), action=json_safe(action),
                        latency_s=time.perf_counter() - t_act)
    usage = agent.last_usage
    if usage is not None:
        record.prompt_tokens, record.completion_tokens = usage.prompt_tokens, usage.completion_tokens
        play.p_tok += usage.prompt_tokens
        play.c_tok += usage.completion_tokens
    try:
        play.obs, reward, terminated, trunc, info = env.step(action)
    except InvalidAction as exc:
        play.error = EpisodeError("agent_error", f"malformed action {_short_repr(action)[:200]}: {exc}")
        return False
    except Exception as exc:  # noqa: BLE001
        play.fail(exc, "env_error")
        return False
    play.info = info if isinstance(info, dict) else {}
    play.n_steps += 1
    record.reward = float(reward)
    record.invalid = bool(play.info.get("invalid_action", False))
    play.invalid += record.invalid
    play.total += float(reward)
    if keep_trajectory:
        play.steps.append(record)
    if terminated or trunc:
        play.truncated, play.ended = bool(trunc and not terminated), True
        return False
    return True


def run_episode(
    env: Any, agent: Any, spec: EpisodeSpec, run_id: str, keep_trajectory: bool = True, privileged: bool = False
) -> tuple[EpisodeResult, Trajectory | None]:
    """Play ``spec`` to the end; an agent or env exception ends the episode with its own error kind.

    An episode that stops before the env ends it (an error, the step limit, a guard) keeps what the env says of
    it so far (``episode_summary``): its metrics count, and an error is never a success.
    """
    start = time.perf_counter()
    agent = with_hooks(agent)
    play = _Play()
    try:
        play.obs, play.info = env.reset(seed=spec.seed)
    except Exception as exc:  # noqa: BLE001 - any env failure is recorded, not raised
        play.fail(exc, "env_error")
    if play.error is None:
        try:
            agent.reset(seed=agent_seed(spec.seed, spec.repeat), info=play.info)
        except Exception as exc:  # noqa: BLE001
            play.fail(exc, "agent_error")
    while play.error is None:
        if spec.max_steps is not None and play.n_steps >= spec.max_steps:
            play.truncated = True
            break
        if not _take_step(env, agent, play, keep_trajectory):
            break
    final = play.info if play.ended else {**play.info, **env_summary(env)}
    metrics = _metrics(final.get("metrics"))
    if play.error is None or not play.error.message.startswith(HOST_DIED):  # a guarded agent: the guard's counts
        try:
            metrics.update(_metrics(agent.episode_metrics()))
        except Exception:  # noqa: BLE001, S110 - the agent's host may be gone; its error is already recorded
            pass
    error = play.error or EpisodeError("none", "")
    result = EpisodeResult(
        **planned_fields(spec, run_id), privileged=privileged, episode_return=play.total,
        success=bool(final.get("success", False)) and play.error is None, steps=play.n_steps,
        invalid_actions=play.invalid, prompt_tokens=play.p_tok, completion_tokens=play.c_tok, metrics=metrics,
        error_kind=error.kind, error_message=error.message, error_traceback=error.traceback,
        wall_time_s=time.perf_counter() - start, truncated=play.truncated,
    )
    trajectory = None
    if keep_trajectory:
        trajectory = Trajectory(episode_key=spec.key, steps=play.steps, final_observation=json_safe(play.obs),
                                final_info=json_safe(final))
    return result, trajectory


def stopped_result(spec: EpisodeSpec, run_id: str, elapsed: float, error: EpisodeError,
                   privileged: bool = False) -> EpisodeResult:
    """The row of an episode the runner had to stop (wall-clock limit, memory limit, a dead process)."""
    return EpisodeResult(**planned_fields(spec, run_id), privileged=privileged, error_kind=error.kind,
                         error_message=error.message, error_traceback=error.traceback, wall_time_s=elapsed)


def planned_fields(spec: EpisodeSpec, run_id: str) -> dict[str, Any]:
    """The fields of a result row that come from the plan, not from playing."""
    env_id = strip_module(spec.env_id)
    return {
        "run_id": run_id, "suite": spec.suite, "episode_key": spec.key, "env_id": env_id,
        "env_version": env_version(env_id), "env_kwargs": json.loads(json.dumps(spec.env_kwargs_dict, default=str)),
        "agent": spec.agent, "guard": spec.guard, "seed": spec.seed, "repeat": spec.repeat,
    }
