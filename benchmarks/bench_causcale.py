"""CauScale (issue 5): scale (time and peak memory), tied vs untied memory, and accuracy against the baselines.

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

Usage: python benchmarks/bench_causcale.py [--parts scale memory accuracy] [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import shlex
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
                seconds, cpu, scores = run_method(method, obs, info, seed, args.timeout, {})
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
    parser.add_argument("--json", help="write every row to this file")
    args = parser.parse_args(argv)
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
    if "accuracy" in args.parts:
        import torch

        torch.set_num_threads(args.threads)
        importlib.import_module("cauarena.learners.causcale.model")  # imported before forking: not timed

        preload()
        results["accuracy"] = part_accuracy(args)
    print(f"\nload average now {os.getloadavg()[0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
