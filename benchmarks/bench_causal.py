"""Causal-discovery baselines and CauScientist-greedy: time, AUPRC, SHD and F1, in one run.

Part 1 (CausalDiscovery-v0 instances): every method on linear-Gaussian ER graphs (``--degree`` edges per
node, ``--m`` rows, roots Gaussian: ``root="noise"``) at each ``--ns``, and on each ``--networks`` bnlearn
network (``--m`` rows, observational). Each method runs in a forked child process with a wall-clock limit
(``--timeout``; a method past it is reported as a timeout) and is timed inside the child, wall and CPU
seconds of its compute only (imports are done before forking). CPU time is the process's (all its
threads): on a loaded machine it is the better measure of the work. Cells are median times and mean AUPRC /
SHD / F1 (directed, ``score > 0.5``) over the seeds that finished; ``--seeds`` graphs per setting,
``--seeds-large`` from ``--large-n`` variables and for ``--large-networks``. ``causcientist`` starts from
the empty graph and PC only (no GES) from ``--pc-init-from`` variables and on ``--large-networks``.

Part 2 (CauScientist-v0): the ``causcientist`` greedy proposer against its own initial graph (the env's
hybrid initialisation: best BIC of empty, PC and GES), on the settings up to ``--scientist-max-n``
variables, observational and with every variable intervened on; F1 gain and SHD drop.

Usage: python benchmarks/bench_causal.py [--ns 10 20 50 100] [--networks asia sachs child alarm]
       [--methods ...] [--seeds 3] [--seeds-large 1] [--timeout 600] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shlex
import statistics
import sys
import time
import warnings
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

import cauarena
from cauarena.agents import make_agent
from cauarena.agents.rollout import Rollout
from cauarena.envs.causal.metrics import all_metrics

METHODS = ("random", "corr", "precision", "pc", "ges", "lingam", "notears", "causcientist-greedy")


def preload() -> None:
    """Import what the methods import lazily (causal-learn, scipy's optimisers, pgmpy) before forking,
    so that no method's time includes an import."""
    import scipy.linalg  # noqa: F401
    import scipy.optimize  # noqa: F401

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import causallearn.search.ConstraintBased.PC  # noqa: F401
        import causallearn.search.FCMBased.lingam  # noqa: F401
        import causallearn.search.ScoreBased.GES  # noqa: F401


def _child(conn: Any, method: str, obs: dict, info: dict, seed: int, kwargs: dict) -> None:
    warnings.simplefilter("ignore")
    agent = make_agent(method, family="causal", **kwargs)
    agent.reset(seed=seed, info=info)
    start, cpu = time.perf_counter(), time.process_time()
    scores = agent.act(obs, info)
    conn.send((time.perf_counter() - start, time.process_time() - cpu, np.asarray(scores, dtype=float)))
    conn.close()


def run_method(
    method: str, obs: dict, info: dict, seed: int, timeout: float, kwargs: dict
) -> tuple[float, float, Any]:
    """``(wall s, CPU s, scores)``, or ``(wall s waited, nan, None)`` on a timeout or a crash (printed)."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, method, obs, info, seed, kwargs))
    start = time.perf_counter()
    process.start()
    child.close()
    ready = parent.poll(timeout)
    result = parent.recv() if ready else None
    process.join(1 if result is not None else 0)
    if process.is_alive():
        process.kill()
        process.join()
    if result is None:
        what = "timeout" if not ready else f"exit code {process.exitcode}"
        print(f"    {method}: no result ({what}) after {time.perf_counter() - start:.0f} s", flush=True)
        return time.perf_counter() - start, float("nan"), None
    return result


def settings(args: argparse.Namespace) -> list[tuple[str, dict, int]]:
    out = []
    for n in args.ns:
        seeds = args.seeds_large if n >= args.large_n else args.seeds
        out.append((f"ER n={n}", {"graph": "er", "n": n, "degree": args.degree, "m": args.m, "root": "noise"}, seeds))
    for name in args.networks:
        seeds = args.seeds_large if name in args.large_networks else args.seeds
        out.append((name, {"graph": name, "m": args.m}, seeds))
    return out


def _load_rows(path: str | None) -> list[dict]:
    if not path or not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _save_row(path: str | None, row: dict) -> None:
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(row) + "\n")


def part_discovery(args: argparse.Namespace) -> list[dict]:
    rows = [r for r in _load_rows(args.rows) if r.get("part") == "discovery"]
    done = {(r["setting"], r["seed"], r["method"]) for r in rows}
    if done:
        print(f"  resuming: {len(done)} method runs already in {args.rows}", flush=True)
    for label, kwargs, seeds in settings(args):
        large = kwargs.get("n", 0) >= args.pc_init_from or label in args.large_networks
        agent_kwargs = {"notears": {"time_budget_s": args.notears_budget},
                        "causcientist-greedy": {"init": ("empty", "pc") if large else ("empty", "pc", "ges")}}
        env = cauarena.make("cauarena/CausalDiscovery-v0", **kwargs)
        for seed in range(seeds):
            obs, info = env.reset(seed=seed)
            truth = env.unwrapped.true_adjacency
            print(f"  {label} seed {seed}: {int(truth.sum())} edges", flush=True)
            for method in args.methods:
                if (label, seed, method) in done:
                    continue
                seconds, cpu, scores = run_method(method, obs, info, seed, args.timeout, agent_kwargs.get(method, {}))
                row = {"part": "discovery", "setting": label, "seed": seed, "method": method, "time_s": seconds,
                       "cpu_s": cpu, "ok": scores is not None}
                if scores is not None:
                    row.update(all_metrics(scores, truth))
                rows.append(row)
                _save_row(args.rows, row)
                if scores is not None:
                    print(f"    {method:<12} {seconds:8.2f} s (CPU {cpu:7.2f} s)  AUPRC {row['auprc']:.3f}  "
                          f"SHD {row['shd']:4.0f}  F1 {row['f1']:.3f}", flush=True)
    return rows


def part_scientist(args: argparse.Namespace) -> list[dict]:
    rows = []
    for label, kwargs, seeds in settings(args):
        if label.startswith("ER") and kwargs["n"] > args.scientist_max_n:
            continue
        for interventions in args.scientist_interventions:
            rows += _scientist_setting(args, label, kwargs, seeds, interventions)
    return rows


def _scientist_setting(args: argparse.Namespace, label: str, kwargs: dict, seeds: int, interventions: float) -> list:
    rows = []
    init = ("empty", "pc") if label in args.large_networks else ("empty", "pc", "ges")
    env = cauarena.make("cauarena/CauScientist-v0", **kwargs, interventions=interventions, init=init,
                        max_iterations=args.scientist_iterations)
    for seed in range(seeds):
        start = time.perf_counter()
        rollout = Rollout(env, make_agent("causcientist-greedy", family="causal"), seed=seed).run()
        steps, m = rollout.n_steps, rollout.info["metrics"]
        rows.append({"setting": label, "interventions": interventions, "seed": seed, "init": init,
                     "steps": steps, "time_s": time.perf_counter() - start, **m})
        print(f"  {label} (interventions {interventions}) seed {seed}: init F1 {m['init_f1']:.3f} -> "
              f"{m['f1']:.3f}, SHD {m['init_shd']:.0f} -> {m['shd']:.0f} in {steps} steps", flush=True)
    return rows


def _mean(values: list[float]) -> str:
    return f"{statistics.fmean(values):.3f}" if values else "-"


def _cell(rs: list[dict], timeout: float) -> str:
    done = [r for r in rs if r["ok"]]
    if not done:
        return f"timeout (>{timeout:.0f} s)"
    wall, cpu = statistics.median(r["time_s"] for r in done), statistics.median(r["cpu_s"] for r in done)
    cell = (f"{wall:.2f} ({cpu:.2f}) / {_mean([r['auprc'] for r in done])} / "
            f"{statistics.fmean(r['shd'] for r in done):.1f} / {_mean([r['f1'] for r in done])}")
    return cell + (f" ({len(rs) - len(done)} timed out)" if len(done) < len(rs) else "")


def print_tables(discovery: list[dict], scientist: list[dict], args: argparse.Namespace) -> None:
    labels = list(dict.fromkeys(r["setting"] for r in discovery))
    if labels:
        print("\n### CausalDiscovery: wall s (CPU s), medians / AUPRC / SHD / F1, means over seeds\n")
        print("| setting | seeds | " + " | ".join(args.methods) + " |")
        print("|---|---|" + "---|" * len(args.methods))
    for label in labels:
        cells = [_cell([r for r in discovery if r["setting"] == label and r["method"] == m], args.timeout)
                 for m in args.methods]
        n_seeds = len({r["seed"] for r in discovery if r["setting"] == label})
        print(f"| {label} | {n_seeds} | " + " | ".join(cells) + " |")
    if not scientist:
        return
    print("\n### CauScientist-greedy vs its initial graph (means over seeds)\n")
    print("| setting | intervened | seeds | init | F1 init -> final (gain) | SHD init -> final (drop) | steps "
          "| wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for key in dict.fromkeys((r["setting"], r["interventions"]) for r in scientist):
        rs = [r for r in scientist if (r["setting"], r["interventions"]) == key]

        def avg(name: str, rs: list[dict] = rs) -> float:
            return statistics.fmean(r[name] for r in rs)

        print(f"| {key[0]} | {key[1]:g} | {len(rs)} | {'+'.join(rs[0]['init'])} | {avg('init_f1'):.3f} -> "
              f"{avg('f1'):.3f} ({avg('f1_gain'):+.3f}) | {avg('init_shd'):.1f} -> {avg('shd'):.1f} "
              f"({avg('shd_drop'):+.1f}) | {avg('steps'):.1f} | {statistics.median(r['time_s'] for r in rs):.1f} |")


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "missing"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ns", type=int, nargs="*", default=[10, 20, 50, 100], help="ER graph sizes")
    parser.add_argument("--networks", nargs="*", default=["asia", "sachs", "child", "alarm"], help="bnlearn networks")
    parser.add_argument("--methods", nargs="*", default=list(METHODS), help=f"agents (default: {' '.join(METHODS)})")
    parser.add_argument("--degree", type=float, default=2.0, help="ER expected edges per node (default 2)")
    parser.add_argument("--m", type=int, default=1000, help="rows (default 1000)")
    parser.add_argument("--seeds", type=int, default=3, help="graphs per setting (default 3)")
    parser.add_argument("--seeds-large", type=int, default=1, help="graphs per large setting (default 1)")
    parser.add_argument("--large-n", type=int, default=100, help="ER sizes from which --seeds-large applies")
    parser.add_argument("--large-networks", nargs="*", default=["alarm"], help="networks using --seeds-large")
    parser.add_argument("--timeout", type=float, default=600.0, help="wall-clock limit per method call (s)")
    parser.add_argument("--notears-budget", type=float, default=120.0, help="NOTEARS' own time budget (s)")
    parser.add_argument("--pc-init-from", type=int, default=50,
                        help="ER size (and --large-networks) from which causcientist starts from empty/PC only")
    parser.add_argument("--no-discovery", action="store_true", help="skip part 1 (the baselines)")
    parser.add_argument("--no-scientist", action="store_true", help="skip part 2 (CauScientist-greedy)")
    parser.add_argument("--scientist-interventions", type=float, nargs="*", default=[0.0, 1.0],
                        help="intervened fractions in part 2 (default: 0 and 1)")
    parser.add_argument("--scientist-max-n", type=int, default=20, help="largest ER size in part 2")
    parser.add_argument("--scientist-iterations", type=int, default=200, help="CauScientist max_iterations")
    parser.add_argument("--json", help="write every per-seed row to this file")
    parser.add_argument("--rows", help="append part 1's rows to this JSON-lines file as they finish, and skip the "
                        "runs it already holds (resume a killed run)")
    args = parser.parse_args(argv)

    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, nproc={os.cpu_count()}, "
          f"python {platform.python_version()}, numpy {np.__version__}, causal-learn {_version('causal-learn')}, "
          f"pgmpy {_version('pgmpy')}, cauarena {cauarena.__version__}, load average {os.getloadavg()[0]:.2f}")
    preload()
    start = time.perf_counter()
    discovery = []
    if not args.no_discovery:
        print("\n## Part 1: CausalDiscovery baselines", flush=True)
        discovery = part_discovery(args)
    scientist = []
    if not args.no_scientist:
        print("\n## Part 2: CauScientist-greedy", flush=True)
        scientist = part_scientist(args)
    print_tables(discovery, scientist, args)
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s, load average now {os.getloadavg()[0]:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"discovery": discovery, "scientist": scientist}, f, indent=1)


if __name__ == "__main__":
    main()
