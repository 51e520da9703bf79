"""MAGIC co-evolution with the published switch rule, in both modes, over seeds.

For each ``--modes`` (``ratio``: the published default, a role switch every 15 steps, defender first; ``metric``:
attacker -> defender when the mean harm reward over the last 3 steps falls to 0.80, defender -> attacker when it
reaches 0.90) and each of ``--seeds``: ``CoevoConfig(switch_mode=mode, total_steps=N, seed=seed)`` defaults
otherwise. Printed (Markdown): the phases of the first seed and its full cross-play ASR / over-refusal matrices on
the test split; for every seed a summary row (the phases, distinct new successful combinations, ASR of every
attacker generation against the first and the last defender, mean over-refusal against them), with the train and
cross-play wall and CPU seconds and the load average (the machine is shared).

Usage: python benchmarks/bench_magic_coevo.py [--total-steps 150] [--modes ratio metric] [--seeds 0 1 2]
       [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from datetime import UTC, datetime

from cauarena.learners.magic import CoevoConfig, cross_play, evaluate
from cauarena.learners.magic import coevolve as train
from cauarena.learners.magic.report import matrix_table, phase_table, switch_text


def timed(fn, *args):
    """``fn(*args)`` with its wall and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, round(time.perf_counter() - wall, 1), round(time.process_time() - cpu, 1)


def phases_text(run) -> str:
    """The phases compactly, e.g. ``D14 A15 D15``."""
    return " ".join(f"{p.role[0].upper()}{p.steps}" for p in run.phases)


def edge_columns(run) -> list[list[dict[str, float]]]:
    """Cross-play cells against the first and the last defender only (rows: attacker generations)."""
    first, last = run.defenders[0], run.defenders[-1]
    return [[evaluate(attacks, first, run.config), evaluate(attacks, last, run.config)] for attacks in run.attackers]


def summary_row(seed: int, run, cols, seconds) -> tuple[str, dict]:
    """One Markdown row and its JSON for a seed."""
    new = sorted({name for p in run.phases for name in p.new_successful})
    vs_first = " ".join(f"{row[0]['asr']:.2f}" for row in cols)
    vs_last = " ".join(f"{row[-1]['asr']:.2f}" for row in cols)
    over = (f"{sum(r[0]['over_refusal'] for r in cols) / len(cols):.2f} / "
            f"{sum(r[-1]['over_refusal'] for r in cols) / len(cols):.2f}")
    line = (f"| {seed} | {phases_text(run)} | {len(new)} | {vs_first} | {vs_last} | {over} | "
            f"{seconds[0]} / {seconds[1]} | {seconds[2]} / {seconds[3]} |")
    return line, {"seed": seed, "phases": phases_text(run), "new_successful": new, "asr_vs_first": vs_first,
                  "asr_vs_last": vs_last, "over_refusal_first_last": over, "seconds": seconds}


def one_mode(mode: str, total_steps: int, seeds: list[int]) -> tuple[list[str], dict]:
    """The Markdown and JSON of one switch mode over the seeds (full matrices for the first seed)."""
    lines, data = [], {"mode": mode, "seeds": []}
    rows = ["| seed | phases (D/A = defender/attacker, steps) | distinct new successful combinations | "
            "ASR of A0..An vs D0 | ASR of A0..An vs D_last | mean over-refusal vs D0 / D_last | "
            "train wall / CPU s | cross-play wall / CPU s |", "|---|---|---|---|---|---|---|---|"]
    for i, seed in enumerate(seeds):
        cfg = CoevoConfig(switch_mode=mode, total_steps=total_steps, seed=seed)
        run, wall, cpu = timed(train, cfg)
        if i == 0:
            _, cwall, ccpu = timed(cross_play, run)
            cols = [[row[0], row[-1]] for row in run.matrix]
            lines += [f"### {switch_text(cfg)}, seed {seed}", "", *phase_table(run.phases), "",
                      "Cross-play ASR, attacker generation (rows) x defender generation (columns), test split:", "",
                      matrix_table(run.matrix, "asr"), "", "Cross-play over-refusal (benign twins, same attacks):", "",
                      matrix_table(run.matrix, "over_refusal"), ""]
            data.update(phases=[p.__dict__ for p in run.phases], matrix=run.matrix, attackers=run.attackers)
        else:
            cols, cwall, ccpu = timed(edge_columns, run)
        line, row = summary_row(seed, run, cols, (wall, cpu, cwall, ccpu))
        rows.append(line)
        data["seeds"].append(row)
        print(f"{mode} seed {seed}: train {wall} s, cross-play {cwall} s, load {os.getloadavg()}", file=sys.stderr)
    lines += [f"### {mode} mode, seeds", "", *rows, ""]
    return lines, data


def main() -> int:
    """Run every mode and seed and print the Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total-steps", type=int, default=150)
    parser.add_argument("--modes", nargs="+", default=["ratio", "metric"], choices=["ratio", "metric"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = os.getloadavg()
    out = [f"Command: `python benchmarks/bench_magic_coevo.py {shlex.join(sys.argv[1:])}`; Python "
           f"{platform.python_version()}, {os.cpu_count()} CPUs; {started}; load average before "
           f"{load_before[0]:.1f}.", ""]
    data = {"date": started, "load_before": load_before, "modes": []}
    for mode in args.modes:
        lines, mode_data = one_mode(mode, args.total_steps, args.seeds)
        out += lines
        data["modes"].append(mode_data)
    data["load_after"] = os.getloadavg()
    out.append(f"Load average after: {data['load_after'][0]:.1f}.")
    print("\n".join(out))
    if args.json:
        with open(args.json, "w") as stream:
            json.dump(data, stream, indent=1, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
