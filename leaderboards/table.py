"""The leaderboard table: one row per (env, configuration, agent, guard), with intervals, ranks and aggregates.

:func:`build_leaderboard` turns one row per episode (the :class:`EpisodeResult` fields) into one row per
(env id, configuration, agent, guard); an env played in several configurations also gets an aggregate row per
(agent, guard) over all of them (``config == "*"``), and every (agent, guard) an ``ALL`` row, a macro average
over envs. The renderers (:mod:`cauarena.leaderboards.render`, :mod:`cauarena.leaderboards.html`) only
format that table.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from cauarena.leaderboards.configs import ALL_CONFIGS, LabelMap, config_label, kwargs_key
from cauarena.leaderboards.headline import derive, family_of
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

KEYS = ["env_id", "config", "agent", "guard"]
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
    "env_id config agent guard privileged rank envs episodes completed success_rate success_ci_low success_ci_high "
    "mean_return return_ci_low return_ci_high steps steps_ci_low steps_ci_high tokens_per_step total_tokens "
    "total_tokens_ci_low total_tokens_ci_high invalid_rate error_rate error_ci_low error_ci_high"
).split()
_COUNTS = {"envs", "episodes", "completed", "successes", "errors", "rank", "privileged"}
_BOOTSTRAPPED = {"return": "episode_return", "steps": "steps", "total_tokens": "tokens"}
"""Means with a percentile bootstrap interval on every row, ``ALL`` rows included (stratified by env)."""


def results_frame(results: Iterable[EpisodeResult]) -> pd.DataFrame:
    """One row per :class:`EpisodeResult`, the input of :func:`build_leaderboard`."""
    return pd.DataFrame([r.model_dump() for r in results])


def metric_columns(lb: pd.DataFrame) -> list[str]:
    """The ``m_<key>`` mean columns of a leaderboard (not their ``_ci_low``/``_ci_high`` interval columns)."""
    return [c for c in lb.columns if c.startswith(METRIC_PREFIX) and not c.endswith(CI_SUFFIXES)]


def _metrics_frame(metrics: pd.Series) -> pd.DataFrame:
    """Expand a column of per-episode metric dicts (or JSON strings) into numeric ``m_<key>`` columns."""
    frame = _json_column(metrics)
    if frame is None:
        records = [json.loads(m) if isinstance(m, str) and m else m if isinstance(m, dict) else {} for m in metrics]
        frame = pd.DataFrame.from_records(records, index=metrics.index)
    out = {f"{METRIC_PREFIX}{key}": pd.to_numeric(frame[key], errors="coerce") for key in frame.columns}
    return pd.DataFrame({k: v for k, v in sorted(out.items()) if v.notna().any()}, index=metrics.index)


def _json_column(texts: pd.Series) -> pd.DataFrame | None:
    """A column of JSON object texts decoded column-wise by Arrow (one column per key, scalars only).

    None when the values are not all non-empty strings, pyarrow is missing, or Arrow cannot read them as one
    table (a key whose type differs between rows, say): the caller then decodes row by row.
    """
    if texts.empty or not pd.api.types.is_string_dtype(texts) or texts.isna().any():
        return None
    try:
        import pyarrow as pa
        from pyarrow import json as pa_json
    except ImportError:
        return None
    try:
        lines = "\n".join(texts.tolist()).encode()
        table = pa_json.read_json(pa.BufferReader(lines), read_options=pa_json.ReadOptions(block_size=1 << 26))
    except (ValueError, TypeError, pa.ArrowException):  # ArrowInvalid is a ValueError
        return None
    if table.num_rows != len(texts):
        return None
    scalars = [n for n, t in zip(table.column_names, table.schema.types, strict=True)
               if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)]
    return pd.DataFrame({n: table.column(n).to_numpy(zero_copy_only=False) for n in scalars}, index=texts.index)


def _kwargs_json(df: pd.DataFrame) -> pd.Series:
    """Canonical kwargs JSON per row, computed once per distinct value (a store has few configurations)."""
    if "env_kwargs" not in df.columns:
        return pd.Series("{}", index=df.index)
    column = df["env_kwargs"]
    if pd.api.types.is_string_dtype(column) and not column.isna().any():
        codes, uniques = pd.factorize(column)
        return pd.Series(np.asarray([kwargs_key(u) for u in uniques], dtype=object)[codes], index=df.index)
    known: dict[Any, str] = {}

    def key(kwargs: Any) -> str:
        try:
            ident = kwargs if isinstance(kwargs, str) else repr(sorted(kwargs.items()))
        except (AttributeError, TypeError):
            return kwargs_key(kwargs)
        if ident not in known:
            known[ident] = kwargs_key(kwargs)
        return known[ident]

    return column.map(key)


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


def _configs(env_ids: pd.Series, kwargs: pd.Series, labels: LabelMap | None) -> pd.Series:
    """The configuration label of every episode (computed once per distinct env and kwargs)."""
    pairs = pd.DataFrame({"env": env_ids, "kwargs": kwargs})
    codes = pairs.groupby(["env", "kwargs"], sort=False).ngroup().to_numpy()
    firsts = pairs.drop_duplicates()
    names = [config_label(env, kw, labels) for env, kw in zip(firsts["env"], firsts["kwargs"], strict=True)]
    return pd.Series(np.asarray(names, dtype=object)[codes], index=env_ids.index)


def _episodes(df: pd.DataFrame, labels: LabelMap | None) -> pd.DataFrame:
    """The normalised per-episode columns (before metrics)."""
    col = {c: (df[c] if c in df.columns else pd.Series(d, index=df.index)) for c, d in _OPTIONAL.items()}
    num = {c: pd.to_numeric(col[c], errors="coerce").fillna(0).astype(float)
           for c in ["repeat", "invalid_actions", "prompt_tokens", "completion_tokens", "wall_time_s"]}  # fmt: skip
    error = col["error_kind"].fillna("none").astype(str) != "none"
    env_ids, kwargs = df["env_id"].astype(str), _kwargs_json(df)
    return pd.DataFrame(
        {
            "key": col["episode_key"].fillna("").astype(str),
            "env_id": env_ids,
            "config": _configs(env_ids, kwargs, labels),
            "agent": df["agent"].astype(str),
            "guard": col["guard"].fillna("none").astype(str),
            "task": df["seed"].astype(str) + "|" + kwargs,
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


def _with_aggregates(ep: pd.DataFrame) -> pd.DataFrame:
    """The episodes, plus a copy (``config = "*"``) of those of every env played in more than one configuration."""
    counts = ep.groupby("env_id")["config"].nunique()
    several = ep[ep["env_id"].isin(counts[counts > 1].index)]
    return pd.concat([ep, several.assign(config=ALL_CONFIGS)], ignore_index=True) if len(several) else ep


def _prepare(df: pd.DataFrame, labels: LabelMap | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Validate the episode rows; return them normalised and in episode-key order, with the metric columns.

    The order of the rows is a function of their content only (the episode key, then the planned fields),
    never of the order workers stored them in, so every mean and every bootstrap draw is reproducible.
    """
    _validate(df)
    ep = _episodes(df, labels)
    metrics = _metrics_frame(df["metrics"]) if "metrics" in df.columns else pd.DataFrame(index=df.index)
    families = ep["env_id"].map(family_of)
    metrics = derive(metrics, families) if len(ep) else metrics
    metrics = metrics[sorted(metrics.columns)]
    ep = _with_aggregates(pd.concat([ep, metrics], axis=1))
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
    """Counts and means per (env, config, agent, guard), over every episode (an errored one counts as stored)."""
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


def _intervals(found: pd.Series, reps: dict[str, np.ndarray], confidence: float) -> dict[str, tuple]:
    row = {"success": wilson_interval(found["successes"], found["episodes"], confidence),
           "error": wilson_interval(found["errors"], found["episodes"], confidence)}  # fmt: skip
    row |= {name: percentile_interval(values, confidence) for name, values in reps.items()}
    return row


def _per_env(ep: pd.DataFrame, metric_cols: list[str], n_boot: int, confidence: float, seed: int):
    """Per (env, config, agent, guard) rows with their intervals, and the bootstrap replicates per group.

    Success and error rates get Wilson intervals; return, steps and tokens a percentile bootstrap; each metric a
    Wilson interval when the metric is 0/1 on every episode of the table, a bootstrap otherwise.
    """
    per, groups = _per_env_means(ep, metric_cols)
    binary = {c: is_binary(ep[c]) for c in metric_cols}
    sample = {name: ep[c].to_numpy() for name, c in _BOOTSTRAPPED.items()}
    metric_values = {c: ep[c].to_numpy() for c in metric_cols}
    replicates, bounds = {}, {}
    for key, idx in groups.indices.items():  # positions ascend, so each group keeps the episode-key order
        reps = {name: bootstrap_means(values[idx], n_boot=n_boot, rng=_rng(seed, key, name))
                for name, values in sample.items()}  # fmt: skip
        replicates[key] = reps
        row = _intervals(per.loc[key], reps, confidence)
        for c in metric_cols:
            row[c] = mean_interval(metric_values[c][idx], rng=_rng(seed, key, c), n_boot=n_boot,
                                   confidence=confidence, binary=binary[c])[1:]  # fmt: skip
        bounds[key] = {f"{name}{suffix}": bound for name, pair in row.items()
                       for suffix, bound in zip(CI_SUFFIXES, pair, strict=True)}  # fmt: skip
    ci = pd.DataFrame.from_dict(bounds, orient="index")
    ci.index = pd.MultiIndex.from_tuples(ci.index, names=KEYS)
    return per.join(ci), replicates


def _pass_k(ep: pd.DataFrame) -> pd.DataFrame:
    """``pass^1..pass^K`` per (env, config, agent, guard), K the most repeats of a task; empty if K < 2.

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
        per: The env-level rows (index with ``env_id``, ``agent`` and ``guard`` levels; a ``privileged`` column).

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


def env_level(per: pd.DataFrame) -> pd.DataFrame:
    """The rows that stand for a whole env: its aggregate row, or its only configuration's row."""
    configs = per.index.get_level_values("config")
    several = set(per.index.get_level_values("env_id")[configs == ALL_CONFIGS])
    envs = per.index.get_level_values("env_id")
    return per[(configs == ALL_CONFIGS) | ~envs.isin(several)]


def _macro_interval(sub: pd.DataFrame, replicates: dict, name: str, n_boot: int, confidence: float) -> tuple:
    stacked = np.array([replicates[key][name] for key in sub.index if not np.isnan(replicates[key][name]).all()])
    macro = stacked.reshape(-1, n_boot).mean(axis=0) if len(stacked) else np.full(1, np.nan)
    return percentile_interval(macro, confidence)


def _overall(per: pd.DataFrame, replicates: dict, reference: frozenset[str], n_boot: int, confidence: float):
    """Macro averages per (agent, guard) over the reference envs it played (its own envs when none).

    Rates get a stratified Wilson interval, return, steps and tokens a bootstrap stratified by env; a row is
    ranked when it is not privileged and played every reference env.
    """
    rows = []
    mean_cols = [c for c in per.columns if c not in _COUNTS and not c.endswith(CI_SUFFIXES)]
    for (agent, guard), all_envs in per.groupby(level=["agent", "guard"], sort=True):
        played = frozenset(all_envs.index.get_level_values("env_id"))
        sub = all_envs[all_envs.index.get_level_values("env_id").isin(played & reference or played)]
        row = sub[mean_cols].mean().to_dict()
        privileged = bool(all_envs["privileged"].any())
        row.update(env_id=OVERALL, config=ALL_CONFIGS, agent=agent, guard=guard, envs=len(sub), privileged=privileged,
                   _ranked=not privileged and reference <= played,
                   **{c: int(sub[c].sum()) for c in ("episodes", "completed", "successes", "errors")})  # fmt: skip
        for name, count in (("success", "successes"), ("error", "errors")):
            row[f"{name}_ci_low"], row[f"{name}_ci_high"] = stratified_wilson(sub[count], sub["episodes"],
                                                                              confidence)[1:]  # fmt: skip
        for name in _BOOTSTRAPPED:
            row[f"{name}_ci_low"], row[f"{name}_ci_high"] = _macro_interval(sub, replicates, name, n_boot, confidence)
        rows.append(row)
    overall = pd.DataFrame(rows)
    overall["rank"] = _rank(overall, overall.pop("_ranked"))
    return overall


def _ranked_per_env(per: pd.DataFrame) -> pd.DataFrame:
    """The per-env rows with their rank among the rows of their (env, config) that are not privileged."""
    flat = per.reset_index()
    flat["rank"] = pd.Series(pd.NA, index=flat.index, dtype="Int64")
    for _, sub in flat.groupby(["env_id", "config"], sort=True):
        flat.loc[sub.index, "rank"] = _rank(sub, ~sub["privileged"])
    return flat


def build_leaderboard(df: pd.DataFrame, *, n_boot: int = 1000, confidence: float = 0.95, seed: int = 0,
                      labels: LabelMap | None = None) -> pd.DataFrame:  # fmt: skip
    """One row per (env_id, config, agent, guard), env aggregates, and one ``ALL`` row per (agent, guard).

    Configurations: ``config`` is the suite's label of the env entry (``labels``), else the env kwargs that
    differ from the env's defaults (``style=scam, surface=tool_output``), else ``defaults``
    (:func:`~cauarena.leaderboards.configs.config_label`). An env played in more than one configuration also
    gets a row per (agent, guard) with ``config == "*"`` over all its episodes (pooled); the ``ALL`` row
    (``config == "*"`` too) averages these env-level rows.

    Errors count: an episode whose ``error_kind`` is not ``none`` is a failure for success and pass^k, adds its
    stored return (the return so far), steps and tokens, and its metrics (what the env computed up to the
    error, so harm done before an error is counted). ``completed``, ``error_rate`` and its interval say how
    many episodes ended in an error.

    Columns: ``env_id, config, agent, guard, privileged`` (a built-in agent that reads the env's truth),
    ``rank`` (competition rank by success then return among the rows of the same env and config that are not
    privileged; on ``ALL`` rows, among the rows that played every reference env, see :func:`reference_envs`;
    empty when unranked), ``envs`` (envs in the row), ``episodes, completed, success_rate, success_ci_low,
    success_ci_high`` (Wilson score interval), ``mean_return, return_ci_low, return_ci_high``, ``steps,
    steps_ci_low, steps_ci_high`` (mean per episode), ``tokens_per_step`` (prompt plus completion tokens over
    all steps; 0 without tokens), ``total_tokens, total_tokens_ci_low, total_tokens_ci_high`` (mean per
    episode; these intervals are percentile bootstraps), ``invalid_rate`` (invalid actions over steps),
    ``error_rate, error_ci_low, error_ci_high`` (Wilson); ``pass^1 .. pass^K`` only when some task (env,
    agent, guard, seed and env kwargs) has K >= 2 repeats (tau-bench's pass^k, mean over tasks with at least k
    repeats); ``wall_time_s`` (mean); then per numeric key of the ``metrics`` dicts (dicts or JSON strings;
    non-numeric values ignored) and per derived headline metric (:func:`~cauarena.leaderboards.headline.derive`),
    sorted by key, ``m_<key>`` (mean over the episodes that have it) and ``m_<key>_ci_low, m_<key>_ci_high``
    (Wilson when the metric is 0/1 everywhere, else bootstrap; empty on ``ALL`` rows).

    The ``ALL`` row is a macro average over the reference envs the row played (its own envs when it played
    none): the unweighted mean of each env-level value (``episodes`` and ``completed`` are summed). Rates get
    a stratified Wilson interval, means a bootstrap stratified by env. Rows are sorted by env_id (``ALL`` rows
    last), then config (aggregates last), then rank, unranked rows after ranked ones by success and return.

    The rows are put in episode-key order before any statistic, and every bootstrap is seeded per (group,
    statistic): the same episodes give byte-identical statistics whatever order they were stored in.

    Args:
        df: One row per episode, with the :class:`EpisodeResult` fields (``env_id, agent, seed,
            episode_return, success, steps`` are required; the others default to their schema defaults).
        n_boot: Bootstrap replicates per interval.
        confidence: Coverage of the intervals.
        seed: Seed of the bootstrap; each group derives its own stream from it and its key.
        labels: Suite labels by ``(env id, kwargs JSON)``
            (:func:`~cauarena.leaderboards.configs.stored_labels` reads those a run recorded).

    Returns:
        The leaderboard; ``attrs`` records ``confidence``, ``n_boot`` and ``reference_envs`` (sorted list).

    Raises:
        ValueError: If a required column is missing or rows mix schema versions.
    """
    ep, metric_cols = _prepare(df, labels)
    if ep.empty:
        lb, reference = pd.DataFrame(columns=[*_HEAD, "wall_time_s"]), frozenset()
    else:
        per, replicates = _per_env(ep, metric_cols, n_boot, confidence, seed)
        passk = _pass_k(ep)
        per = per.join(passk) if not passk.empty else per
        per["envs"] = 1
        whole = env_level(per)
        reference = reference_envs(whole)
        overall = _overall(whole, replicates, reference, n_boot, confidence)
        lb = pd.concat([_ranked_per_env(per), overall], ignore_index=True)
        intervals = [f"{c}{s}" for c in metric_cols for s in ("", *CI_SUFFIXES)]
        lb = lb[[*_HEAD, *passk.columns, "wall_time_s", *intervals]]
        lb = lb.astype({"envs": int, "episodes": int, "completed": int, "privileged": bool, "rank": "Int64"})
        lb = _sorted(lb)
    lb.attrs.update(confidence=confidence, n_boot=n_boot, reference_envs=sorted(reference))
    return lb


def _sorted(lb: pd.DataFrame) -> pd.DataFrame:
    """Per-env rows by env and config (aggregates last), ``ALL`` rows last; ranked rows by rank, then by success."""
    keys = pd.DataFrame({"all": lb["env_id"] == OVERALL, "env": lb["env_id"], "agg": lb["config"] == ALL_CONFIGS,
                         "config": lb["config"], "unranked": lb["rank"].isna(), "rank": lb["rank"].astype(float),
                         "success": lb["success_rate"], "ret": lb["mean_return"], "agent": lb["agent"],
                         "guard": lb["guard"]})  # fmt: skip
    ascending = [True, True, True, True, True, True, False, False, True, True]
    order = keys.sort_values(list(keys.columns), ascending=ascending, na_position="last", kind="mergesort").index
    return lb.loc[order].reset_index(drop=True)
