"""Compare agents of one results store: means with bootstrap CIs, and a target agent's change against baselines.

    cauarena compare --out RUN_DIR --target A --baseline B [--baseline C] [--markdown report.md] [--json report.json]
    python -m cauarena.leaderboards.compare ...   (the same options)

Per agent, over every episode (an errored one counts as in the leaderboard: a failure, with the return, tokens
and steps it had when it stopped; ``errors`` says how many): success rate (Wilson interval), reward (episode
return), total tokens (prompt + completion) per episode, generated (completion) tokens per episode, steps per
episode (percentile bootstrap intervals), generated tokens per step. The change of the target against each
baseline is ``mean(target) / mean(baseline) - 1`` over the episodes both played on the same (env, seed,
repeat), with a paired percentile bootstrap interval (episodes resampled together); the same per env (and
configuration) gives the paired difference of the means, ``mean(target - baseline)``, with its interval.
Episodes pair on env, configuration (env kwargs), guard, seed and repeat. Episodes are put in key
order first, so the same store gives the same report whatever order its rows were written in. Used by the DEPO
pipeline.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cauarena.errors import ConfigError
from cauarena.leaderboards.configs import config_label, kwargs_key
from cauarena.leaderboards.stats import bootstrap_ci, mean_interval, percentile_interval

METRICS = {
    "success": "success rate",
    "reward": "reward",
    "total_tokens": "total tokens / episode",
    "generated_tokens": "generated tokens / episode",
    "steps": "steps / episode",
}
"""Per-episode metrics compared, and their labels."""

_PAIR = ["env_id", "config", "guard", "seed", "repeat"]


def episode_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per episode, in (agent, env, seed, repeat) order: the pairing keys, ``error`` and :data:`METRICS`.

    An errored episode stays: it is a failure (the store keeps ``success=False``) with what it had spent.
    """
    error = df["error_kind"] != "none" if "error_kind" in df else pd.Series(False, index=df.index)
    kwargs = df["env_kwargs"] if "env_kwargs" in df else pd.Series([{}] * len(df), index=df.index)
    table = pd.DataFrame({
        "agent": df["agent"], "env_id": df["env_id"], "config": kwargs.map(kwargs_key),
        "guard": df["guard"] if "guard" in df else "none", "seed": df["seed"],
        "repeat": df["repeat"] if "repeat" in df else 0, "error": error.astype(bool),
        "success": df["success"].astype(bool).astype(float), "reward": df["episode_return"].astype(float),
        "total_tokens": (df["prompt_tokens"] + df["completion_tokens"]).astype(float),
        "generated_tokens": df["completion_tokens"].astype(float), "steps": df["steps"].astype(float),
    })  # fmt: skip
    order = ["agent", *_PAIR, *METRICS]
    return table.sort_values(order, kind="mergesort").reset_index(drop=True)


def agent_summary(table: pd.DataFrame, agent: str, n_boot: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Means and CIs of every metric for ``agent`` (Wilson for success, bootstrap otherwise); tokens per step."""
    rows = table[table["agent"] == agent]
    summary: dict[str, Any] = {"agent": agent, "episodes": len(rows), "errors": int(rows["error"].sum())}
    for i, metric in enumerate(METRICS):
        values = rows[metric].to_numpy()
        summary[metric] = (mean_interval(values, rng=np.random.default_rng(seed + i), binary=True)
                           if metric == "success" else bootstrap_ci(values, n_boot=n_boot, seed=seed + i))  # fmt: skip
    steps = rows["steps"].sum()
    summary["generated_tokens_per_step"] = float(rows["generated_tokens"].sum() / steps) if steps else math.nan
    return summary


def relative_change(table: pd.DataFrame, target: str, baseline: str, metric: str, n_boot: int = 2000,
                    seed: int = 0) -> dict[str, float]:
    """``mean(target) / mean(baseline) - 1`` on paired episodes, with a paired bootstrap interval.

    >>> table = pd.DataFrame({"agent": ["a", "a", "b", "b"], "env_id": "e", "config": "{}", "guard": "none",
    ...                       "seed": [0, 1, 0, 1], "repeat": 0, "steps": [4.0, 6.0, 8.0, 12.0]})
    >>> relative_change(table, "a", "b", "steps")["change"]
    -0.5
    """
    t, b = _paired(table, target, baseline, metric)
    if len(t) == 0 or b.sum() == 0:
        return {"change": math.nan, "low": math.nan, "high": math.nan, "pairs": len(t)}
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(t), size=(n_boot, len(t)))
    sums_b = b[index].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        replicates = np.where(sums_b > 0, t[index].sum(axis=1) / sums_b - 1.0, np.nan)
    low, high = percentile_interval(replicates)
    return {"change": float(t.sum() / b.sum() - 1.0), "low": low, "high": high, "pairs": len(t)}


def _paired(table: pd.DataFrame, target: str, baseline: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """The target's and the baseline's values of ``metric`` on the episodes both played, in key order."""
    keyed = table.set_index(["agent", *_PAIR])[metric]
    pairs = pd.concat([keyed.loc[target], keyed.loc[baseline]], axis=1, join="inner", keys=["t", "b"])
    return pairs["t"].to_numpy(float), pairs["b"].to_numpy(float)


def paired_difference(table: pd.DataFrame, target: str, baseline: str, metric: str, n_boot: int = 2000,
                      seed: int = 0) -> dict[str, float]:
    """``mean(target - baseline)`` over paired episodes, with a percentile bootstrap interval of the pairs.

    >>> table = pd.DataFrame({"agent": ["a", "a", "b", "b"], "env_id": "e", "config": "{}", "guard": "none",
    ...                       "seed": [0, 1, 0, 1], "repeat": 0, "success": [1.0, 1.0, 0.0, 1.0]})
    >>> paired_difference(table, "a", "b", "success")["difference"]
    0.5
    """
    t, b = _paired(table, target, baseline, metric)
    if len(t) == 0:
        return {"difference": math.nan, "low": math.nan, "high": math.nan, "pairs": 0}
    mean, low, high = bootstrap_ci(t - b, n_boot=n_boot, seed=seed)
    return {"difference": mean, "low": low, "high": high, "pairs": len(t)}


def _per_env(table: pd.DataFrame, target: str, baselines: Sequence[str], n_boot: int, seed: int) -> dict:
    """Per env and configuration: the target's paired difference against each baseline, every metric."""
    out: dict[str, Any] = {}
    for (env_id, config), rows in table.groupby(["env_id", "config"], sort=True):
        played = set(rows["agent"])
        if target not in played:
            continue
        name = config_label(str(env_id), str(config))
        name = str(env_id) if name == "defaults" else f"{env_id} [{name}]"
        out[name] = {b: {m: paired_difference(rows, target, b, m, n_boot, seed) for m in METRICS}
                     for b in baselines if b in played}  # fmt: skip
    return out


def compare(df: pd.DataFrame, target: str, baselines: Sequence[str], n_boot: int = 2000, seed: int = 0) -> dict:
    """The report: per-agent summaries (baselines, then target) and the target's changes against each baseline.

    Raises:
        ConfigError: an agent with no episode in ``df``.
    """
    table = episode_table(df)
    missing = [a for a in (*baselines, target) if a not in set(table["agent"])]
    if missing:
        raise ConfigError(f"No episodes of {missing} in the store; agents there: {sorted(set(table['agent']))}. "
                          "Fix: pass --target/--baseline names from that list.")
    return {
        "agents": [agent_summary(table, a, n_boot, seed) for a in (*baselines, target)],
        "changes": {b: {m: relative_change(table, target, b, m, n_boot, seed) for m in METRICS} for b in baselines},
        "per_env": _per_env(table, target, baselines, n_boot, seed),
        "target": target,
    }


def _ci(value: tuple[float, float, float], spec: str) -> str:
    mean, low, high = value
    return "n/a" if math.isnan(mean) else f"{mean:{spec}} [{low:{spec}}, {high:{spec}}]"


def _pct(change: dict[str, float]) -> str:
    if math.isnan(change["change"]):
        return "n/a"
    return f"{100 * change['change']:+.1f}% [{100 * change['low']:+.1f}, {100 * change['high']:+.1f}]"


def report_json(report: Any) -> Any:
    """``report`` with every NaN (an undefined change) as ``None``, so strict JSON can hold it.

    >>> report_json({"change": float("nan"), "ci": (0.1, float("nan"))})
    {'change': None, 'ci': [0.1, None]}
    """
    if isinstance(report, float) and math.isnan(report):
        return None
    if isinstance(report, dict):
        return {k: report_json(v) for k, v in report.items()}
    if isinstance(report, list | tuple):
        return [report_json(v) for v in report]
    return report


def to_markdown(report: dict[str, Any]) -> str:
    """The report as two Markdown tables (95% intervals: Wilson for success, percentile bootstrap otherwise)."""
    specs = {"success": ".2f", "reward": ".3f", "total_tokens": ".0f", "generated_tokens": ".1f", "steps": ".2f"}
    head = ["agent", "episodes", "errors", *METRICS.values(), "generated tokens / step"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in report["agents"]:
        cells = [row["agent"], str(row["episodes"]), str(row["errors"]), *(_ci(row[m], specs[m]) for m in METRICS),
                 f"{row['generated_tokens_per_step']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"Change of {report['target']} (paired episodes, 95% CI):", "",
              "| against | " + " | ".join(METRICS.values()) + " |", "|---|" + "---|" * len(METRICS)]
    for baseline, changes in report["changes"].items():
        cells = [_pct(c) for c in changes.values()]
        lines.append(f"| {baseline} | " + " | ".join(cells) + " |")
    return "\n".join(lines + _per_env_lines(report, specs)) + "\n"


def _diff(change: dict[str, float], spec: str) -> str:
    if math.isnan(change["difference"]):
        return "n/a"
    return f"{change['difference']:+{spec}} [{change['low']:+{spec}}, {change['high']:+{spec}}]"


def _per_env_lines(report: dict[str, Any], specs: dict[str, str]) -> list[str]:
    if not report.get("per_env"):
        return []
    lines = ["", f"Per env: {report['target']} minus baseline (paired episodes, 95% CI):", "",
             "| env | against | pairs | " + " | ".join(METRICS.values()) + " |",
             "|---|---|---:|" + "---:|" * len(METRICS)]  # fmt: skip
    for env, against in report["per_env"].items():
        for baseline, diffs in against.items():
            pairs = next(iter(diffs.values()))["pairs"]
            cells = [_diff(diffs[m], specs[m]) for m in METRICS]
            lines.append(f"| {env} | {baseline} | {pairs} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    from cauarena.leaderboards.report import write_atomic
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
        write_atomic(args.markdown, text)
    if args.json:
        write_atomic(args.json, json.dumps(report_json(report), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
