"""KALE benchmarks: the multi-path A* on the shipped world, and the tiny-LM experiment (SFT vs KALE).

    .venv/bin/python benchmarks/bench_kale.py search --questions 300 --repeats 3
    .venv/bin/python benchmarks/bench_kale.py experiment --fact-steps 200 --qa-steps 80 --out /tmp/kale_exp

``search`` times :func:`cauarena.envs.kgqa.multipath_astar` per question (test split, 1 to 3 hops, 3 paths, at
most 4 hops) and counts paths found and how often the question's own path is among them. ``experiment`` trains
one tiny LM on the facts, then two copies on the same train-split QA rows for the same steps (SFT: kl_weight 0;
KALE: KI rationales + KA loss) and scores both on the same held-out questions; differences are paired per item
with a seeded bootstrap interval.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from cauarena.envs.kgqa import QuestionSpace, build_world, multipath_astar


def bench_search(questions: int, repeats: int, seed: int) -> dict:
    """Paths per question, gold-path recall and the median time per question over ``repeats`` runs."""
    world = build_world(0)
    space = QuestionSpace(world)
    rng = np.random.default_rng(seed)
    asked = [space.sample(rng, hops=(1, 2, 3), split="test", choices=False) for _ in range(questions)]
    times, counts, gold = [], [], []
    for run in range(repeats):
        start = time.perf_counter()
        found = [multipath_astar(world, [q.topic], [q.answer], n_paths=3, max_hops=4) for q in asked]
        times.append((time.perf_counter() - start) / questions)
        if run == 0:
            counts = [len(paths) for paths in found]
            gold = [any(p.entities == q.path for p in paths) for q, paths in zip(asked, found, strict=True)]
    by_hops = {h: statistics.mean(c for c, q in zip(counts, asked, strict=True) if q.hops == h) for h in (1, 2, 3)}
    return {"questions": questions, "triples": len(world.triples), "ms_per_question_median": 1000 * statistics.median(
        times), "ms_per_question_runs": [1000 * t for t in times], "paths_mean": statistics.mean(counts),
        "paths_by_hops": by_hops, "three_paths_share": statistics.mean(c == 3 for c in counts),
        "gold_path_found": statistics.mean(gold)}


def paired(a: list[float], b: list[float], seed: int = 0, n: int = 2000) -> dict:
    """Mean of ``b - a`` with a seeded 95% bootstrap interval over items."""
    diff = np.asarray(b, float) - np.asarray(a, float)
    rng = np.random.default_rng(seed)
    boots = [diff[rng.integers(len(diff), size=len(diff))].mean() for _ in range(n)]
    return {"mean": float(diff.mean()), "low": float(np.quantile(boots, 0.025)),
            "high": float(np.quantile(boots, 0.975))}


def bench_experiment(args: argparse.Namespace) -> dict:
    """Stage one once, then SFT and KALE from the same weights; paired comparison on the same test items."""
    from cauarena.learners.kale import KALEConfig
    from cauarena.learners.kale.train import evaluate, learn_facts, learn_qa, sample_questions, setup, summarise

    base_config = KALEConfig(fact_steps=args.fact_steps, qa_steps=args.qa_steps, batch_size=args.batch_size,
                             hidden_size=args.hidden, world_size=args.world, seed=args.seed, kl_weight=1.0)
    world, space, tokenizer = setup(base_config)
    start = time.perf_counter()
    base = learn_facts(base_config, world, space, tokenizer, Path(args.out))
    test = sample_questions(space, args.eval_questions, split="test", hops=(1, 2, 3), seed=args.seed + 1,
                            choices=True)
    result = {"facts_s": time.perf_counter() - start, "base": summarise(evaluate(base, tokenizer, world, space, test))}
    records = {}
    for arm, weight in (("sft", 0.0), ("kale", 1.0)):
        config = KALEConfig(**{**base_config.to_dict(), "kl_weight": weight})
        start = time.perf_counter()
        model, losses = learn_qa(config, base, world, space, tokenizer, Path(args.out))
        records[arm] = evaluate(model, tokenizer, world, space, test)
        result[arm] = {"summary": summarise(records[arm]), "losses": losses, "train_s": time.perf_counter() - start}
    for key in ("correct", "known_incorrect"):
        result[f"kale_minus_sft_{key}"] = paired([r[key] for r in records["sft"]], [r[key] for r in records["kale"]])
    for hops in (1, 2, 3):
        pairs = [(s["correct"], k["correct"]) for s, k in zip(records["sft"], records["kale"], strict=True)
                 if s["hops"] == hops]
        if pairs:
            result[f"kale_minus_sft_{hops}hop"] = paired([p[0] for p in pairs], [p[1] for p in pairs])
    result["config"] = {k: v for k, v in vars(args).items() if k != "func"}
    return result


def main() -> None:
    """Command line: ``search`` or ``experiment``; prints JSON."""
    import torch

    torch.set_num_threads(1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    search = sub.add_parser("search")
    search.add_argument("--questions", type=int, default=300)
    search.add_argument("--repeats", type=int, default=3)
    search.add_argument("--seed", type=int, default=0)
    experiment = sub.add_parser("experiment")
    for name, default in (("fact-steps", 200), ("qa-steps", 80), ("batch-size", 16), ("hidden", 64),
                          ("eval-questions", 150), ("seed", 0)):
        experiment.add_argument(f"--{name}", type=int, default=default)
    experiment.add_argument("--world", default="tiny")
    experiment.add_argument("--out", default="/tmp/kale_experiment")
    args = parser.parse_args()
    result = bench_search(args.questions, args.repeats, args.seed) if args.what == "search" else bench_experiment(args)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
