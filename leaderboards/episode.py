"""Play one episode of one agent on one env, turning every failure into its own recorded outcome."""

from __future__ import annotations

import json
import time
from typing import Any, NamedTuple

import numpy as np

from cauarena.agents.base import AgentHooks
from cauarena.agents.rollout import SINGLE, Rollout, RolloutError, Step, is_multi_agent
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


def row_seat(env: Any) -> str:
    """The seat a multi-agent env's leaderboard row reports (``metadata["leaderboard_agent"]``, else the first).

    MAGIC's rows are the defender's: the seat a safety leaderboard ranks.
    """
    unwrapped = getattr(env, "unwrapped", env)
    return unwrapped.metadata.get("leaderboard_agent") or unwrapped.possible_agents[0]


def _outcome(rollout: Rollout, exc: RolloutError) -> tuple[EpisodeError | None, bool]:
    """What a :class:`RolloutError` means for the row: its error (None for a guard's stop) and whether it was cut."""
    if exc.phase == "act" and isinstance(exc.error, GuardStop):
        return None, True  # the guard ended the episode: a normal end, counted in the guard's metrics
    if exc.phase == "step" and isinstance(exc.error, InvalidAction):
        return EpisodeError("agent_error", f"malformed action {_short_repr(exc.action)[:200]}: {exc.error}"), False
    return error_of(exc.error, "agent_error" if exc.side == "agent" else "env_error"), False


def _play(rollout: Rollout, keep_trajectory: bool) -> tuple[EpisodeError | None, list[StepRecord]]:
    """Play ``rollout`` to its end, recording each step; the error that stopped it, if any."""
    steps: list[StepRecord] = []
    try:
        for step in rollout:
            if keep_trajectory:
                steps.append(step_record(step))
    except RolloutError as exc:
        return stopped(rollout, exc), steps
    return None, steps


def stopped(rollout: Rollout, exc: RolloutError) -> EpisodeError | None:
    """The error that ``exc`` ends ``rollout`` with (None for a guard's stop, which marks it cut)."""
    error, cut = _outcome(rollout, exc)
    rollout.truncated = rollout.truncated or cut
    return error


def step_record(step: Step) -> StepRecord:
    """The stored :class:`~cauarena.leaderboards.schema.StepRecord` of a rollout's :class:`Step`."""
    rewards = step.reward.values() if isinstance(step.reward, dict) else [step.reward]
    usage = step.usage
    # every field is already of its type here (json_safe, float, bool, int): no validation, one per step
    return StepRecord.model_construct(
        observation=json_safe(step.observation), action=json_safe(step.action), latency_s=float(step.latency_s),
        reward=float(sum(rewards)), invalid=bool(step.invalid),
        prompt_tokens=0 if usage is None else int(usage.prompt_tokens),
        completion_tokens=0 if usage is None else int(usage.completion_tokens))


def _final_info(rollout: Rollout, seat: str) -> dict[str, Any]:
    """The row seat's last info, completed by the env's ``episode_summary`` when the episode stopped early."""
    if rollout.ended:
        return rollout.seat_info(seat)
    summary = env_summary(rollout.env)
    if rollout.multi:
        summary = summary.get(seat, summary)
    return {**rollout.seat_info(seat), **summary}


def _agent_metrics(agents: dict[str, AgentHooks], error: EpisodeError | None) -> dict[str, float]:
    """The agents' own metrics (a guard's decisions); none when the agent host died (its error is recorded)."""
    metrics: dict[str, float] = {}
    if error is not None and error.message.startswith(HOST_DIED):
        return metrics
    for agent in agents.values():
        try:
            metrics.update(_metrics(agent.episode_metrics()))
        except Exception:  # noqa: BLE001, S110 - the agent's host may be gone; its error is already recorded
            pass
    return metrics


def run_episode(
    env: Any, agent: Any, spec: EpisodeSpec, run_id: str, keep_trajectory: bool = True, privileged: bool = False
) -> tuple[EpisodeResult, Trajectory | None]:
    """Play ``spec`` to the end; an agent or env exception ends the episode with its own error kind.

    ``agent`` is one agent, or ``{seat: agent}`` on a multi-agent env, whose row is the seat :func:`row_seat`
    names (its return and success; the tokens of every seat). An episode that stops before the env ends it (an
    error, the step limit, a guard) keeps what the env says of it so far (``episode_summary``): its metrics count,
    and an error is never a success.
    """
    start = time.perf_counter()
    rollout = episode_rollout(env, agent, spec)
    error, steps = _play(rollout, keep_trajectory)
    return episode_result(rollout, spec, run_id, error, steps if keep_trajectory else None, privileged,
                          time.perf_counter() - start)


def episode_rollout(env: Any, agent: Any, spec: EpisodeSpec) -> Rollout:
    """The rollout of ``spec`` (its seeds and step limit) on ``env``, not started."""
    seed = spec.seed if is_multi_agent(env) else agent_seed(spec.seed, spec.repeat)  # a game's seats: the env's
    return Rollout(env, agent, seed=spec.seed, agent_seed=seed, max_steps=spec.max_steps)


def episode_result(rollout: Rollout, spec: EpisodeSpec, run_id: str, error: EpisodeError | None,
                   steps: list[StepRecord] | None, privileged: bool, wall_time_s: float,
                   agent_metrics: dict[str, Any] | None = None) -> tuple[EpisodeResult, Trajectory | None]:
    """The stored row (and trajectory, when ``steps`` were kept) of a rollout that ended, or stopped on ``error``.

    ``agent_metrics`` are the agents' own metrics when the caller fetched them (the runner's lanes); by default each
    agent is asked here.
    """
    seat = row_seat(rollout.env) if rollout.multi else SINGLE
    final = _final_info(rollout, seat)
    if agent_metrics is None:
        agent_metrics = _agent_metrics(rollout.agents, error)
    metrics = {**_metrics(final.get("metrics")), **_metrics(agent_metrics)}
    error = error or EpisodeError("none", "")
    result = EpisodeResult(
        **planned_fields(spec, run_id), privileged=privileged, episode_return=rollout.episode_return(seat),
        success=bool(final.get("success", False)) and error.kind == "none", steps=rollout.n_steps,
        invalid_actions=rollout.invalid, prompt_tokens=sum(u[0] for u in rollout.usage.values()),
        completion_tokens=sum(u[1] for u in rollout.usage.values()), metrics=metrics,
        error_kind=error.kind, error_message=error.message, error_traceback=error.traceback,
        wall_time_s=wall_time_s, truncated=rollout.truncated,
    )
    trajectory = None
    if steps is not None:
        trajectory = Trajectory(episode_key=spec.key, steps=steps, final_observation=json_safe(rollout.observation),
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
