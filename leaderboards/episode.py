"""Play one episode of one agent on one env, turning every failure into its own recorded outcome."""

from __future__ import annotations

import json
import time
import traceback
from typing import Any

import numpy as np

from cauarena.errors import InvalidAction
from cauarena.guards import GuardStop
from cauarena.leaderboards.schema import EpisodeResult, StepRecord, Trajectory, env_version
from cauarena.leaderboards.suites import EpisodeSpec
from cauarena.registration import strip_module

_MAX_TEXT = 4000


def agent_seed(seed: int, repeat: int) -> int:
    """The agent's seed for (env seed, repeat): repeats of a stochastic agent differ, reruns do not."""
    return int(np.random.SeedSequence([seed, repeat]).generate_state(1)[0])


def json_safe(value: Any, depth: int = 0) -> Any:
    """A JSON-serialisable copy of ``value``; arrays become a shape/dtype summary, long text is cut."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "...[cut]"
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist() if value.size <= 16 else {"array": list(value.shape), "dtype": str(value.dtype)}
    if depth < 4 and isinstance(value, dict):
        return {str(k): json_safe(v, depth + 1) for k, v in value.items()}
    if depth < 4 and isinstance(value, list | tuple):
        return [json_safe(v, depth + 1) for v in value[:256]]
    text = repr(value)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "...[cut]"


def _metrics(metrics: dict[str, Any] | None) -> dict[str, float]:
    """The numeric entries of a metrics dict as floats (others are dropped)."""
    out = {}
    for name, value in (metrics or {}).items():
        try:
            out[str(name)] = float(value)
        except (TypeError, ValueError):
            continue
    return out


def _error(exc: BaseException) -> str:
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-3)
    return f"{type(exc).__name__}: {exc}\n" + "".join(frames)[-2000:]


def run_episode(
    env: Any, agent: Any, spec: EpisodeSpec, run_id: str, keep_trajectory: bool = True
) -> tuple[EpisodeResult, Trajectory | None]:
    """Play ``spec`` to the end; an agent or env exception ends the episode with its own error kind."""
    start = time.perf_counter()
    steps: list[StepRecord] = []
    total, n_steps, invalid, p_tok, c_tok = 0.0, 0, 0, 0, 0
    error_kind, error_message, truncated, info = "none", "", False, {}
    obs: Any = None
    try:
        obs, info = env.reset(seed=spec.seed)
    except Exception as exc:  # noqa: BLE001 - any env failure is recorded, not raised
        error_kind, error_message = "env_error", _error(exc)
    if error_kind == "none":
        try:
            agent.reset(seed=agent_seed(spec.seed, spec.repeat), info=info)
        except Exception as exc:  # noqa: BLE001
            error_kind, error_message = "agent_error", _error(exc)
    while error_kind == "none":
        if spec.max_steps is not None and n_steps >= spec.max_steps:
            truncated = True
            break
        t_act = time.perf_counter()
        try:
            action = agent.act(obs, info)
        except GuardStop:  # the guard ended the episode: a normal end, counted in the guard's metrics
            truncated = True
            break
        except TimeoutError as exc:  # a model backend that did not answer in time
            error_kind, error_message = "timeout", _error(exc)
            break
        except Exception as exc:  # noqa: BLE001
            error_kind, error_message = "agent_error", _error(exc)
            break
        latency = time.perf_counter() - t_act
        usage = getattr(agent, "last_usage", None)
        record = StepRecord(observation=json_safe(obs), action=json_safe(action), latency_s=latency)
        if usage is not None:
            record.prompt_tokens, record.completion_tokens = usage.prompt_tokens, usage.completion_tokens
            p_tok += usage.prompt_tokens
            c_tok += usage.completion_tokens
        try:
            obs, reward, terminated, trunc, info = env.step(action)
        except InvalidAction as exc:
            error_kind, error_message = "agent_error", f"malformed action {action!r}: {exc}"
            break
        except Exception as exc:  # noqa: BLE001
            error_kind, error_message = "env_error", _error(exc)
            break
        n_steps += 1
        record.reward = float(reward)
        record.invalid = bool(info.get("invalid_action", False))
        invalid += record.invalid
        total += float(reward)
        if keep_trajectory:
            steps.append(record)
        if terminated or trunc:
            truncated = bool(trunc and not terminated)
            break
    metrics = _metrics(info.get("metrics"))
    if hasattr(agent, "episode_metrics"):  # GuardedAgent: what the guard did
        metrics.update(_metrics(agent.episode_metrics()))
    result = EpisodeResult(
        **planned_fields(spec, run_id), episode_return=total,
        success=bool(info.get("success", False)) and error_kind == "none", steps=n_steps,
        invalid_actions=invalid, prompt_tokens=p_tok, completion_tokens=c_tok, metrics=metrics,
        error_kind=error_kind, error_message=error_message, wall_time_s=time.perf_counter() - start,
        truncated=truncated,
    )
    trajectory = None
    if keep_trajectory:
        trajectory = Trajectory(episode_key=spec.key, steps=steps, final_observation=json_safe(obs),
                                final_info=json_safe(info))
    return result, trajectory


def timeout_result(spec: EpisodeSpec, run_id: str, elapsed: float, reason: str) -> EpisodeResult:
    """The row of an episode the runner had to stop (wall-clock limit, or its worker died)."""
    kind = "timeout" if reason == "timeout" else "env_error"
    message = (f"episode exceeded its wall-clock limit of {spec.timeout_s:.0f} s; the worker was killed"
               if reason == "timeout" else f"the worker process died: {reason}")
    return EpisodeResult(**planned_fields(spec, run_id), error_kind=kind, error_message=message,
                         wall_time_s=elapsed)


def planned_fields(spec: EpisodeSpec, run_id: str) -> dict[str, Any]:
    """The fields of a result row that come from the plan, not from playing."""
    env_id = strip_module(spec.env_id)
    return {
        "run_id": run_id, "suite": spec.suite, "episode_key": spec.key, "env_id": env_id,
        "env_version": env_version(env_id), "env_kwargs": json.loads(json.dumps(spec.env_kwargs_dict, default=str)),
        "agent": spec.agent, "guard": spec.guard, "seed": spec.seed, "repeat": spec.repeat,
    }
