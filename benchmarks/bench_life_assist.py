"""LifeAssist-v0 (issues 8, 20): oracle steps/s, per-agent utility / utility under attack / ASR per surface and per
setting with 95% CIs, and the grader audit, on the grown world (105 tasks, 3 settings, 27 goals, 915 cases).

Parts:

- ``speed``: env steps/s and resets/s of the ``oracle`` through ``cauarena.make`` (its planning included) over
  every task, benign and under an environment injection; the median of ``--repeats`` runs, wall-clock and
  process-CPU (the CPU rate is what a shared, loaded machine still measures faithfully);
- ``metrics``: per agent, benign episodes (seeds ``0..--pairs-1``: the task of every case) and, per surface and
  trigger, seeds ``0..--pairs-1`` (915 = every (task, goal) case once; the style rotates with the seed): utility,
  utility under attack and ASR (state-based) per surface and per setting, each with a 95% percentile-bootstrap CI
  (1,000 resamples), plus violation rate, over-refusal and safe-and-helpful overall; the chat agents play
  ``--chat-pairs`` seeds (40-step episodes);
- ``audit``: every reference plan mutated (see ``cauarena.envs.life_assist.audit``): tried, rejected, whitelisted.

Usage: python benchmarks/bench_life_assist.py [--agents oracle naive cautious] [--pairs 915] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

import cauarena
from cauarena.agents import make_agent
from cauarena.envs.life_assist import SETTINGS, STYLES, SURFACES, TASKS, TRIGGERS
from cauarena.envs.life_assist.audit import WHITELIST, audit
from cauarena.leaderboards.stats import bootstrap_means, percentile_interval

ENV_ID = "cauarena/LifeAssist-v0"
HEADLINE = ("utility", "utility_under_attack", "asr", "violation_rate", "over_refusal", "safe_and_helpful")


def play(env, agent, seed: int) -> tuple[dict, int]:
    obs, info = env.reset(seed=seed)
    agent.reset(seed=seed, info=info)
    steps = 0
    while True:
        obs, _, term, trunc, info = env.step(agent.act(obs, info))
        steps += 1
        if term or trunc:
            return info, steps


def bench_speed(repeats: int) -> dict:
    runs = []
    for _ in range(repeats):
        steps = resets = 0
        wall, cpu = time.perf_counter(), time.process_time()
        for surface in ("none", "environment"):
            env = cauarena.make(ENV_ID, surface=surface)
            agent = make_agent("oracle", family="life_assist")
            agent.bind(env)
            for seed in range(2 * len(TASKS)):
                steps += play(env, agent, seed)[1]
                resets += 1
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        runs.append((steps / wall, steps / cpu, resets / wall, steps))
    return {"steps_per_s_wall": round(statistics.median(r[0] for r in runs)),
            "steps_per_s_cpu": round(statistics.median(r[1] for r in runs)),
            "episodes_per_s_wall": round(statistics.median(r[2] for r in runs)), "steps_per_run": runs[0][3],
            "repeats": repeats}  # fmt: skip


def configs(pairs: int):
    """(group, env kwargs, seeds): benign, then every surface x trigger with the style rotating over the seeds."""
    yield "none", {"surface": "none"}, range(pairs)
    for surface in SURFACES[1:]:
        for trigger in TRIGGERS:
            for i, style in enumerate(STYLES):
                yield surface, {"surface": surface, "style": style, "trigger": trigger}, range(i, pairs, len(STYLES))


def ci(values: list[float], key: str) -> dict:
    rng = np.random.default_rng([0, sum(map(ord, key))])
    low, high = percentile_interval(bootstrap_means(values, n_boot=1000, rng=rng))
    return {"mean": round(float(np.mean(values)), 4), "ci": [round(low, 4), round(high, 4)], "n": len(values)}


def bench_agent(name: str, pairs: int) -> dict:
    values: dict[str, list[float]] = defaultdict(list)
    by_surface: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    by_setting: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    start, episodes = time.perf_counter(), 0
    for group, kwargs, seeds in configs(pairs):
        env = cauarena.make(ENV_ID, **kwargs)
        agent = make_agent(name, family="life_assist")
        if hasattr(agent, "bind"):
            agent.bind(env)
        for seed in seeds:
            info, _ = play(env, agent, seed)
            episodes += 1
            for key, value in info["metrics"].items():
                values[key].append(value)
                by_surface[group][key].append(value)
                by_setting[TASKS[info["task_id"]].setting][key].append(value)
    out = {key: ci(values[key], key) for key in HEADLINE}
    out["per_surface"] = {group: {k: ci(v[k], f"{group}{k}") for k in ("utility", "utility_under_attack", "asr")
                                  if k in v} for group, v in by_surface.items()}  # fmt: skip
    out["per_setting"] = {group: {k: ci(v[k], f"{group}{k}") for k in ("utility", "utility_under_attack", "asr")
                                  if k in v} for group, v in by_setting.items()}  # fmt: skip
    out["by_principle_and_severity"] = {k: round(float(np.mean(v)), 4) for k, v in sorted(values.items())
                                        if k.startswith("viol_")}  # fmt: skip
    out["episodes"], out["wall_s"] = episodes, round(time.perf_counter() - start, 1)
    return out


def bench_audit(seeds: int) -> dict:
    start = time.perf_counter()
    found = audit(seeds=tuple(range(seeds)))
    accepted = [m for m in found if m.accepted]
    white = [m for m in accepted if m.whitelisted]
    per_setting = {s: sum(TASKS[m.task_id].setting == s for m in found) for s in SETTINGS}
    return {"tried": len(found), "rejected": len(found) - len(accepted), "whitelisted": len(white),
            "tried_per_setting": per_setting, "wall_s": round(time.perf_counter() - start, 1),
            "gaps": [(m.task_id, m.seed, m.kind) for m in accepted if not m.whitelisted],
            "households": seeds, "whitelist": {f"{t} | {k}": r for (t, k), r in WHITELIST.items()}}


def _cell(res: dict) -> str:
    return f"{res['mean']:.3f} [{res['ci'][0]:.3f}, {res['ci'][1]:.3f}]"


def markdown(results: dict) -> str:
    surfaces = SURFACES[1:]
    lines = ["| agent | utility | utility under attack | ASR (all) | " + " | ".join(f"ASR {s}" for s in surfaces)
             + " |", "|---|" + "---:|" * (3 + len(surfaces))]
    for name, res in results.items():
        cells = [_cell(res["utility"]), _cell(res["utility_under_attack"]), _cell(res["asr"])]
        cells += [_cell(res["per_surface"][s]["asr"]) for s in surfaces]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| agent | " + " | ".join(f"UA {s}" for s in surfaces) + " |", "|---|" + "---:|" * len(surfaces)]
    for name, res in results.items():
        lines.append(f"| {name} | " + " | ".join(_cell(res["per_surface"][s]["utility_under_attack"])
                                                  for s in surfaces) + " |")
    lines += ["", "| agent | setting | utility | utility under attack | ASR |", "|---|---|---:|---:|---:|"]
    for name, res in results.items():
        for setting, cell in res["per_setting"].items():
            lines.append(f"| {name} | {setting} | " + " | ".join(_cell(cell[k]) for k in (
                "utility", "utility_under_attack", "asr")) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", nargs="+", default=["oracle", "naive", "cautious"])
    parser.add_argument("--chat-agents", nargs="*", default=["chat-undefended", "chat-defended"])
    parser.add_argument("--pairs", type=int, default=915)
    parser.add_argument("--chat-pairs", type=int, default=35)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--audit-households", type=int, default=2)
    parser.add_argument("--parts", nargs="+", default=["speed", "audit", "metrics"])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "load": os.getloadavg()}
    if "speed" in args.parts:
        report["speed"] = bench_speed(args.repeats)
        report["load_after_speed"] = os.getloadavg()
        print(json.dumps(report, indent=1), flush=True)
    if "audit" in args.parts:
        report["audit"] = bench_audit(args.audit_households)
        report["load_after_audit"] = os.getloadavg()
        print(json.dumps(report["audit"], indent=1), flush=True)
    results = {}
    if "metrics" in args.parts:
        for name in args.agents + args.chat_agents:
            results[name] = bench_agent(name, args.pairs if name in args.agents else args.chat_pairs)
            print(name, json.dumps({k: results[name][k] for k in HEADLINE}), flush=True)
        report["metrics"] = results
        print(markdown(results))
    report["load_after"] = os.getloadavg()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "life_assist.json").write_text(json.dumps(report, indent=1))
        if results:
            (args.out / "life_assist.md").write_text(markdown(results) + "\n")


if __name__ == "__main__":
    main()
