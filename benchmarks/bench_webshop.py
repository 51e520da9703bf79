"""WebShop-v0: catalog build time, BM25 search latency, and env steps/s with the oracle buyer.

Per catalog size (default 10k and 100k products):

- ``build``: seconds to generate the catalog and to index it (bm25s, k1 0.9, b 0.4);
- ``search``: per-query latency (p50 / p99 / mean, ms) of ``SearchEngine.search`` (top 50 of the whole catalog),
  over three query sets of --queries each: ``keywords`` (attributes + product noun, what the oracle types),
  ``instruction`` (the whole instruction text, as a naive agent types it), ``title`` (a product title);
- ``oracle``: env steps/s and episodes/s of the ``oracle`` agent on test-split instructions, through
  ``cauarena.make`` (the agent's planning included), and its success rate.

Usage: python benchmarks/bench_webshop.py [--sizes 10000 100000] [--queries 2000] [--episodes 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

import cauarena
from cauarena.agents.rollout import Rollout
from cauarena.agents.webshop import WebShopOracle
from cauarena.envs.webshop import generate_catalog, make_goal, split_targets
from cauarena.envs.webshop.catalog import load_catalog


def latency(engine, queries: list[str]) -> dict[str, float]:
    for query in queries[:20]:  # warm-up
        engine.search(query)
    times = []
    for query in queries:
        start = time.perf_counter()
        engine.search(query)
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1e3
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p99_ms": round(float(np.percentile(ms, 99)), 3),
            "mean_ms": round(float(ms.mean()), 3), "queries": len(queries)}


def bench_search(size: int, n_queries: int) -> dict:
    start = time.perf_counter()
    catalog = generate_catalog(size)
    generated = time.perf_counter() - start
    engine = catalog.search_engine()
    indexed = time.perf_counter() - start - generated
    goals = [make_goal(catalog, split, seed) for split in ("train", "test") for seed in range(n_queries // 2)]
    titles = [catalog.products[i].title for i in np.random.default_rng(0).integers(0, size, n_queries)]
    return {
        "products": size, "generate_s": round(generated, 2), "index_s": round(indexed, 2),
        "keywords": latency(engine, [g.keywords for g in goals]),
        "instruction": latency(engine, [g.instruction for g in goals]),
        "title": latency(engine, titles),
    }


def bench_oracle(size: int, episodes: int) -> dict:
    load_catalog.cache_clear()
    start = time.perf_counter()
    env = cauarena.make("cauarena/WebShop-v0", num_products=size)
    made = time.perf_counter() - start
    oracle = WebShopOracle()
    oracle.bind(env)
    n_targets = len(split_targets(env.unwrapped.catalog, "test"))
    steps = successes = 0
    start = time.perf_counter()
    for seed in range(episodes):
        rollout = Rollout(env, oracle, seed=seed).run()
        steps += rollout.n_steps
        successes += bool(rollout.info["success"])
    elapsed = time.perf_counter() - start
    return {"products": size, "make_s": round(made, 2), "episodes": episodes, "test_targets": n_targets,
            "success": successes / episodes, "steps_per_episode": round(steps / episodes, 2),
            "steps_per_s": round(steps / elapsed), "episodes_per_s": round(episodes / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--oracle-sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--episodes", type=int, default=300)
    args = parser.parse_args()
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "processor": platform.processor()},
        "search": [bench_search(size, args.queries) for size in args.sizes],
        "oracle": [bench_oracle(size, args.episodes) for size in args.oracle_sizes],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
