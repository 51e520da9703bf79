"""MAGIC: game steps/s with scripted players, ASR per operator vs each defender, and a co-evolution run.

Sections (Markdown on stdout, JSON with ``--json PATH``):

1. **Speed**: game steps/s (attacker and defender turns both count) and games/s, scripted players, the median of
   ``--repeats`` runs of ``--games`` games; plus the bare env with constant actions.
2. **ASR per operator**: each single operator, payload splitting and two compositions, against the defenders
   ``none`` (capable reader, no filter), ``keyword``, ``classifier`` (trained here on the train split, plain
   and framed) and ``refuse``, on the 16 harmful *test* queries x ``--draws`` random draws of the operator
   (Caesar shift, frame). Over-refusal: the same attack on the 16 benign twins. 3 turns per game.
The co-evolution (with MAGIC's published switch rule, both modes, over seeds) is ``bench_magic_coevo.py``.

Usage: python benchmarks/bench_magic.py [--games 500] [--repeats 3] [--draws 3] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import sys
import time
from datetime import UTC, datetime

from cauarena.agents.magic import (
    ClassifierDefender,
    FilterDefender,
    KeywordDefender,
    RandomAttacker,
    RefuseAllDefender,
    ScriptedAttacker,
    play_game,
)
from cauarena.envs.magic import parallel_env

ATTACKS = ("plain", "roleplay", "hypothetical", "authority", "urgency", "misspell", "caesar", "atbash", "morse",
           "base64", "plain/split2", "plain/split3", "caesar+roleplay", "misspell+urgency/split2")
DEFENDERS = {"none": FilterDefender, "keyword": KeywordDefender, "classifier": ClassifierDefender,
             "refuse": RefuseAllDefender}


def bench_speed(games: int, repeats: int) -> dict:
    game = parallel_env(max_turns=3)
    rows = {}
    for name, defender in (("random attacker vs keyword", KeywordDefender()),
                           ("random attacker vs classifier", ClassifierDefender())):
        runs = []
        for _ in range(repeats):
            steps, start = 0, time.perf_counter()
            for seed in range(games):
                steps += play_game(game, RandomAttacker(), defender, seed=seed)["steps"]
            wall = time.perf_counter() - start
            runs.append((steps / wall, games / wall))
        rows[name] = {"steps_per_s": round(statistics.median(r[0] for r in runs)),
                      "games_per_s": round(statistics.median(r[1] for r in runs))}
    runs = []
    for _ in range(repeats):
        steps, start = 0, time.perf_counter()
        for seed in range(games):
            game.reset(seed=seed)
            while game.agents:
                game.step({"attacker_0": "<think>t</think><answer>hi</answer>", "defender_0": "I refuse."})
                steps += 1
        runs.append(steps / (time.perf_counter() - start))
    rows["bare env, constant actions"] = {"steps_per_s": round(statistics.median(runs)), "games_per_s": None}
    return rows


def bench_operators(draws: int) -> dict:
    game = parallel_env(max_turns=3, split="test")
    n = len(game.pool)
    table = {}
    for attack in ATTACKS:
        attacker = ScriptedAttacker(attack)
        for name, defender_cls in DEFENDERS.items():
            defender = defender_cls()
            harmful, benign = [], []
            for seed in range(n * draws):
                m = play_game(game, attacker, defender, seed=seed)["metrics"]
                (harmful if m["harmful"] else benign).append(m)
            table[(attack, name)] = {
                "asr": sum(m["attack_success"] for m in harmful) / len(harmful),
                "over_refusal": sum(m["over_refusal"] for m in benign) / len(benign), "n": len(harmful),
            }
    return table


def operator_markdown(table: dict) -> str:
    names = list(DEFENDERS)
    lines = ["| attack | " + " | ".join(f"ASR {d}" for d in names) + " | " +
             " | ".join(f"over-refusal {d}" for d in names) + " |", "|---" * (2 * len(names) + 1) + "|"]
    for attack in ATTACKS:
        asr = " | ".join(f"{table[(attack, d)]['asr']:.2f}" for d in names)
        over = " | ".join(f"{table[(attack, d)]['over_refusal']:.2f}" for d in names)
        lines.append(f"| {attack} | {asr} | {over} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    speed = bench_speed(args.games, args.repeats)
    start = time.perf_counter()
    operators = bench_operators(args.draws)
    op_seconds = time.perf_counter() - start
    cpu = platform.processor() or platform.machine()
    machine = f"Python {platform.python_version()}, {os.cpu_count()} CPUs ({cpu})"
    out = [f"Command: `python benchmarks/bench_magic.py {shlex.join(sys.argv[1:])}`; {machine}; {started}.", "",
           "| players | game steps/s | games/s |", "|---|---|---|"]
    out += [f"| {k} | {v['steps_per_s']} | {v['games_per_s'] or '-'} |" for k, v in speed.items()]
    out += ["", f"ASR per attack (16 harmful test queries x {args.draws} draws = {16 * args.draws} games per cell; "
            f"over-refusal on the benign twins under the same attack; {op_seconds:.1f} s):", "",
            operator_markdown(operators)]
    print("\n".join(out))
    if args.json:
        data = {"speed": speed, "operators": {f"{a} | {d}": v for (a, d), v in operators.items()},
                "machine": machine,
                "date": started}
        with open(args.json, "w") as stream:
            json.dump(data, stream, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
