"""KALE benchmarks: the multi-path A* on the shipped world, and the tiny-LM experiment (SFT vs KALE).

    .venv/bin/python benchmarks/bench_kale.py search --questions 300 --repeats 3
    .venv/bin/python benchmarks/bench_kale.py experiment --seed 1 --out /tmp/kale_seed1.json
    .venv/bin/python benchmarks/bench_kale.py report /tmp/kale_seed1.json --shipped
    .venv/bin/python benchmarks/bench_kale.py agents --seeds 200

``search`` times :func:`cauarena.envs.kgqa.multipath_astar` per question (test split, 1 to 3 hops, 3 paths, at
most 4 hops) and counts paths found and how often the question's own path is among them. ``experiment`` trains
one tiny LM on the facts, then two copies on the same train-split QA rows for the same steps (SFT: kl_weight 0;
KALE: KI rationales + KA loss), the configuration of :class:`~cauarena.learners.kale.KALEConfig` (that of the
shipped models) with the given training seed, and scores both on the same held-out questions (those the shipped
models were scored on, ``--test-seed 1``); it writes the per-question records. ``report`` pools such files (and,
with ``--shipped``, the records of ``tiny/kgqa-sft`` and ``tiny/kgqa-kale``, training seed 0) into accuracy by
hop count and the known & incorrect rate per arm, with paired KALE - SFT differences and a seeded bootstrap
interval over items (paired within each training seed). ``agents`` plays the env through ``make_agent`` (the
shipped ``tiny/kgqa-*`` agents, ``random``) on seeds 1000-1199 of the tiny world.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
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
    """Stage one once, then SFT and KALE from the same weights; both scored on the same test items."""
    from cauarena.learners.config_io import parse_overrides
    from cauarena.learners.kale import KALEConfig
    from cauarena.learners.kale.train import evaluate, learn_facts, learn_qa, sample_questions, setup, summarise

    base_config = KALEConfig.from_dict({**parse_overrides(args.set), "seed": args.seed})
    world, space, tokenizer = setup(base_config)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-kale-") as scratch:
        base = learn_facts(base_config, world, space, tokenizer, Path(scratch))
        test = sample_questions(space, args.eval_questions, split="test", hops=(1, 2, 3), seed=args.test_seed,
                                choices=True)
        result = {"seed": args.seed, "facts_s": time.perf_counter() - start, "config": base_config.to_dict(),
                  "test_seed": args.test_seed, "base": summarise(evaluate(base, tokenizer, world, space, test))}
        for arm, weight in (("sft", 0.0), ("kale", 1.0)):
            config = KALEConfig(**{**base_config.to_dict(), "kl_weight": weight})
            start = time.perf_counter()
            model, losses = learn_qa(config, base, world, space, tokenizer, Path(scratch))
            records = evaluate(model, tokenizer, world, space, test)
            result[arm] = {"summary": summarise(records), "losses": losses, "train_s": time.perf_counter() - start,
                           "records": records}
    Path(args.out).write_text(json.dumps(result, indent=1))
    return {k: v for k, v in result.items() if k not in ("sft", "kale")} | {
        arm: {"summary": result[arm]["summary"], "losses": result[arm]["losses"]} for arm in ("sft", "kale")}


def shipped_run() -> dict:
    """The shipped ``tiny/kgqa-sft`` and ``tiny/kgqa-kale`` evaluations as one run (training seed 0)."""
    from cauarena.learners.tinylm.backend import checkpoint_path

    arms = {arm: json.loads((checkpoint_path(f"kgqa-{arm}") / "kale_result.json").read_text()) for arm in
            ("sft", "kale")}
    if arms["sft"]["test_questions"] != arms["kale"]["test_questions"]:
        raise SystemExit("the shipped models were scored on different questions; rebuild both with one seed")
    return {"seed": arms["kale"]["config"]["seed"], **{arm: {"records": r["records"], "losses": r["losses"]}
                                                      for arm, r in arms.items()}}


def rates(records: list[dict]) -> dict:
    """Accuracy overall and by hop count, all-known and known & incorrect shares, with the item counts."""
    def share(rows: list[dict], key: str) -> float:
        return statistics.mean(float(r[key]) for r in rows) if rows else float("nan")

    out = {"n": len(records), "accuracy": share(records, "correct"), "all_known": share(records, "all_known"),
           "known_incorrect": share(records, "known_incorrect")}
    for hops in (1, 2, 3):
        rows = [r for r in records if r["hops"] == hops]
        out[f"accuracy_{hops}hop"], out[f"n_{hops}hop"] = share(rows, "correct"), len(rows)
    return out


def bench_report(paths: list[str], shipped: bool) -> dict:
    """Per run and pooled: each arm's rates and the paired KALE - SFT differences with 95% intervals."""
    runs = [shipped_run()] if shipped else []
    runs += [json.loads(Path(p).read_text()) for p in paths]
    report = {"seeds": [r["seed"] for r in runs], "runs": {}}
    for run in [*runs, None]:
        sft = [r for x in ([run] if run else runs) for r in x["sft"]["records"]]
        kale = [r for x in ([run] if run else runs) for r in x["kale"]["records"]]
        part = {"sft": rates(sft), "kale": rates(kale)}
        for key in ("correct", "known_incorrect"):
            part[f"kale_minus_sft_{key}"] = paired([r[key] for r in sft], [r[key] for r in kale])
        for hops in (1, 2, 3):
            pairs = [(s["correct"], k["correct"]) for s, k in zip(sft, kale, strict=True) if s["hops"] == hops]
            part[f"kale_minus_sft_{hops}hop"] = paired([p[0] for p in pairs], [p[1] for p in pairs])
        report["runs"]["pooled" if run is None else f"seed {run['seed']}"] = part
    return report


def bench_agents(agents: list[str], seeds: int, seed_start: int) -> dict:
    """Each agent plays ``cauarena/KGQA-v0`` on the tiny world through ``make_agent`` (in process, one torch
    thread): accuracy overall and by hop count, known & incorrect, and the median wall time per episode."""
    import cauarena
    from cauarena.agents import make_agent

    env = cauarena.make("cauarena/KGQA-v0", world_size="tiny")
    out = {"seeds": [seed_start, seed_start + seeds - 1]}
    for spec in agents:
        agent, records, times = make_agent(spec, family="kgqa"), [], []
        for seed in range(seed_start, seed_start + seeds):
            start = time.perf_counter()
            observation, info = env.reset(seed=seed)
            agent.reset(seed=seed, info=info)
            done = False
            while not done:
                observation, _, done, _, info = env.step(agent.act(observation, info))
            times.append(time.perf_counter() - start)
            metrics = info["metrics"]
            records.append({"hops": int(metrics["hops"]), **{key: bool(metrics[key]) for key in
                                                             ("correct", "all_known", "known_incorrect")}})
        out[spec] = {**rates(records), "ms_per_episode_median": 1000 * statistics.median(times), "records": records}
    for key in ("correct", "known_incorrect"):
        if "tiny/kgqa-sft" in out and "tiny/kgqa-kale" in out:
            out[f"kale_minus_sft_{key}"] = paired([r[key] for r in out["tiny/kgqa-sft"]["records"]],
                                                  [r[key] for r in out["tiny/kgqa-kale"]["records"]])
    for spec in agents:
        del out[spec]["records"]
    return out


def main() -> None:
    """Command line: ``search``, ``experiment`` or ``report``; prints JSON."""
    import torch

    torch.set_num_threads(1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    search = sub.add_parser("search")
    search.add_argument("--questions", type=int, default=300)
    search.add_argument("--repeats", type=int, default=3)
    search.add_argument("--seed", type=int, default=0)
    experiment = sub.add_parser("experiment")
    for name, default in (("eval-questions", 150), ("seed", 0), ("test-seed", 1)):
        experiment.add_argument(f"--{name}", type=int, default=default)
    experiment.add_argument("--out", required=True, help="JSON file for the per-question records")
    experiment.add_argument("--set", action="append", default=[], help="KALEConfig field as key=JSON (both arms)")
    agents = sub.add_parser("agents")
    agents.add_argument("--agent", action="append", default=None)
    agents.add_argument("--seeds", type=int, default=200)
    agents.add_argument("--seed-start", type=int, default=1000)
    report = sub.add_parser("report")
    report.add_argument("runs", nargs="*", help="JSON files written by `experiment`")
    report.add_argument("--shipped", action="store_true", help="add the shipped models' records (seed 0)")
    args = parser.parse_args()
    if args.what == "search":
        result = bench_search(args.questions, args.repeats, args.seed)
    elif args.what == "agents":
        result = bench_agents(args.agent or ["random", "tiny/kgqa-sft", "tiny/kgqa-kale"], args.seeds,
                              args.seed_start)
    elif args.what == "experiment":
        result = bench_experiment(args)
    else:
        result = bench_report(args.runs, args.shipped)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
