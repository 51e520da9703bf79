"""One ``act`` through the agent host against the same call in-process, beside one env step.

Usage: python benchmarks/bench_agent_host.py [--env cauarena/BabyAI-GoToLocal-Text-v0] [--calls 3000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time

import cauarena
from cauarena.agents.random import RandomAgent
from cauarena.leaderboards.agent_host import HostLink, host_main


def per_call_us(fn, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="cauarena/BabyAI-GoToLocal-Text-v0")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    mine, theirs = ctx.Pipe()
    host = ctx.Process(target=host_main, args=(theirs, list(sys.path)), daemon=True)
    host.start()
    env = cauarena.make(args.env)
    remote = HostLink(mine).agent("random", "none", args.env, cauarena.registration.env_entry(args.env).family, {})
    remote.bind(env)
    local = RandomAgent()
    local.bind(env)
    obs, info = env.reset(seed=0)
    remote.reset(seed=0, info=info)
    local.reset(seed=0, info=info)
    state = {"obs": obs, "info": info}

    def step() -> None:
        o, _, term, trunc, i = env.step(local.act(state["obs"], state["info"]))
        state["obs"], state["info"] = env.reset(seed=1) if term or trunc else (o, i)

    rows = {"act through the agent host": [], "act in-process": [], "env step": []}
    for _ in range(args.repeats):
        rows["act through the agent host"].append(per_call_us(lambda: remote.act(obs, info), args.calls))
        rows["act in-process"].append(per_call_us(lambda: local.act(obs, info), args.calls))
        rows["env step"].append(per_call_us(step, args.calls))
    print(f"# {' '.join(sys.argv)} | {os.cpu_count()} cores | load {os.getloadavg()[0]:.1f}")
    for name, values in rows.items():
        print(f"{name:<28} median {statistics.median(values):8.1f} us  (runs: {', '.join(f'{v:.1f}' for v in values)})")
    mine.send(None)
    host.join(5)


if __name__ == "__main__":
    main()
