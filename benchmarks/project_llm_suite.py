"""Project the wall time of a suite of LLM episodes on a Ray cluster of N nodes from measured per-episode costs.

A projection, not a measurement: the arena's own costs (env step, agent-host round trip, Ray's overhead per
episode, Ray's start-up, the driver's store) are the figures measured on this machine and recorded in
BENCHMARKS.md (pass your own with the flags); the model's latency per call and the number of episodes a node plays
at once are the user's (no GPU was lent here, so none is measured). The driver stores every result itself, so its
store rate caps the run whatever N is.

    T(N) = start-up + max(episodes x steps x (model call + env step + host round trip) / (N x concurrency)
                          + episodes x ray overhead / (N x concurrency),
                          episodes / store rate)

Usage: python benchmarks/project_llm_suite.py [--episodes 1000000] [--steps 20] [--nodes 1 4 16 64]
       [--model-call-s 0.5 1 2] [--concurrency 64] [--store-rate 147]
"""

from __future__ import annotations

import argparse

# Measured on the 2-core CPU box, 2026-12-07 (BENCHMARKS.md sections named beside each).
ENV_STEP_S = 456e-6  # BabyAI-GoToLocal-Text step, "The agent host, killed runs and leaderboards at scale"
HOST_ROUND_TRIP_S = 72e-6  # one act() to the agent host, same section
RAY_OVERHEAD_S = 6.7e-3  # per episode after the first result, "Ray executor against the local one" (1 worker)
RAY_START_S = 16.8 + 3.96  # ray.init plus an actor's first result, same section
STORE_RATE_PG = 147.0  # stored episodes/s, one PostgreSQL writer under load, "Results stores"


def project(episodes: int, steps: int, nodes: int, call_s: float, concurrency: int, store_rate: float) -> dict:
    """Hours of the run and which part bounds it."""
    per_step = call_s + ENV_STEP_S + HOST_ROUND_TRIP_S
    play = episodes * (steps * per_step + RAY_OVERHEAD_S) / (nodes * concurrency)
    store = episodes / store_rate
    total = RAY_START_S + max(play, store)
    return {"hours": total / 3600, "bound": "model calls" if play >= store else "driver's store",
            "model_share": episodes * steps * call_s / (nodes * concurrency) / max(play, 1e-9)}


def main() -> None:
    """Print the projection table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=20, help="model calls (env steps) per episode")
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--model-call-s", type=float, nargs="+", default=[0.5, 1.0, 2.0],
                        help="seconds per model call seen by one episode (an assumption: measure your server)")
    parser.add_argument("--concurrency", type=int, default=64, help="episodes a node plays at once (Ray actors)")
    parser.add_argument("--store-rate", type=float, default=STORE_RATE_PG, help="stored episodes/s at the driver")
    args = parser.parse_args()
    print(f"{args.episodes:,} episodes x {args.steps} steps, {args.concurrency} episodes per node at once, "
          f"store {args.store_rate:.0f} episodes/s")
    print("| model call | " + " | ".join(f"{n} node(s)" for n in args.nodes) + " |")
    print("|---|" + "---|" * len(args.nodes))
    for call_s in args.model_call_s:
        cells = []
        for nodes in args.nodes:
            p = project(args.episodes, args.steps, nodes, call_s, args.concurrency, args.store_rate)
            cells.append(f"{p['hours']:.1f} h ({p['bound']})")
        print(f"| {call_s:g} s | " + " | ".join(cells) + " |")
    share = project(args.episodes, args.steps, 1, args.model_call_s[0], args.concurrency, args.store_rate)
    print(f"model calls are {100 * share['model_share']:.2f}% of the playing time at {args.model_call_s[0]:g} s/call")


if __name__ == "__main__":
    main()
