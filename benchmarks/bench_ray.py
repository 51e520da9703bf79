"""Ray executor against the local one: episodes/s with 1 and 2 workers on the same plan, and Ray's cost per episode.

Both executors play the same plan into a fresh SQLite store (trajectories kept, agents in their agent host) and are
timed from ``run`` to its return, start-up of workers or actors included. The Ray runtime is started once, sized
for the largest worker count, and its start-up is reported on its own line. Repeats interleave the executors so
that a change in the machine's load hits both alike. Ray's overhead per episode is ``1/ray - 1/local`` at the same
worker count, from the medians, over the whole run and after the first result (start-up left out).

Usage: python benchmarks/bench_ray.py [--env ID] [--agent random] [--seeds 300] [--max-steps 64] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time

from cauarena.leaderboards.ray_executor import RayExecutor, import_ray, start_local_ray
from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EnvSpec, Suite, plan


def timed(episodes, workers: int, executor: str) -> tuple[float, float, float]:
    """One run of ``episodes`` on ``executor`` with ``workers``: episodes/s, s to the first result, steady episodes/s.

    The steady rate counts from the first stored result to the last, so it leaves out the start-up of the workers
    (or actors) and their agent hosts.
    """
    stamps: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = ResultsStore(tmp)
        runner = Runner(store, workers=workers, on_result=lambda _: stamps.append(time.perf_counter()))
        start = time.perf_counter()
        summary = RayExecutor(runner).run(episodes) if executor == "ray" else runner.run(episodes)
        elapsed = time.perf_counter() - start
        store.close()
    if summary.finished != len(episodes) or summary.errors:
        raise RuntimeError(f"{executor} with {workers} workers stored {summary.finished} of {len(episodes)} "
                           f"episodes, errors {summary.errors}")
    return len(episodes) / elapsed, stamps[0] - start, (len(stamps) - 1) / (stamps[-1] - stamps[0])


class Echo:
    """A Ray actor that does nothing: the cost of one actor call with a result of ``size`` bytes."""

    def echo(self, size: int) -> bytes:
        return b"x" * size


def round_trip_ms(ray, size: int, calls: int = 300) -> float:
    """Median over 3 rounds of the milliseconds of one sequential ``ray.get(actor.echo.remote(size))``."""
    actor = ray.remote(num_cpus=0)(Echo).remote()
    ray.get(actor.echo.remote(0))
    rounds = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            ray.get(actor.echo.remote(size))
        rounds.append((time.perf_counter() - start) / calls * 1000)
    ray.kill(actor)
    return statistics.median(rounds)


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="cauarena/BabyAI-GoToLocal-Text-v0")
    parser.add_argument("--agent", default="random")
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--max-steps", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    episodes = plan(Suite("bench", envs=(EnvSpec(args.env),), agents=(args.agent,), seeds=args.seeds,
                          max_steps=args.max_steps))
    ray = import_ray()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {len(episodes)} episodes of "
          f"{args.env} by {args.agent}, {args.repeats} repeats; load average before: {load()}")
    start = time.perf_counter()
    start_local_ray(ray, max(args.workers))
    print(f"ray.init (local runtime, {max(args.workers)} CPUs): {time.perf_counter() - start:.1f} s")
    for size in (0, 25_000):  # 25 kB: a pickled BabyAI result with its trajectory (median 21 kB)
        print(f"one actor call returning {size} bytes: {round_trip_ms(ray, size):.2f} ms (load {load()})")
    rates: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    try:
        for repeat in range(args.repeats):
            for workers in args.workers:
                for executor in ("local", "ray"):
                    rate, first, steady = timed(episodes, workers, executor)
                    rates.setdefault((executor, workers), []).append((rate, first, steady))
                    print(f"  repeat {repeat}: {executor:<5} {workers} workers {rate:7.1f} episodes/s, first result "
                          f"{first:5.2f} s, then {steady:7.1f} episodes/s (load {load()})", flush=True)
    finally:
        ray.shutdown()
    print(f"load average after: {load()}")
    print("| workers | executor | episodes/s | first result (s) | episodes/s after the first | overhead per episode |")
    print("|---|---|---|---|---|---|")
    for workers in args.workers:
        local = [statistics.median(x) for x in zip(*rates[("local", workers)], strict=True)]
        for executor in ("local", "ray"):
            rate, first, steady = (statistics.median(x) for x in zip(*rates[(executor, workers)], strict=True))
            overhead = "" if executor == "local" else (
                f"{(1 / rate - 1 / local[0]) * 1000:+.1f} ms ({(1 / steady - 1 / local[2]) * 1000:+.1f} ms after "
                "the first)")
            print(f"| {workers} | {executor} | {rate:.1f} | {first:.2f} | {steady:.1f} | {overhead} |")


if __name__ == "__main__":
    main()
