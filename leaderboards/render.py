"""Render a leaderboard table: display strings, per-family tables, terminal, Markdown, CSV, JSON and LaTeX.

Every renderer reads the table of :func:`~cauarena.leaderboards.table.build_leaderboard`. Each family table
leads with the family's headline metrics (:mod:`cauarena.leaderboards.headline`), each with its interval;
``columns`` chooses other metrics instead.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cauarena.envs.headline import Metric
from cauarena.leaderboards.configs import ALL_CONFIGS, DEFAULTS
from cauarena.leaderboards.headline import column, family_of, headline_for, interval_columns
from cauarena.leaderboards.table import OVERALL, metric_columns

TITLE = "CauArena leaderboard"
PRIVILEGED_MARK = "\u2020"
"""Shown after the agent name of a privileged row (one that reads the env's truth; never ranked)."""

_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_CORE = (Metric("success", "success"), Metric("return", "return"))
"""What the all-envs table shows (macro averages over families share nothing else)."""


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


def _config_counts(lb: pd.DataFrame) -> dict[str, int]:
    rows = lb[(lb["env_id"] != OVERALL) & (lb["config"] != ALL_CONFIGS)] if "config" in lb else lb.iloc[:0]
    return rows.groupby("env_id")["config"].nunique().to_dict()


def env_label(env: Any, config: Any = DEFAULTS, envs: Any = 1, configs: int = 1) -> str:
    """The row's env as shown: ``ALL (3 envs)``, ``LifeAssist-v0 [surface=memory]``, ``X-v0 [all 7 configs]``.

    >>> env_label("cauarena/LifeAssist-v0", "surface=memory"), env_label("cauarena/X-v0", "*", configs=7)
    ('cauarena/LifeAssist-v0 [surface=memory]', 'cauarena/X-v0 [all 7 configs]')
    """
    if env == OVERALL:
        return f"{OVERALL} ({envs} env{'s' if envs != 1 else ''})"
    if config == ALL_CONFIGS:
        return f"{visible(env)} [all {configs} configs]"
    if config == DEFAULTS and configs <= 1:
        return visible(env)
    return f"{visible(env)} [{visible(config)}]"


def _text_columns(lb: pd.DataFrame) -> dict[str, Any]:
    privileged = lb["privileged"] if "privileged" in lb else pd.Series(False, index=lb.index)
    envs = lb["envs"] if "envs" in lb else pd.Series(1, index=lb.index)
    configs = lb["config"] if "config" in lb else pd.Series(DEFAULTS, index=lb.index)
    counts = _config_counts(lb)
    return {
        "env": [env_label(e, c, n, counts.get(e, 1)) for e, c, n in zip(lb["env_id"], configs, envs, strict=True)],
        "agent": [agent_label(a, p) for a, p in zip(lb["agent"], privileged, strict=True)],
        "guard": [visible(g) for g in lb["guard"]],
        "#": [_fmt(r, "d") if not pd.isna(r) else "" for r in lb["rank"]] if "rank" in lb else "",
        "episodes": lb["episodes"].astype(str),
    }


def _spec(name: str) -> str:
    return {"success_rate": ".2f", "mean_return": ".2f", "steps": ".1f", "total_tokens": ".1f"}.get(name, ".3f")


def metric_header(metric: Metric) -> str:
    """A headline metric's header: its label and an arrow for its direction (``SHD ↓``)."""
    arrow = "\u2191" if metric.higher_is_better else "\u2193"
    return f"{metric.label} {arrow}"


def _metric_cells(lb: pd.DataFrame, metric: Metric) -> list[str]:
    name = column(metric)
    if name not in lb:
        return ["n/a"] * len(lb)
    low, high = (lb.get(c, pd.Series(np.nan, index=lb.index)) for c in interval_columns(name))
    return _with_ci(lb[name], low, high, _spec(name))


def resolve_columns(lb: pd.DataFrame, columns: Sequence[str]) -> tuple[Metric, ...]:
    """The metrics ``--columns`` names: headline keys (``auprc``, ``success``) or columns (``m_auprc``).

    Raises:
        ValueError: A name that is no column of the table, with the names that are.
    """
    known = {m.key: m for m in headline_for(sorted({family_of(e) for e in lb["env_id"]}), guarded=True)}
    out = []
    for name in columns:
        key = name.removeprefix("m_")
        metric = known.get(key) or Metric(key, key)
        if column(metric) not in lb.columns:
            choices = sorted({*known, *(c.removeprefix("m_") for c in metric_columns(lb))})
            raise ValueError(f"--columns: no column {name!r} in this leaderboard. Fix: one of {', '.join(choices)}.")
        out.append(metric)
    return tuple(out)


def display_frame(lb: pd.DataFrame, *, compact: bool = False, metrics: Sequence[Metric] | None = None) -> pd.DataFrame:
    """The leaderboard as strings under readable headers, shared by every renderer.

    Args:
        lb: A table from :func:`~cauarena.leaderboards.table.build_leaderboard`.
        compact: Only the core columns (env, agent, guard, rank, episodes, success and return with intervals,
            steps, tokens per step, invalid-action rate, error rate).
        metrics: Metrics shown first (``label ↑`` headers, each with its interval); without ``compact`` pass^k,
            wall time and every other family metric follow.

    Returns:
        A frame of strings, one row per leaderboard row; the first three columns are text (control and bidi
        characters escaped, privileged agents marked, configurations in brackets, ``ALL`` rows with their env
        count), the rest numbers.
    """
    cols = _text_columns(lb)
    for metric in metrics or ():
        cols[metric_header(metric)] = _metric_cells(lb, metric)
    shown = {column(m) for m in metrics or ()}
    pct = f"{100 * lb.attrs.get('confidence', 0.95):g}% CI"
    if "success_rate" not in shown:
        cols[f"success [{pct}]"] = _with_ci(lb["success_rate"], lb["success_ci_low"], lb["success_ci_high"], ".2f")
    if "mean_return" not in shown:
        cols[f"return [{pct}]"] = _with_ci(lb["mean_return"], lb["return_ci_low"], lb["return_ci_high"], ".2f")
    specs = {"steps": ("steps", ".1f"), "tok/step": ("tokens_per_step", ".1f"),
             "invalid": ("invalid_rate", ".3f"), "errors": ("error_rate", ".3f")}  # fmt: skip
    if not compact:
        specs |= {c: (c, ".2f") for c in lb.columns if c.startswith("pass^")}
        specs |= {"wall s": ("wall_time_s", ".3g")}
    for header, (name, spec) in specs.items():
        cols.setdefault(header, [_fmt(v, spec) for v in lb[name]])
    if not compact:
        for c in metric_columns(lb):
            if c not in shown:
                low, high = (lb.get(f"{c}{s}", pd.Series(np.nan, index=lb.index)) for s in ("_ci_low", "_ci_high"))
                cols[visible(c)] = _with_ci(lb[c], low, high, ".3f")
    return pd.DataFrame(cols, index=lb.index)


def _families(lb: pd.DataFrame) -> list[str | None]:
    return [None if e == OVERALL else family_of(str(e)) for e in lb["env_id"]]


def family_parts(lb: pd.DataFrame) -> list[tuple[str, pd.DataFrame, tuple[Metric, ...]]]:
    """The table split by env family, then the all-envs rows: ``(name, rows, headline metrics)`` each."""
    families = _families(lb)
    parts = []
    for family in dict.fromkeys(f for f in families if f is not None):
        rows = lb[[f == family for f in families]]
        guarded = bool((rows["guard"] != "none").any())
        parts.append((family, rows, headline_for([family], guarded=guarded)))
    overall = lb[[f is None for f in families]]
    if len(overall):
        parts.append(("all envs", overall, _CORE))
    return parts


def _drop_empty(shown: pd.DataFrame) -> pd.DataFrame:
    return shown.drop(columns=[c for c in shown.columns[5:] if (shown[c] == "n/a").all()])


def family_tables(lb: pd.DataFrame, columns: Sequence[str] | None = None) -> list[tuple[str, pd.DataFrame]]:
    """The display table split by env family (headline metrics first), then the all-envs rows.

    Each part keeps only the metrics it has (a column that is ``n/a`` on every row of a part is dropped); the
    all-envs part (macro averages over different families) shows success and return. ``columns`` (metric keys)
    replaces the headline metrics and leaves the other metrics out.
    """
    chosen = resolve_columns(lb, columns) if columns else None
    groups = []
    for name, rows, headline in family_parts(lb):
        if name == "all envs":
            shown = display_frame(rows, metrics=_CORE)
            shown = shown.drop(columns=[c for c in shown.columns if c.startswith("m_")])
        else:
            shown = display_frame(rows, metrics=chosen or headline)
            if chosen:
                keep = {visible(column(m)) for m in chosen}
                shown = shown.drop(columns=[c for c in shown.columns if c.startswith("m_") and c not in keep])
        groups.append((name, _drop_empty(shown)))
    return groups


NOTE = (
    "An episode that ended in an error (agent_error, timeout, env_error, worker_died, oom) counts as a failure: "
    "success and pass^k count it as failed, return, steps and tokens as stored (up to the error), and metrics "
    "average over every episode that has them, errored ones included, so harm done before an error counts; "
    "completed and errors say how many ended in an error. Intervals: Wilson score for rates (success, errors, "
    "0/1 metrics), percentile bootstrap for means. # ranks the rows that are not privileged; "
    f"{PRIVILEGED_MARK} marks a privileged agent (it reads the env's truth): shown, never ranked. A row is one "
    "configuration of an env (kwargs that differ from its defaults, or the suite's label, in brackets); "
    "[all N configs] rows pool an env's configurations. "
    "ALL rows: unweighted mean over the reference envs (the largest set of envs that the ranked rows all "
    "played; a row that missed one is not ranked), env count in brackets; rates get a stratified Wilson "
    "interval, means a bootstrap stratified by env."
)

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|"})


def _md(text: Any) -> str:
    """One line of Markdown that shows ``text`` literally (HTML-special characters as entities)."""
    return html.escape(" ".join(visible(text).split()).translate(_MD_SPECIAL), quote=False)


def _md_table(shown: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(_md(c) for c in shown.columns) + " |",
             "|" + "|".join("---" if i < 3 else "---:" for i in range(len(shown.columns))) + "|"]
    return lines + ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in shown.itertuples(index=False)]


def to_markdown(lb: pd.DataFrame, *, title: str = TITLE, metadata: Mapping[str, Any] | None = None,
                columns: Sequence[str] | None = None) -> str:  # fmt: skip
    """The leaderboard as a Markdown document: a heading, the run metadata, a table per env family and a note.

    Args:
        lb: A table from :func:`~cauarena.leaderboards.table.build_leaderboard`.
        title: The heading.
        metadata: Run information shown as a list above the tables (keys and values as text).
        columns: Metric keys to show instead of each family's headline and other metrics.

    Returns:
        The Markdown text.
    """
    lines = [f"# {_md(title)}", ""]
    if metadata:
        lines += [f"- **{_md(key)}**: {_md(value)}" for key, value in metadata.items()] + [""]
    for name, part in family_tables(lb, columns):
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


def select_columns(lb: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame:
    """The table's key and count columns plus the chosen metrics with their intervals (all columns without)."""
    if not columns:
        return lb
    keep = [c for c in lb.columns[:9]]
    for metric in resolve_columns(lb, columns):
        name = column(metric)
        keep += [c for c in (name, *interval_columns(name)) if c in lb.columns and c not in keep]
    return lb[keep]


def to_csv(lb: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """The leaderboard as CSV text: every column (or the chosen ones), text cells neutralised by :func:`csv_safe`."""
    lb = select_columns(lb, columns)
    text_cols = [c for c in lb.columns if lb[c].dtype == object or pd.api.types.is_string_dtype(lb[c])]
    safe = lb.assign(**{c: lb[c].map(csv_safe) for c in text_cols})
    return safe.rename(columns=csv_safe).to_csv(index=False, lineterminator="\n")


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return _json_value(value.item())
    return value


def to_json(lb: pd.DataFrame, *, metadata: Mapping[str, Any] | None = None,
            columns: Sequence[str] | None = None) -> str:  # fmt: skip
    """The leaderboard as JSON: metadata, interval method, each family's headline metrics and every row.

    Missing values are ``null``; the text is the table's own (JSON escapes it), so a reader gets exact values.
    """
    table = select_columns(lb, columns)
    rows = [{k: _json_value(v) for k, v in row.items()} for row in table.to_dict(orient="records")]
    headline = {name: [{"key": m.key, "label": m.label, "column": column(m), "higher_is_better": m.higher_is_better}
                       for m in metrics] for name, _, metrics in family_parts(lb)}  # fmt: skip
    doc = {"metadata": dict(metadata or {}), "confidence": lb.attrs.get("confidence"), "n_boot": lb.attrs.get("n_boot"),
           "reference_envs": lb.attrs.get("reference_envs", []), "headline": headline, "rows": rows}  # fmt: skip
    return json.dumps(doc, indent=1, default=str, ensure_ascii=False) + "\n"


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
        "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
        PRIVILEGED_MARK: r"$^\dagger$", "\u2191": r"$\uparrow$", "\u2193": r"$\downarrow$"}  # fmt: skip


def tex(text: Any) -> str:
    r"""``text`` as LaTeX that prints it literally (special characters escaped, control characters visible).

    >>> print(tex("a_b & 50% {x}"))
    a\_b \& 50\% \{x\}
    """
    return "".join(_TEX.get(ch, ch) for ch in visible(text))


def _tex_table(name: str, shown: pd.DataFrame, pct: str) -> list[str]:
    spec = "lll" + "r" * (len(shown.columns) - 3)
    head = " & ".join(rf"\textbf{{{tex(c)}}}" for c in shown.columns) + r" \\"
    body = [" & ".join(tex(cell) for cell in row) + r" \\" for row in shown.itertuples(index=False)]
    caption = f"{tex(name)}: means with {pct} intervals; {PRIVILEGED_MARK} privileged (not ranked)."
    return [r"\begin{table}[t]", r"\centering", r"\small", rf"\begin{{tabular}}{{{spec}}}", r"\toprule", head,
            r"\midrule", *body, r"\bottomrule", r"\end{tabular}", rf"\caption{{{tex(caption)}}}",
            rf"\label{{tab:{re.sub('[^a-z0-9]+', '-', name.lower())}}}", r"\end{table}", ""]  # fmt: skip


def to_latex(lb: pd.DataFrame, *, columns: Sequence[str] | None = None) -> str:
    r"""The leaderboard as LaTeX: one booktabs ``table`` per env family (its headline metrics), then the ALL table.

    Needs ``\usepackage{booktabs}`` in the preamble; every cell is escaped by :func:`tex`.
    """
    pct = f"{100 * lb.attrs.get('confidence', 0.95):g}%"
    chosen = resolve_columns(lb, columns) if columns else None
    lines = ["% CauArena leaderboard: needs \\usepackage{booktabs}", ""]
    for name, rows, headline in family_parts(lb):
        metrics = chosen if chosen and name != "all envs" else headline
        shown = display_frame(rows, metrics=metrics)
        keep = ["env", "agent", "guard", "#", "episodes", *(metric_header(m) for m in metrics), "errors"]
        lines += _tex_table(name, _drop_empty(shown[keep]), pct)
    return "\n".join(lines)
