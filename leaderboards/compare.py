"""Compare agents of one results store: means with bootstrap CIs, and a target agent's change against baselines.

    python -m cauarena.leaderboards.compare --out RUN_DIR --target A --baseline B [--baseline C]
                                            [--markdown report.md] [--json report.json]

Per agent (completed episodes only; an errored episode is its own outcome, as in the leaderboard): success rate,
reward (episode return), total tokens (prompt + completion) per episode, generated (completion) tokens per
episode, steps per episode, generated tokens per step. The change of the target against each baseline is
``mean(target) / mean(baseline) - 1`` over the episodes both completed on the same (env, seed, repeat), with a
paired percentile bootstrap interval (episodes resampled together). Used by the DEPO pipeline.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cauarena.errors import ConfigError
from cauarena.leaderboards.stats import bootstrap_ci, percentile_interval

METRICS = {
    "success": "success rate",
    "reward": "reward",
    "total_tokens": "total tokens / episode",
    "generated_tokens": "generated tokens / episode",
    "steps": "steps / episode",
}
"""Per-episode metrics compared, and their labels."""

_PAIR = ["env_id", "seed", "repeat"]


def episode_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per completed episode: ``agent``, the pairing keys and the :data:`METRICS` columns."""
    done = df[df["error_kind"] == "none"] if "error_kind" in df else df
    return pd.DataFrame({
        "agent": done["agent"], "env_id": done["env_id"], "seed": done["seed"],
        "repeat": done["repeat"] if "repeat" in done else 0,
        "success": done["success"].astype(float), "reward": done["episode_return"].astype(float),
        "total_tokens": (done["prompt_tokens"] + done["completion_tokens"]).astype(float),
        "generated_tokens": done["completion_tokens"].astype(float), "steps": done["steps"].astype(float),
    })


def agent_summary(table: pd.DataFrame, agent: str, n_boot: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Means and bootstrap CIs of every metric for ``agent``; also generated tokens per step."""
    rows = table[table["agent"] == agent]
    summary: dict[str, Any] = {"agent": agent, "episodes": len(rows)}
    for i, metric in enumerate(METRICS):
        summary[metric] = bootstrap_ci(rows[metric].to_numpy(), n_boot=n_boot, seed=seed + i)
    steps = rows["steps"].sum()
    summary["generated_tokens_per_step"] = float(rows["generated_tokens"].sum() / steps) if steps else math.nan
    return summary


def relative_change(table: pd.DataFrame, target: str, baseline: str, metric: str, n_boot: int = 2000,
                    seed: int = 0) -> dict[str, float]:
    """``mean(target) / mean(baseline) - 1`` on paired episodes, with a paired bootstrap interval.

    >>> table = pd.DataFrame({"agent": ["a", "a", "b", "b"], "env_id": "e", "seed": [0, 1, 0, 1], "repeat": 0,
    ...                       "steps": [4.0, 6.0, 8.0, 12.0]})
    >>> relative_change(table, "a", "b", "steps")["change"]
    -0.5
    """
    keyed = table.set_index(["agent", *_PAIR])[metric]
    pairs = pd.concat([keyed.loc[target], keyed.loc[baseline]], axis=1, join="inner", keys=["t", "b"])
    t, b = pairs["t"].to_numpy(float), pairs["b"].to_numpy(float)
    if len(t) == 0 or b.sum() == 0:
        return {"change": math.nan, "low": math.nan, "high": math.nan, "pairs": len(t)}
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(t), size=(n_boot, len(t)))
    sums_b = b[index].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        replicates = np.where(sums_b > 0, t[index].sum(axis=1) / sums_b - 1.0, np.nan)
    low, high = percentile_interval(replicates)
    return {"change": float(t.sum() / b.sum() - 1.0), "low": low, "high": high, "pairs": len(t)}


def compare(df: pd.DataFrame, target: str, baselines: Sequence[str], n_boot: int = 2000, seed: int = 0) -> dict:
    """The report: per-agent summaries (baselines, then target) and the target's changes against each baseline.

    Raises:
        ConfigError: an agent with no completed episode in ``df``.
    """
    table = episode_table(df)
    missing = [a for a in (*baselines, target) if a not in set(table["agent"])]
    if missing:
        raise ConfigError(f"No completed episodes of {missing} in the store; agents there: "
                          f"{sorted(set(table['agent']))}.")
    return {
        "agents": [agent_summary(table, a, n_boot, seed) for a in (*baselines, target)],
        "changes": {b: {m: relative_change(table, target, b, m, n_boot, seed) for m in METRICS} for b in baselines},
        "target": target,
    }


def _ci(value: tuple[float, float, float], spec: str) -> str:
    mean, low, high = value
    return "n/a" if math.isnan(mean) else f"{mean:{spec}} [{low:{spec}}, {high:{spec}}]"


def _pct(change: dict[str, float]) -> str:
    if math.isnan(change["change"]):
        return "n/a"
    return f"{100 * change['change']:+.1f}% [{100 * change['low']:+.1f}, {100 * change['high']:+.1f}]"


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def to_markdown(report: dict[str, Any]) -> str:
    """The report as two Markdown tables (95% percentile bootstrap intervals; n/a where undefined)."""
    specs = {"success": ".2f", "reward": ".3f", "total_tokens": ".0f", "generated_tokens": ".1f", "steps": ".2f"}
    head = ["agent", "episodes", *METRICS.values(), "generated tokens / step"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in report["agents"]:
        cells = [row["agent"], str(row["episodes"]), *(_ci(row[m], specs[m]) for m in METRICS),
                 f"{row['generated_tokens_per_step']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"Change of {report['target']} (paired episodes, 95% CI):", "",
              "| against | " + " | ".join(METRICS.values()) + " |", "|---|" + "---|" * len(METRICS)]
    for baseline, changes in report["changes"].items():
        cells = [_pct(c) for c in changes.values()]
        lines.append(f"| {baseline} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    from cauarena.leaderboards.store import ResultsStore

    parser = argparse.ArgumentParser(description="Compare a target agent against baselines in a results store.")
    parser.add_argument("--out", required=True, help="run directory or SQLAlchemy URL of a results store")
    parser.add_argument("--target", required=True)
    parser.add_argument("--baseline", action="append", required=True)
    parser.add_argument("--markdown", default=None, help="write the Markdown report here")
    parser.add_argument("--json", default=None, help="write the report as JSON here")
    args = parser.parse_args(argv)
    store = ResultsStore(args.out)
    report = compare(store.dataframe(), args.target, args.baseline)
    text = to_markdown(report)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    if args.json:
        Path(args.json).write_text(json.dumps(_json_safe(report), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
