"""Runner overhead: episodes/s through the runner (workers, store, trajectories) vs a bare loop.

The bare loop makes the env and agent once and plays the same episodes in this process, storing nothing.
The runner plays the same plan with 1 worker (same compute, plus IPC, store and trajectories) and with 2, each
with the agent in its agent host (the default: every act is a round trip to another process), with the host and
its worker pinned to one CPU (``--pin-cpus``), and without a host (the agent beside the env), which measures the
host's cost.

Usage: python benchmarks/bench_runner.py [--env ID] [--agent random] [--seeds 300] [--max-steps 64] [--repeats 5]
       [--lanes 8] [--only ROW ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time

from cauarena.agents.base import with_hooks
from cauarena.agents.rollout import Rollout
from cauarena.leaderboards.runner import EpisodePlayer, Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EnvSpec, Suite, plan


def bare(episodes) -> float:
    from cauarena.agents import make_agent
    from cauarena.registration import make

    first = episodes[0]
    env = make(first.env_id)
    agent = with_hooks(make_agent(first.agent, family=first.family))
    agent.bind(env)
    start = time.perf_counter()
    for spec in episodes:
        Rollout(env, agent, seed=spec.seed, max_steps=spec.max_steps).run()
    return len(episodes) / (time.perf_counter() - start)


def runner(episodes, workers: int, isolate: bool = True, pin_cpus: bool = False, lanes: int = 1) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = ResultsStore(tmp)
        start = time.perf_counter()
        summary = Runner(store, workers=workers, isolate=isolate, pin_cpus=pin_cpus, lanes=lanes).run(episodes)
        elapsed = time.perf_counter() - start
        if summary.finished != len(episodes):
            raise RuntimeError(f"runner stored {summary.finished} of {len(episodes)}")
        store.close()
    return len(episodes) / elapsed


def player(episodes) -> float:
    """In-process runner path (episode loop + trajectory records, no store): isolates the loop's own cost."""
    p = EpisodePlayer("bench")
    p.play(episodes[0])
    start = time.perf_counter()
    for spec in episodes:
        p.play(spec)
    return len(episodes) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="cauarena/BabyAI-GoToLocal-Text-v0")
    parser.add_argument("--agent", default="random")
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--max-steps", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lanes", type=int, default=8, help="episodes in flight per worker in the lanes rows")
    parser.add_argument("--only", nargs="*", default=None, help="the rows to measure (default: all)")
    args = parser.parse_args()
    print(f"# {' '.join(sys.argv)} | {platform.platform()} | {os.cpu_count()} cores | "
          f"python {platform.python_version()} | load {os.getloadavg()[0]:.1f} at start")
    suite = Suite("bench", envs=(EnvSpec(args.env),), agents=(args.agent,), seeds=args.seeds,
                  max_steps=args.max_steps)
    episodes = plan(suite)
    lanes = f"{args.lanes} lanes"
    rows = {
        "bare loop": lambda: bare(episodes),
        "episode loop (no store)": lambda: player(episodes),
        "runner, 1 worker, no host": lambda: runner(episodes, 1, isolate=False),
        "runner, 1 worker": lambda: runner(episodes, 1),
        "runner, 1 worker, pinned": lambda: runner(episodes, 1, pin_cpus=True),
        f"runner, 1 worker, {lanes}": lambda: runner(episodes, 1, lanes=args.lanes),
        "runner, 2 workers, no host": lambda: runner(episodes, 2, isolate=False),
        "runner, 2 workers": lambda: runner(episodes, 2),
        "runner, 2 workers, pinned": lambda: runner(episodes, 2, pin_cpus=True),
        f"runner, 2 workers, {lanes}": lambda: runner(episodes, 2, lanes=args.lanes),
    }
    if args.only is not None:
        unknown = set(args.only) - set(rows)
        if unknown:
            parser.error(f"unknown rows {sorted(unknown)}; the rows are {list(rows)}")
        rows = {name: run for name, run in rows.items() if name in args.only or name == "bare loop"}
    results = {name: [] for name in rows}
    for _ in range(args.repeats):
        for name, run in rows.items():
            results[name].append(run())
    base = statistics.median(results["bare loop"])
    for name, rates in results.items():
        med = statistics.median(rates)
        # the rows of one repeat run back to back: a ratio within a repeat cancels the machine's slow drifts
        paired = statistics.median(r / b for r, b in zip(rates, results["bare loop"], strict=True))
        print(f"{name:<27} median {med:7.1f} ep/s  x{med / base:5.2f} of bare  paired x{paired:5.2f}  "
              f"(runs: {', '.join(f'{r:.1f}' for r in rates)})")


if __name__ == "__main__":
    main()
