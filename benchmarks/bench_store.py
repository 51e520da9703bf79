"""Results store write speed: episodes/s, one transaction per episode, with and without trajectories.

Usage: python benchmarks/bench_store.py [--episodes 2000] [--repeats 5] [--steps 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time

from cauarena.leaderboards.schema import EpisodeResult, StepRecord, Trajectory
from cauarena.leaderboards.store import ResultsStore


def rows(n: int, steps: int):
    for i in range(n):
        key = f"k{i:08d}"
        result = EpisodeResult(run_id="bench", suite="bench", episode_key=key, env_id="cauarena/BabyAI-GoTo-Text-v0",
                               env_version=0, agent="random", seed=i, episode_return=0.5, success=True, steps=steps,
                               metrics={"progression": 1.0})
        obs = "Mission: go to the red ball\nYou see a wall 2 steps forward\nYou see a red ball 1 step left"
        records = [StepRecord(observation=obs, action="go forward") for _ in range(steps)]
        traj = Trajectory(episode_key=key, steps=records)
        yield result, traj


def once(n: int, steps: int, keep: bool) -> float:
    data = list(rows(n, steps))
    with tempfile.TemporaryDirectory() as tmp:
        store = ResultsStore(tmp)
        start = time.perf_counter()
        for result, traj in data:
            store.add(result, traj if keep else None)
        elapsed = time.perf_counter() - start
        store.close()
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    print(f"# {' '.join(sys.argv)} | {platform.platform()} | {os.cpu_count()} cores | "
          f"python {platform.python_version()}")
    for keep in (False, True):
        rates = [once(args.episodes, args.steps, keep) for _ in range(args.repeats)]
        print(f"store writes, trajectories={'yes' if keep else 'no '}: median {statistics.median(rates):8.0f} ep/s "
              f"(runs: {', '.join(f'{r:.0f}' for r in rates)})")


if __name__ == "__main__":
    main()
