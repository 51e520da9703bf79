"""CauScale: scale (time and peak memory), tied vs untied memory, and accuracy against the baselines.

Parts (``--parts``, default all):

- ``scale``: one forward pass of the shipped checkpoint at ``--scale-n`` variables x ``--scale-m`` rows (a
  linear ER graph, degree 2), with the data stream reading the agent's default rows and all rows; one training
  step (forward, backward, AdamW) at ``--train-n`` variables. Each measurement runs in a fresh child process
  (capped at ``--mem-cap-gb`` of address space); memory is the child's peak resident set (``VmHWM``: torch,
  the data and the network together).
- ``memory``: peak memory and time of one forward pass against n for tied and untied (AVICI-style) attention,
  same weights, ``--curve-m`` rows in the data stream; a run past the cap is reported as out of memory.
- ``accuracy``: CauScale and the baselines of ``benchmarks/bench_causal.py`` on the same instances
  (``cauarena/CausalDiscovery-v0``, 1000 rows; linear-Gaussian ER and SF graphs with ``root="noise"`` as in
  bench_causal; OOD: sigmoid and polynomial mechanisms, Laplace noise, bnlearn networks). Methods run through
  bench_causal's forked, timed children (``run_method``); the causcale time includes standardising, the
  precision prior and loading the 0.5 MB checkpoint.

- ``published``: CauScale's published test protocol, the ``causcale-test`` suite's envs (ER, 1000
  rows, every node intervened once + the observational regime of 1000 // (n + 1) rows; ``--test-ns`` sizes of
  (10, 10) ... (1000, 2000) x ``--test-mechanisms``, ``--test-graphs`` graphs from seed 1000 (the test graphs;
  ``--graph-seed-start 7000`` draws validation graphs to make choices on), fewer from ``--large-n``). CORR,
  INVCOV (``precision``), PC (up to ``--pc-max-n``), NOTEARS (up to ``--notears-max-n``)
  and CauScale in bench_causal's forked, timed children; mAP = AUPRC over the n (n - 1) ordered pairs, SHD as
  the published ``shd_metric`` at 0.5. A table shaped like the paper's Table 1 with its values beside ours
  (n = 100 and 1000). ``--observational`` plays the same graphs without interventions; ``--checkpoint DIR``
  scores a checkpoint folder (e.g. a ``cauarena train causcale --out DIR`` run) instead of the shipped one;
  ``--prior-rows 500`` makes its precision prior read the published 500 rows (the agent reads all by default).

Usage: python benchmarks/bench_causcale.py [--parts scale memory accuracy published] [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_causal import _cell, preload, run_method  # noqa: E402

import cauarena  # noqa: E402
from cauarena.envs.causal.metrics import all_metrics  # noqa: E402


def _peak_rss_gb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def _instance(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from cauarena.envs.causal.simulate import random_dag, simulate_scm

    rng = np.random.default_rng(seed)
    adj = random_dag("er", n, 2.0, rng)
    return simulate_scm(adj, m, rng, root="noise").astype(np.float32), adj


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """One measurement in this (fresh) process; ``spec["kind"]`` is ``forward`` or ``train``."""
    import torch

    from cauarena.envs.causal.metrics import auprc
    from cauarena.learners.causcale.checkpoint import load_model, predict
    from cauarena.learners.causcale.data import featurize
    from cauarena.learners.causcale.model import pair_loss

    torch.set_num_threads(spec["threads"])
    model = load_model(None, attention=spec.get("attention", "tied"))
    data, adj = _instance(spec["n"], spec["m"], spec["seed"])
    before = _peak_rss_gb()
    start = time.perf_counter()
    out: dict[str, Any] = {}
    if spec["kind"] == "forward":
        probs = predict(model, data, None, max_rows=spec["rows"])
        out["auprc"] = auprc(probs, adj)
    else:
        model.train()
        x, mask, prior = featurize(data, np.zeros(data.shape), model.config, np.random.default_rng(0), spec["rows"])
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        loss = pair_loss(model(*(torch.from_numpy(a)[None] for a in (x, mask, prior))), torch.from_numpy(adj)[None])
        loss.backward()
        optimizer.step()
    out.update(seconds=time.perf_counter() - start, peak_gb=_peak_rss_gb(), setup_peak_gb=before)
    return out


def measure(spec: dict[str, Any], cap_gb: float, timeout: float) -> dict[str, Any]:
    """Run :func:`child` in a fresh interpreter under an address-space cap; ``status`` says how it ended."""
    def limit() -> None:
        cap = int(cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    cmd = [sys.executable, __file__, "--child", json.dumps(spec)]
    env = {**os.environ, "OMP_NUM_THREADS": str(spec["threads"])}
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, preexec_fn=limit, env=env)
    except subprocess.TimeoutExpired:
        return {**spec, "status": f"timeout (>{timeout:.0f} s)"}
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        oom = "memory" in tail[0].lower() or "alloc" in tail[0].lower() or done.returncode in (-9, 137)
        return {**spec, "status": f"out of memory (> {cap_gb:g} GB cap)" if oom else f"failed: {tail[0][:120]}"}
    return {**spec, "status": "ok", **json.loads(done.stdout.strip().splitlines()[-1])}


def _fmt(r: dict) -> str:
    if r["status"] != "ok":
        return r["status"]
    return f"{r['seconds']:.2f} s / {r['peak_gb']:.2f} GB"


def part_scale(args: argparse.Namespace) -> list[dict]:
    from cauarena.learners.causcale.checkpoint import load_model

    rows = load_model().config.rows
    specs = [
        {"kind": "forward", "n": args.scale_n, "m": args.scale_m, "rows": rows},
        {"kind": "forward", "n": args.scale_n, "m": args.scale_m, "rows": None},
        {"kind": "train", "n": args.train_n, "m": args.scale_m, "rows": rows},
        {"kind": "train", "n": args.train_n, "m": args.scale_m, "rows": args.train_rows},
    ]
    out = []
    print("\n### Scale: wall s / peak RSS GB (whole child process), threads", args.threads)
    for spec in specs:
        r = measure({**spec, "seed": 0, "threads": args.threads}, args.mem_cap_gb, args.timeout)
        out.append(r)
        extra = f", AUPRC {r['auprc']:.3f}" if "auprc" in r else ""
        print(f"- {spec['kind']} n={spec['n']} m={spec['m']} stream rows={spec['rows'] or spec['m']}: {_fmt(r)}{extra}",
              flush=True)
    return out


def part_memory(args: argparse.Namespace) -> list[dict]:
    out = []
    print(f"\n### Memory curve: one forward pass, {args.curve_m} stream rows; wall s / peak RSS GB")
    print("| n | tied | untied |\n|---|---|---|")
    for n in args.curve_ns:
        cells = []
        for attention in ("tied", "untied"):
            spec = {"kind": "forward", "n": n, "m": args.curve_m, "rows": args.curve_m, "attention": attention,
                    "seed": 0, "threads": args.threads}
            r = measure(spec, args.mem_cap_gb, args.timeout)
            out.append(r)
            cells.append(_fmt(r))
        print(f"| {n} | {cells[0]} | {cells[1]} |", flush=True)
    return out


def accuracy_settings(args: argparse.Namespace) -> list[tuple[str, dict, int]]:
    base = {"m": 1000, "root": "noise", "degree": 2.0}
    out = []
    for n in args.ns:
        for graph in ("er", "sf"):
            seeds = args.seeds_large if n >= 100 else args.seeds
            out.append((f"{graph.upper()} n={n}", {**base, "graph": graph, "n": n}, seeds))
    for label, extra in (("sigmoid", {"mechanism": "sigmoid_add"}), ("polynomial", {"mechanism": "polynomial"}),
                         ("laplace", {"noise": "laplace"})):
        out.append((f"{label} ER n={args.ood_n}", {**base, "graph": "er", "n": args.ood_n, **extra}, args.seeds))
    for name in args.networks:
        out.append((name, {"graph": name, "m": 1000}, args.seeds_large if name == "alarm" else args.seeds))
    return out


def part_accuracy(args: argparse.Namespace) -> list[dict]:
    rows = []
    for label, kwargs, seeds in accuracy_settings(args):
        env = cauarena.make("cauarena/CausalDiscovery-v0", **kwargs)
        for seed in range(seeds):
            obs, info = env.reset(seed=seed)
            truth = env.unwrapped.true_adjacency
            for method in args.methods:
                kwargs = agent_kwargs(method, args)
                seconds, cpu, scores = run_method(method, obs, info, seed, args.timeout, kwargs)
                row = {"setting": label, "seed": seed, "method": method, "time_s": seconds, "cpu_s": cpu,
                       "ok": scores is not None}
                if scores is not None:
                    row.update(all_metrics(scores, truth))
                rows.append(row)
                if scores is not None:
                    print(f"  {label} seed {seed} {method:<10} {seconds:7.2f} s  AUPRC {row['auprc']:.3f}  "
                          f"SHD {row['shd']:4.0f}", flush=True)
    labels = list(dict.fromkeys(r["setting"] for r in rows))
    print("\n### Accuracy: wall s (CPU s), medians / AUPRC / SHD / F1, means over seeds\n")
    print("| setting | seeds | " + " | ".join(args.methods) + " |\n|---|---|" + "---|" * len(args.methods))
    for label in labels:
        cells = [_cell([r for r in rows if r["setting"] == label and r["method"] == m], args.timeout)
                 for m in args.methods]
        print(f"| {label} | {len({r['seed'] for r in rows if r['setting'] == label})} | " + " | ".join(cells) + " |")
    return rows


PAPER_TABLE1 = {
    # (method, n): {mechanism: (mAP %, SHD)} and "t" (s): arXiv 2602.08629 Table 1 (REFERENCE 1.1)
    ("corr", 100): {"linear": (20.1, 578), "nn": (14.7, 605), "sigmoid_add": (28.4, 501), "polynomial": (23.1, 533),
                    "t": 0.0008},
    ("precision", 100): {"linear": (34.1, 491), "nn": (23.6, 531), "sigmoid_add": (32.9, 478),
                         "polynomial": (23.7, 505), "t": 0.028},
    ("notears", 100): {"linear": (29.4, 301), "nn": (17.8, 337), "sigmoid_add": (11.3, 366),
                       "polynomial": (8.6, 372), "t": 2170},
    ("causcale", 100): {"linear": (99.6, 15), "nn": (89.0, 106), "sigmoid_add": (84.4, 126),
                        "polynomial": (50.3, 252), "t": 0.038},
    ("corr", 1000): {"linear": (34.3, 2377), "nn": (16.2, 3031), "sigmoid_add": (34.7, 2304),
                     "polynomial": (25.0, 2473), "t": 0.046},
    ("precision", 1000): {"linear": (46.7, 1997), "nn": (28.0, 2432), "sigmoid_add": (40.6, 2057),
                          "polynomial": (26.4, 2359), "t": 0.44},
    ("notears", 1000): {"linear": (30.5, 1389), "nn": (20.5, 1678), "sigmoid_add": (11.0, 1790),
                        "polynomial": (7.3, 1893), "t": 10896},
    ("causcale", 1000): {"linear": (96.6, 230), "nn": (79.7, 835), "sigmoid_add": (64.5, 1065),
                         "polynomial": (18.9, 3985), "t": 0.83},
}
TABLE1_NAMES = {"corr": "CORR", "precision": "INVCOV", "pc": "PC", "notears": "NOTEARS", "causcale": "CauScale"}


def published_settings(args: argparse.Namespace) -> list[tuple[int, str, dict, int]]:
    """``(n, mechanism, env kwargs, graphs)`` of the ``causcale-test`` suite at the asked sizes."""
    from cauarena.leaderboards.suites import get_suite

    out = []
    for spec in get_suite("causcale-test").envs:
        kwargs = spec.kwargs_dict
        if kwargs["n"] in args.test_ns and kwargs["mechanism"] in args.test_mechanisms:
            if args.observational:
                kwargs = {**kwargs, "interventions": 0}
            graphs = args.test_graphs_large if kwargs["n"] >= args.large_n else args.test_graphs
            out.append((kwargs["n"], kwargs["mechanism"], kwargs, graphs))
    return out


def agent_kwargs(method: str, args: argparse.Namespace) -> dict[str, Any]:
    """The causcale agent's ``--checkpoint`` and ``--prior-rows`` where given; nothing for the other methods."""
    if method != "causcale":
        return {}
    return {key: value for key, value in (("checkpoint", args.checkpoint), ("prior_rows", args.prior_rows))
            if value is not None}


def _runs_at(method: str, n: int, args: argparse.Namespace) -> bool:
    limit = {"pc": args.pc_max_n, "notears": args.notears_max_n}.get(method)
    return limit is None or n <= limit


def part_published(args: argparse.Namespace) -> list[dict]:
    rows = []
    for n, mechanism, kwargs, graphs in published_settings(args):
        env = cauarena.make("cauarena/CausalDiscovery-v0", **kwargs)
        for seed in range(args.graph_seed_start, args.graph_seed_start + graphs):
            obs, info = env.reset(seed=seed)
            truth = env.unwrapped.true_adjacency
            for method in (m for m in args.methods if _runs_at(m, n, args)):
                kwargs = agent_kwargs(method, args)
                seconds, cpu, scores = run_method(method, obs, info, seed, args.timeout, kwargs)
                row = {"n": n, "mechanism": mechanism, "seed": seed, "method": method, "time_s": seconds,
                       "cpu_s": cpu, "ok": scores is not None}
                if scores is not None:
                    row.update(all_metrics(scores, truth))
                    print(f"  n={n} {mechanism:<11} seed {seed} {method:<10} {seconds:8.2f} s  mAP "
                          f"{row['auprc']:.3f}  SHD {row['shd']:5.0f}", flush=True)
                rows.append(row)
    print_table1(rows, args)
    return rows


def _table1_cell(rows: list[dict], timeout: float) -> str:
    done = [r for r in rows if r["ok"]]
    if not rows:
        return "-"
    if not done:
        return f"timeout >{timeout:.0f} s"
    cell = f"{100 * float(np.mean([r['auprc'] for r in done])):.1f}/{float(np.mean([r['shd'] for r in done])):.0f}"
    return cell + (f" ({len(rows) - len(done)} t/o)" if len(done) < len(rows) else "")


def print_table1(rows: list[dict], args: argparse.Namespace) -> None:
    """Per size: method x mechanism cells mAP % / SHD (means over graphs), median wall s; paper's beside."""
    regime = "observational" if args.observational else "every node intervened + observational"
    for n in sorted({r["n"] for r in rows}):
        graphs = len({r["seed"] for r in rows if r["n"] == n})
        print(f"\n### n = {n} ({regime}; {graphs} graphs per mechanism): ours mAP % / SHD, median wall s"
              + (" | paper" if any(k[1] == n for k in PAPER_TABLE1) else "") + "\n")
        mechs = [m for m in args.test_mechanisms if any(r["n"] == n and r["mechanism"] == m for r in rows)]
        paper = any(k[1] == n for k in PAPER_TABLE1)
        head = [*mechs, "t (s)"] + ([f"paper {m}" for m in mechs] + ["paper t"] if paper else [])
        print("| method | " + " | ".join(head) + " |\n|---|" + "---|" * len(head))
        for method in args.methods:
            mine = [r for r in rows if r["n"] == n and r["method"] == method]
            if not mine:
                continue
            cells = [_table1_cell([r for r in mine if r["mechanism"] == m], args.timeout) for m in mechs]
            times = [r["time_s"] for r in mine if r["ok"]]
            cells.append(f"{statistics.median(times):.3g}" if times else "-")
            if paper:
                ref = PAPER_TABLE1.get((method, n), {})
                cells += [f"{ref[m][0]}/{ref[m][1]}" if m in ref else "-" for m in mechs]
                cells.append(str(ref.get("t", "-")))
            print(f"| {TABLE1_NAMES.get(method, method)} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--parts", nargs="*", default=["scale", "memory", "accuracy"])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1: the machine is shared)")
    parser.add_argument("--scale-n", type=int, default=1000)
    parser.add_argument("--scale-m", type=int, default=1000)
    parser.add_argument("--train-n", type=int, default=500)
    parser.add_argument("--train-rows", type=int, default=256, help="stream rows of the second training step")
    parser.add_argument("--curve-ns", type=int, nargs="*", default=[50, 100, 200, 400, 700])
    parser.add_argument("--curve-m", type=int, default=100)
    parser.add_argument("--mem-cap-gb", type=float, default=12.0, help="address-space cap of each child")
    parser.add_argument("--ns", type=int, nargs="*", default=[20, 50, 100])
    parser.add_argument("--ood-n", type=int, default=20)
    parser.add_argument("--networks", nargs="*", default=["asia", "sachs", "child", "alarm"])
    parser.add_argument("--methods", nargs="*", default=["causcale", "corr", "precision", "pc", "ges"])
    parser.add_argument("--seeds", type=int, default=2, help="graphs per setting")
    parser.add_argument("--seeds-large", type=int, default=1, help="graphs per setting at n >= 100 and on alarm")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--test-ns", type=int, nargs="*", default=[10, 20, 50, 100])
    parser.add_argument("--test-mechanisms", nargs="*", default=["linear", "nn", "sigmoid_add", "polynomial"])
    parser.add_argument("--test-graphs", type=int, default=5, help="graphs per (size, mechanism): 5 as published")
    parser.add_argument("--test-graphs-large", type=int, default=1, help="graphs per setting from --large-n")
    parser.add_argument("--large-n", type=int, default=250)
    parser.add_argument("--pc-max-n", type=int, default=100, help="PC runs up to this n")
    parser.add_argument("--notears-max-n", type=int, default=20, help="NOTEARS runs up to this n")
    parser.add_argument("--observational", action="store_true", help="published part without interventions")
    parser.add_argument("--json", help="write every row to this file")
    parser.add_argument("--checkpoint", help="published part: the causcale agent's checkpoint folder [shipped default]")
    parser.add_argument("--graph-seed-start", type=int, default=1000, help="published part: the first graph seed "
                        "(1000, the test graphs; 7000 for validation graphs that choices are made on)")
    parser.add_argument("--prior-rows", type=int, help="rows the causcale agent's precision prior reads (0: all) "
                        "[the checkpoint's, 500 as published]")
    args = parser.parse_args(argv)
    if args.prior_rows is not None and args.prior_rows < 0:
        parser.error(f"--prior-rows must be 0 (all rows) or a positive int; got {args.prior_rows}")
    if args.graph_seed_start < 0:
        parser.error(f"--graph-seed-start must be >= 0 (seeds are non-negative); got {args.graph_seed_start}")
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"machine: {platform.platform()}, nproc={os.cpu_count()}, python {platform.python_version()}, "
          f"cauarena {cauarena.__version__}, date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {os.getloadavg()[0]:.2f}")
    results: dict[str, Any] = {}
    if "scale" in args.parts:
        results["scale"] = part_scale(args)
    if "memory" in args.parts:
        results["memory"] = part_memory(args)
    if "accuracy" in args.parts or "published" in args.parts:
        import torch

        torch.set_num_threads(args.threads)
        importlib.import_module("cauarena.learners.causcale.model")  # imported before forking: not timed

        preload()
        if "accuracy" in args.parts:
            results["accuracy"] = part_accuracy(args)
        if "published" in args.parts:
            results["published"] = part_published(args)
    print(f"\nload average now {os.getloadavg()[0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
