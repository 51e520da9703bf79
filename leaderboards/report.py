"""Leaderboards from episode results: one pandas table, rendered to the terminal, Markdown, CSV and HTML.

:func:`build_leaderboard` turns one row per episode (the :class:`EpisodeResult` fields) into one row per
(env, agent, guard) plus an overall row per (agent, guard); the renderers below only format that table.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cauarena.leaderboards.schema import EpisodeResult
from cauarena.leaderboards.stats import (
    bootstrap_means,
    comb_ratio,
    is_binary,
    mean_interval,
    percentile_interval,
    stratified_wilson,
    wilson_interval,
)

KEYS = ["env_id", "agent", "guard"]
OVERALL = "ALL"
"""The ``env_id`` of the overall (all envs) row of each (agent, guard)."""
METRIC_PREFIX = "m_"
"""Prefix of the columns holding the mean of a per-family metric (``metrics['shd']`` -> ``m_shd``)."""
CI_SUFFIXES = ("_ci_low", "_ci_high")
"""Suffixes of a metric's interval columns (``m_shd_ci_low``, ``m_shd_ci_high``)."""
REQUIRED = ["env_id", "agent", "seed", "episode_return", "success", "steps"]
_OPTIONAL = {"guard": "none", "repeat": 0, "invalid_actions": 0, "prompt_tokens": 0, "completion_tokens": 0,
             "error_kind": "none", "wall_time_s": 0.0, "privileged": False, "episode_key": ""}  # fmt: skip
_HEAD = (
    "env_id agent guard privileged rank envs episodes completed success_rate success_ci_low success_ci_high "
    "mean_return return_ci_low return_ci_high steps tokens_per_step total_tokens invalid_rate error_rate "
    "error_ci_low error_ci_high"
).split()
_COUNTS = {"envs", "episodes", "completed", "successes", "errors", "rank", "privileged"}


def results_frame(results: Iterable[EpisodeResult]) -> pd.DataFrame:
    """One row per :class:`EpisodeResult`, the input of :func:`build_leaderboard`."""
    return pd.DataFrame([r.model_dump() for r in results])


def metric_columns(lb: pd.DataFrame) -> list[str]:
    """The ``m_<key>`` mean columns of a leaderboard (not their ``_ci_low``/``_ci_high`` interval columns)."""
    return [c for c in lb.columns if c.startswith(METRIC_PREFIX) and not c.endswith(CI_SUFFIXES)]


def _metrics_frame(metrics: pd.Series) -> pd.DataFrame:
    """Expand a column of per-episode metric dicts (or JSON strings) into numeric ``m_<key>`` columns."""
    records = [json.loads(m) if isinstance(m, str) and m else m if isinstance(m, dict) else {} for m in metrics]
    frame = pd.DataFrame.from_records(records, index=metrics.index)
    out = {f"{METRIC_PREFIX}{key}": pd.to_numeric(frame[key], errors="coerce") for key in frame.columns}
    return pd.DataFrame({k: v for k, v in sorted(out.items()) if v.notna().any()}, index=metrics.index)


def _task_keys(df: pd.DataFrame) -> pd.Series:
    """What repeats of one task share: the seed, and the env kwargs when the rows carry them."""
    seeds = df["seed"].astype(str)
    if "env_kwargs" not in df.columns:
        return seeds
    return seeds + "|" + df["env_kwargs"].map(lambda kw: json.dumps(kw, sort_keys=True, default=str))


def _validate(df: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(
            f"episode table lacks column(s) {missing}; expected one row per EpisodeResult "
            "(e.g. results_frame(results) or pd.DataFrame([r.model_dump() for r in results]))"
        )
    if "schema_version" in df.columns and df["schema_version"].nunique() > 1:
        versions = sorted(df["schema_version"].unique().tolist())
        raise ValueError(f"rows of schema versions {versions} cannot share a leaderboard; select one version")


def _prepare(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Validate the episode rows; return them normalised and in episode-key order, with the metric columns.

    The order of the rows is a function of their content only (the episode key, then the planned fields),
    never of the order workers stored them in, so every mean and every bootstrap draw is reproducible.
    """
    _validate(df)
    col = {c: (df[c] if c in df.columns else pd.Series(d, index=df.index)) for c, d in _OPTIONAL.items()}
    num = {c: pd.to_numeric(col[c], errors="coerce").fillna(0).astype(float)
           for c in ["repeat", "invalid_actions", "prompt_tokens", "completion_tokens", "wall_time_s"]}  # fmt: skip
    error = col["error_kind"].fillna("none").astype(str) != "none"
    ep = pd.DataFrame(
        {
            "key": col["episode_key"].fillna("").astype(str),
            "env_id": df["env_id"].astype(str),
            "agent": df["agent"].astype(str),
            "guard": col["guard"].fillna("none").astype(str),
            "task": _task_keys(df),
            "repeat": num["repeat"],
            "privileged": col["privileged"].fillna(False).astype(bool),
            "error": error.astype(float),
            "done": (~error).astype(float),
            "success": df["success"].fillna(False).astype(bool).astype(float),
            "episode_return": pd.to_numeric(df["episode_return"], errors="coerce").astype(float),
            "steps": pd.to_numeric(df["steps"], errors="coerce").fillna(0).astype(float),
            "invalid_actions": num["invalid_actions"],
            "tokens": num["prompt_tokens"] + num["completion_tokens"],
            "wall_time_s": num["wall_time_s"],
        },
        index=df.index,
    )
    metrics = _metrics_frame(df["metrics"]) if "metrics" in df.columns else pd.DataFrame(index=df.index)
    ep = pd.concat([ep, metrics], axis=1)
    order = ["key", *KEYS, "task", "repeat", "success", "episode_return", "steps", "error", *metrics.columns]
    ep = ep.sort_values(order, kind="mergesort", na_position="last").reset_index(drop=True)
    return ep, list(metrics.columns)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den``, 0 where both are 0 and NaN where only ``den`` is."""
    out = num / den.where(den > 0)
    return out.mask((den <= 0) & (num == 0), 0.0)


def _rng(seed: int, key: tuple[str, ...], what: str) -> np.random.Generator:
    """A generator per (group, statistic): adding a group never changes another group's interval."""
    return np.random.default_rng([seed, zlib.crc32("\x1f".join((*key, what)).encode())])


def _per_env_means(ep: pd.DataFrame, metric_cols: list[str]) -> tuple[pd.DataFrame, Any]:
    """Counts and means per (env, agent, guard), over every episode (an errored one counts as stored)."""
    groups = ep.groupby(KEYS, sort=True)
    per = groups.agg(
        privileged=("privileged", "max"), episodes=("success", "size"), completed=("done", "sum"),
        successes=("success", "sum"), errors=("error", "sum"), success_rate=("success", "mean"),
        mean_return=("episode_return", "mean"), steps=("steps", "mean"), total_tokens=("tokens", "mean"),
        error_rate=("error", "mean"), wall_time_s=("wall_time_s", "mean"), steps_sum=("steps", "sum"),
        tokens_sum=("tokens", "sum"), invalid_sum=("invalid_actions", "sum"),
    )  # fmt: skip
    per = per.join(groups[metric_cols].mean())
    per["tokens_per_step"] = _ratio(per.pop("tokens_sum"), per["steps_sum"])
    per["invalid_rate"] = _ratio(per.pop("invalid_sum"), per.pop("steps_sum"))
    return per, groups


def _per_env(ep: pd.DataFrame, metric_cols: list[str], n_boot: int, confidence: float, seed: int):
    """Per (env, agent, guard) rows with their intervals, and the bootstrap replicates of return per group.

    Success and error rates get Wilson intervals; the return a percentile bootstrap; each metric a Wilson
    interval when the metric is 0/1 on every episode of the table, a bootstrap otherwise.
    """
    per, groups = _per_env_means(ep, metric_cols)
    binary = {c: is_binary(ep[c]) for c in metric_cols}
    returns, metric_values = ep["episode_return"].to_numpy(), {c: ep[c].to_numpy() for c in metric_cols}
    replicates, bounds = {}, {}
    for key, idx in groups.indices.items():  # positions ascend, so each group keeps the episode-key order
        reps = bootstrap_means(returns[idx], n_boot=n_boot, rng=_rng(seed, key, "return"))
        replicates[key] = reps
        found = per.loc[key]
        row = {
            "success": wilson_interval(found["successes"], found["episodes"], confidence),
            "return": percentile_interval(reps, confidence),
            "error": wilson_interval(found["errors"], found["episodes"], confidence),
        }
        for c in metric_cols:
            rng = _rng(seed, key, c)
            row[c] = mean_interval(metric_values[c][idx], rng=rng, n_boot=n_boot, confidence=confidence,
                                   binary=binary[c])[1:]  # fmt: skip
        bounds[key] = {f"{name}{suffix}": bound for name, pair in row.items()
                       for suffix, bound in zip(CI_SUFFIXES, pair, strict=True)}  # fmt: skip
    ci = pd.DataFrame.from_dict(bounds, orient="index")
    ci.index = pd.MultiIndex.from_tuples(ci.index, names=KEYS)
    return per.join(ci), replicates


def _pass_k(ep: pd.DataFrame) -> pd.DataFrame:
    """``pass^1..pass^K`` per (env, agent, guard), K the most repeats of a task; empty if K < 2.

    An errored repeat is a failed one.
    """
    tasks = ep.groupby([*KEYS, "task"], sort=True)["success"].agg(["size", "sum"])
    top = int(tasks["size"].max()) if len(tasks) else 0
    if top < 2:
        return pd.DataFrame()
    n, c = tasks["size"].to_numpy(float), tasks["sum"].to_numpy(float)
    values = pd.DataFrame({f"pass^{k}": comb_ratio(c, n, k) for k in range(1, top + 1)}, index=tasks.index)
    return values.groupby(level=KEYS, sort=True).mean()


# ---------------------------------------------------------------- ranking


def _envs_played(per: pd.DataFrame) -> dict[tuple[str, str], frozenset[str]]:
    """The envs each (agent, guard) played."""
    frame = per.index.to_frame(index=False)
    return {pair: frozenset(sub["env_id"]) for pair, sub in frame.groupby(["agent", "guard"], sort=True)}


def reference_envs(per: pd.DataFrame) -> frozenset[str]:
    """The envs the ``ALL`` ranking compares rows on: the largest set that many ranked rows all played.

    Ranked rows are the (agent, guard) pairs that are not privileged. Among the env sets they played, the one
    that maximises (rows that played all of it) x (envs in it) wins, ties to more rows, then more envs, then
    the names; a suite where every agent plays every env gets every env. Without a ranked row, every env.

    Args:
        per: The per-env rows (index env_id, agent, guard; a ``privileged`` column).

    Returns:
        The reference env ids.
    """
    played = _envs_played(per)
    privileged = per.groupby(level=["agent", "guard"])["privileged"].max()
    ranked = [envs for pair, envs in played.items() if not privileged[pair]]
    if not ranked:
        return frozenset(per.index.get_level_values("env_id"))

    def score(envs: frozenset[str]) -> tuple[int, int, int, tuple[str, ...]]:
        rows = sum(envs <= other for other in ranked)
        return rows * len(envs), rows, len(envs), tuple(sorted(envs))

    return max(set(ranked), key=score)


def _rank(rows: pd.DataFrame, ranked: pd.Series) -> pd.Series:
    """Competition ranks (1, 2, 2, 4) of the ``ranked`` rows by success then return, both descending."""
    keys = list(zip(-rows["success_rate"].fillna(-np.inf), -rows["mean_return"].fillna(-np.inf), strict=True))
    out = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    ordered = sorted((k, i) for i, k in zip(rows.index, keys, strict=True) if ranked[i])
    for position, (k, i) in enumerate(ordered):
        out[i] = position + 1 if position == 0 or ordered[position - 1][0] != k else out[ordered[position - 1][1]]
    return out


def _overall(per: pd.DataFrame, replicates: dict, reference: frozenset[str], n_boot: int, confidence: float):
    """Macro averages per (agent, guard) over the reference envs it played (its own envs when none).

    Rates get a stratified Wilson interval, the return a bootstrap stratified by env; a row is ranked when it
    is not privileged and played every reference env.
    """
    rows = []
    mean_cols = [c for c in per.columns if c not in _COUNTS and not c.endswith(CI_SUFFIXES)]
    for (agent, guard), all_envs in per.groupby(level=["agent", "guard"], sort=True):
        played = frozenset(all_envs.index.get_level_values("env_id"))
        sub = all_envs[all_envs.index.get_level_values("env_id").isin(played & reference or played)]
        row = sub[mean_cols].mean().to_dict()
        privileged = bool(all_envs["privileged"].any())
        row.update(env_id=OVERALL, agent=agent, guard=guard, envs=len(sub), privileged=privileged,
                   _ranked=not privileged and reference <= played,
                   **{c: int(sub[c].sum()) for c in ("episodes", "completed", "successes", "errors")})  # fmt: skip
        for name, count in (("success", "successes"), ("error", "errors")):
            row[f"{name}_ci_low"], row[f"{name}_ci_high"] = stratified_wilson(sub[count], sub["episodes"],
                                                                              confidence)[1:]  # fmt: skip
        stacked = np.array([replicates[key] for key in sub.index if not np.isnan(replicates[key]).all()])
        macro = stacked.reshape(-1, n_boot).mean(axis=0) if len(stacked) else np.full(1, np.nan)
        row["return_ci_low"], row["return_ci_high"] = percentile_interval(macro, confidence)
        rows.append(row)
    overall = pd.DataFrame(rows)
    overall["rank"] = _rank(overall, overall.pop("_ranked"))
    return overall


def _ranked_per_env(per: pd.DataFrame) -> pd.DataFrame:
    """The per-env rows with their rank among the rows of their env that are not privileged."""
    flat = per.reset_index()
    flat["rank"] = pd.Series(pd.NA, index=flat.index, dtype="Int64")
    for _, sub in flat.groupby("env_id", sort=True):
        flat.loc[sub.index, "rank"] = _rank(sub, ~sub["privileged"])
    return flat


def build_leaderboard(df: pd.DataFrame, *, n_boot: int = 1000, confidence: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """One row per (env_id, agent, guard), plus one row per (agent, guard) with ``env_id == "ALL"``.

    Errors count: an episode whose ``error_kind`` is not ``none`` is a failure for success and pass^k, adds its
    stored return (the return so far), steps and tokens, and its metrics (what the env computed up to the
    error, so harm done before an error is counted). ``completed``, ``error_rate`` and its interval say how
    many episodes ended in an error.

    Columns: ``env_id, agent, guard, privileged`` (a built-in agent that reads the env's truth), ``rank``
    (competition rank by success then return among the rows of the env that are not privileged; on ``ALL``
    rows, among the rows that played every reference env, see :func:`reference_envs`; empty when unranked),
    ``envs`` (envs in the row), ``episodes, completed, success_rate, success_ci_low, success_ci_high``
    (Wilson score interval), ``mean_return, return_ci_low, return_ci_high`` (percentile bootstrap),
    ``steps`` (mean per episode), ``tokens_per_step`` (prompt plus completion tokens over all steps; 0
    without tokens), ``total_tokens`` (mean per episode), ``invalid_rate`` (invalid actions over steps),
    ``error_rate, error_ci_low, error_ci_high`` (Wilson); ``pass^1 .. pass^K`` only when some task (env,
    agent, guard, seed and env kwargs) has K >= 2 repeats (tau-bench's pass^k, mean over tasks with at
    least k repeats); ``wall_time_s`` (mean); then per numeric key of the ``metrics`` dicts (dicts or JSON
    strings; non-numeric values ignored), sorted by key, ``m_<key>`` (mean over the episodes that have it)
    and ``m_<key>_ci_low, m_<key>_ci_high`` (Wilson when the metric is 0/1 everywhere, else bootstrap;
    empty on ``ALL`` rows).

    The ``ALL`` row is a macro average over the reference envs the row played (its own envs when it played
    none): the unweighted mean of each per-env value (``episodes`` and ``completed`` are summed). Rates get
    a stratified Wilson interval, the return a bootstrap stratified by env. Rows are sorted by env_id
    (``ALL`` rows last), then rank, unranked rows after ranked ones by success and return descending.

    The rows are put in episode-key order before any statistic, and every bootstrap is seeded per (group,
    statistic): the same episodes give byte-identical statistics whatever order they were stored in.

    Args:
        df: One row per episode, with the :class:`EpisodeResult` fields (``env_id, agent, seed,
            episode_return, success, steps`` are required; the others default to their schema defaults).
        n_boot: Bootstrap replicates per interval.
        confidence: Coverage of the intervals.
        seed: Seed of the bootstrap; each group derives its own stream from it and its key.

    Returns:
        The leaderboard; ``attrs`` records ``confidence``, ``n_boot`` and ``reference_envs`` (sorted list).

    Raises:
        ValueError: If a required column is missing or rows mix schema versions.
    """
    ep, metric_cols = _prepare(df)
    if ep.empty:
        lb, reference = pd.DataFrame(columns=[*_HEAD, "wall_time_s"]), frozenset()
    else:
        per, replicates = _per_env(ep, metric_cols, n_boot, confidence, seed)
        passk = _pass_k(ep)
        per = per.join(passk) if not passk.empty else per
        per["envs"] = 1
        reference = reference_envs(per)
        overall = _overall(per, replicates, reference, n_boot, confidence)
        lb = pd.concat([_ranked_per_env(per), overall], ignore_index=True)
        intervals = [f"{c}{s}" for c in metric_cols for s in ("", *CI_SUFFIXES)]
        lb = lb[[*_HEAD, *passk.columns, "wall_time_s", *intervals]]
        lb = lb.astype({"envs": int, "episodes": int, "completed": int, "privileged": bool, "rank": "Int64"})
        lb = _sorted(lb)
    lb.attrs.update(confidence=confidence, n_boot=n_boot, reference_envs=sorted(reference))
    return lb


def _sorted(lb: pd.DataFrame) -> pd.DataFrame:
    """Per-env rows by env, ``ALL`` rows last; in each, ranked rows by rank, then the others by success."""
    keys = pd.DataFrame({"all": lb["env_id"] == OVERALL, "env": lb["env_id"], "unranked": lb["rank"].isna(),
                         "rank": lb["rank"].astype(float), "success": lb["success_rate"],
                         "ret": lb["mean_return"], "agent": lb["agent"], "guard": lb["guard"]})  # fmt: skip
    order = keys.sort_values(list(keys.columns), ascending=[True, True, True, True, False, False, True, True],
                             na_position="last", kind="mergesort").index  # fmt: skip
    return lb.loc[order].reset_index(drop=True)


# ---------------------------------------------------------------- rendering

TITLE = "CauArena leaderboard"
PRIVILEGED_MARK = "\u2020"
"""Shown after the agent name of a privileged row (one that reads the env's truth; never ranked)."""

_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def visible(text: Any) -> str:
    r"""``text`` with control, bidi and invisible format characters written as escapes (``\u202e``).

    A name can then neither reorder nor hide the text around it on a terminal or a page.

    >>> print(visible("evil\u202egnp.exe"), visible("a\x00b\tc"))
    evil\u202egnp.exe a\x00b\x09c
    """
    return _HIDDEN.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", str(text))


def _fmt(value: Any, spec: str) -> str:
    return "n/a" if value is None or pd.isna(value) else format(value, spec)


def _with_ci(mean: pd.Series, low: pd.Series, high: pd.Series, spec: str) -> list[str]:
    return [
        f"{_fmt(m, spec)} [{_fmt(lo, spec)}, {_fmt(hi, spec)}]" if not (pd.isna(m) or pd.isna(lo)) else _fmt(m, spec)
        for m, lo, hi in zip(mean, low, high, strict=True)
    ]


def agent_label(agent: Any, privileged: Any) -> str:
    """The agent name as shown: escaped by :func:`visible`, with :data:`PRIVILEGED_MARK` when privileged."""
    return visible(agent) + (f" {PRIVILEGED_MARK}" if bool(privileged) else "")


def _env_label(env: Any, envs: Any) -> str:
    return f"{OVERALL} ({envs} env{'s' if envs != 1 else ''})" if env == OVERALL else visible(env)


def display_frame(lb: pd.DataFrame, *, compact: bool = False) -> pd.DataFrame:
    """The leaderboard as strings under readable headers, shared by every renderer.

    Args:
        lb: A table from :func:`build_leaderboard`.
        compact: Only the core columns (env, agent, guard, rank, episodes, success and return with
            intervals, steps, tokens per step, invalid-action rate, error rate); otherwise pass^k,
            wall time and the family metrics (with their intervals) follow.

    Returns:
        A frame of strings, one row per leaderboard row; the first three columns are text (control and bidi
        characters escaped, privileged agents marked, ``ALL`` rows with their env count), the rest numbers.
    """
    pct = f"{100 * lb.attrs.get('confidence', 0.95):g}% CI"
    privileged = lb["privileged"] if "privileged" in lb else pd.Series(False, index=lb.index)
    envs = lb["envs"] if "envs" in lb else pd.Series(1, index=lb.index)
    cols: dict[str, Any] = {
        "env": [_env_label(e, n) for e, n in zip(lb["env_id"], envs, strict=True)],
        "agent": [agent_label(a, p) for a, p in zip(lb["agent"], privileged, strict=True)],
        "guard": [visible(g) for g in lb["guard"]],
        "#": [_fmt(r, "d") if not pd.isna(r) else "" for r in lb["rank"]] if "rank" in lb else "",
        "episodes": lb["episodes"].astype(str),
        f"success [{pct}]": _with_ci(lb["success_rate"], lb["success_ci_low"], lb["success_ci_high"], ".2f"),
        f"return [{pct}]": _with_ci(lb["mean_return"], lb["return_ci_low"], lb["return_ci_high"], ".2f"),
    }
    specs = {"steps": ("steps", ".1f"), "tok/step": ("tokens_per_step", ".1f"),
             "invalid": ("invalid_rate", ".3f"), "errors": ("error_rate", ".3f")}  # fmt: skip
    if not compact:
        specs |= {c: (c, ".2f") for c in lb.columns if c.startswith("pass^")}
        specs |= {"wall s": ("wall_time_s", ".2f")}
    for header, (column, spec) in specs.items():
        cols[header] = [_fmt(v, spec) for v in lb[column]]
    if not compact:
        for c in metric_columns(lb):
            low, high = (lb.get(f"{c}{s}", pd.Series(np.nan, index=lb.index)) for s in CI_SUFFIXES)
            cols[visible(c)] = _with_ci(lb[c], low, high, ".3f")
    return pd.DataFrame(cols, index=lb.index)


_TERMINAL_WIDTHS = {"env": (10, 18), "agent": (10, 16), "guard": (4, 10)}
"""(least, comfortable) width of the text columns of the terminal table; longer names fold onto more lines.
Columns are left out until the table fits with its names at their comfortable width."""
_TERMINAL_DROP = ["tok/step", "invalid", "steps", "episodes", "return", "#"]
"""Columns the terminal table leaves out, in this order, until it fits the console; env, agent, success and
errors always stay (guard leaves after tok/step when every row is unguarded)."""


def _terminal_table(shown: pd.DataFrame, title: str, caption: str | None, *, comfortable: bool = False) -> Table:
    table = Table(title=Text(title), title_style="bold", header_style="bold", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True, caption=caption)  # fmt: skip
    for i, name in enumerate(shown.columns):
        low, high = _TERMINAL_WIDTHS.get(name, (None, None))
        high = high if comfortable else None
        table.add_column(name, justify="left" if i < 3 else "right", overflow="fold", no_wrap=name not in
                         _TERMINAL_WIDTHS, min_width=low, max_width=high)  # fmt: skip
    envs = shown["env"].tolist()
    for i, row in enumerate(shown.itertuples(index=False)):
        first = i == 0 or envs[i - 1] != envs[i]
        cells = [Text(row[0] if first else "", style="bold"), *(Text(cell) for cell in row[1:])]
        table.add_row(*cells, end_section=i + 1 < len(envs) and envs[i + 1] != envs[i])
    return table


def _natural_width(console: Console, table: Table) -> int:
    return console.measure(table, options=console.options.update_width(10_000)).maximum


def _terminal_frame(lb: pd.DataFrame) -> pd.DataFrame:
    shown = display_frame(lb, compact=True)
    shown["env"] = [e.removeprefix("cauarena/") for e in shown["env"]]
    return shown


def render_terminal(lb: pd.DataFrame, console: Console | None = None, *, title: str = TITLE) -> Table:
    """Print the compact leaderboard as a rich table (names are shown as text, never as markup).

    On a narrow console the table leaves out columns (see :data:`_TERMINAL_DROP`) before it squeezes the env
    and agent names, which fold onto more lines instead of vanishing; env ids are shown without ``cauarena/``.

    Args:
        lb: A table from :func:`build_leaderboard`.
        console: Where to print; by default a new :class:`rich.console.Console`, as wide as the table
            when the output is not a terminal.
        title: The table title.

    Returns:
        The printed table.
    """
    shown = _terminal_frame(lb)
    caption = (f"{PRIVILEGED_MARK} privileged (reads the env's truth): not ranked"
               if "privileged" in lb and lb["privileged"].any() else None)  # fmt: skip
    title = visible(title)
    table = _terminal_table(shown, title, caption)
    if console is None:
        console = Console()
        if not console.is_terminal:  # a pipe or a log file: no reason to fold at 80 columns
            console.width = max(console.width, _natural_width(console, table))
    drops = list(_TERMINAL_DROP)
    if (shown["guard"] == "none").all():
        drops.insert(1, "guard")
    for i in range(len(drops) + 1):
        gone = [c for c in shown.columns if any(c == d or c.startswith(f"{d} [") for d in drops[:i])]
        table = _terminal_table(shown.drop(columns=gone), title, caption)
        if _natural_width(console, _terminal_table(shown.drop(columns=gone), title, caption, comfortable=True)) \
                <= console.width:
            break
    console.print(table)
    return table


NOTE = (
    "An episode that ended in an error (agent_error, timeout, env_error, worker_died, oom) counts as a failure: "
    "success and pass^k count it as failed, return, steps and tokens as stored (up to the error), and metrics "
    "average over every episode that has them, errored ones included, so harm done before an error counts; "
    "completed and errors say how many ended in an error. Intervals: Wilson score for rates (success, errors, "
    "0/1 metrics), percentile bootstrap for means. # ranks the rows that are not privileged; "
    f"{PRIVILEGED_MARK} marks a privileged agent (it reads the env's truth): shown, never ranked. "
    "ALL rows: unweighted mean over the reference envs (the largest set of envs that the ranked rows all "
    "played; a row that missed one is not ranked), env count in brackets; rates get a stratified Wilson "
    "interval, returns a bootstrap stratified by env."
)

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|"})


def _md(text: Any) -> str:
    """One line of Markdown that shows ``text`` literally (HTML-special characters as entities)."""
    return html.escape(" ".join(visible(text).split()).translate(_MD_SPECIAL), quote=False)


def _family_of(env_id: str) -> str:
    """The registered family of ``env_id`` (``other`` for ids this process does not know)."""
    from cauarena.registration import env_entry

    try:
        return env_entry(env_id).family
    except Exception:  # noqa: BLE001 - an unregistered or module-qualified id still renders
        return "other"


def _md_table(shown: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(_md(c) for c in shown.columns) + " |",
             "|" + "|".join("---" if i < 3 else "---:" for i in range(len(shown.columns))) + "|"]
    return lines + ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in shown.itertuples(index=False)]


def family_tables(lb: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The display table split by env family, then the all-envs rows.

    Each part keeps only the family metrics it has: a metric column that is ``n/a`` on every row of a part is
    dropped, and the all-envs part (macro averages over different families) shows none.
    """
    shown = display_frame(lb)
    metric_cols = [visible(c) for c in metric_columns(lb)]
    families = [None if e == OVERALL else _family_of(str(e)) for e in lb["env_id"]]
    groups = []
    for family in dict.fromkeys(f for f in families if f is not None):
        part = shown[[f == family for f in families]]
        empty = [c for c in metric_cols if (part[c] == "n/a").all()]
        groups.append((family, part.drop(columns=empty)))
    overall = shown[[f is None for f in families]]
    if len(overall):
        groups.append(("all envs", overall.drop(columns=metric_cols)))
    return groups


def to_markdown(lb: pd.DataFrame, *, title: str = TITLE, metadata: Mapping[str, Any] | None = None) -> str:
    """The leaderboard as a Markdown document: a heading, the run metadata, a table per env family and a note.

    Args:
        lb: A table from :func:`build_leaderboard`.
        title: The heading.
        metadata: Run information shown as a list above the tables (keys and values as text).

    Returns:
        The Markdown text.
    """
    lines = [f"# {_md(title)}", ""]
    if metadata:
        lines += [f"- **{_md(key)}**: {_md(value)}" for key, value in metadata.items()] + [""]
    for name, part in family_tables(lb):
        lines += [f"## {_md(name)}", "", *_md_table(part), ""]
    return "\n".join([*lines, _md(NOTE), ""])


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A text cell that a spreadsheet will not run as a formula.

    A cell that begins with ``= + - @``, a tab or a carriage return gets a leading ``'`` (OWASP's advice against
    CSV injection); other values are returned as they are.

    >>> csv_safe("=HYPERLINK(1)"), csv_safe("oracle"), csv_safe(-1.5)
    ("'=HYPERLINK(1)", 'oracle', -1.5)
    """
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def to_csv(lb: pd.DataFrame) -> str:
    """The leaderboard as CSV text: every column, text cells neutralised by :func:`csv_safe`."""
    text_cols = [c for c in lb.columns if lb[c].dtype == object or pd.api.types.is_string_dtype(lb[c])]
    safe = lb.assign(**{c: lb[c].map(csv_safe) for c in text_cols})
    return safe.rename(columns=csv_safe).to_csv(index=False, lineterminator="\n")


def write_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder and :func:`os.replace`.

    A reader sees the old file or the new one, never a part: a kill mid-write leaves the old file and a stray
    ``.<name>.*.tmp`` at most.

    Args:
        path: The file to (re)write.
        text: Its new content.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_reports(
    lb: pd.DataFrame, out_dir: str | Path, *, title: str = TITLE, metadata: Mapping[str, Any] | None = None
) -> dict[str, Path]:
    """Write ``leaderboard.md``, ``leaderboard.csv`` (every column) and ``leaderboard.html`` into ``out_dir``.

    Each file is written whole to a temporary file and renamed over the old one (:func:`write_atomic`).

    Args:
        lb: A table from :func:`build_leaderboard`.
        out_dir: The directory (created when missing).
        title: Title of the Markdown and HTML pages.
        metadata: Run information shown in the Markdown and HTML pages.

    Returns:
        The written paths under the keys ``md``, ``csv`` and ``html``.
    """
    from cauarena.leaderboards.html import to_html  # html imports this module: import it at call time

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = {"md": to_markdown(lb, title=title, metadata=metadata), "csv": to_csv(lb),
             "html": to_html(lb, title=title, metadata=metadata)}  # fmt: skip
    return {kind: write_atomic(out / f"leaderboard.{kind}", text) for kind, text in texts.items()}
