"""Leaderboard build time and peak memory against the number of stored episodes (10^4 .. 10^6).

Synthetic episodes (several envs, agents, guards and error kinds; metrics as the families store them) are written
once per size into a SQLite store with one bulk insert; then, in a fresh process per measurement, the store is
read (``ResultsStore.dataframe``, which reads the episode rows only, never the trajectories) and the leaderboard
built (``build_leaderboard``). Time and the process's peak resident memory (``ru_maxrss``) are reported.

``--compare`` also measures, in the same run, the read used before 2026-12-07 (SQLAlchemy rows through
``pandas.read_sql`` and one ``json.loads`` per row's metrics) so the ratio is taken on the same machine and load.

Usage: python benchmarks/bench_leaderboard_scale.py [--sizes 10000 100000 1000000] [--repeats 3] [--dir /tmp/lbscale]
       [--compare]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENVS = [f"cauarena/Synthetic{i}-v0" for i in range(12)]
AGENTS = ["oracle", "random", "heuristic", "tiny/babyai", "pc", "ges", "naive", "cautious"]
GUARDS = ["none", "rules"]
ERRORS = ["none"] * 47 + ["agent_error", "timeout", "env_error"]


def populate(path: Path, n: int) -> None:
    """Write ``n`` synthetic episode rows into a fresh store at ``path`` (one bulk insert)."""
    import numpy as np
    import sqlalchemy as sa

    from cauarena.leaderboards.schema import SCHEMA_VERSION, episode_key
    from cauarena.leaderboards.store import EPISODES, ResultsStore

    store = ResultsStore(path)
    rng = np.random.default_rng(0)
    rows, chunk = [], 50_000
    with store.engine.begin() as conn:
        for i in range(n):
            env, agent, guard = ENVS[i % len(ENVS)], AGENTS[(i // 12) % len(AGENTS)], GUARDS[(i // 96) % 2]
            seed, error = i // 192, ERRORS[i % len(ERRORS)]
            success = bool(rng.random() < 0.4) and error == "none"
            rows.append({
                "episode_key": episode_key(env, {}, agent, guard, seed, 0), "schema_version": SCHEMA_VERSION,
                "run_id": "bench", "suite": "scale", "env_id": env, "env_version": 0, "env_kwargs": {},
                "agent": agent, "guard": guard, "privileged": agent == "oracle", "seed": seed, "repeat": 0,
                "episode_return": float(rng.normal()), "success": success, "steps": int(rng.integers(1, 64)),
                "invalid_actions": int(rng.integers(0, 3)), "prompt_tokens": int(rng.integers(0, 4000)),
                "completion_tokens": int(rng.integers(0, 400)),
                "metrics": {"progression": float(success), "auprc": float(rng.random()),
                            "shd": float(rng.integers(30))},
                "error_kind": error, "error_message": "" if error == "none" else f"{error}: synthetic",
                "error_traceback": "", "wall_time_s": float(rng.random()), "truncated": False, "trajectory_id": None,
            })
            if len(rows) == chunk:
                conn.execute(sa.insert(EPISODES), rows)
                rows = []
        if rows:
            conn.execute(sa.insert(EPISODES), rows)
    store.close()


def previous_read(store: object) -> object:
    """The lean read as it was before 2026-12-07: SQLAlchemy rows via ``pandas.read_sql``, metrics row by row."""
    import pandas as pd
    import sqlalchemy as sa

    from cauarena.leaderboards.store import EPISODES

    skip = {"error_traceback", "trajectory_id", "env_version", "truncated"}
    columns = [sa.cast(c, sa.Text).label(c.name) if c.name in ("env_kwargs", "metrics") else c
               for c in EPISODES.c if c.name not in skip]
    with store.engine.connect() as conn:
        df = pd.read_sql(sa.select(*columns).order_by(EPISODES.c.episode_key), conn)
    df["metrics"] = [json.loads(m or "{}") for m in df["metrics"]]
    return df


def measure(path: Path, variant: str = "current") -> None:
    """Read the store and build the leaderboard; print JSON with the seconds and peak RSS (in a fresh process)."""
    from cauarena.leaderboards.report import build_leaderboard
    from cauarena.leaderboards.store import ResultsStore

    start = time.perf_counter()
    store = ResultsStore(path)
    df = store.dataframe(lean=True) if variant == "current" else previous_read(store)
    read = time.perf_counter() - start
    board = build_leaderboard(df)
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"rows": len(df), "read_s": read, "total_s": total, "peak_bytes": peak, "lines": len(board)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default="/tmp/lbscale")
    parser.add_argument("--compare", action="store_true", help="also measure the previous read (same run)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--variant", default="current", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure), args.variant)
        return
    print(f"# {' '.join(sys.argv)} | {platform.platform()} | {os.cpu_count()} cores | load {os.getloadavg()[0]:.1f}")
    for n in args.sizes:
        path = Path(args.dir) / str(n)
        if not (path / "results.sqlite").exists():
            t = time.perf_counter()
            populate(path, n)
            print(f"populated {n} rows in {time.perf_counter() - t:.1f} s")
        variants = ("current", "previous") if args.compare else ("current",)
        runs: dict[str, list[dict]] = {v: [] for v in variants}
        for _ in range(args.repeats):
            for variant in variants:  # interleaved, so both see the same load
                out = subprocess.run([sys.executable, __file__, "--measure", str(path), "--variant", variant],
                                     capture_output=True, text=True, check=True)
                runs[variant].append(json.loads(out.stdout.strip().splitlines()[-1]))
        medians = {}
        for variant, found in runs.items():
            med = {k: statistics.median(r[k] for r in found) for k in ("read_s", "total_s", "peak_bytes")}
            medians[variant] = med
            times = ", ".join(f"{r['total_s']:.1f}" for r in found)
            print(f"{n:>9} episodes [{variant:>8}]: build {med['total_s']:6.1f} s (read {med['read_s']:5.1f} s), "
                  f"peak {med['peak_bytes'] / 2**30:5.2f} GiB  (runs: {times})")
        if args.compare:
            ratio = medians["previous"]["total_s"] / medians["current"]["total_s"]
            print(f"{n:>9} episodes: current is {ratio:.2f}x faster than previous (medians)")
        print(f"# load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
