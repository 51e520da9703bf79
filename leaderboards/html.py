"""The leaderboard as one static, self-contained HTML page: a plot of success with intervals and the table.

No script, no external stylesheet, font or CDN: the page opens offline. Every piece of text that comes
from the data (env ids, agent and guard specs, metadata) goes through :func:`_esc`: control, bidi and invisible
characters written as visible escapes (:func:`~cauarena.leaderboards.report.visible`; an entity would still
reorder the page), then :func:`html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from cauarena.leaderboards.report import NOTE, OVERALL, TITLE, agent_label, family_tables, visible

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
_PLOT_W, _ROW_H, _HEAD_H, _CHAR_W, _MAX_LABEL = 420, 20, 24, 7.5, 36

CSS = """
:root { --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0; --accent: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d; --accent: #4493f8; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
       font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 32px 0 12px; }
.meta { color: var(--muted); margin: 0 0 12px; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0;
         padding: 12px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
dl.run dt { font-weight: 600; }
dl.run dd { margin: 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; text-align: left; white-space: nowrap; border-bottom: 1px solid var(--line); }
th { position: sticky; top: 0; background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; }
tr.group-start td { border-top: 2px solid var(--line); }
tr.overall td { background: var(--panel); }
tbody tr:hover td { background: color-mix(in srgb, var(--accent) 10%, transparent); }
td.env { font-weight: 600; max-width: 28ch; overflow: hidden; text-overflow: ellipsis; }
.note { color: var(--muted); font-size: 0.9rem; }
figure { margin: 0; padding: 12px; border: 1px solid var(--line); border-radius: 8px; overflow-x: auto; }
svg { display: block; max-width: 100%; height: auto; }
svg text { fill: var(--fg); }
svg .muted { fill: var(--muted); }
svg .group { font-weight: 600; }
svg .grid { stroke: var(--line); stroke-width: 1; }
"""


def _esc(value: Any) -> str:
    return html.escape(visible(value), quote=True)


def _series_label(agent: str, guard: str, privileged: bool = False) -> str:
    name = agent_label(agent, privileged)
    return name if guard == "none" else f"{name} + {visible(guard)}"


def _short(label: str) -> str:
    """Shorten in the middle, so that both the backend prefix and the guard suffix stay visible."""
    if len(label) <= _MAX_LABEL:
        return label
    head = (_MAX_LABEL - 1) // 2
    return label[:head] + "\u2026" + label[len(label) - (_MAX_LABEL - 1 - head) :]


def _plot_row(y: float, x0: float, row: pd.Series, colour: str) -> list[str]:
    """The SVG of one (agent, guard) row of the plot: label, bar, interval whisker and value."""
    label = _series_label(row["agent"], row["guard"], bool(row.get("privileged", False)))
    mid = y + _ROW_H / 2
    parts = [
        f'<text x="{x0 - 8}" y="{mid + 4}" text-anchor="end"><title>{_esc(label)}</title>{_esc(_short(label))}</text>'
    ]
    rate, low, high = row["success_rate"], row["success_ci_low"], row["success_ci_high"]
    if pd.isna(rate):
        return [*parts, f'<text class="muted" x="{x0 + 4}" y="{mid + 4}">n/a (no episode)</text>']

    def scale(value: float) -> float:
        return x0 + _PLOT_W * min(max(float(value), 0.0), 1.0)

    parts.append(
        f'<rect x="{x0}" y="{y + 4}" width="{scale(rate) - x0:.1f}" height="{_ROW_H - 8}" '
        f'fill="{colour}" fill-opacity="0.35" rx="2"/>'
    )
    if not (pd.isna(low) or pd.isna(high)):
        lo, hi = scale(low), scale(high)
        parts.append(
            f'<path d="M{lo:.1f},{mid}H{hi:.1f}M{lo:.1f},{mid - 5}V{mid + 5}M{hi:.1f},{mid - 5}V{mid + 5}" '
            f'stroke="{colour}" stroke-width="2" fill="none"/>'
        )
    interval = "" if pd.isna(low) else f" [{low:.2f}, {high:.2f}]"
    parts.append(
        f'<circle cx="{scale(rate):.1f}" cy="{mid}" r="4" fill="{colour}">'
        f"<title>{_esc(label)}: {rate:.3f}{interval}</title></circle>"
    )
    parts.append(f'<text class="muted" x="{x0 + _PLOT_W + 8}" y="{mid + 4}">{rate:.2f}</text>')
    return parts


def success_plot_svg(lb: pd.DataFrame) -> str:
    """A horizontal plot of success rate with its interval, one row per (agent, guard), grouped by env.

    Args:
        lb: A table from :func:`cauarena.leaderboards.report.build_leaderboard`.

    Returns:
        An inline ``<svg>`` element (hand-written, no dependency), every label escaped.
    """
    privileged = lb["privileged"] if "privileged" in lb else pd.Series(False, index=lb.index)
    pairs = sorted({(str(a), str(g), bool(p)) for a, g, p in zip(lb["agent"], lb["guard"], privileged, strict=True)})
    colours = {pair[:2]: PALETTE[i % len(PALETTE)] for i, pair in enumerate(pairs)}
    widest = max([len(_short(_series_label(*p))) for p in pairs] + [8])
    x0 = round(16 + _CHAR_W * widest)
    width = x0 + _PLOT_W + 56
    body, y = [], 28.0
    for env, rows in lb.groupby("env_id", sort=False):
        name = "All envs (macro average)" if env == OVERALL else str(env)
        if env == OVERALL and lb.attrs.get("reference_envs"):
            name = f"All envs (macro average over {len(lb.attrs['reference_envs'])} reference envs)"
        body.append(f'<text class="group" x="8" y="{y + 16}">{_esc(name)}</text>')
        y += _HEAD_H
        for _, row in rows.iterrows():
            body += _plot_row(y, x0, row, colours[(str(row["agent"]), str(row["guard"]))])
            y += _ROW_H
        y += 8
    height = y + 4
    axis = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = x0 + _PLOT_W * tick
        axis.append(f'<line class="grid" x1="{x}" y1="22" x2="{x}" y2="{height - 4}"/>')
        axis.append(f'<text class="muted" x="{x}" y="14" text-anchor="middle">{tick:g}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'height="{height:.0f}" font-family="system-ui, sans-serif" font-size="12" role="img" '
        'aria-label="Success rate with confidence intervals">'
        "<title>Success rate with confidence intervals</title>" + "".join(axis + body) + "</svg>"
    )


def _tables_html(lb: pd.DataFrame) -> str:
    """One table per env family (only its metric columns), then the all-envs rows, as in the Markdown report."""
    return "".join(f"<h3>{_esc(name)}</h3>" + _table_html(lb.loc[shown.index], shown)
                   for name, shown in family_tables(lb))


def _table_html(lb: pd.DataFrame, shown: pd.DataFrame) -> str:
    num = ' class="num"'
    head = "".join(f'<th{num if i >= 3 else ""} scope="col">{_esc(c)}</th>' for i, c in enumerate(shown.columns))
    rows, previous = [], None
    for env, row in zip(lb["env_id"], shown.itertuples(index=False), strict=True):
        classes = (["group-start"] if env != previous else []) + (["overall"] if env == OVERALL else [])
        cells = [f'<td class="env" title="{_esc(row[0])}">{_esc(row[0]) if env != previous else ""}</td>']
        cells += [f"<td>{_esc(c)}</td>" for c in row[1:3]]
        cells += [f'<td class="num">{_esc(c)}</td>' for c in row[3:]]
        attr = f' class="{" ".join(classes)}"' if classes else ""
        rows.append(f"<tr{attr}>{''.join(cells)}</tr>")
        previous = env
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def to_html(
    lb: pd.DataFrame,
    *,
    title: str = TITLE,
    metadata: Mapping[str, Any] | None = None,
    generated_at: datetime | None = None,
) -> str:
    """The leaderboard as a static HTML page: title, run metadata, the success plot and the full table.

    Args:
        lb: A table from :func:`cauarena.leaderboards.report.build_leaderboard`.
        title: The page title.
        metadata: Run information (run id, suite, seeds...) shown as a list; keys and values as text.
        generated_at: The generation time shown on the page (now, in UTC, by default).

    Returns:
        The page, self-contained (inline CSS and SVG, no script).
    """
    from cauarena.leaderboards.magic import crossplay_html  # MAGIC pair rows get a cross-play heatmap

    when = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    pct = f"{100 * lb.attrs.get('confidence', 0.95):g}%"
    n_boot = lb.attrs.get("n_boot")
    method = (f"{pct} Wilson score intervals for rates, percentile bootstrap intervals for means"
              + (f" ({n_boot} replicates)" if n_boot else ""))  # fmt: skip
    run = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in (metadata or {}).items())
    plot = success_plot_svg(lb) if len(lb) else '<p class="note">No episodes.</p>'
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)}</title><style>{CSS}</style></head>",
            "<body><main>",
            f"<h1>{_esc(title)}</h1>",
            f'<p class="meta">Generated {_esc(when)} &middot; {_esc(method)}</p>',
            f'<dl class="run">{run}</dl>' if run else "",
            f"<h2>Success rate with {_esc(pct)} confidence intervals</h2>",
            f"<figure>{plot}</figure>",
            "<h2>Leaderboard</h2>",
            _tables_html(lb),
            crossplay_html(lb),
            f'<p class="note">{_esc(NOTE)}</p>',
            "</main></body></html>",
            "",
        ]
    )
