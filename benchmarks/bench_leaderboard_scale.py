"""Leaderboard build time and peak memory against the number of stored episodes (10^4 .. 10^6).

Synthetic episodes (several envs, agents, guards and error kinds; metrics as the families store them) are written
once per size into a SQLite store with one bulk insert; then, in a fresh process per measurement, the store is
read (``ResultsStore.dataframe``, which reads the episode rows only, never the trajectories) and the leaderboard
built (``build_leaderboard``). Time and the process's peak resident memory (``ru_maxrss``) are reported.

Usage: python benchmarks/bench_leaderboard_scale.py [--sizes 10000 100000 1000000] [--repeats 3] [--dir /tmp/lbscale]
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


def measure(path: Path) -> None:
    """Read the store and build the leaderboard; print JSON with the seconds and peak RSS (in a fresh process)."""
    from cauarena.leaderboards.report import build_leaderboard
    from cauarena.leaderboards.store import ResultsStore

    start = time.perf_counter()
    df = ResultsStore(path).dataframe(lean=True)
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
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure))
        return
    print(f"# {' '.join(sys.argv)} | {platform.platform()} | {os.cpu_count()} cores | load {os.getloadavg()[0]:.1f}")
    for n in args.sizes:
        path = Path(args.dir) / str(n)
        if not (path / "results.sqlite").exists():
            t = time.perf_counter()
            populate(path, n)
            print(f"populated {n} rows in {time.perf_counter() - t:.1f} s")
        runs = []
        for _ in range(args.repeats):
            out = subprocess.run([sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True,
                                 check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        med = {k: statistics.median(r[k] for r in runs) for k in ("read_s", "total_s", "peak_bytes")}
        times = ", ".join(f"{r['total_s']:.1f}" for r in runs)
        print(f"{n:>9} episodes: build {med['total_s']:6.1f} s (read {med['read_s']:5.1f} s), "
              f"peak {med['peak_bytes'] / 2**30:5.2f} GiB  (runs: {times})")


if __name__ == "__main__":
    main()
