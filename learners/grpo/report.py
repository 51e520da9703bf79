"""The learning curve of a GRPO run: read from TRL's log history, written as JSON, an SVG plot and a card."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CURVE_KEYS = {
    "reward": "reward",
    "return": "episode/return",
    "success": "episode/success",
    "steps": "episode/steps",
    "invalid_rate": "episode/invalid_rate",
    "cut": "episode/cut",
    "replies": "episode/replies",
    "trained_replies": "episode/trained_replies",
    "greedy_success": "episode/greedy_success",
    "greedy_return": "episode/greedy_return",
    "greedy_steps": "episode/greedy_steps",
    "loss": "loss",
    "step_time": "step_time",
    "rollout_s": "timing/rollout_s",
}
"""Curve column -> TRL log key (``episode/*`` are logged by ``EpisodeGRPOTrainer``)."""


def learning_curve(log_history: Sequence[Mapping[str, Any]]) -> list[dict[str, float]]:
    """One point per logged step: ``step`` and the :data:`CURVE_KEYS` present, rounded.

    >>> learning_curve([{"step": 1, "reward": 0.51234, "episode/success": 0.75}, {"train_runtime": 3.0}])
    [{'step': 1, 'reward': 0.5123, 'success': 0.75}]
    """
    points = []
    for entry in log_history:
        if "reward" not in entry:
            continue
        point = {"step": int(entry["step"])}
        point.update({name: round(float(entry[key]), 4) for name, key in CURVE_KEYS.items() if key in entry})
        points.append(point)
    return points


def smooth(values: Sequence[float], window: int) -> list[float]:
    """Trailing moving average over ``window`` points.

    >>> smooth([0.0, 1.0, 1.0, 0.0], 2)
    [0.0, 0.5, 1.0, 0.5]
    """
    return [sum(values[max(0, i - window + 1): i + 1]) / (i + 1 - max(0, i - window + 1)) for i in range(len(values))]


def curve_svg(curve: Sequence[Mapping[str, float]], *, title: str = "GRPO learning curve",
              series: Sequence[str] = ("success", "greedy_success", "return"), window: int = 10) -> str:
    """A self-contained SVG line plot of ``series`` (each in [0, 1]) against the step, moving-averaged."""
    width, height, left, bottom, top, right = 640, 300, 48, 36, 28, 120
    colours = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
    steps = [p["step"] for p in curve] or [0]
    x_max = max(max(steps), 1)

    def x(step: float) -> float:
        return left + (width - left - right) * step / x_max

    def y(value: float) -> float:
        return top + (height - top - bottom) * (1.0 - max(0.0, min(1.0, value)))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        f'font-size="11"><rect width="100%" height="100%" fill="white"/>',
        f'<text x="{left}" y="16" font-size="13">{title} ({window}-step moving average)</text>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>')
    for tick in range(0, x_max + 1, max(1, x_max // 5)):
        parts.append(f'<text x="{x(tick):.1f}" y="{height - bottom + 16}" text-anchor="middle">{tick}</text>')
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 4}" text-anchor="middle">GRPO step</text>')
    for i, name in enumerate(series):
        values = [(p["step"], p[name]) for p in curve if name in p]
        if not values:
            continue
        avg = smooth([v for _, v in values], window)
        path = " ".join(f"{x(s):.1f},{y(v):.1f}" for (s, _), v in zip(values, avg, strict=True))
        colour = colours[i % len(colours)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts.append(f'<text x="{width - right + 8}" y="{top + 14 + 16 * i}" fill="{colour}">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def training_card(metrics: Mapping[str, Any]) -> str:
    """``TRAINING.md``: how the checkpoint was made and how training went."""
    config, training, curve = metrics["config"], metrics["training"], metrics["curve"]

    def window(points: Sequence[Mapping[str, float]], key: str) -> str:
        values = [p[key] for p in points if key in p]
        return f"{sum(values) / len(values):.3f}" if values else "n/a"

    def first(points: Sequence[Mapping[str, float]], key: str) -> str:
        values = [p[key] for p in points if key in p]
        return f"{values[0]:.3f}" if values else "n/a"

    def last(points: Sequence[Mapping[str, float]], key: str) -> str:
        values = [p[key] for p in points if key in p]
        return f"{values[-1]:.3f}" if values else "n/a"

    head, tail = curve[:10], curve[-10:]
    lines = [
        f"# GRPO from {config['model']}",
        "",
        f"Multi-turn GRPO (TRL GRPOTrainer, per-turn rows) on {', '.join(config['env_ids'])}: "
        f"{training['optimizer_steps']} steps x {config['prompts_per_step']} seeds x {config['num_generations']} "
        f"episodes, at most {config['max_turns'] or 'the env limit of'} turns, replies weighted per "
        f"{config.get('turn_weighting', 'turn')}, temperature {config['temperature']}, lr "
        f"{config['learning_rate']}, reward weights {config['reward_weights']}"
        + (f", LoRA r={config['lora_r']}" if config["lora_r"] else "") + ".",
        "",
        f"- {training['train_s']} s of training, {training['seconds_per_step']} s per step "
        f"({metrics['machine']['cpus']} CPUs, {metrics['machine']['torch_threads']} torch threads, "
        f"device {metrics['machine']['device']}); time budget hit: {training['stopped_by_time_budget']}",
        f"- sampled episodes, first 10 steps -> last 10: success {window(head, 'success')} -> "
        f"{window(tail, 'success')}, return {window(head, 'return')} -> {window(tail, 'return')}, steps "
        f"{window(head, 'steps')} -> {window(tail, 'steps')}, invalid rate {window(head, 'invalid_rate')} -> "
        f"{window(tail, 'invalid_rate')}",
        f"- greedy check ({config.get('greedy_eval_seeds', 0)} training seeds, every "
        f"{config.get('greedy_eval_every', 0)} steps), first -> last: {first(curve, 'greedy_success')} -> "
        f"{last(curve, 'greedy_success')}",
        f"- checkpoint: {metrics['checkpoint_mb']} MB; the curve: `learning_curve.svg`, numbers: `metrics.json`",
        "",
    ]
    return "\n".join(lines)


def write_reports(metrics: Mapping[str, Any], out: Path) -> None:
    """Write ``metrics.json``, ``learning_curve.svg`` and ``TRAINING.md`` into ``out``."""
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out / "learning_curve.svg").write_text(curve_svg(metrics["curve"]))
    (out / "TRAINING.md").write_text(training_card(metrics))
