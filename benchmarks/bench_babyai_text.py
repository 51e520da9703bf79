"""Steps/s of a random policy on BabyAI-Text vs raw minigrid on the same level (resets included).

Rows (each the median of --repeats interleaved runs of --steps steps, same seeds):

- ``minigrid (unwrapped)``: the minigrid level class as BabyAI-Text builds it, random ints 0-5;
- ``minigrid (gym.make)``: ``gym.make("BabyAI-<Level>-v0")`` with Gymnasium's default wrappers;
- ``text (unwrapped)``: ``BabyAITextEnv``, random action strings;
- ``text (cauarena.make)``: the registered id as users get it, random action strings;
- ``text + RandomAgent``: as above, actions from ``RandomAgent.act`` (the agent's cost included).

The overhead ratio compares ``text (cauarena.make)`` with ``minigrid (unwrapped)``; the goal is <= 30%.

Usage: python benchmarks/bench_babyai_text.py [--level GoToLocal] [--steps 10000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

import cauarena
from cauarena.agents.random import RandomAgent
from cauarena.agents.rollout import Rollout
from cauarena.envs.babyai_text import ACTION_NAMES, BabyAITextEnv
from cauarena.envs.babyai_text.env import make_level


def run_minigrid(env: Any, steps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    episode = seed
    env.reset(seed=episode)
    start = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(int(rng.integers(6)))
        if terminated or truncated:
            episode += 1
            env.reset(seed=episode)
    return steps / (time.perf_counter() - start)


def run_text(env: Any, steps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    episode = seed
    env.reset(seed=episode)
    start = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(ACTION_NAMES[int(rng.integers(6))])
        if terminated or truncated:
            episode += 1
            env.reset(seed=episode)
    return steps / (time.perf_counter() - start)


def run_text_agent(env: Any, steps: int, seed: int) -> float:
    agent = RandomAgent()
    agent.bind(env)
    episode, played = seed, 0
    start = time.perf_counter()
    while played < steps:  # episodes through the rollout loop until ``steps`` steps are played
        played += Rollout(env, agent, seed=episode, max_steps=steps - played).run().n_steps
        episode += 1
    return steps / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--level", default="GoToLocal", help="BabyAI level name (default: GoToLocal)")
    parser.add_argument("--steps", type=int, default=10_000, help="steps per run (default: 10000)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per row; the median is reported (default: 5)")
    parser.add_argument("--seed", type=int, default=0, help="first episode seed (default: 0)")
    args = parser.parse_args(argv)

    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, nproc={os.cpu_count()}, "
          f"python {platform.python_version()}, gymnasium {gym.__version__}, cauarena {cauarena.__version__}")
    env_id = f"cauarena/BabyAI-{args.level}-Text-v0"
    rows: dict[str, tuple[Callable[..., float], Any]] = {
        "minigrid (unwrapped)": (run_minigrid, make_level(args.level)),
        "minigrid (gym.make)": (run_minigrid, gym.make(f"BabyAI-{args.level}-v0")),
        "text (unwrapped)": (run_text, BabyAITextEnv(level=args.level)),
        "text (cauarena.make)": (run_text, gym.make(env_id) if env_id in gym.registry else None),
        "text + RandomAgent": (run_text_agent, gym.make(env_id) if env_id in gym.registry else None),
    }
    rows = {name: row for name, row in rows.items() if row[1] is not None}
    results: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(args.repeats):  # interleaved, so drift hits every row alike
        for name, (runner, env) in rows.items():
            with contextlib.redirect_stdout(io.StringIO()):  # raw minigrid prints "Sampling rejected: ..."
                results[name].append(runner(env, args.steps, args.seed))
    medians = {name: statistics.median(values) for name, values in results.items()}
    print(f"\nlevel {args.level}: {args.steps} steps x {args.repeats} runs, random actions, resets included\n")
    print(f"| {'variant':<22} | {'steps/s (median)':>16} | {'min':>8} | {'max':>8} |")
    print(f"|{'-' * 24}|{'-' * 18}|{'-' * 10}|{'-' * 10}|")
    for name, values in results.items():
        print(f"| {name:<22} | {medians[name]:>16,.0f} | {min(values):>8,.0f} | {max(values):>8,.0f} |")
    raw = medians["minigrid (unwrapped)"]
    text = medians.get("text (cauarena.make)", medians["text (unwrapped)"])
    print(f"\ntext-layer overhead vs raw minigrid (unwrapped): {1 - text / raw:.1%} of throughput "
          f"(time per step x{raw / text:.2f}); goal <= 30%")


if __name__ == "__main__":
    main()
