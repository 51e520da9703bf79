"""Leaderboards from episode results: the public entry points, and writing every report file of a run.

The work is split by concern: :mod:`~cauarena.leaderboards.table` builds the table (rows per configuration,
intervals, ranks), :mod:`~cauarena.leaderboards.render` formats it (Markdown, CSV, JSON, LaTeX),
:mod:`~cauarena.leaderboards.terminal` prints it, :mod:`~cauarena.leaderboards.plots` draws SVG plots and
:mod:`~cauarena.leaderboards.html` assembles the page. This module keeps the names other code imports.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cauarena.leaderboards.configs import ALL_CONFIGS, DEFAULTS, config_label, stored_labels
from cauarena.leaderboards.render import (
    NOTE,
    PRIVILEGED_MARK,
    TITLE,
    agent_label,
    csv_safe,
    display_frame,
    env_label,
    family_tables,
    to_csv,
    to_json,
    to_latex,
    to_markdown,
    visible,
)
from cauarena.leaderboards.table import (
    CI_SUFFIXES,
    KEYS,
    METRIC_PREFIX,
    OVERALL,
    REQUIRED,
    build_leaderboard,
    metric_columns,
    reference_envs,
    results_frame,
)
from cauarena.leaderboards.terminal import render_terminal

__all__ = [
    "ALL_CONFIGS", "CI_SUFFIXES", "DEFAULTS", "KEYS", "METRIC_PREFIX", "NOTE", "OVERALL", "PRIVILEGED_MARK",
    "REQUIRED", "TITLE", "agent_label", "build_leaderboard", "config_label", "csv_safe", "display_frame",
    "env_label", "family_tables", "metric_columns", "reference_envs", "render_terminal", "results_frame",
    "stored_labels", "to_csv", "to_json", "to_latex", "to_markdown", "visible", "write_atomic", "write_reports",
]  # fmt: skip


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


REPORT_FILES = {"md": "leaderboard.md", "csv": "leaderboard.csv", "html": "leaderboard.html",
                "json": "leaderboard.json", "latex": "leaderboard.tex"}  # fmt: skip
"""The report files :func:`write_reports` writes, by format."""


def render(lb: Any, fmt: str, *, title: str = TITLE, metadata: Mapping[str, Any] | None = None,
           columns: Sequence[str] | None = None) -> str:  # fmt: skip
    """The leaderboard as the text of one format: ``md``, ``csv``, ``html``, ``json`` or ``latex``.

    Raises:
        ValueError: An unknown format, with the known ones.
    """
    from cauarena.leaderboards.html import to_html  # html imports the renderers: import it at call time

    makers = {"md": lambda: to_markdown(lb, title=title, metadata=metadata, columns=columns),
              "csv": lambda: to_csv(lb, columns), "json": lambda: to_json(lb, metadata=metadata, columns=columns),
              "html": lambda: to_html(lb, title=title, metadata=metadata, columns=columns),
              "latex": lambda: to_latex(lb, columns=columns)}  # fmt: skip
    if fmt not in makers:
        raise ValueError(f"Unknown leaderboard format {fmt!r}. Fix: one of {', '.join(makers)}.")
    return makers[fmt]()


def write_reports(
    lb: Any, out_dir: str | Path, *, title: str = TITLE, metadata: Mapping[str, Any] | None = None,
    columns: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Write the leaderboard in every format (:data:`REPORT_FILES`) and its plots (``plots/*.svg``) into ``out_dir``.

    Each file is written whole to a temporary file and renamed over the old one (:func:`write_atomic`).

    Args:
        lb: A table from :func:`build_leaderboard`.
        out_dir: The directory (created when missing).
        title: Title of the Markdown and HTML pages.
        metadata: Run information shown in the Markdown, HTML and JSON reports.
        columns: Metric keys to show instead of each family's headline and other metrics.

    Returns:
        The written paths: under ``md``, ``csv``, ``html``, ``json``, ``latex``, and ``svg:<stem>`` per plot.
    """
    from cauarena.leaderboards.plots import family_plots

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {fmt: write_atomic(out / name, render(lb, fmt, title=title, metadata=metadata, columns=columns))
             for fmt, name in REPORT_FILES.items()}  # fmt: skip
    if len(lb):
        (out / "plots").mkdir(exist_ok=True)
        for stem, (_, svg) in family_plots(lb).items():
            paths[f"svg:{stem}"] = write_atomic(out / "plots" / f"{stem}.svg", svg + "\n")
    return paths
