"""LifeAssist-v0 (issue 8): env steps/s with the oracle, and the safety metrics of each agent with 95% CIs.

Two parts:

- ``speed``: env steps/s and resets/s of the ``oracle`` through ``cauarena.make`` (its planning included) over
  every task, benign and under an environment injection; the median of ``--repeats`` runs, wall-clock and
  process-CPU (the CPU rate is what a shared, loaded machine still measures faithfully);
- ``metrics``: per agent, benign episodes (seeds ``0..--benign-seeds-1``, task ``seed % 45``) and attacked ones
  (every surface x style x trigger, seeds ``0..--attack-seeds-1``, attack goal ``seed % 7``): utility, utility
  under attack, ASR, violation rate, over-refusal, safe-and-helpful, each with a 95% percentile-bootstrap CI
  (1,000 resamples); plus violation rates per principle and severity, and the mean step of the first violation;
- ``passk``: pass^k (task done and safe in all k tries) and safe^k (no violation in all k tries), tau-bench's
  estimator over the 45 tasks (benign, and under an environment injection) with ``--k-repeats`` tries each
  (agent seeds differ), for the stochastic ``--k-agents`` (the scripted agents are deterministic: their pass^k
  equals pass^1).

Usage: python benchmarks/bench_life_assist.py [--agents oracle naive cautious mock/first-valid] [--out DIR]
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
from cauarena.envs.life_assist import STYLES, SURFACES, TASKS, TRIGGERS
from cauarena.leaderboards.stats import bootstrap_means, pass_hat_k, percentile_interval

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


def configs(benign_seeds: int, attack_seeds: int):
    yield {"surface": "none"}, range(benign_seeds)
    for surface in SURFACES[1:]:
        for style in STYLES:
            for trigger in TRIGGERS:
                yield {"surface": surface, "style": style, "trigger": trigger}, range(attack_seeds)


def ci(values: list[float], key: str) -> dict:
    rng = np.random.default_rng([0, sum(map(ord, key))])
    low, high = percentile_interval(bootstrap_means(values, n_boot=1000, rng=rng))
    return {"mean": round(float(np.mean(values)), 4), "ci": [round(low, 4), round(high, 4)], "n": len(values)}


def bench_agent(name: str, benign_seeds: int, attack_seeds: int) -> dict:
    values: dict[str, list[float]] = defaultdict(list)
    start, episodes = time.perf_counter(), 0
    for kwargs, seeds in configs(benign_seeds, attack_seeds):
        env = cauarena.make(ENV_ID, **kwargs)
        agent = make_agent(name, family="life_assist")
        if hasattr(agent, "bind"):
            agent.bind(env)
        for seed in seeds:
            info, _ = play(env, agent, seed)
            episodes += 1
            for key, value in info["metrics"].items():
                values[key].append(value)
    out = {key: ci(values[key], key) for key in HEADLINE}
    out["by_principle_and_severity"] = {k: round(float(np.mean(v)), 4) for k, v in sorted(values.items())
                                        if k.startswith("viol_")}  # fmt: skip
    first = values.get("first_violation_step", [])
    out["first_violation_step"] = round(float(np.mean(first)), 2) if first else None
    out["episodes"], out["wall_s"] = episodes, round(time.perf_counter() - start, 1)
    return out


def bench_passk(name: str, repeats: int, env_kwargs: dict) -> dict:
    env = cauarena.make(ENV_ID, **env_kwargs)
    passed, safe = [], []
    for seed in range(len(TASKS)):
        outcomes = []
        for repeat in range(repeats):
            agent = make_agent(name, family="life_assist")
            if hasattr(agent, "bind"):
                agent.bind(env)
            obs, info = env.reset(seed=seed)
            agent.reset(seed=1000 * repeat + seed, info=info)
            while True:
                obs, _, term, trunc, info = env.step(agent.act(obs, info))
                if term or trunc:
                    break
            outcomes.append((info["success"], not info["violations"]))
        passed.append((repeats, sum(o[0] for o in outcomes)))
        safe.append((repeats, sum(o[1] for o in outcomes)))
    return {f"{what}^{k}": round(pass_hat_k(pairs, k), 4) for what, pairs in (("pass", passed), ("safe", safe))
            for k in range(1, repeats + 1)}  # fmt: skip


def markdown(results: dict) -> str:
    lines = ["| agent | " + " | ".join(HEADLINE) + " |", "|---|" + "---:|" * len(HEADLINE)]
    for name, res in results.items():
        cells = [f"{res[k]['mean']:.3f} [{res[k]['ci'][0]:.3f}, {res[k]['ci'][1]:.3f}]" for k in HEADLINE]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", nargs="+", default=["oracle", "naive", "cautious", "mock/first-valid"])
    parser.add_argument("--benign-seeds", type=int, default=90)
    parser.add_argument("--attack-seeds", type=int, default=45)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--k-agents", nargs="*", default=["random"])
    parser.add_argument("--k-repeats", type=int, default=4)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    report["speed"] = bench_speed(args.repeats)
    print(json.dumps(report, indent=1), flush=True)
    results = {}
    for name in args.agents:
        results[name] = bench_agent(name, args.benign_seeds, args.attack_seeds)
        print(name, json.dumps(results[name]), flush=True)
    report["metrics"] = results
    report["passk"] = {f"{name} {surface}": bench_passk(name, args.k_repeats, {"surface": surface})
                       for name in args.k_agents for surface in ("none", "environment")}  # fmt: skip
    print(json.dumps(report["passk"]))
    print(markdown(results))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "life_assist.json").write_text(json.dumps(report, indent=1))
        (args.out / "life_assist.md").write_text(markdown(results) + "\n")


if __name__ == "__main__":
    main()
