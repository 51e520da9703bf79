"""CauGym benchmarks: generator speed, oracle accuracy per task x variant, and the tiny LM before/after training.

Three parts (each a flag; the first two are fast, ``--train`` takes tens of minutes on a 2-core CPU):

- ``--generator``: items/s of ``generate_item`` over all tasks x variants (difficulty 3-9, mixed names),
  the median of ``--repeats`` runs; both wall-clock and process-CPU rates (the CPU rate is what a shared,
  loaded machine still measures faithfully); with ``--workers N``, also ``generate_items`` in N processes;
- ``--oracle``: the text-only oracle's accuracy per task x variant on ``--oracle-items`` held-out items each;
- ``--train``: builds the tiny LM (``base``), post-trains it with SFT, DPO, KTO and GRPO, and evaluates every
  model on ``--eval-items`` held-out items per task x variant (difficulty ``basic``): success (exact PROB and
  Yes/No), PROB, Yes/No, LACK_CONDITION hits, with 95% bootstrap CIs, per method x task, per method x variant,
  and per method x task x variant. Writes ``<out>/tiny_lm.md`` and ``<out>/records.jsonl``.

Usage::

    python benchmarks/bench_caugym.py --generator --oracle [--workers 2]
    python benchmarks/bench_caugym.py --train --out runs/caugym_bench
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from cauarena.agents.caugym import CauGymOracle
from cauarena.envs.caugym import TASKS, VARIANTS, generate_item, generate_items, gold_of, score_reply
from cauarena.leaderboards.stats import bootstrap_ci

METHODS = ("base", "sft", "dpo", "kto", "grpo")


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f} at start"


def bench_generator(items_per_cell: int, repeats: int) -> dict:
    """Median items/s (wall and CPU) over ``repeats`` runs of 42 cells x ``items_per_cell`` fresh seeds."""
    wall, cpu = [], []
    for r in range(repeats):
        t_wall, t_cpu = time.perf_counter(), time.process_time()
        n = 0
        for k in range(items_per_cell):
            for task in TASKS:
                for variant in VARIANTS:
                    generate_item(50_000 + r * 1000 + k, task, variant)
                    n += 1
        wall.append(n / (time.perf_counter() - t_wall))
        cpu.append(n / (time.process_time() - t_cpu))
    return {"items_per_run": n, "wall": wall, "cpu": cpu,
            "median_wall": statistics.median(wall), "median_cpu": statistics.median(cpu)}


def bench_generator_parallel(items_per_cell: int, repeats: int, workers: int) -> dict:
    """Median wall items/s of ``generate_items(..., workers)`` (process start-up included) over ``repeats`` runs."""
    wall = []
    for r in range(repeats):
        requests = [(70_000 + r * 10_000 + k, task, variant)
                    for k in range(items_per_cell) for task in TASKS for variant in VARIANTS]
        start = time.perf_counter()
        generate_items(requests, workers=workers)
        wall.append(len(requests) / (time.perf_counter() - start))
    return {"items_per_run": len(requests), "workers": workers, "wall": wall, "median_wall": statistics.median(wall)}


def bench_oracle(items: int) -> dict[tuple[str, str], tuple[int, int]]:
    """(right, total) of the oracle per (task, variant) on held-out seeds 1000.."""
    agent = CauGymOracle()
    out = {}
    for task in TASKS:
        for variant in VARIANTS:
            right = 0
            for seed in range(1000, 1000 + items):
                item = generate_item(seed, task, variant)
                right += score_reply(agent.act(item.problem, {}), gold_of(item)).success
            out[(task, variant)] = (right, items)
    return out


def oracle_table(results: dict[tuple[str, str], tuple[int, int]]) -> str:
    lines = ["| task | " + " | ".join(VARIANTS) + " |", "|---" * (len(VARIANTS) + 1) + "|"]
    for task in TASKS:
        cells = [f"{results[(task, v)][0]}/{results[(task, v)][1]}" for v in VARIANTS]
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- the tiny LM before and after post-training ----------------------------------------------------------


def train_all(out: Path, overrides: dict[str, dict], progress: bool) -> dict[str, dict]:
    from cauarena.learners.caugym.train import run

    metrics = {}
    for method in METHODS:
        target = out / "models" / method
        if (target / "metrics.json").exists():
            metrics[method] = json.loads((target / "metrics.json").read_text())
            continue
        init = None if method == "base" else out / "models" / "base"
        print(f"training {method} ...", file=sys.stderr, flush=True)
        metrics[method] = run(method, target, init=init, work_dir=out / "work" / method,
                              overrides=overrides.get(method, {}), progress=progress)
    return metrics


def evaluate_all(out: Path, per_cell: int) -> list[dict]:
    from cauarena.learners.caugym.evaluate import evaluate_model, test_items

    items = test_items(per_cell)
    records = []
    for method in METHODS:
        cached = out / "eval" / f"{method}.jsonl"
        if cached.exists():
            records += [json.loads(line) for line in cached.read_text().splitlines()]
            continue
        print(f"evaluating {method} on {len(items)} items ...", file=sys.stderr, flush=True)
        rows, seconds = evaluate_model(out / "models" / method, items)
        rows = [{"method": method, "eval_s": round(seconds, 1), **r} for r in rows]
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
        records += rows
    return records


def _ci(values: list[float]) -> str:
    values = [v for v in values if v == v]
    if not values:
        return "-"
    mean, low, high = bootstrap_ci(values, seed=0)
    return f"{mean:.2f} [{low:.2f}, {high:.2f}]"


def tiny_lm_tables(records: list[dict]) -> str:
    """Markdown: per method x task, per method x variant, and per method x task x variant."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        groups[(r["method"], r["task"])].append(r)
        groups[(r["method"], "variant", r["variant"])].append(r)
        groups[(r["method"], r["task"], r["variant"])].append(r)
    cols = ("success", "prob_correct", "yesno_correct", "lack_hit", "answered")
    head = "| method | {} | n | success | PROB | Yes/No | LACK hit | answered |"
    out = []
    for title, key_name, keys in (("per task", "task", TASKS), ("per variant", "variant", VARIANTS)):
        out += [f"#### {title}", "", head.format(key_name), "|---" * 8 + "|"]
        for method in METHODS:
            for key in keys:
                rows = groups[(method, key)] if key_name == "task" else groups[(method, "variant", key)]
                out.append(f"| {method} | {key} | {len(rows)} | " + " | ".join(_ci([r[c] for r in rows]) for c in cols)
                           + " |")
        out.append("")
    out += ["#### per task x variant (success)", "", "| method | task | " + " | ".join(VARIANTS) + " |",
            "|---" * (len(VARIANTS) + 2) + "|"]
    for method in METHODS:
        for task in TASKS:
            cells = [f"{sum(r['success'] for r in groups[(method, task, v)]):.0f}/{len(groups[(method, task, v)])}"
                     for v in VARIANTS]
            out.append(f"| {method} | {task} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generator", action="store_true")
    parser.add_argument("--oracle", action="store_true")
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--items-per-cell", type=int, default=10, help="generator: items per task x variant per run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=0,
                        help="generator: also time generate_items with this many worker processes")
    parser.add_argument("--oracle-items", type=int, default=100)
    parser.add_argument("--eval-items", type=int, default=4, help="tiny LM: held-out items per task x variant")
    parser.add_argument("--out", default="runs/caugym_bench")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="METHOD.KEY=VALUE",
                        help="override a recipe field, e.g. --set sft.items_per_cell=5")
    args = parser.parse_args(argv)
    print(machine())
    if args.generator:
        g = bench_generator(args.items_per_cell, args.repeats)
        print(f"generator: {g['items_per_run']} items per run, median {g['median_wall']:.0f} items/s wall, "
              f"{g['median_cpu']:.0f} items/s CPU (runs: " + ", ".join(f"{w:.0f}" for w in g["wall"]) + ")")
        if args.workers > 1:
            p = bench_generator_parallel(args.items_per_cell * 10, args.repeats, args.workers)
            print(f"generate_items, {p['workers']} workers: {p['items_per_run']} items per run, median "
                  f"{p['median_wall']:.0f} items/s wall (runs: " + ", ".join(f"{w:.0f}" for w in p["wall"]) + ")")
    if args.oracle:
        start = time.perf_counter()
        results = bench_oracle(args.oracle_items)
        right = sum(r for r, _ in results.values())
        total = sum(n for _, n in results.values())
        print(f"oracle: {right}/{total} right ({time.perf_counter() - start:.0f} s)\n{oracle_table(results)}")
    if args.train:
        out = Path(args.out)
        overrides: dict[str, dict] = defaultdict(dict)
        for pair in args.overrides:
            key, _, value = pair.partition("=")
            method, _, field = key.partition(".")
            try:
                overrides[method][field] = json.loads(value)
            except ValueError:
                overrides[method][field] = value
        metrics = train_all(out, overrides, progress=False)
        records = evaluate_all(out, args.eval_items)
        (out / "records.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
        training = "\n".join(
            f"- {m}: {json.dumps({k: v for k, v in metrics[m].get('training', {}).items()})}, "
            f"total {metrics[m].get('total_wall_s')} s" for m in METHODS
        )
        text = f"{machine()}\n\nTraining:\n{training}\n\n{tiny_lm_tables(records)}\n"
        (out / "tiny_lm.md").write_text(text)
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
