"""Multi-turn GRPO on BabyAI-GoToLocal-Text: seconds per step, and the policy before and after on held-out seeds.

1. Train (unless ``--skip-train``): ``cauarena train grpo`` from ``--init`` for ``--steps`` steps into
   ``<out>/model`` (trainer checkpoints in ``<out>/work``; ``--resume`` continues them). Seconds per step,
   the roll-out share and the learning curve come from the run's ``metrics.json``.
2. Evaluate: every ``--agents`` spec (default: ``--init`` and ``hf/<out>/model``) plays the same held-out seeds
   (default 1000-1049, greedy, as ``cauarena run`` plays them) through the leaderboard's Runner and results
   store in ``<out>/runs``, which also gets the leaderboard (Markdown, CSV, HTML with bootstrap CIs).
3. Compare: success, return and steps per agent with 95% bootstrap CIs, and the paired per-seed difference
   of each agent against the first (bootstrap over seeds); written to ``<out>/bench_grpo.json``.

Usage: python benchmarks/bench_grpo.py --out runs/grpo_bench [--init tiny/babyai] [--steps 200]
       [--set key=value ...] [--seeds 50] [--seed-start 1000] [--agents SPEC ...] [--skip-train] [--workers 2]

``--toy RUNS`` instead repeats the GRPO learning test (``tests/learners/grpo``: "say the word shown" from a
chance-level tiny LM, 40 steps) RUNS times in this process and reports per run the greedy return before and
after, the sampled return of the first 5 and last 10 steps, and the wall time, with medians
(``<out>/bench_grpo_toy.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np

from cauarena.leaderboards.report import build_leaderboard, to_markdown, write_reports
from cauarena.leaderboards.runner import Runner
from cauarena.leaderboards.stats import bootstrap_ci
from cauarena.leaderboards.store import ResultsStore
from cauarena.leaderboards.suites import EnvSpec, Suite, plan

GOTO_LOCAL = "cauarena/BabyAI-GoToLocal-Text-v0"


def run_training(args: argparse.Namespace, model_dir: Path) -> dict[str, Any]:
    from cauarena.learners.config_io import parse_overrides
    from cauarena.learners.grpo.grpo_config import EnvGRPOConfig
    from cauarena.learners.grpo.train import train

    fields = {"env_ids": (args.env,), "model": args.init, "max_steps": args.steps, **parse_overrides(args.set)}
    config = EnvGRPOConfig.from_dict(fields)
    return train(config, model_dir, Path(args.out) / "work", progress=True, resume=args.resume)


def evaluate(agents: list[str], args: argparse.Namespace) -> Any:
    """Play every agent on the held-out seeds through the Runner; returns the results frame."""
    runs = Path(args.out) / "runs"
    suite = Suite(name="grpo-bench", envs=(EnvSpec(args.env),), agents=tuple(agents), seeds=args.seeds,
                  seed_start=args.seed_start, timeout_s=300.0, description="GRPO before/after, held-out seeds")
    store = ResultsStore(str(runs))
    episodes = plan(suite)
    stored = store.stored_keys([e.key for e in episodes])
    todo = [e for e in episodes if e.key not in stored]
    summary = Runner(store, workers=args.workers).run(todo)
    print(f"played {summary.finished} episodes ({summary.skipped} stored), errors {summary.errors}", file=sys.stderr)
    df = store.dataframe()
    df = df[df["agent"].isin(agents) & df["seed"].between(args.seed_start, args.seed_start + args.seeds - 1)]
    board = build_leaderboard(df, n_boot=2000)
    write_reports(board, runs, metadata={"bench": "bench_grpo", "seeds": f"{args.seed_start}-"
                                          f"{args.seed_start + args.seeds - 1}", "env": args.env})
    print(to_markdown(board))
    return df


def paired_difference(a: np.ndarray, b: np.ndarray, n_boot: int = 10_000, seed: int = 0) -> list[float]:
    """Mean of ``b - a`` over seeds with a 95% percentile bootstrap interval (seeds resampled in pairs)."""
    diff = b - a
    rng = np.random.default_rng(seed)
    reps = diff[rng.integers(0, len(diff), size=(n_boot, len(diff)))].mean(axis=1)
    return [round(float(diff.mean()), 4), round(float(np.percentile(reps, 2.5)), 4),
            round(float(np.percentile(reps, 97.5)), 4)]


def compare(df: Any, agents: list[str]) -> dict[str, Any]:
    """Per-agent means with CIs, and paired differences against ``agents[0]`` on the seeds both finished."""
    table = {}
    by_agent = {a: df[(df["agent"] == a) & (df["error_kind"] == "none")].set_index("seed") for a in agents}
    for agent, rows in by_agent.items():
        wins = rows[rows["success"]]
        table[agent] = {
            "episodes": len(rows),
            "success": [round(x, 4) for x in bootstrap_ci(rows["success"].astype(float), n_boot=2000)],
            "return": [round(x, 4) for x in bootstrap_ci(rows["episode_return"], n_boot=2000)],
            "steps": round(float(rows["steps"].mean()), 2),
            "steps_when_successful": round(float(wins["steps"].mean()), 2) if len(wins) else None,
            "invalid_rate": round(float(rows["invalid_actions"].sum() / max(rows["steps"].sum(), 1)), 4),
        }
    base = by_agent[agents[0]]
    for agent in agents[1:]:
        seeds = base.index.intersection(by_agent[agent].index)
        a, b = base.loc[seeds], by_agent[agent].loc[seeds]
        both = seeds[a["success"].to_numpy() & b["success"].to_numpy()]
        table[agent]["vs_" + agents[0]] = {
            "seeds": len(seeds),
            "success_diff": paired_difference(a["success"].to_numpy(float), b["success"].to_numpy(float)),
            "return_diff": paired_difference(a["episode_return"].to_numpy(), b["episode_return"].to_numpy()),
            "steps_diff_on_seeds_both_solve": paired_difference(
                base.loc[both, "steps"].to_numpy(float), by_agent[agent].loc[both, "steps"].to_numpy(float)
            ) if len(both) else None,
            "seeds_both_solve": len(both),
        }
    return table


def toy_runs(runs: int, out: Path) -> dict[str, Any]:
    """Repeat the learning test's training ``runs`` times; per-run figures and their medians."""
    import importlib.util
    import tempfile
    import time

    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "_support"))
    spec = importlib.util.spec_from_file_location(
        "grpo_word_env", Path(__file__).resolve().parents[1] / "tests" / "learners" / "grpo" / "conftest.py")
    word = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(word)
    import arenakit  # noqa: F401  (registers arenakit/Count-v0)

    from cauarena.learners.grpo.grpo_config import EnvGRPOConfig
    from cauarena.learners.grpo.report import learning_curve
    from cauarena.learners.grpo.rollout import episode_summary
    from cauarena.learners.grpo.train import build_trainer, load_policy

    torch.set_num_threads(1)
    rows = []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            path = word.build_chance_model(Path(tmp) / "model")
            built = time.perf_counter()
            config = EnvGRPOConfig(
                env_ids=("arenakit/Count-v0",), env_kwargs=word.WORD_ENV_KWARGS, model=str(path), max_steps=40,
                prompts_per_step=2, num_generations=8, max_reply_tokens=3, learning_rate=5e-3, warmup_steps=0,
                num_seeds=100, greedy_eval_every=5, greedy_eval_seeds=1, time_budget_s=0, save_steps=10**6)
            model, tokenizer = load_policy(path)
            trainer = build_trainer(config, model, tokenizer, path, Path(tmp) / "work")
            before = episode_summary(trainer.rollout_func.play_greedy(trainer))["return"]
            trainer.train()
            after = episode_summary(trainer.rollout_func.play_greedy(trainer))["return"]
            sampled = [p["return"] for p in learning_curve(trainer.state.log_history)]
            rows.append({"run": run, "greedy_before": before, "greedy_after": after,
                         "sampled_first5": round(sum(sampled[:5]) / 5, 4),
                         "sampled_last10": round(sum(sampled[-10:]) / 10, 4),
                         "model_s": round(built - start, 1), "train_s": round(time.perf_counter() - built, 1),
                         "load_average_1min": round(os.getloadavg()[0], 2)})
            print(json.dumps(rows[-1]), file=sys.stderr)
    medians = {k: float(np.median([r[k] for r in rows])) for k in rows[0] if k != "run"}
    result = {"runs": rows, "median": medians}
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_grpo_toy.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/grpo_bench")
    parser.add_argument("--env", default=GOTO_LOCAL)
    parser.add_argument("--init", default="tiny/babyai", help="the starting policy (tiny/<name> or hf/<dir>)")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="EnvGRPOConfig field")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--agents", nargs="*", default=None, help="specs to evaluate [init, hf/<out>/model]")
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--seed-start", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--toy", type=int, default=0, metavar="RUNS", help="repeat the GRPO learning test RUNS times")
    args = parser.parse_args()
    out = Path(args.out)
    if args.toy:
        print(json.dumps(toy_runs(args.toy, out)["median"], indent=2))
        return 0
    model_dir = out / "model"
    result: dict[str, Any] = {"command": "python " + shlex.join(sys.argv), "python": platform.python_version()}
    if not args.skip_train:
        metrics = run_training(args, model_dir)
        result["training"] = metrics["training"]
        result["machine"] = metrics["machine"]
    if (model_dir / "metrics.json").exists():
        curve = json.loads((model_dir / "metrics.json").read_text())["curve"]
        result["curve_every_10"] = [p for p in curve if p["step"] % 10 == 0 or p["step"] == 1]
    agents = args.agents or [args.init, f"hf/{model_dir}"]
    result["results"] = compare(evaluate(agents, args), agents)
    (out / "bench_grpo.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["results"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
