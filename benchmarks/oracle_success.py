"""Success of the ``oracle`` agent (minigrid's BabyAIBot) on every registered BabyAI-Text level.

Each episode has a step cap (--max-steps) and a wall-clock limit (--timeout, via SIGALRM: the bot hangs
forever on some levels/seeds); a timed-out or crashed episode counts as a failure and is reported.

Usage: python benchmarks/oracle_success.py [--seeds 50] [--max-steps 1000] [--timeout 10] [--levels A,B]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import signal
import statistics
import sys
import time
from collections import Counter

import cauarena
from cauarena.agents import make_agent
from cauarena.agents.rollout import Rollout, RolloutError
from cauarena.envs.babyai_text import BabyAITextEnv
from cauarena.registration import ENV_SPECS, env_ids


class EpisodeTimeout(Exception):
    """The episode ran past its wall-clock limit."""


def _alarm(signum: int, frame: object) -> None:
    raise EpisodeTimeout


def run_episode(env: object, agent: object, seed: int, max_steps: int) -> tuple[bool, int, float]:
    rollout = Rollout(env, agent, seed=seed, max_steps=max_steps)
    try:
        rollout.run()
    except RolloutError as exc:
        raise exc.error from None  # EpisodeTimeout (the alarm) or a real failure, as it came
    return bool(rollout.info["success"]), rollout.n_steps, rollout.episode_return()


def make_env(env_id: str) -> object:
    """The registered env, or (for a BabyAI level CauArena does not register) ``BabyAITextEnv`` directly."""
    if env_id in ENV_SPECS:
        return cauarena.make(env_id)
    return BabyAITextEnv(level=env_id.removeprefix("cauarena/BabyAI-").removesuffix("-Text-v0"))


def run_level(env_id: str, seeds: int, max_steps: int, timeout: float) -> dict[str, object]:
    env = make_env(env_id)
    agent = make_agent("oracle", family="babyai")
    agent.bind(env)
    outcomes: Counter[str] = Counter()
    steps, rewards = [], []
    start = time.perf_counter()
    for seed in range(seeds):
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            success, n, total = run_episode(env, agent, seed, max_steps)
        except EpisodeTimeout:
            outcomes["timeout"] += 1
            continue
        except Exception as exc:  # a bot failure is an outcome here, not a crash of the benchmark
            outcomes[f"error:{type(exc).__name__}"] += 1
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        outcomes["success" if success else "failure"] += 1
        steps.append(n)
        rewards.append(total)
    env.close()
    return {
        "success": outcomes["success"] / seeds,
        "mean_steps": statistics.fmean(steps) if steps else float("nan"),
        "mean_reward": statistics.fmean(rewards) if rewards else float("nan"),
        "other": ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()) if k != "success") or "-",
        "seconds": time.perf_counter() - start,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=50, help="seeds 0..N-1 per level (default: 50)")
    parser.add_argument("--max-steps", type=int, default=1000, help="per-episode step cap (default: 1000)")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-episode wall seconds (default: 10)")
    parser.add_argument(
        "--levels", default="", help="comma-separated BabyAI level names, registered or not (default: all registered)"
    )
    args = parser.parse_args(argv)

    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, nproc={os.cpu_count()}, "
          f"python {platform.python_version()}, cauarena {cauarena.__version__}")
    ids = env_ids("babyai")
    if args.levels:
        ids = [f"cauarena/BabyAI-{level}-Text-v0" for level in args.levels.split(",")]
    signal.signal(signal.SIGALRM, _alarm)
    print(f"\noracle, seeds 0..{args.seeds - 1}, step cap {args.max_steps}, timeout {args.timeout:g} s/episode\n")
    print(f"| {'env id':<36} | {'success':>7} | {'mean steps':>10} | {'mean reward':>11} | {'wall s':>6} | other")
    print(f"|{'-' * 38}|{'-' * 9}|{'-' * 12}|{'-' * 13}|{'-' * 8}|------")
    for env_id in ids:
        r = run_level(env_id, args.seeds, args.max_steps, args.timeout)
        print(f"| {env_id:<36} | {r['success']:>7.0%} | {r['mean_steps']:>10.1f} | {r['mean_reward']:>11.3f} "
              f"| {r['seconds']:>6.1f} | {r['other']}")


if __name__ == "__main__":
    main()
