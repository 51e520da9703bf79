"""The runner's fixed costs: a run's start-up, and the parent's CPU per stored episode.

Start-up: one-episode runs of BabyAI-GoToLocal-Text with the random agent, back to back in one process (the first
also starts the fork server, so it is reported apart). Parent: the CPU time this process (the parent: it receives
every result and stores it) spends over a 300-episode run with 2 workers, per stored episode.

Usage: python benchmarks/bench_runner_costs.py [--runs 5] [--seeds 300] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time

from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EnvSpec, Suite, plan

ENV = "cauarena/BabyAI-GoToLocal-Text-v0"


def episodes(seeds: int, seed_start: int = 0):
    return plan(Suite("costs", envs=(EnvSpec(ENV),), agents=("random",), seeds=seeds, seed_start=seed_start,
                      max_steps=64))


def one_episode_run(seed: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = ResultsStore(tmp)
        start = time.perf_counter()
        Runner(store, workers=1).run(episodes(1, seed))
        elapsed = time.perf_counter() - start
        store.close()
    return elapsed


def parent_cpu_per_episode(seeds: int) -> tuple[float, float]:
    """(parent CPU ms per stored episode, wall s) of one run with 2 workers."""
    with tempfile.TemporaryDirectory() as tmp:
        store = ResultsStore(tmp)
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        summary = Runner(store, workers=2).run(episodes(seeds))
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        store.close()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return 1000 * cpu / summary.finished, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="one-episode runs after the first")
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3, help="300-episode runs for the parent's CPU")
    args = parser.parse_args()
    print(f"# {' '.join(sys.argv)} | {platform.platform()} | {os.cpu_count()} cores | "
          f"python {platform.python_version()} | load {os.getloadavg()[0]:.1f} at start")
    first = one_episode_run(0)
    runs = [one_episode_run(seed) for seed in range(1, args.runs + 1)]
    print(f"one-episode run: first (starts the fork server) {first:.3f} s; then median {statistics.median(runs):.3f} s "
          f"(runs: {', '.join(f'{r:.3f}' for r in runs)})")
    costs = [parent_cpu_per_episode(args.seeds) for _ in range(args.repeats)]
    print(f"parent CPU per stored episode, 2 workers, {args.seeds} episodes: median "
          f"{statistics.median(c for c, _ in costs):.2f} ms (runs: {', '.join(f'{c:.2f}' for c, _ in costs)}; "
          f"wall {', '.join(f'{w:.1f}' for _, w in costs)} s)")


if __name__ == "__main__":
    main()
