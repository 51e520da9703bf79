"""The leaderboard on a terminal: one rich table per env family with its headline metrics, then the ALL table.

Names are shown as text, never as markup. On a narrow console a table leaves out columns before it squeezes
the env and agent names, which fold onto more lines instead of vanishing; env ids lose ``cauarena/``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cauarena.envs.headline import Metric
from cauarena.leaderboards.render import (
    _CORE,
    PRIVILEGED_MARK,
    TITLE,
    display_frame,
    family_parts,
    metric_header,
    resolve_columns,
    visible,
)

_TERMINAL_WIDTHS = {"env": (10, 18), "agent": (10, 16), "guard": (4, 10)}
"""(least, comfortable) width of the text columns; longer names fold onto more lines. Columns are left out
until the table fits with its names at their comfortable width."""
_TERMINAL_DROP = ["episodes", "#"]
"""Columns left out first, in this order, until a table fits the console (guard first when every row is
unguarded); then the metrics from the last to the second. Env, agent, the first metric and errors stay."""


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


def _part_frame(rows: pd.DataFrame, metrics: Sequence[Metric]) -> pd.DataFrame:
    shown = display_frame(rows, metrics=metrics)
    keep = ["env", "agent", "guard", "#", "episodes", *(metric_header(m) for m in metrics), "errors"]
    shown = shown[keep]
    shown = shown.drop(columns=[c for c in shown.columns[5:-1] if (shown[c] == "n/a").all()])
    shown["env"] = [e.removeprefix("cauarena/") for e in shown["env"]]
    return shown


def _fit(console: Console, shown: pd.DataFrame, title: str, caption: str | None) -> Table:
    drops = list(_TERMINAL_DROP)
    if (shown["guard"] == "none").all():
        drops.insert(0, "guard")
    drops += list(shown.columns[6:-1])[::-1]  # metrics from the last to the second
    for i in range(len(drops) + 1):
        kept = shown.drop(columns=drops[:i])
        if _natural_width(console, _terminal_table(kept, title, caption, comfortable=True)) <= console.width:
            break
    return _terminal_table(kept, title, caption)


def render_terminal(lb: pd.DataFrame, console: Console | None = None, *, title: str = TITLE,
                    columns: Sequence[str] | None = None) -> list[Table]:  # fmt: skip
    """Print the leaderboard as rich tables: one per env family in the table, then the all-envs table.

    Each family table shows env (with its configuration), agent, guard, rank, episodes, the family's headline
    metrics that are shown briefly (or ``columns``), each with its interval, and the error rate; the all-envs
    table success and return.

    Args:
        lb: A table from :func:`~cauarena.leaderboards.table.build_leaderboard`.
        console: Where to print; by default a new :class:`rich.console.Console`, as wide as the widest table
            when the output is not a terminal.
        title: The title of the first table.
        columns: Metric keys shown in every family table instead of its headline metrics.

    Returns:
        The printed tables.
    """
    chosen = resolve_columns(lb, columns) if columns else None
    pct = f"{100 * lb.attrs.get('confidence', 0.95):g}%"
    frames = []
    for name, rows, headline in family_parts(lb):
        metrics = _CORE if name == "all envs" else chosen or tuple(m for m in headline if m.brief)
        frames.append((f"{visible(title)}: {name} (mean [{pct} CI])", _part_frame(rows, metrics)))
    caption = (f"{PRIVILEGED_MARK} privileged (reads the env's truth): not ranked"
               if "privileged" in lb and lb["privileged"].any() else None)  # fmt: skip
    if console is None:
        console = Console()
        if not console.is_terminal:  # a pipe or a log file: no reason to fold at 80 columns
            widest = max((_natural_width(console, _terminal_table(f, t, caption)) for t, f in frames), default=80)
            console.width = max(console.width, widest)
    tables = []
    for i, (part_title, shown) in enumerate(frames):
        table = _fit(console, shown, part_title, caption if i == len(frames) - 1 else None)
        console.print(table)
        tables.append(table)
    return tables
