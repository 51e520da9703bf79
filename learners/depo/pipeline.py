"""The steps of ``cauarena train depo``: BC (SFT) -> KTO -> DEPO on the tiny LM, then the three stages evaluated.

    cauarena train depo --preset babyai --out runs/depo/babyai      # or --preset webshop

Steps, each in its own function:

1. **data**: oracle roll-outs and degraded variants (:mod:`~cauarena.learners.depo.rollouts`) on training seeds;
2. **tokenizer**: tinylm's byte-level BPE trained on every prompt and reply the data can contain;
3. **bc**: a fresh tinylm Llama, TRL ``SFTTrainer`` on every step of the desirable trajectories (as published;
   ``bc_data="kept"``: every kept trajectory as played): ``<env>-bc``, also the reference of the next two stages;
4. **kto**: :class:`~cauarena.learners.depo.trainer.DEPOTrainer` with the bonus off: ``<env>-kto``;
5. **depo**: the same with DEPO's efficiency bonus: ``<env>-depo``;
6. **eval**: ``cauarena run`` on a suite of the three stages (plus the oracle) over held-out seeds, then
   ``cauarena compare``: success, reward, tokens and steps per stage with bootstrap CIs,
   and the change of DEPO against BC and against KTO.

Checkpoints go to ``--out`` (evaluated as ``hf/<out>/<env>-<stage>``; copied into the tiny-LM checkpoint folder
they are the agents ``tiny/<env>-bc``, ``tiny/<env>-kto``, ``tiny/<env>-depo``); trainer files, the suite and the
results store go to ``--work-dir`` (default ``<out>/work``). The evaluation runs the CLI in a subprocess:
learners never import the leaderboards layer.
"""

from __future__ import annotations

import json
import platform
import random
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from cauarena.learners.depo.pipeline_config import HELD_OUT_SEED_START, PipelineConfig

STAGES = ("bc", "kto", "depo")


def checkpoint_names(env: str) -> dict[str, str]:
    """``{"bc": "<env>-bc", ...}``: the checkpoint folder (and ``tiny/`` model) name of each stage."""
    return {stage: f"{env}-{stage}" for stage in STAGES}


def collect_data(config: PipelineConfig, progress: bool = False) -> list[Any]:
    """Step 1: the training roll-outs (BabyAI seeds ``0..seeds-1``; WebShop ``train`` instructions)."""
    from cauarena.learners.depo.rollouts import collect

    kwargs = {"num_products": config.num_products, "split": "train"} if config.env == "webshop" else {}
    return collect(config.env, range(config.seeds), config.styles_per_seed, random.Random(config.seed),
                   thought_probs=config.thought_probs, habit_prob=config.habit_prob,
                   sloppy_prob=config.sloppy_prob, env_kwargs=kwargs)


def build_tokenizer(config: PipelineConfig, trajectories: list[Any]) -> Any:
    """Step 2: tinylm's BPE on every prompt and reply (all thought styles) of the roll-outs."""
    from cauarena.agents.llm.prompts import get_prompt
    from cauarena.learners.depo.data import tokenizer_corpus
    from cauarena.learners.tinylm.tokenizer import train_tokenizer

    template = get_prompt(config.family, strict=True)
    return train_tokenizer(tokenizer_corpus(trajectories, template), config.vocab_size, config.split_pattern)


class Renderer:
    """Token counts and the prompt budget of one tokenizer, as the ChatAgent on the checkpoint will see them."""

    def __init__(self, config: PipelineConfig, tokenizer: Any) -> None:
        from cauarena.agents.llm.prompts import get_prompt
        from cauarena.learners.tinylm.data import message_token_counter, prompt_budget

        self.template = get_prompt(config.family, strict=True)
        self.count_prompt = message_token_counter(tokenizer)
        self.budget = prompt_budget(self.template, config.context_length)
        self.tokenizer = tokenizer

    def count_text(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])


def sft_arguments(config: PipelineConfig, work_dir: Path, progress: bool) -> Any:
    """TRL ``SFTConfig`` of the BC stage: completion-only loss, cosine schedule, length-grouped batches."""
    from trl import SFTConfig

    return SFTConfig(
        output_dir=str(work_dir), num_train_epochs=config.bc_epochs, per_device_train_batch_size=config.bc_batch_size,
        learning_rate=config.bc_learning_rate, lr_scheduler_type="cosine", warmup_steps=0.05, weight_decay=0.01,
        max_grad_norm=1.0, max_length=config.context_length, completion_only_loss=True,
        train_sampling_strategy="group_by_length", logging_steps=50, save_strategy="no", seed=config.seed,
        data_seed=config.seed, bf16=False, use_cpu=config.device == "cpu", report_to="none",
        disable_tqdm=not progress, dataloader_num_workers=0,
    )


def train_bc(config: PipelineConfig, trajectories: list[Any], renderer: Renderer, out: Path, work_dir: Path,
             progress: bool) -> dict[str, Any]:
    """Step 3: behaviour cloning on the desirable trajectories (``bc_data="kept"``: every kept one as played).

    The model and tokenizer are tinylm's (``build_model``, ``train_tokenizer``); training is TRL's
    ``SFTTrainer`` on the conversational prompt-completion rows.
    """
    import datasets
    from trl import SFTTrainer

    from cauarena.learners.callbacks import time_budget_callback
    from cauarena.learners.depo.data import LABEL_RULES, label, sft_rows, shorten
    from cauarena.learners.depo.trainer import save_policy
    from cauarena.learners.tinylm.model import build_model, count_parameters

    rule = LABEL_RULES[config.env]
    if config.bc_data == "desirable":  # the published BC: desirable trajectories as DEPO trains on them
        kept = [shorten(t) for t in trajectories if label(t, rule) == "desirable"]
    else:
        kept = [t for t in trajectories if label(t, rule) != "dropped"]
    rows = sft_rows(kept, renderer.template, renderer.count_prompt, renderer.budget)
    start = time.perf_counter()
    budget = time_budget_callback(config.time_budget_s)
    model = build_model(config.model_spec(), renderer.tokenizer)
    model.generation_config.max_new_tokens = renderer.template.max_tokens
    if not progress:
        datasets.disable_progress_bars()
    trainer = SFTTrainer(model=model, args=sft_arguments(config, work_dir, progress),
                         train_dataset=datasets.Dataset.from_list(rows), processing_class=renderer.tokenizer,
                         callbacks=[budget])
    result = trainer.train()
    save_policy(trainer.model, renderer.tokenizer, out, config.save_dtype)
    stats = {"trajectories": len(kept), "rows": len(rows), "parameters": count_parameters(trainer.model),
             "optimizer_steps": trainer.state.global_step, "train_loss": round(float(result.training_loss), 4),
             "train_s": round(time.perf_counter() - start, 1), "stopped_by_time_budget": budget.hit}
    (out / "metrics.json").write_text(json.dumps({"config": config.to_dict(), "training": stats}, indent=2) + "\n")
    return stats


def train_preference(config: PipelineConfig, stage: str, trajectories: list[Any], renderer: Renderer, init: Path,
                     out: Path, work_dir: Path, progress: bool) -> dict[str, Any]:
    """Steps 4 and 5: KTO (``stage="kto"``, no bonus) or DEPO from the BC checkpoint ``init``."""
    from cauarena.learners.depo import trainer
    from cauarena.learners.depo.data import LABEL_RULES, label_all, preference_rows, summarize

    settings = config.preference_config(kto=stage == "kto")
    labelled = label_all(trajectories, LABEL_RULES[config.env], renderer.count_text,
                         alpha_tokens=settings.alpha_tokens, alpha_steps=settings.alpha_steps,
                         scale=settings.bonus_scale, shorten_desirable=settings.shorten_desirable)  # type: ignore[arg-type]
    rows = preference_rows(labelled, renderer.template, renderer.count_prompt, renderer.budget)
    desirable = sum(bool(r["label"]) for r in rows)
    if config.balance_rows and 0 < desirable < len(rows):
        settings = replace(settings, desirable_weight=round((len(rows) - desirable) / desirable, 3))
    stats = trainer.train(settings, init, rows, out, work_dir, progress, save_dtype=config.save_dtype)
    data = summarize(labelled, trajectories)
    metrics = json.loads((out / "metrics.json").read_text())
    (out / "metrics.json").write_text(json.dumps({**metrics, "pipeline": config.to_dict(), "data": data},
                                                 indent=2) + "\n")
    return {**stats, "data": data}


def agent_specs(env: str, out_root: Path) -> dict[str, str]:
    """The agent spec of each stage: ``tiny/<env>-<stage>`` for the shipped folder, else ``hf/<path>``."""
    from cauarena.learners.tinylm.backend import CHECKPOINTS

    names = checkpoint_names(env)
    if out_root.resolve() == CHECKPOINTS.resolve():
        return {stage: f"tiny/{name}" for stage, name in names.items()}
    return {stage: f"hf/{(out_root / name).resolve()}" for stage, name in names.items()}


def suite_file(config: PipelineConfig, agents: dict[str, str], path: Path) -> Path:
    """Write the evaluation suite (JSON): the env, the three stages and the oracle, held-out seeds."""
    from cauarena.learners.depo.rollouts import ENV_IDS

    kwargs: dict[str, Any] = {"num_products": config.num_products, "split": "test"} if config.env == "webshop" else {}
    if config.env == "webshop" and config.eval_max_steps:
        kwargs["max_steps"] = config.eval_max_steps
    suite: dict[str, Any] = {
        "name": f"depo-{config.env}", "envs": [{"id": ENV_IDS[config.env], "kwargs": kwargs}],
        "agents": [*agents.values(), "oracle"], "seeds": config.eval_seeds, "seed_start": HELD_OUT_SEED_START,
        "timeout_s": 900.0,
    }
    if config.env == "babyai" and config.eval_max_steps:
        suite["max_steps"] = config.eval_max_steps
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(suite, indent=2) + "\n")
    return path


def evaluate(config: PipelineConfig, agents: dict[str, str], work_dir: Path, progress: bool) -> dict[str, Any]:
    """Step 6: ``cauarena run`` on the suite, then the comparison report (both as commands)."""
    suite = suite_file(config, agents, work_dir / "suite.json")
    results = work_dir / "eval"
    command = [sys.executable, "-m", "cauarena", "run", "--suite", str(suite), "--out", str(results),
               "--workers", str(config.eval_workers), "--resume", "--no-cache"]
    if not progress:
        command.append("--no-progress")
    start = time.perf_counter()
    subprocess.run(command, check=True)
    report = results / "depo_report.md"
    subprocess.run([sys.executable, "-m", "cauarena", "compare", "--out", str(results),
                    "--target", agents["depo"], "--baseline", agents["bc"], "--baseline", agents["kto"],
                    "--markdown", str(report), "--json", str(results / "depo_report.json")], check=True)
    return {"eval_s": round(time.perf_counter() - start, 1), "report": str(report),
            **json.loads((results / "depo_report.json").read_text())}


def run(config: PipelineConfig, out_root: Path, work_dir: Path, stages: tuple[str, ...] = (*STAGES, "eval"),
        progress: bool = True) -> dict[str, Any]:
    """Run the pipeline's ``stages`` (``bc``, ``kto``, ``depo``, ``eval``); returns their metrics.

    The metrics are also merged into ``work_dir/pipeline.json`` (a later run of other stages adds its keys).
    """
    import torch

    torch.set_num_threads(config.threads)
    names = checkpoint_names(config.env)
    paths = {stage: out_root / name for stage, name in names.items()}
    metrics: dict[str, Any] = {"config": config.to_dict(), "machine": _machine()}
    start = time.perf_counter()
    if set(stages) & set(STAGES):
        trajectories = collect_data(config, progress)
        if "bc" in stages:
            renderer = Renderer(config, build_tokenizer(config, trajectories))
            metrics["data_s"] = round(time.perf_counter() - start, 1)
            metrics["bc"] = train_bc(config, trajectories, renderer, paths["bc"], work_dir / "bc", progress)
        else:  # KTO/DEPO must tokenize exactly as the BC checkpoint they start from
            from cauarena.learners.tinylm.tokenizer import load_tokenizer

            renderer = Renderer(config, load_tokenizer(paths["bc"]))
        preference_data = trajectories[: (config.pref_seeds or config.seeds) * config.styles_per_seed]
        for stage in ("kto", "depo"):
            if stage in stages:
                metrics[stage] = train_preference(config, stage, preference_data, renderer, paths["bc"],
                                                  paths[stage], work_dir / stage, progress)
    if "eval" in stages:
        metrics["eval"] = evaluate(config, agent_specs(config.env, out_root), work_dir, progress)
    metrics["wall_s"] = round(time.perf_counter() - start, 1)
    work_dir.mkdir(parents=True, exist_ok=True)
    record = work_dir / "pipeline.json"  # stages run separately add to one record
    merged = {**(json.loads(record.read_text()) if record.is_file() else {}), **metrics}
    record.write_text(json.dumps(merged, indent=2) + "\n")
    return metrics


def _machine() -> dict[str, Any]:
    import os

    import torch
    import transformers
    import trl

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "torch": torch.__version__,
            "transformers": transformers.__version__, "trl": trl.__version__}
