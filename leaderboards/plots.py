"""SVG plots of a leaderboard, hand-written (no dependency) and self-contained, every label escaped.

- :func:`interval_plot_svg`: one headline metric of a family, a dot and its interval per row, grouped by env;
- :func:`tradeoff_svg`: one metric against another per (agent, guard), with both intervals: utility against
  ASR for the safety families (as AgentDojo plots them), success against tokens per episode for the
  efficiency families (as DEPO reports them);
- :func:`crossplay` and :func:`crossplay_svg`: the MAGIC attacker x defender ASR matrix and its heatmap;
- :func:`family_plots`: all of them for a table, by file name.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from cauarena.envs.headline import Metric
from cauarena.leaderboards.configs import ALL_CONFIGS
from cauarena.leaderboards.headline import column, interval_columns
from cauarena.leaderboards.render import agent_label, env_label, family_parts, metric_header, visible
from cauarena.leaderboards.table import OVERALL

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
_PLOT_W, _ROW_H, _HEAD_H, _CHAR_W, _MAX_LABEL = 360, 20, 24, 7.0, 34


def esc(value: Any) -> str:
    """Text for SVG/HTML: control and bidi characters made visible, then HTML-escaped."""
    return html.escape(visible(value), quote=True)


def series_label(agent: str, guard: str, privileged: bool = False) -> str:
    """``agent † + guard`` as a plot shows one (agent, guard) series."""
    name = agent_label(agent, privileged)
    return name if guard == "none" else f"{name} + {visible(guard)}"


def short(label: str, limit: int = _MAX_LABEL) -> str:
    """Shorten in the middle, so that both the backend prefix and the guard suffix stay visible."""
    if len(label) <= limit:
        return label
    head = (limit - 1) // 2
    return label[:head] + "\u2026" + label[len(label) - (limit - 1 - head) :]


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
            f'height="{height:.0f}" font-family="system-ui, sans-serif" font-size="12" role="img" '
            f'aria-label="{esc(title)}"><title>{esc(title)}</title>' + "".join(body) + "</svg>")  # fmt: skip


def _nice_range(values: np.ndarray, rate: bool) -> tuple[float, float]:
    """Axis limits: [0, 1] for rates, else a padded range that includes 0 when the data is near it."""
    finite = values[np.isfinite(values)]
    if rate or not finite.size:
        return 0.0, 1.0
    low, high = float(min(finite.min(), 0.0)), float(finite.max())
    if high == low:
        high = low + 1.0
    pad = 0.05 * (high - low)
    return low - (pad if low < 0 else 0.0), high + pad


def _ticks(low: float, high: float) -> list[float]:
    step = 10 ** math.floor(math.log10((high - low) / 4))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if (high - low) / (step * m) <= 5)
    return [t for t in np.arange(math.ceil(low / step) * step, high + step / 2, step) if low <= t <= high]


def _values(rows: pd.DataFrame, metric: Metric) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    name = column(metric)
    low, high = interval_columns(name)
    get = lambda c: pd.to_numeric(rows.get(c, pd.Series(np.nan, index=rows.index)), errors="coerce").to_numpy(float)  # noqa: E731
    return get(name), get(low), get(high)


def _is_rate(mean: np.ndarray, metric: Metric) -> bool:
    finite = mean[np.isfinite(mean)]
    return metric.key == "success" or (finite.size > 0 and finite.min() >= 0 and finite.max() <= 1
                                       and metric.key not in ("return", "steps", "tokens"))  # fmt: skip


def _num(value: float) -> str:
    """A value label of at most about 7 characters: 3 significant digits, whole numbers from 100.

    >>> _num(2304.0), _num(0.4567), _num(12.25)
    ('2304', '0.457', '12.2')
    """
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _whisker(x_lo: float, x_hi: float, y: float, colour: str) -> str:
    return (f'<path class="ci" d="M{x_lo:.1f},{y}H{x_hi:.1f}M{x_lo:.1f},{y - 5}V{y + 5}M{x_hi:.1f},{y - 5}V{y + 5}" '
            f'stroke="{colour}" stroke-width="2" fill="none"/>')  # fmt: skip


def interval_plot_svg(rows: pd.DataFrame, metric: Metric, colours: dict[tuple[str, str], str] | None = None) -> str:
    """A horizontal dot plot of ``metric`` with its interval, one row per leaderboard row, grouped by env.

    Args:
        rows: Leaderboard rows (one family's, or any).
        metric: The metric to plot.
        colours: Colour per (agent, guard); a palette in sorted order by default.

    Returns:
        An inline ``<svg>`` element; a row without a value says ``n/a``.
    """
    mean, low, high = _values(rows, metric)
    lo_x, hi_x = _nice_range(np.concatenate([mean, low, high]), _is_rate(mean, metric))
    colours = colours or series_colours(rows)
    labels = [short(series_label(a, g, p)) for a, g, p in zip(rows["agent"], rows["guard"], rows["privileged"],
                                                               strict=True)]  # fmt: skip
    x0 = round(16 + _CHAR_W * max([len(lbl) for lbl in labels] + [8]))
    scale = lambda v: x0 + _PLOT_W * (min(max(float(v), lo_x), hi_x) - lo_x) / (hi_x - lo_x)  # noqa: E731
    counts = rows[rows["config"] != ALL_CONFIGS].groupby("env_id")["config"].nunique().to_dict()
    body, y, previous = [], 30.0, None
    for i, (_, row) in enumerate(rows.iterrows()):
        group = (row["env_id"], row["config"], row.get("envs", 1) if row["env_id"] == OVERALL else 1)
        if group != previous:
            name = env_label(row["env_id"], row["config"], row.get("envs", 1), counts.get(row["env_id"], 1))
            body.append(f'<text class="group" x="8" y="{y + 16}">{esc(short(name, 80))}</text>')
            y, previous = y + _HEAD_H, group
        mid, colour = y + _ROW_H / 2, colours[(str(row["agent"]), str(row["guard"]))]
        body.append(f'<text x="{x0 - 8}" y="{mid + 4}" text-anchor="end">{esc(labels[i])}</text>')
        if np.isnan(mean[i]):
            body.append(f'<text class="muted" x="{x0 + 4}" y="{mid + 4}">n/a</text>')
        else:
            if not (np.isnan(low[i]) or np.isnan(high[i])):
                body.append(_whisker(scale(low[i]), scale(high[i]), mid, colour))
            interval = "" if np.isnan(low[i]) else f" [{low[i]:.3g}, {high[i]:.3g}]"
            body.append(f'<circle cx="{scale(mean[i]):.1f}" cy="{mid}" r="4" fill="{colour}"><title>'
                        f'{esc(labels[i])}: {mean[i]:.3g}{interval}</title></circle>')  # fmt: skip
            body.append(f'<text class="muted" x="{x0 + _PLOT_W + 8}" y="{mid + 4}">{_num(mean[i])}</text>')
        y += _ROW_H
    axis = [f'<text class="group" x="8" y="14">{esc(metric_header(metric))}</text>']
    for tick in _ticks(lo_x, hi_x):
        x = scale(tick)
        axis.append(f'<line class="grid" x1="{x:.1f}" y1="22" x2="{x:.1f}" y2="{y}"/>')
        axis.append(f'<text class="muted" x="{x:.1f}" y="{y + 14}" text-anchor="middle">{tick:g}</text>')
    return _svg(x0 + _PLOT_W + 56, y + 22, f"{metric.label} with confidence intervals", axis + body)


def series_colours(lb: pd.DataFrame) -> dict[tuple[str, str], str]:
    """A colour per (agent, guard) of the table, in sorted order, the same in every plot of a page."""
    pairs = sorted({(str(a), str(g)) for a, g in zip(lb["agent"], lb["guard"], strict=True)})
    return {pair: PALETTE[i % len(PALETTE)] for i, pair in enumerate(pairs)}


def tradeoff_svg(rows: pd.DataFrame, x: Metric, y: Metric, colours: dict[tuple[str, str], str] | None = None) -> str:
    """``y`` against ``x``, one point per row with both intervals as whiskers and a legend of the series.

    Args:
        rows: Leaderboard rows (env-level rows of one family: one point per env x agent x guard).
        x: The horizontal metric (ASR, tokens per episode).
        y: The vertical metric (utility, success).
        colours: Colour per (agent, guard).

    Returns:
        An inline ``<svg>`` element; rows without both values are left out (the legend says how many).
    """
    colours = colours or series_colours(rows)
    (xm, xl, xh), (ym, yl, yh) = _values(rows, x), _values(rows, y)
    ok = np.isfinite(xm) & np.isfinite(ym)
    (x_lo, x_hi), (y_lo, y_hi) = (_nice_range(np.concatenate(v), _is_rate(v[0], m))
                                  for v, m in (((xm, xl, xh), x), ((ym, yl, yh), y)))  # fmt: skip
    left, top, w, h = 56, 28, 320, 240
    sx = lambda v: left + w * (min(max(float(v), x_lo), x_hi) - x_lo) / (x_hi - x_lo)  # noqa: E731
    sy = lambda v: top + h - h * (min(max(float(v), y_lo), y_hi) - y_lo) / (y_hi - y_lo)  # noqa: E731
    body = [f'<rect class="frame" x="{left}" y="{top}" width="{w}" height="{h}" fill="none"/>']
    for t in _ticks(x_lo, x_hi):
        body.append(f'<line class="grid" x1="{sx(t):.1f}" y1="{top}" x2="{sx(t):.1f}" y2="{top + h}"/>'
                    f'<text class="muted" x="{sx(t):.1f}" y="{top + h + 14}" text-anchor="middle">{t:g}</text>')
    for t in _ticks(y_lo, y_hi):
        body.append(f'<line class="grid" x1="{left}" y1="{sy(t):.1f}" x2="{left + w}" y2="{sy(t):.1f}"/>'
                    f'<text class="muted" x="{left - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    body.append(f'<text x="{left + w / 2}" y="{top + h + 32}" text-anchor="middle">{esc(metric_header(x))}</text>')
    body.append(f'<text x="14" y="{top + h / 2}" text-anchor="middle" transform="rotate(-90 14 {top + h / 2})">'
                f"{esc(metric_header(y))}</text>")
    counts = rows[rows["config"] != ALL_CONFIGS].groupby("env_id")["config"].nunique().to_dict()
    for i, (_, row) in enumerate(rows.iterrows()):
        if not ok[i]:
            continue
        colour = colours[(str(row["agent"]), str(row["guard"]))]
        px, py = sx(xm[i]), sy(ym[i])
        if np.isfinite(xl[i]) and np.isfinite(xh[i]):
            body.append(f'<path class="ci" d="M{sx(xl[i]):.1f},{py:.1f}H{sx(xh[i]):.1f}" stroke="{colour}" '
                        'stroke-opacity="0.6" stroke-width="1.5"/>')
        if np.isfinite(yl[i]) and np.isfinite(yh[i]):
            body.append(f'<path class="ci" d="M{px:.1f},{sy(yl[i]):.1f}V{sy(yh[i]):.1f}" stroke="{colour}" '
                        'stroke-opacity="0.6" stroke-width="1.5"/>')
        env = env_label(row["env_id"], row["config"], 1, counts.get(row["env_id"], 1))
        tip = f"{series_label(row['agent'], row['guard'], row['privileged'])}, {env}: {xm[i]:.3g}, {ym[i]:.3g}"
        body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{colour}"><title>{esc(tip)}</title></circle>')
    legend_x, legend = left + w + 16, []
    shown = sorted({(str(a), str(g), bool(p)) for a, g, p, k in zip(rows["agent"], rows["guard"], rows["privileged"],
                                                                     ok, strict=True) if k})  # fmt: skip
    for j, (agent, guard, privileged) in enumerate(shown):
        ly = top + 8 + 18 * j
        legend.append(f'<circle cx="{legend_x + 5}" cy="{ly}" r="5" fill="{colours[(agent, guard)]}"/>'
                      f'<text x="{legend_x + 14}" y="{ly + 4}">{esc(short(series_label(agent, guard, privileged)))}'
                      "</text>")
    missing = int((~ok).sum())
    if missing:
        legend.append(f'<text class="muted" x="{legend_x}" y="{top + 8 + 18 * len(shown) + 4}">{missing} row(s) '
                      "without both values</text>")
    width = legend_x + 16 + _CHAR_W * max([len(short(series_label(*s))) for s in shown] + [24])
    title = f"{y.label} against {x.label}"
    return _svg(width, max(top + h + 44, top + 24 + 18 * len(shown)), title, body + legend)


def crossplay(lb: Any, metric: str = "asr") -> Any:
    """The attacker x defender matrix of the MAGIC pair rows of a leaderboard table (None when there are none).

    ``asr`` is ``m_attack_success / m_harmful`` (attack success among harmful games); ``over_refusal`` is
    ``m_over_refusal / (1 - m_harmful)``. Unguarded rows of ``cauarena/MAGIC-v0`` only (agents ``"<a> vs <d>"``).
    """
    if "m_attack_success" not in getattr(lb, "columns", ()):
        return None
    pairs = lb["agent"].str.contains(" vs ", regex=False)
    rows = lb[(lb["env_id"] == "cauarena/MAGIC-v0") & pairs & (lb["guard"] == "none")]
    if rows.empty:
        return None
    seats = rows["agent"].str.split(" vs ", n=1, expand=True)
    if metric == "asr":
        values = rows["m_attack_success"] / rows["m_harmful"].where(rows["m_harmful"] > 0)
    else:
        values = rows["m_over_refusal"] / (1 - rows["m_harmful"]).where(rows["m_harmful"] < 1)
    frame = seats.assign(value=values.to_numpy())
    return frame.pivot_table(index=0, columns=1, values="value", aggfunc="mean")


def crossplay_svg(lb: pd.DataFrame) -> str | None:
    """The MAGIC cross-play ASR heatmap (attacker rows x defender columns, white 0 to red 1), or None."""
    matrix = crossplay(lb[lb["config"] != ALL_CONFIGS] if "config" in lb else lb)
    if matrix is None:
        return None
    cell, left = 64, round(16 + _CHAR_W * max([len(short(str(a), 28)) for a in matrix.index] + [8]))
    top = 40 + round(_CHAR_W * max([len(short(str(d), 28)) for d in matrix.columns] + [8]) * 0.75)
    body = []
    for j, defender in enumerate(matrix.columns):
        cx = left + cell * j + cell / 2
        label = esc(short(str(defender), 28))
        body.append(f'<text x="{cx}" y="{top - 8}" transform="rotate(-40 {cx} {top - 8})">{label}</text>')
    for i, (attacker, values) in enumerate(matrix.iterrows()):
        y = top + cell * i
        body.append(f'<text x="{left - 8}" y="{y + cell / 2 + 4}" text-anchor="end">{esc(short(str(attacker), 28))}'
                    "</text>")
        for j, value in enumerate(values):
            x = left + cell * j
            shade = 255 if value != value else int(255 * (1 - float(value)))
            text = "-" if value != value else f"{value:.2f}"
            body.append(f'<rect class="cell" x="{x}" y="{y}" width="{cell}" height="{cell}" '
                        f'fill="rgb(255,{shade},{shade})" stroke="#d1d9e0"/><text class="heat" x="{x + cell / 2}" '
                        f'y="{y + cell / 2 + 4}" text-anchor="middle">{text}</text>')  # fmt: skip
    title = "MAGIC cross-play: ASR (attacker x defender)"
    body.insert(0, f'<text class="group" x="8" y="16">{title}</text>')
    longest = max([len(short(str(d), 28)) for d in matrix.columns] + [8])
    width = max(left + cell * (len(matrix.columns) - 0.5) + 0.8 * _CHAR_W * longest, 8 + 7.5 * len(title)) + 16
    return _svg(width, top + cell * len(matrix) + 16, "MAGIC cross-play ASR", body)


def _slug(text: str) -> str:
    return re.sub("[^a-z0-9]+", "-", text.lower()).strip("-") or "metric"


def _env_level_rows(rows: pd.DataFrame) -> pd.DataFrame:
    several = set(rows.loc[rows["config"] == ALL_CONFIGS, "env_id"])
    return rows[(rows["config"] == ALL_CONFIGS) | ~rows["env_id"].isin(several)]


def _axis(metrics: tuple[Metric, ...], role: str) -> Metric | None:
    return next((m for m in metrics if m.axis == role), None)


def family_plots(lb: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Every plot of a table: ``{file stem: (caption, svg)}``, in page order.

    Per family: each brief headline metric with its interval (``<family>-<metric>``); utility against ASR when
    the family declares both axes (``<family>-utility-vs-asr``); success against tokens when it declares
    those (``<family>-success-vs-tokens``); the MAGIC cross-play heatmap when the table has MAGIC pair rows.
    """
    plots: dict[str, tuple[str, str]] = {}
    colours = series_colours(lb)
    for family, rows, headline in family_parts(lb):
        if family == "all envs":
            continue
        for metric in (m for m in headline if m.brief):
            if column(metric) in rows and rows[column(metric)].notna().any():
                plots[f"{_slug(family)}-{_slug(metric.key)}"] = (f"{family}: {metric_header(metric)}",
                                                                interval_plot_svg(rows, metric, colours))
        for (a, b), stem in ((("utility", "attack"), "utility-vs-asr"), (("success", "cost"), "success-vs-tokens")):
            y, x = _axis(headline, a), _axis(headline, b)
            if x is not None and y is not None and column(x) in rows and column(y) in rows:
                plots[f"{_slug(family)}-{stem}"] = (f"{family}: {y.label} against {x.label}",
                                                    tradeoff_svg(_env_level_rows(rows), x, y, colours))
    heat = crossplay_svg(lb[lb["env_id"] != OVERALL])
    if heat is not None:
        plots["magic-crossplay"] = ("MAGIC cross-play: attack success rate", heat)
    return plots
