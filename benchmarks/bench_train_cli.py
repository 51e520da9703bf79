"""What the one training command costs around training: ``cauarena train --help``, each method's help, tiny runs.

Measured, each as a fresh ``cauarena`` process (``--repeats`` times, the median reported): ``cauarena train
--help`` (lists the methods from the registry, importing no config module) and ``cauarena train <method> --help``
for every registered method (imports the method's config and train modules, not torch). Then the tiny end-to-end
runs of the fast test (``causcale`` 2 steps, ``magic`` 1 step) in fresh processes, wall and CPU seconds. The load
average is printed beside each figure (the machine is shared).

Usage: python benchmarks/bench_train_cli.py [--repeats 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

CAUSCALE = ["--dim", "8", "--heads", "2", "--ffn-dim", "16", "--blocks", "2", "--head-hidden", "8", "--rows", "16",
            "--sim-rows", "32", "--steps", "2", "--batch-pairs", "100", "--max-batch", "2", "--validate-every", "2",
            "--validation-graphs", "1", "--validation-n", "5", "--curriculum", '[[1.0, 4, 5, ["linear"]]]',
            "--device", "cpu", "--threads", "1", "--no-progress", "--no-resume"]
MAGIC = ["--total-steps", "1", "--batch-size", "1", "--top-k", "1", "--initial-attacks", "plain", "--max-turns", "1",
         "--max-parts", "1", "--no-progress"]


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system of the child) seconds of ``cauarena <args>`` in a fresh process."""
    before = os.times()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(sys.executable, [sys.executable, "-m", "cauarena", *args])
    _, status = os.waitpid(pid, 0)
    wall = time.perf_counter() - start
    after = os.times()
    if status:
        raise SystemExit(f"cauarena {' '.join(args)} failed with status {status}")
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def median_of(args: list[str], repeats: int) -> dict[str, float]:
    """Median wall and CPU seconds over ``repeats`` runs, with the 1-minute load average after them."""
    runs = [timed(args) for _ in range(repeats)]
    return {"wall_s": round(statistics.median(w for w, _ in runs), 2),
            "cpu_s": round(statistics.median(c for _, c in runs), 2), "load": round(os.getloadavg()[0], 1)}


def main(argv: list[str] | None = None) -> int:
    """Measure and print a Markdown table (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    from cauarena.learners.methods import TRAIN_METHODS

    rows = {"train --help": median_of(["train", "--help"], args.repeats)}
    for name in TRAIN_METHODS.names():
        rows[f"train {name} --help"] = median_of(["train", name, "--help"], args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, extra) in enumerate((("causcale", CAUSCALE), ("magic", MAGIC))):
            rows[f"train {name} (tiny)"] = median_of(["train", name, "--out", str(Path(tmp) / f"{name}{i}"), *extra],
                                                     max(1, args.repeats // 2))
    print("| command | median wall s | median CPU s | load avg |\n|---|---|---|---|")
    for command, row in rows.items():
        print(f"| `cauarena {command}` | {row['wall_s']} | {row['cpu_s']} | {row['load']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
