"""The one rollout loop: what it costs per step, and whether a run stores the same rows as before it.

``--overhead``: steps per second of the BabyAI-Text oracle (``cauarena/BabyAI-GoToLocal-Text-v0``) played by a bare
hand-written loop and by :class:`~cauarena.agents.rollout.Rollout`, alternating, median of ``--repeats`` runs.

``--dump SUITE OUT.json``: play a built-in suite in-process (``--workers``, default 0) into a temporary store and
write its rows without run id, creation time and wall time (and trajectories without step latencies); run it at two
commits and ``--compare A.json B.json`` counts the rows and trajectories that differ.

    python benchmarks/bench_rollout.py --overhead --repeats 5
    python benchmarks/bench_rollout.py --dump magic rows.json --seeds 4 --workers 1
    python benchmarks/bench_rollout.py --compare before.json after.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from typing import Any

import cauarena
from cauarena.agents import make_agent
from cauarena.agents.rollout import Rollout

ENV_ID = "cauarena/BabyAI-GoToLocal-Text-v0"


def _bare(env: Any, agent: Any, episodes: int) -> int:
    steps = 0
    for seed in range(episodes):
        obs, info = env.reset(seed=seed)
        agent.reset(seed=seed, info=info)
        while True:
            obs, _, terminated, truncated, info = env.step(agent.act(obs, info))
            steps += 1
            if terminated or truncated:
                break
    return steps


def _rollout(env: Any, agent: Any, episodes: int) -> int:
    return sum(Rollout(env, agent, seed=seed).run().n_steps for seed in range(episodes))


def overhead(episodes: int, repeats: int) -> dict[str, float]:
    """Median steps/s of the bare loop and of the rollout loop (same env, agent and seeds)."""
    env = cauarena.make(ENV_ID)
    agent = make_agent("oracle", family="babyai")
    agent.bind(env)
    rates: dict[str, list[float]] = {"bare": [], "rollout": []}
    for _ in range(repeats):
        for name, loop in (("bare", _bare), ("rollout", _rollout)):
            start = time.perf_counter()
            steps = loop(env, agent, episodes)
            rates[name].append(steps / (time.perf_counter() - start))
    out = {f"{k}_steps_per_s": statistics.median(v) for k, v in rates.items()}
    out["rollout_us_per_step_extra"] = 1e6 * (1 / out["rollout_steps_per_s"] - 1 / out["bare_steps_per_s"])
    return out


def dump(suite_name: str, out: str, seeds: int | None, workers: int) -> int:
    """Play ``suite_name`` and write its stored rows and trajectories (minus timings and ids) to ``out``."""
    from cauarena.leaderboards.runner import Runner
    from cauarena.leaderboards.store import ResultsStore
    from cauarena.leaderboards.suites import get_suite, override, plan

    suite = get_suite(suite_name)
    suite = override(suite, seeds=seeds) if seeds else suite
    with tempfile.TemporaryDirectory() as tmp:
        store = ResultsStore(tmp)
        Runner(store, workers=workers, run_id="dump").run(plan(suite))
        rows = {r.episode_key: r.model_dump(exclude={"wall_time_s", "run_id", "created_at"})
                for r in store.results()}
        trajectories = {}
        for t in store.iter_trajectories():
            data = t.model_dump()
            for step in data.get("steps", []):
                step.pop("latency_s", None)
            trajectories[t.episode_key] = data
        store.close()
    with open(out, "w") as fh:
        json.dump({"rows": rows, "traj": trajectories}, fh, sort_keys=True, default=str)
    return len(rows)


def compare(a_path: str, b_path: str) -> dict[str, int]:
    """Rows in each, rows only in one, common rows that differ, common trajectories that differ."""
    with open(a_path) as fa, open(b_path) as fb:
        a, b = json.load(fa), json.load(fb)
    common = set(a["rows"]) & set(b["rows"])
    return {"rows_a": len(a["rows"]), "rows_b": len(b["rows"]), "only_in_one": len(set(a["rows"]) ^ set(b["rows"])),
            "differing_rows": sum(a["rows"][k] != b["rows"][k] for k in common),
            "differing_trajectories": sum(a["traj"].get(k) != b["traj"].get(k) for k in common)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--overhead", action="store_true")
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dump", nargs=2, metavar=("SUITE", "OUT"))
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = parser.parse_args()
    if args.overhead:
        print(json.dumps({**overhead(args.episodes, args.repeats), "load_avg_1m": os.getloadavg()[0]}))
    if args.dump:
        print(f"{dump(args.dump[0], args.dump[1], args.seeds, args.workers)} rows")
    if args.compare:
        print(json.dumps(compare(*args.compare)))


if __name__ == "__main__":
    main()
