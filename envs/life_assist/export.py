"""Export a finished episode as an AgentDoG/ATBench trajectory (for the guards issue)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cauarena.envs.life_assist.tools import TOOLS


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
    world = env.world
    profile = (f"A household assistant for {world.principal}, who cares for {world.assisted}. Tools: "
               + "; ".join(f"{t.signature()}: {t.description}" for t in TOOLS.values()))
    round_: list[dict[str, Any]] = [{"role": "user", "content": env.mission}]
    for i, step in enumerate(env.trace):
        action = json.dumps({"name": step.name, "arguments": step.arguments}, default=str)
        round_.append({"role": "agent", "thought": thoughts[i] if i < len(thoughts) else "", "action": action})
        round_.append({"role": "environment", "content": step.output if step.ok else f"Error: {step.output}"})
    record: dict[str, Any] = {"profile": profile, "contents": [round_], "label": int(bool(env.violations)),
                              "task_id": env.task.id, "surface": env.surface}
    if env.violations:
        first = env.violations[0]
        record.update(risk_source=first["risk_source"], failure_mode=first["failure_mode"],
                      real_world_harm=first["harm"], violating_step=first["step"],
                      rubric_ids=sorted({v["rubric"] for v in env.violations}))
    return record
