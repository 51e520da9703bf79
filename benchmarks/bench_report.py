"""Time the leaderboard of one results store: build the table, write every report file and plot, render the page.

    python benchmarks/bench_report.py --out /tmp/h9_default --runs 5

Each run builds the table (rows per configuration, intervals), writes Markdown, CSV, HTML, JSON, LaTeX and the SVG
plots into a temporary directory, and prints the medians; the table's shape (rows, configurations, plots) is printed
too. With ``--chromium`` it also times a headless Chromium screenshot of the page.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def main() -> None:
    """Run the benchmark (see the module docstring)."""
    from cauarena.leaderboards.configs import stored_labels
    from cauarena.leaderboards.report import build_leaderboard, write_reports
    from cauarena.leaderboards.store import ResultsStore

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, help="run directory with results.sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", action="store_true")
    args = parser.parse_args()
    store = ResultsStore(args.out)
    df, labels = store.dataframe(), stored_labels(store)
    build_leaderboard(df, labels=labels)  # warm: imports and the family packages' headline declarations
    timings: dict[str, list[float]] = {"build": [], "write": [], "chromium": []}
    for _ in range(args.runs):
        start = time.perf_counter()
        lb = build_leaderboard(df, labels=labels)
        timings["build"].append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            paths = write_reports(lb, tmp)
            timings["write"].append(time.perf_counter() - start)
            chromium = shutil.which("chromium")
            if args.chromium and chromium:
                start = time.perf_counter()
                command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={tmp}/p.png",
                           "--window-size=1400,2000", Path(paths["html"]).as_uri()]
                subprocess.run(command, capture_output=True, check=True)
                timings["chromium"].append(time.perf_counter() - start)
            sizes = {k: Path(p).stat().st_size for k, p in paths.items() if not k.startswith("svg:")}
    configs = lb[(lb["env_id"] != "ALL") & (lb["config"] != "*")].groupby("env_id")["config"].nunique()
    print(f"episodes {len(df)}, rows {len(lb)}, env configurations {int(configs.sum())} over {len(configs)} envs, "
          f"aggregate rows {int((lb['config'] == '*').sum())}, plots {sum(k.startswith('svg:') for k in paths)}")
    print("file sizes (bytes): " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
    for name, values in timings.items():
        if values:
            print(f"{name}: median {statistics.median(values):.2f} s [min {min(values):.2f}, max {max(values):.2f}] "
                  f"over {len(values)} runs")


if __name__ == "__main__":
    main()
