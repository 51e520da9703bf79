"""The leaderboard as one static, self-contained HTML page: each family's plots and tables, then the ALL table.

No script, no external stylesheet, font or CDN: the page opens offline. Every piece of text that comes
from the data (env ids, agent and guard specs, metadata) goes through :func:`~cauarena.leaderboards.plots.esc`:
control, bidi and invisible characters written as visible escapes (an entity would still reorder the page),
then :func:`html.escape`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from cauarena.envs.headline import Metric
from cauarena.leaderboards.configs import ALL_CONFIGS
from cauarena.leaderboards.plots import PALETTE, crossplay, esc, family_plots, interval_plot_svg
from cauarena.leaderboards.render import NOTE, TITLE, family_tables
from cauarena.leaderboards.table import OVERALL

__all__ = ["CSS", "PALETTE", "success_plot_svg", "to_html"]

CSS = """
:root { --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0; --accent: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d; --accent: #4493f8; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
       font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1360px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 36px 0 12px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin: 20px 0 8px; }
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
tr.overall td, tr.aggregate td { background: var(--panel); }
tbody tr:hover td { background: color-mix(in srgb, var(--accent) 10%, transparent); }
td.env { font-weight: 600; }
.note { color: var(--muted); font-size: 0.9rem; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; padding: 12px; border: 1px solid var(--line); border-radius: 8px; overflow-x: auto;
         max-width: 100%; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { fill: var(--fg); }
svg .muted { fill: var(--muted); }
svg .group { font-weight: 600; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .frame { stroke: var(--line); }
svg text.heat { fill: #1f2328; }
"""


def success_plot_svg(lb: pd.DataFrame) -> str:
    """The success rate of every row of ``lb`` with its interval, grouped by env (``ALL`` rows last)."""
    return interval_plot_svg(lb, Metric("success", "success"))


def _table_html(lb: pd.DataFrame, shown: pd.DataFrame) -> str:
    num = ' class="num"'
    head = "".join(f'<th{num if i >= 3 else ""} scope="col">{esc(c)}</th>' for i, c in enumerate(shown.columns))
    rows, previous = [], None
    for env, config, row in zip(lb["env_id"], lb["config"], shown.itertuples(index=False), strict=True):
        classes = (["group-start"] if row[0] != previous else []) + (["overall"] if env == OVERALL else [])
        classes += ["aggregate"] if config == ALL_CONFIGS and env != OVERALL else []
        cells = [f'<td class="env" title="{esc(row[0])}">{esc(row[0]) if row[0] != previous else ""}</td>']
        cells += [f"<td>{esc(c)}</td>" for c in row[1:3]]
        cells += [f'<td class="num">{esc(c)}</td>' for c in row[3:]]
        attr = f' class="{" ".join(classes)}"' if classes else ""
        rows.append(f"<tr{attr}>{''.join(cells)}</tr>")
        previous = row[0]
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def _figures(plots: dict[str, tuple[str, str]], prefix: str) -> str:
    figures = [f'<figure id="plot-{esc(stem)}"><figcaption>{esc(caption)}</figcaption>{svg}</figure>'
               for stem, (caption, svg) in plots.items() if stem.startswith(prefix)]  # fmt: skip
    return f'<div class="plots">{"".join(figures)}</div>' if figures else ""


def _sections(lb: pd.DataFrame, columns: Sequence[str] | None) -> list[str]:
    from cauarena.leaderboards.plots import _slug

    plots = family_plots(lb)
    parts = []
    for name, shown in family_tables(lb, columns):
        parts.append(f"<h2>{esc(name)}</h2>")
        if name != "all envs":
            parts.append(_figures(plots, f"{_slug(name)}-"))
        parts.append(_table_html(lb.loc[shown.index], shown))
    if "magic-crossplay" in plots:
        caption, svg = plots["magic-crossplay"]
        parts.append(f"<h2>{esc(caption)}</h2><figure>{svg}</figure>")
    return parts


def to_html(
    lb: pd.DataFrame,
    *,
    title: str = TITLE,
    metadata: Mapping[str, Any] | None = None,
    generated_at: datetime | None = None,
    columns: Sequence[str] | None = None,
) -> str:
    """The leaderboard as a static HTML page: per family its headline plots and table, then the ALL table.

    Args:
        lb: A table from :func:`cauarena.leaderboards.table.build_leaderboard`.
        title: The page title.
        metadata: Run information (run id, suite, seeds...) shown as a list; keys and values as text.
        generated_at: The generation time shown on the page (now, in UTC, by default).
        columns: Metric keys shown in the tables instead of each family's metrics.

    Returns:
        The page, self-contained (inline CSS and SVG, no script).
    """
    when = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    pct = f"{100 * lb.attrs.get('confidence', 0.95):g}%"
    n_boot = lb.attrs.get("n_boot")
    method = (f"means with {pct} intervals: Wilson score for rates, percentile bootstrap for means"
              + (f" ({n_boot} replicates)" if n_boot else ""))  # fmt: skip
    run = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in (metadata or {}).items())
    body = _sections(lb, columns) if len(lb) else ['<p class="note">No episodes.</p>']
    magic = crossplay_html(lb[lb["config"] != ALL_CONFIGS]) if len(lb) else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}</title><style>{CSS}</style></head>",
            "<body><main>",
            f"<h1>{esc(title)}</h1>",
            f'<p class="meta">Generated {esc(when)} &middot; {esc(method)}</p>',
            f'<dl class="run">{run}</dl>' if run else "",
            *body,
            magic,
            f'<p class="note">{esc(NOTE)}</p>',
            "</main></body></html>",
            "",
        ]
    )


def crossplay_html(lb: Any) -> str:
    """An HTML section with the cross-play ASR heatmap (white 0 to red 1), or ``""`` without MAGIC pair rows."""
    from html import escape

    matrix = crossplay(lb)
    if matrix is None:
        return ""
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in matrix.columns)
    body = []
    for attacker, row in matrix.iterrows():
        cells = []
        for value in row:
            if value != value:  # NaN: the pair was not played
                cells.append("<td>-</td>")
                continue
            shade = int(255 * (1 - float(value)))
            cells.append(f'<td class="num" style="background: rgb(255,{shade},{shade})">{value:.2f}</td>')
        body.append(f'<tr><th scope="row">{escape(str(attacker))}</th>{"".join(cells)}</tr>')
    return ("<h2>MAGIC cross-play: attack success rate (attacker rows x defender columns)</h2>"
            f'<div class="scroll"><table><thead><tr><th>attacker \\ defender</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')
