"""Results store write speed: stored episodes/s for SQLite and PostgreSQL with 1, 2 and 8 concurrent writers.

Each writer is its own process with its own :class:`ResultsStore` (as concurrent runs into one ``--out`` are),
storing its share of the episodes one transaction each (row + zlib-compressed 20-step trajectory), all on
distinct keys. The clock starts when every writer has opened the store and stops when the last one is done.
A fresh store per measurement: a temporary folder (SQLite, WAL, synchronous=NORMAL) or a fresh database on a
PostgreSQL server started from the Debian package (as the tests do; server defaults unless ``--pg-setting``;
the store sets ``synchronous_commit=off`` for its sessions).

Usage: python benchmarks/bench_store.py [--episodes 1600] [--writers 1 2 8] [--repeats 3] [--steps 20]
       [--backends sqlite postgres] [--pg-setting synchronous_commit=off]
       python benchmarks/bench_store.py --race-trials 30 [--store-file old_store.py]  (two writers, one new store)
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cauarena.leaderboards.schema import EpisodeResult, StepRecord, Trajectory
from cauarena.leaderboards.store import ResultsStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "_support"))
from postgres import running_postgres  # noqa: E402  (the test fixture's server, reused)

OBS = "Mission: go to the red ball\nYou see a wall 2 steps forward\nYou see a red ball 1 step left"


def episode(key: str, steps: int) -> tuple[EpisodeResult, Trajectory]:
    result = EpisodeResult(run_id="bench", suite="bench", episode_key=key, env_id="cauarena/BabyAI-GoTo-Text-v0",
                           env_version=0, agent="random", seed=int(key[1:]), episode_return=0.5, success=True,
                           steps=steps, metrics={"progression": 1.0})
    return result, Trajectory(episode_key=key, steps=[StepRecord(observation=OBS, action="go forward")] * steps)


def writer(url: str, keys: list[str], steps: int, barrier) -> None:  # noqa: ANN001
    data = [episode(k, steps) for k in keys]
    store = ResultsStore(url)
    barrier.wait()  # opened: the clock starts when every writer is here
    for result, traj in data:
        if not store.add(result, traj):
            raise SystemExit(f"{result.episode_key} was already stored")
    store.close()


def once(url: str, episodes: int, writers: int, steps: int) -> float:
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(writers + 1)
    keys = [f"k{i:08d}" for i in range(episodes)]
    procs = [ctx.Process(target=writer, args=(url, keys[w::writers], steps, barrier)) for w in range(writers)]
    for p in procs:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start
    if any(p.exitcode for p in procs):
        raise SystemExit(f"a writer failed: exit codes {[p.exitcode for p in procs]}")
    stored = ResultsStore(url).count()
    if stored != episodes:
        raise SystemExit(f"{stored} of {episodes} episodes stored")
    return episodes / elapsed


def race(url: str, keys_per_writer: int) -> bool:
    """Two writers open one new store at the same instant and write overlapping keys; True when all went well."""
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(2)
    keys = [f"k{i:08d}" for i in range(keys_per_writer * 3 // 2)]

    def both(ks: list[str]) -> None:
        barrier.wait()
        store = ResultsStore(url)
        for key in ks:
            store.add(*episode(key, 2))

    procs = [ctx.Process(target=both, args=(ks,)) for ks in (keys[:keys_per_writer], keys[-keys_per_writer:])]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return all(p.exitcode == 0 for p in procs) and ResultsStore(url).count() == len(keys)


def measure(backend: str, fresh_url, args: argparse.Namespace) -> None:  # noqa: ANN001
    for writers in args.writers:
        rates = [once(fresh_url(), args.episodes, writers, args.steps) for _ in range(args.repeats)]
        print(f"| {backend} | {writers} | {statistics.median(rates):,.0f} | "
              f"{', '.join(f'{r:,.0f}' for r in rates)} |", flush=True)


def use_store_file(path: str) -> None:
    """Measure the ``ResultsStore`` defined in ``path`` (e.g. ``git show REV:leaderboards/store.py > old.py``)."""
    import importlib.util

    global ResultsStore
    spec = importlib.util.spec_from_file_location("bench_old_store", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    ResultsStore = module.ResultsStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1600, help="episodes per measurement, split over writers")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 8])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20, help="steps per stored trajectory")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--pg-setting", action="append", default=[], help="server setting name=value")
    parser.add_argument("--race-trials", type=int, default=0, help="only count failed two-writer races (SQLite)")
    parser.add_argument("--store-file", help="use the ResultsStore of this file (an older store.py, for before/after)")
    args = parser.parse_args()
    if args.store_file:
        use_store_file(args.store_file)
    if args.race_trials:
        with tempfile.TemporaryDirectory() as tmp:
            failed = sum(not race(str(Path(tmp) / f"r{t}"), 50) for t in range(args.race_trials))
        print(f"two writers into one new SQLite store at once: {failed} of {args.race_trials} trials failed")
        return
    print(f"# {' '.join(sys.argv)} | {platform.platform()} | {os.cpu_count()} cores | "
          f"python {platform.python_version()} | load {os.getloadavg()[0]:.1f}")
    print("| store | writers | episodes/s (median) | runs |\n|---|---:|---:|---|")
    if "sqlite" in args.backends:
        with tempfile.TemporaryDirectory() as tmp:
            counter = iter(range(10**6))
            measure("SQLite", lambda: str(Path(tmp) / f"run{next(counter)}"), args)
    if "postgres" in args.backends:
        settings = dict(s.split("=", 1) for s in args.pg_setting)
        with running_postgres(settings) as server:
            label = "PostgreSQL" + "".join(f" {k}={v}" for k, v in settings.items())
            measure(label, server.create_database, args)
    print(f"# load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
