"""What LifeAssist adds to the README's main job (``cauarena run``, the ``default`` suite): its planned episodes, run.

Plans the ``default`` suite, keeps the ``cauarena/LifeAssist-v0`` episodes (2 rows x 20 seeds x the agents that
serve life_assist) and runs them in-process (``Runner(workers=0)``) into a throw-away store, ``--repeats`` times;
prints the median wall time, the episodes and the tasks' settings they played. Run it on two checkouts to compare.

Usage: python benchmarks/bench_life_assist_main_job.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections import Counter

from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import get_suite, plan

ENV_ID = "cauarena/LifeAssist-v0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    episodes = [e for e in plan(get_suite("default")) if e.env_id == ENV_ID]
    walls, families = [], Counter()
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            store = ResultsStore(folder)
            start = time.perf_counter()
            summary = Runner(store, workers=0).run(episodes)
            walls.append(time.perf_counter() - start)
            families = Counter(store.trajectory(r.episode_key).final_info.get("task_family", "?")
                               for r in store.results())
    print(json.dumps({"episodes": len(episodes), "finished": summary.finished, "errors": sum(summary.errors.values()),
                      "wall_s_median": round(statistics.median(walls), 2), "wall_s": [round(w, 2) for w in walls],
                      "families": dict(sorted(families.items())), "load": os.getloadavg()}))


if __name__ == "__main__":
    main()
