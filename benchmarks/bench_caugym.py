"""CauGym benchmarks: generator speed, oracle accuracy per task x variant, and the tiny LM before/after training.

Three parts (each a flag; the first two are fast, ``--train`` takes tens of minutes on a 2-core CPU):

- ``--generator``: items/s of ``generate_item`` over all tasks x variants (difficulty 3-9, mixed names),
  the median of ``--repeats`` runs; both wall-clock and process-CPU rates (the CPU rate is what a shared,
  loaded machine still measures faithfully); with ``--workers N``, also ``generate_items`` in N processes;
- ``--oracle``: the text-only oracle's accuracy per task x variant on ``--oracle-items`` held-out items each;
- ``--published DIR``: the oracle on the published test sets (``DIR/<set>_dataset.json``, fetched by the user
  from OpenCausaLab/CauGym ``eval/test_datasets``; never copied into this repository), per set and per task,
  on all items and on the *self-consistent* ones (:func:`self_consistent`), with the crashes counted;
- ``--mix``: the generator's item types (zero-effect share, NDE without a mediator, graph sizes, where the
  LACK_CONDITION instruction appears) and mean prompt length per variant, beside the published figures;
- ``--train``: builds the tiny LM (``base``), post-trains it with SFT, DPO, KTO and GRPO, and evaluates every
  model on ``--eval-items`` held-out items per task x variant (difficulty ``basic``): success (exact PROB and
  Yes/No), PROB, Yes/No, LACK_CONDITION hits, with 95% bootstrap CIs, per method x task, per method x variant,
  and per method x task x variant. Writes ``<out>/tiny_lm.md`` and ``<out>/records.jsonl``.

Usage::

    python benchmarks/bench_caugym.py --generator --oracle [--workers 2]
    python benchmarks/bench_caugym.py --published /tmp/caugym_pub --mix
    python benchmarks/bench_caugym.py --train --out runs/caugym_bench
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path

from cauarena.agents.caugym import CauGymOracle
from cauarena.envs.caugym import (
    TASKS,
    VARIANTS,
    generate_item,
    generate_items,
    gold_of,
    load_items,
    score_reply,
)
from cauarena.envs.caugym.tasks import round4
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


# --- the published test sets -------------------------------------------------------------------------------

PUBLISHED = {"base": 1102, "rephrased": 991, "omitted": 885, "deconfounding": 2061, "redundant": 1862,
             "insufficient": 1435}
"""Mean prompt characters of the published sets."""
PUBLISHED_MIX = {"base": (165, 58), "rephrased": (165, 58), "omitted": (165, 58), "deconfounding": (0, 0),
                 "redundant": (50, 74), "insufficient": (0, 83)}
"""Published (zero-effect items, NDE items without a mediator) per 700 items."""
_ARITH = re.compile(r"=\s*([-\d.()\[\]*+/ ]*\d[-\d.()\[\]*+/ ]*?[*+/-][-\d.()\[\]*+/ ]*?)\s*=\s*(-?\d+\.\d+)")


def _arith(expr: str) -> Fraction:
    """Exact value of an arithmetic expression of the Reason steps (numbers, + - * /, brackets)."""
    node = ast.parse(expr.translate(str.maketrans("[]{}", "()()")).strip(), mode="eval").body

    def ev(n: ast.AST) -> Fraction:
        if isinstance(n, ast.BinOp) and type(n.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div):
            a, b = ev(n.left), ev(n.right)
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}.get(type(n.op)) or (a / b if b else a * 0)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return -ev(n.operand)
        if isinstance(n, ast.Constant) and isinstance(n.value, int | float):
            return Fraction(str(n.value))
        raise ValueError(f"not arithmetic: {ast.dump(n)}")

    return ev(node)


def _reason_result(item) -> Fraction | None:
    steps = list(item.Reason.values())
    if item.Type in ("PN", "PS"):
        m = re.search(r"=(max|min)\{\s*[01],\s*([^{}]*?)\}\s*\n", steps[-1]) if steps else None
        if m is None:
            return None
        value = _arith(m.group(2))
        return max(value, Fraction(0)) if m.group(1) == "max" else min(value, Fraction(1))
    if len(steps) == 1:
        return Fraction(0)  # a zero effect: "... does not exist. So the answer is No."
    for step in reversed(steps):
        m = re.fullmatch(r"\s*(ATE|CDE|ETT|NDE|NIE)=(.+)=\s*(-?[\d.]+)\s*", step)
        if m and re.search(r"\d[*+-]", m.group(2)):
            return _arith(m.group(2))
    return None


def self_consistent(item) -> bool:
    """An item whose Reason's arithmetic holds and gives its answer (insufficient items: always).

    Every ``expr = number`` line of the Reason must round to the number it states, and the result must round to
    the answer's PROB. Many published items fail this: their PROB (and some intermediate numbers, such as a
    PN/PS do-term) were computed from the SCM's unrounded probabilities, not from the 4-decimal numbers the text
    states, so no reader of the text can reproduce them.
    """
    if "LACK_CONDITION" in item.answer:
        return True
    try:
        result = _reason_result(item)
        for step in item.Reason.values():
            for m in _ARITH.finditer(step.replace("\n", " ")):
                if abs(round4(_arith(m.group(1))) - Fraction(m.group(2))) > Fraction(1, 20000):
                    return False
    except (ValueError, SyntaxError):
        return False
    return result is not None and round4(result) == Fraction(json.loads(item.answer)["PROB"])


def bench_published(folder: Path) -> list[tuple]:
    """Rows ``(set, task, right on self-consistent, self-consistent, right on all, all, crashes)``."""
    agent = CauGymOracle()
    rows = []
    for name in PUBLISHED:
        path = folder / f"{name}_dataset.json"
        if not path.exists():
            continue
        counts: dict[str, Counter] = defaultdict(Counter)
        for item in load_items(path):
            try:
                right = score_reply(agent.act(item.problem, {}), gold_of(item)).success
            except Exception:  # noqa: BLE001 - a crash is what this measures
                counts[item.Type]["crash"] += 1
                right = False
            ok = self_consistent(item)
            counts[item.Type].update(all=1, right=right, consistent=ok, consistent_right=ok and right)
        for task in TASKS:
            c = counts[task]
            rows.append((name, task, c["consistent_right"], c["consistent"], c["right"], c["all"], c["crash"]))
    return rows


def published_table(rows: list[tuple]) -> str:
    lines = ["| set | " + " | ".join(TASKS) + " | all tasks | crashes |", "|---" * (len(TASKS) + 3) + "|"]
    for name in dict.fromkeys(r[0] for r in rows):
        mine = [r for r in rows if r[0] == name]
        cells = [f"{r[2]}/{r[3]} ({r[4]}/{r[5]})" for r in mine]
        sums = [sum(r[k] for r in mine) for k in (2, 3, 4, 5)]
        total = f"{sums[0]}/{sums[1]} ({sums[2]}/{sums[3]})"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {total} | {sum(r[6] for r in mine)} |")
    return "\n".join(lines)


def bench_mix(per_task: int) -> str:
    """The generator's item-type mix and prompt length per variant (``per_task`` seeds from 1000 per task)."""
    lines = ["| variant | items | zero-effect (published) | NDE without mediator (published) | nodes 3/4/5/8/9 | "
             "LACK instruction | mean prompt chars (published) |", "|---" * 7 + "|"]
    for variant in VARIANTS:
        items = generate_items([(seed, task, variant) for task in TASKS for seed in range(1000, 1000 + per_task)])
        zero = sum(i.meta["zero_effect"] for i in items)
        no_mediator = sum(i.Type == "NDE" and not i.meta["zero_effect"] and i.meta["mediators"] == 0 for i in items)
        nodes = Counter(i.meta["nodes"] for i in items)
        lack = sum("LACK_CONDITION" in i.problem for i in items)
        length = statistics.mean(len(i.problem) for i in items)
        pub_zero, pub_nde = PUBLISHED_MIX[variant]
        scale = len(items) / 700
        lines.append(
            f"| {variant} | {len(items)} | {zero} ({pub_zero * scale:.0f}) | {no_mediator} ({pub_nde * scale:.0f}) | "
            + "/".join(str(nodes[n]) for n in (3, 4, 5, 8, 9)) + f" | {lack} | {length:.0f} ({PUBLISHED[variant]}, "
            f"{100 * (length / PUBLISHED[variant] - 1):+.0f}%) |")
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
    parser.add_argument("--published", metavar="DIR", help="folder with the published <set>_dataset.json files")
    parser.add_argument("--mix", action="store_true", help="generator item types and prompt lengths")
    parser.add_argument("--mix-items", type=int, default=100, help="mix: items per task and variant")
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
    if args.published:
        start = time.perf_counter()
        rows = bench_published(Path(args.published).expanduser())
        print(f"published sets, oracle right on self-consistent items (on all items), "
              f"{time.perf_counter() - start:.0f} s:\n{published_table(rows)}")
    if args.mix:
        print(bench_mix(args.mix_items))
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
