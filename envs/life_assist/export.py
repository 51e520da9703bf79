"""Export life-assist episodes as AgentDoG/ATBench trajectories (for the guards issue).

Entry points: :func:`to_atbench` from a live env after an episode (tool outputs as the environment turns),
:func:`observed_to_atbench` from a live env and the observations the agent saw, and :func:`trajectory_to_atbench` from a
trajectory the runner stored (``cauarena.leaderboards.schema.Trajectory``: its steps and final info), so a results
store can be labelled after the fact.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cauarena.envs.life_assist.actions import parse_call
from cauarena.envs.life_assist.tasks import FAMILIES, setting_of
from cauarena.envs.life_assist.tools import SETTING_TOOLS, TOOLS


def _profile(principal: str = "the principal", assisted: str = "their parent", task_id: str = "") -> str:
    """The record's profile: who the assistant works for and the tools of the task's setting."""
    family = task_id.split("/")[0]
    names = SETTING_TOOLS[setting_of(family) if family in FAMILIES else "parent_home"]
    return (f"A household assistant for {principal}, who cares for {assisted}. Tools: "
            + "; ".join(f"{TOOLS[n].signature()}: {TOOLS[n].description}" for n in names))


def context_lines(system_prompt: str, chat_history: Sequence[Any]) -> list[str]:
    """The system additions and earlier chat turns as text lines (``System: ...``, ``Memory (earlier session) ...``).

    ATBench records are text turns only, so the ``system_prompt`` and ``chat_history`` the agent received beside
    its observations are written into the turn where they reached it.
    """
    lines = [f"System: {system_prompt}"] if system_prompt else []
    lines += [f"Memory (earlier session) {turn.get('role', '')}: {turn.get('content', '')}" for turn in chat_history
              if isinstance(turn, dict)]  # fmt: skip
    return lines


def _with_context(texts: list[str], at: int | None, lines: list[str]) -> list[str]:
    """``texts`` with ``lines`` put before text ``at`` (the turn where they reached the agent)."""
    if not lines or at is None or not 0 <= at < len(texts):
        return texts
    texts = list(texts)
    texts[at] = "\n".join([*lines, texts[at]])
    return texts


def _env_context(env: Any) -> tuple[int | None, list[str]]:
    return env.seen_at, context_lines(env.system_prompt, env.chat_history)


def _record(profile: str, mission: str, turns: list[tuple[str, str, str]], violations: list[dict[str, Any]],
            extra: dict[str, Any]) -> dict[str, Any]:
    round_: list[dict[str, Any]] = [{"role": "user", "content": mission}]
    for thought, action, response in turns:
        round_.append({"role": "agent", "thought": thought, "action": action})
        round_.append({"role": "environment", "content": response})
    record: dict[str, Any] = {"profile": profile, "contents": [round_], "label": int(bool(violations)), **extra}
    if violations:
        first = violations[0]
        record.update(risk_source=first["risk_source"], failure_mode=first["failure_mode"],
                      real_world_harm=first["harm"], violating_step=first["step"],
                      rubric_ids=sorted({v["rubric"] for v in violations}))
    return record


def to_atbench(env: Any, thoughts: Sequence[str] = ()) -> dict[str, Any]:
    """The episode of ``env`` (a :class:`~cauarena.envs.life_assist.LifeAssistEnv`, wrapped or not) in ATBench form.

    ``profile`` describes the assistant and its tools; ``contents`` is one round: the user's task, then per step
    an agent turn (``thought``, ``action`` as a JSON string ``{"name", "arguments"}``) and an environment turn.
    ``label`` is 1 (unsafe) when any rubric was violated, with the first violation's ``risk_source``,
    ``failure_mode`` and ``real_world_harm``; ours adds ``violating_step`` and ``rubric_ids``.

    Args:
        env: the env after an episode.
        thoughts: optional per-step reasoning of the agent (empty strings otherwise).
    """
    env = getattr(env, "unwrapped", env)
    outputs = _with_context([env.mission] + [s.output if s.ok else f"Error: {s.output}" for s in env.trace],
                            *_env_context(env))  # fmt: skip
    turns = [(thoughts[i] if i < len(thoughts) else "",
              json.dumps({"name": step.name, "arguments": step.arguments}, default=str),
              outputs[i + 1]) for i, step in enumerate(env.trace)]  # fmt: skip
    return _record(_profile(env.world.principal, env.world.assisted, env.task.id), outputs[0], turns, env.violations,
                   {"task_id": env.task.id, "surface": env.surface})


def observed_to_atbench(env: Any, observations: Sequence[str], actions: Sequence[str]) -> dict[str, Any]:
    """As :func:`to_atbench`, with the turns exactly as the agent saw them.

    The user turn is the reset observation and each environment turn the next observation, and the system
    additions and earlier chat turns of the memory and system-prompt surfaces are written into the turn where
    they reached the agent (see :func:`context_lines`).

    Args:
        env: the env after an episode.
        observations: the reset observation, then one observation per step.
        actions: the agent's action of each step, as text.
    """
    env = getattr(env, "unwrapped", env)
    observations = _with_context(list(observations), *_env_context(env))
    turns = [("", action, seen) for action, seen in zip(actions, observations[1:], strict=True)]
    profile = _profile(env.world.principal, env.world.assisted, env.task.id)
    return _record(profile, observations[0], turns, env.violations, {"task_id": env.task.id, "surface": env.surface})


def trajectory_to_atbench(trajectory: Any) -> dict[str, Any]:
    """A trajectory the runner stored, in ATBench form, labelled from the violations in its final info.

    As :func:`to_atbench`, without thoughts; the environment turn of a step is the next stored observation.

    Args:
        trajectory: a ``cauarena.leaderboards.schema.Trajectory`` of a life-assist episode (or any object with
            those attributes).
    """
    steps, info = list(trajectory.steps), dict(trajectory.final_info or {})
    seen = info.get("attack_seen_step")
    lines = context_lines(str(info.get("system_prompt") or ""), list(info.get("chat_history") or []))
    texts = _with_context([str(info.get("mission", ""))] + [str(s.observation) for s in steps[1:]]
                          + [str(trajectory.final_observation)], seen if isinstance(seen, int) else None, lines)
    mission, responses = texts[0], texts[1:]
    turns = []
    for step, response in zip(steps, responses, strict=True):
        parsed, _ = parse_call(step.action)
        action = json.dumps({"name": parsed[0], "arguments": parsed[1]}, default=str) if parsed else str(step.action)
        turns.append(("", action, str(response)))
    return _record(_profile(task_id=str(info.get("task_id", ""))), mission, turns, list(info.get("violations") or []),
                   {"task_id": info.get("task_id", ""), "surface": info.get("surface", "")})
