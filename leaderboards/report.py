"""Leaderboards from episode results: one pandas table, rendered to the terminal, Markdown, CSV and HTML.

:func:`build_leaderboard` turns one row per finished episode (the :class:`EpisodeResult` fields) into one
row per (env, agent, guard) plus an overall row per (agent, guard); the renderers only format that table.
"""

from __future__ import annotations

import html
import json
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
from cauarena.leaderboards.stats import bootstrap_means, comb_ratio, percentile_interval

KEYS = ["env_id", "agent", "guard"]
OVERALL = "ALL"
"""The ``env_id`` of the overall (all envs) row of each (agent, guard)."""
METRIC_PREFIX = "m_"
"""Prefix of the columns holding the mean of a per-family metric (``metrics['shd']`` -> ``m_shd``)."""
REQUIRED = ["env_id", "agent", "seed", "episode_return", "success", "steps"]
_OPTIONAL = {"guard": "none", "repeat": 0, "invalid_actions": 0, "prompt_tokens": 0, "completion_tokens": 0,
             "error_kind": "none", "wall_time_s": 0.0}  # fmt: skip
_HEAD = (
    "env_id agent guard envs episodes completed success_rate success_ci_low success_ci_high mean_return "
    "return_ci_low return_ci_high steps tokens_per_step total_tokens invalid_rate error_rate"
).split()


def results_frame(results: Iterable[EpisodeResult]) -> pd.DataFrame:
    """One row per :class:`EpisodeResult`, the input of :func:`build_leaderboard`."""
    return pd.DataFrame([r.model_dump() for r in results])


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


def _prepare(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Validate the episode rows and return them normalised, with the metric column names."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(
            f"episode table lacks column(s) {missing}; expected one row per EpisodeResult "
            "(e.g. results_frame(results) or pd.DataFrame([r.model_dump() for r in results]))"
        )
    if "schema_version" in df.columns and df["schema_version"].nunique() > 1:
        versions = sorted(df["schema_version"].unique().tolist())
        raise ValueError(f"rows of schema versions {versions} cannot share a leaderboard; select one version")
    col = {c: (df[c] if c in df.columns else pd.Series(d, index=df.index)) for c, d in _OPTIONAL.items()}
    num = {
        c: pd.to_numeric(col[c], errors="coerce").fillna(0).astype(float)
        for c in ["invalid_actions", "prompt_tokens", "completion_tokens", "wall_time_s"]
    }
    ep = pd.DataFrame(
        {
            "env_id": df["env_id"].astype(str),
            "agent": df["agent"].astype(str),
            "guard": col["guard"].fillna("none").astype(str),
            "task": _task_keys(df),
            "error": col["error_kind"].fillna("none").astype(str) != "none",
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
    return pd.concat([ep, metrics], axis=1).reset_index(drop=True), list(metrics.columns)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den``, 0 where both are 0 and NaN where only ``den`` is."""
    out = num / den.where(den > 0)
    return out.mask((den <= 0) & (num == 0), 0.0)


def _rng(seed: int, key: tuple[str, ...], what: str) -> np.random.Generator:
    """A generator per (group, statistic): adding a group never changes another group's interval."""
    return np.random.default_rng([seed, zlib.crc32("\x1f".join((*key, what)).encode())])


def _per_env(ep: pd.DataFrame, metric_cols: list[str], n_boot: int, confidence: float, seed: int):
    """Per (env, agent, guard) rows, and the bootstrap replicates of success and return per group."""
    everything = ep.groupby(KEYS, sort=True)
    base = pd.DataFrame({"episodes": everything.size(), "error_rate": everything["error"].mean()})
    done = ep[~ep["error"]]
    groups = done.groupby(KEYS, sort=True)
    agg = groups.agg(
        completed=("success", "size"), success_rate=("success", "mean"), mean_return=("episode_return", "mean"),
        steps=("steps", "mean"), total_tokens=("tokens", "mean"), wall_time_s=("wall_time_s", "mean"),
        steps_sum=("steps", "sum"), tokens_sum=("tokens", "sum"), invalid_sum=("invalid_actions", "sum"),
    )  # fmt: skip
    per = base.join(agg).join(groups[metric_cols].mean())
    per["completed"] = per["completed"].fillna(0).astype(int)
    per["tokens_per_step"] = _ratio(per.pop("tokens_sum"), per["steps_sum"])
    per["invalid_rate"] = _ratio(per.pop("invalid_sum"), per.pop("steps_sum"))
    success, returns = done["success"].to_numpy(), done["episode_return"].to_numpy()
    replicates, bounds = {}, {}
    for key, idx in groups.indices.items():
        reps = (
            bootstrap_means(success[idx], n_boot=n_boot, rng=_rng(seed, key, "success")),
            bootstrap_means(returns[idx], n_boot=n_boot, rng=_rng(seed, key, "return")),
        )
        replicates[key] = reps
        bounds[key] = (*percentile_interval(reps[0], confidence), *percentile_interval(reps[1], confidence))
    ci_cols = ["success_ci_low", "success_ci_high", "return_ci_low", "return_ci_high"]
    ci = pd.DataFrame.from_dict(bounds, orient="index", columns=ci_cols)
    per[ci_cols] = ci.reindex(per.index.to_flat_index()).to_numpy()  # NaN for groups without a completed episode
    return per, replicates


def _pass_k(ep: pd.DataFrame) -> pd.DataFrame:
    """``pass^1..pass^K`` per (env, agent, guard), K the most completed repeats of a task; empty if K < 2."""
    tasks = ep[~ep["error"]].groupby([*KEYS, "task"], sort=True)["success"].agg(["size", "sum"])
    top = int(tasks["size"].max()) if len(tasks) else 0
    if top < 2:
        return pd.DataFrame()
    n, c = tasks["size"].to_numpy(float), tasks["sum"].to_numpy(float)
    values = pd.DataFrame({f"pass^{k}": comb_ratio(c, n, k) for k in range(1, top + 1)}, index=tasks.index)
    return values.groupby(level=KEYS, sort=True).mean()


def _overall(per: pd.DataFrame, replicates: dict, n_boot: int, confidence: float) -> pd.DataFrame:
    """Macro averages over envs per (agent, guard), with a bootstrap stratified by env."""
    rows = []
    mean_cols = [c for c in per.columns if c not in ("episodes", "completed", "envs")]
    for (agent, guard), sub in per.groupby(level=["agent", "guard"], sort=True):
        row = sub[mean_cols].mean().to_dict()
        counts = {"episodes": int(sub["episodes"].sum()), "completed": int(sub["completed"].sum())}
        row.update(env_id=OVERALL, agent=agent, guard=guard, envs=len(sub), **counts)
        reps = [replicates[key] for key in sub.index if key in replicates]
        for i, name in enumerate(["success", "return"]):
            stacked = np.array([r[i] for r in reps if not np.isnan(r[i]).all()]).reshape(-1, n_boot)
            macro = stacked.mean(axis=0) if len(stacked) else np.full(1, np.nan)
            row[f"{name}_ci_low"], row[f"{name}_ci_high"] = percentile_interval(macro, confidence)
        rows.append(row)
    return pd.DataFrame(rows)


def build_leaderboard(df: pd.DataFrame, *, n_boot: int = 1000, confidence: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """One row per (env_id, agent, guard), plus one row per (agent, guard) with ``env_id == "ALL"``.

    Errors are their own outcome: an episode whose ``error_kind`` is not ``none`` counts in ``episodes``
    and ``error_rate`` only. Every other statistic (success, return, pass^k, steps, tokens, invalid
    actions, wall time, family metrics) is computed over the ``completed`` (error-free) episodes.

    Columns: ``env_id, agent, guard, envs`` (number of envs in the row), ``episodes, completed,
    success_rate, success_ci_low, success_ci_high, mean_return, return_ci_low, return_ci_high``
    (percentile bootstrap intervals), ``steps`` (mean per episode), ``tokens_per_step`` (prompt plus
    completion tokens over all steps; 0 without tokens), ``total_tokens`` (mean per episode),
    ``invalid_rate`` (invalid actions over steps), ``error_rate``; ``pass^1 .. pass^K`` only when some
    task (env, agent, guard, seed and env kwargs) has K >= 2 completed repeats (mean over tasks of
    tau-bench's pass^k; tasks with fewer than k completed repeats left out); ``wall_time_s`` (mean); then
    ``m_<key>``, the mean of each numeric key found in the ``metrics`` dicts (dicts or JSON strings;
    non-numeric values ignored), sorted by key.

    The ``ALL`` row is a macro average: the unweighted mean over the agent's envs of each per-env
    value, over the envs that have one (``episodes`` and ``completed`` are summed). Its intervals come
    from a bootstrap stratified by env: each replicate averages one resample of every env. Rows are
    sorted by env_id (``ALL`` rows last), then success_rate and mean_return descending; NaN sorts last.

    Args:
        df: One row per finished episode, with the :class:`EpisodeResult` fields (``env_id, agent,
            seed, episode_return, success, steps`` are required; the others default to their schema
            defaults).
        n_boot: Bootstrap replicates per interval.
        confidence: Coverage of the intervals.
        seed: Seed of the bootstrap; each group derives its own stream from it and its key.

    Returns:
        The leaderboard; ``attrs`` records ``confidence`` and ``n_boot``.

    Raises:
        ValueError: If a required column is missing or rows mix schema versions.
    """
    ep, metric_cols = _prepare(df)
    if ep.empty:
        lb = pd.DataFrame(columns=[*_HEAD, "wall_time_s"])
    else:
        per, replicates = _per_env(ep, metric_cols, n_boot, confidence, seed)
        passk = _pass_k(ep)
        if not passk.empty:
            per = per.join(passk)
        per["envs"] = 1
        lb = pd.concat([per.reset_index(), _overall(per, replicates, n_boot, confidence)], ignore_index=True)
        passk_cols = list(passk.columns)
        lb = lb[[*_HEAD, *passk_cols, "wall_time_s", *metric_cols]]
        lb = lb.astype({"envs": int, "episodes": int, "completed": int}).assign(_all=lb["env_id"] == OVERALL)
        order = ["_all", "env_id", "success_rate", "mean_return", "agent", "guard"]
        lb = lb.sort_values(order, ascending=[True, True, False, False, True, True], na_position="last")
        lb = lb.drop(columns="_all").reset_index(drop=True)
    lb.attrs.update(confidence=confidence, n_boot=n_boot)
    return lb


# ---------------------------------------------------------------- rendering

TITLE = "CauArena leaderboard"


def _fmt(value: Any, spec: str) -> str:
    return "n/a" if value is None or pd.isna(value) else format(value, spec)


def _with_ci(mean: pd.Series, low: pd.Series, high: pd.Series, spec: str) -> list[str]:
    return [
        f"{_fmt(m, spec)} [{_fmt(lo, spec)}, {_fmt(hi, spec)}]" if not pd.isna(m) else "n/a"
        for m, lo, hi in zip(mean, low, high, strict=True)
    ]


def display_frame(lb: pd.DataFrame, *, compact: bool = False) -> pd.DataFrame:
    """The leaderboard as strings under readable headers, shared by every renderer.

    Args:
        lb: A table from :func:`build_leaderboard`.
        compact: Only the ten core columns (env, agent, guard, episodes, success and return with
            intervals, steps, tokens per step, invalid-action rate, error rate); otherwise pass^k,
            wall time and the family metrics follow.

    Returns:
        A frame of strings, one row per leaderboard row; the first three columns are text, the rest
        numbers.
    """
    pct = f"{100 * lb.attrs.get('confidence', 0.95):g}% CI"
    cols: dict[str, Any] = {
        "env": lb["env_id"].astype(str),
        "agent": lb["agent"].astype(str),
        "guard": lb["guard"].astype(str),
        "episodes": lb["episodes"].astype(str),
        f"success [{pct}]": _with_ci(lb["success_rate"], lb["success_ci_low"], lb["success_ci_high"], ".2f"),
        f"return [{pct}]": _with_ci(lb["mean_return"], lb["return_ci_low"], lb["return_ci_high"], ".2f"),
    }
    specs = {"steps": ("steps", ".1f"), "tok/step": ("tokens_per_step", ".1f"),
             "invalid": ("invalid_rate", ".3f"), "errors": ("error_rate", ".3f")}  # fmt: skip
    if not compact:
        specs |= {c: (c, ".2f") for c in lb.columns if c.startswith("pass^")}
        specs |= {"wall s": ("wall_time_s", ".2f")}
        specs |= {c: (c, ".3f") for c in lb.columns if c.startswith(METRIC_PREFIX)}
    for header, (column, spec) in specs.items():
        cols[header] = [_fmt(v, spec) for v in lb[column]]
    return pd.DataFrame(cols, index=lb.index)


def render_terminal(lb: pd.DataFrame, console: Console | None = None, *, title: str = TITLE) -> Table:
    """Print the compact leaderboard as a rich table (names are shown as text, never as markup).

    Args:
        lb: A table from :func:`build_leaderboard`.
        console: Where to print; by default a new :class:`rich.console.Console`, as wide as the table
            when the output is not a terminal.
        title: The table title.

    Returns:
        The printed table.
    """
    shown = display_frame(lb, compact=True)
    table = Table(title=Text(title), title_style="bold", header_style="bold", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True)  # fmt: skip
    for i, name in enumerate(shown.columns):
        # On a narrow terminal the names fold; the numbers stay whole.
        table.add_column(name, justify="left" if i < 3 else "right", overflow="fold", no_wrap=i >= 3)
    envs = shown["env"].tolist()
    for i, row in enumerate(shown.itertuples(index=False)):
        first = i == 0 or envs[i - 1] != envs[i]
        cells = [Text(row[0] if first else "", style="bold"), *(Text(cell) for cell in row[1:])]
        table.add_row(*cells, end_section=i + 1 < len(envs) and envs[i + 1] != envs[i])
    if console is None:
        console = Console()
        if not console.is_terminal:  # a pipe or a log file: no reason to fold at 80 columns
            unbounded = console.options.update_width(10_000)
            console.width = max(console.width, console.measure(table, options=unbounded).maximum)
    console.print(table)
    return table


NOTE = (
    "Every statistic but episodes and errors is over completed episodes: an episode that ended in an error "
    "(agent_error, timeout, env_error) counts in those two only. Intervals: percentile bootstrap. "
    "Rows with env ALL: unweighted mean over the agent's envs, bootstrap stratified by env."
)

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|"})


def _md(text: Any) -> str:
    """One line of Markdown that shows ``text`` literally (HTML-special characters as entities)."""
    return html.escape(" ".join(str(text).split()).translate(_MD_SPECIAL), quote=False)


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
    metric_cols = [c for c in shown.columns if c.startswith(METRIC_PREFIX)]
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


def write_reports(
    lb: pd.DataFrame, out_dir: str | Path, *, title: str = TITLE, metadata: Mapping[str, Any] | None = None
) -> dict[str, Path]:
    """Write ``leaderboard.md``, ``leaderboard.csv`` (every column) and ``leaderboard.html`` into ``out_dir``.

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
    paths = {"md": out / "leaderboard.md", "csv": out / "leaderboard.csv", "html": out / "leaderboard.html"}
    paths["md"].write_text(to_markdown(lb, title=title, metadata=metadata), encoding="utf-8")
    lb.to_csv(paths["csv"], index=False)
    paths["html"].write_text(to_html(lb, title=title, metadata=metadata), encoding="utf-8")
    return paths
