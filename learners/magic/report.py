"""Write a co-evolution run: JSON (config, phases, cross-play matrix), a Markdown report and an SVG heatmap."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cauarena.learners.magic.coevo import CoevoRun


def matrix_table(matrix: list[list[dict[str, float]]], key: str = "asr") -> str:
    r"""A Markdown table of ``key`` with attacker generations as rows, defender generations as columns.

    >>> print(matrix_table([[{"asr": 0.5}, {"asr": 0.25}]]))
    | attacker \ defender | D0 | D1 |
    |---|---|---|
    | A0 | 0.50 | 0.25 |
    """
    cols = len(matrix[0]) if matrix else 0
    lines = ["| attacker \\ defender | " + " | ".join(f"D{j}" for j in range(cols)) + " |",
             "|---" * (cols + 1) + "|"]
    for i, row in enumerate(matrix):
        lines.append(f"| A{i} | " + " | ".join(f"{cell[key]:.2f}" for cell in row) + " |")
    return "\n".join(lines)


def heatmap_svg(matrix: list[list[dict[str, float]]], key: str = "asr", cell: int = 44) -> str:
    """An SVG heatmap of ``key`` (white 0 to red 1), attacker generations down, defender generations across."""
    rows, cols = len(matrix), len(matrix[0]) if matrix else 0
    width, height = 40 + cols * cell, 40 + rows * cell
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="11" '
             'font-family="sans-serif">']
    for j in range(cols):
        parts.append(f'<text x="{40 + j * cell + cell / 2}" y="14" text-anchor="middle">D{j}</text>')
    for i, row in enumerate(matrix):
        y = 20 + i * cell
        parts.append(f'<text x="4" y="{y + cell / 2 + 4}">A{i}</text>')
        for j, value in enumerate(row):
            shade = int(255 * (1 - value[key]))
            parts.append(f'<rect x="{40 + j * cell}" y="{y}" width="{cell}" height="{cell}" '
                         f'fill="rgb(255,{shade},{shade})" stroke="#999"/>')
            parts.append(f'<text x="{40 + j * cell + cell / 2}" y="{y + cell / 2 + 4}" '
                         f'text-anchor="middle">{value[key]:.2f}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def switch_text(cfg: Any) -> str:
    """The config's switch rule in words (for reports).

    >>> from cauarena.learners.magic.coevo_config import CoevoConfig
    >>> switch_text(CoevoConfig())
    'ratio mode, 15 steps per role, start defender, 150 steps'
    """
    if cfg.switch_mode == "metric":
        return (f"metric mode, attacker -> defender at mean harm reward <= {cfg.metric_low:.2f}, defender -> "
                f"attacker at >= {cfg.metric_high:.2f}, window {cfg.metric_window}, start {cfg.start_agent}, "
                f"{cfg.total_steps} steps")
    return f"ratio mode, {cfg.update_freq} steps per role, start {cfg.start_agent}, {cfg.total_steps} steps"


def phase_table(phases: list[Any]) -> list[str]:
    """Markdown rows, one per phase: role, generation, steps, mean harm reward, ASR, discoveries, generation."""
    lines = ["| phase | role | gen | steps | mean harm reward | ASR (train) | defender retrains | "
             "new successful combinations | attacker generation |", "|---|---|---|---|---|---|---|---|---|"]
    for i, p in enumerate(phases, 1):
        harm = sum(p.harm) / len(p.harm) if p.harm else 0.0
        lines.append(f"| {i} | {p.role} | {p.generation} | {p.start_step}-{p.start_step + p.steps - 1} | "
                     f"{harm:.2f} | {p.asr:.2f} | {p.retrains if p.role == 'defender' else '-'} | "
                     f"{', '.join(p.new_successful) or '-'} | {', '.join(p.attacks)} |")
    return lines


def summary(run: CoevoRun) -> dict[str, Any]:
    """JSON-safe: config, per-generation phase logs, attacker generations and the matrix."""
    return {"config": run.config.to_dict(), "phases": [p.__dict__ for p in run.phases],
            "attackers": run.attackers, "matrix": run.matrix, "roles": run.roles,
            "llm_phases": [{k: v for k, v in p.items() if k != "curve"} for p in run.llm_phases]}


def write_report(run: CoevoRun, out: Path, header: str = "") -> Path:
    """Write ``coevo.json``, ``REPORT.md`` and ``asr_heatmap.svg`` to ``out``; return the report path."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "coevo.json").write_text(json.dumps(summary(run), indent=1))
    (out / "asr_heatmap.svg").write_text(heatmap_svg(run.matrix))
    lines = [header or "# MAGIC co-evolution", "", f"Switch rule: {switch_text(run.config)}.", "", "## Phases", "",
             *phase_table(run.phases)]
    if run.llm_phases:
        lines += ["", "## GRPO phases of the LLM seats", "",
                  "| gen | seat | opponent | steps | s/step | mean return, first step | last step | checkpoint |",
                  "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {p['generation']} | {p['seat']} | {p['opponent']} | {p['steps']} | {p['seconds_per_step']} | "
                  f"{p['return_first']} | {p['return_last']} | {p['model']} |" for p in run.llm_phases]
    for key, title in (("asr", "ASR"), ("asr_turn1", "ASR on the first turn"),
                       ("over_refusal", "over-refusal (benign twins under the same attacks)")):
        lines += ["", f"## Cross-play {title} (test split)", "", matrix_table(run.matrix, key)]
    report = out / "REPORT.md"
    report.write_text("\n".join(lines) + "\n")
    return report
