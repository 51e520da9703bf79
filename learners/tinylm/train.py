"""Train the tiny chat LM from scratch: oracle roll-outs -> BPE tokenizer -> Llama -> TRL SFT -> DAgger -> SFT.

Rebuild the shipped checkpoint (at most 15 minutes on a 2-core CPU), then copy it into the package (the only
step that writes there)::

    cauarena train tinylm --preset babyai --out runs/tinylm/babyai
    rsync -a --exclude work runs/tinylm/babyai/ learners/tinylm/checkpoints/babyai/

The final model, tokenizer, ``metrics.json`` and ``TRAINING.md`` go to ``--out``; trainer checkpoints to
``--work-dir`` (default ``<out>/work``; ``--resume`` continues each phase from its latest one, with the
configured step counts).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.tinylm import budget
from cauarena.learners.tinylm.tinylm_config import TinyLMConfig


def prepare_data(config: TinyLMConfig, progress: bool = False) -> tuple[Any, list[dict], dict[str, Any]]:
    """Roll out the oracle, train the tokenizer, render the rows; returns ``(tokenizer, rows, stats)``."""
    from cauarena.agents.llm.prompts import get_prompt
    from cauarena.learners.tinylm import data
    from cauarena.learners.tinylm.tokenizer import train_tokenizer

    template = get_prompt(config.prompt, strict=True)
    start = time.perf_counter()
    episodes = data.collect_episodes(config, progress=progress)
    corpus = data.tokenizer_corpus(episodes, template)
    tokenizer = train_tokenizer(corpus, config.vocab_size, config.split_pattern, config.lowercase)
    prompt_budget = data.prompt_budget(template, config.context_length)
    count = data.message_token_counter(tokenizer)
    rows = data.build_rows(episodes, template, count, prompt_budget)
    longest = max((count(row["prompt"]) for row in rows), default=0)
    if longest + template.max_tokens > config.context_length:
        raise ConfigError(
            f"The longest training prompt has {longest} tokens; with the template's max_tokens="
            f"{template.max_tokens} it overflows context_length={config.context_length}, so TRL would cut its "
            "completion off (and ChatAgent refuses such prompts). Fix: a larger context_length, or more data or "
            "a larger vocab_size so that the tokenizer merges more."
        )
    stats = {
        "episodes": len(episodes),
        "episode_success": round(sum(e.success for e in episodes) / max(len(episodes), 1), 4),
        "steps": sum(len(e.steps) for e in episodes),
        "rows": len(rows),
        "vocab_size": len(tokenizer),
        "prompt_budget": prompt_budget,
        "longest_prompt": longest,
        "data_s": round(time.perf_counter() - start, 1),
    }
    return tokenizer, rows, stats


def sft_arguments(config: TinyLMConfig, work_dir: Path, steps: int, learning_rate: float, progress: bool) -> Any:
    """TRL ``SFTConfig`` for CPU training: completion-only loss, length-grouped batches (schedule: see make_trainer)."""
    from trl import SFTConfig

    return SFTConfig(
        output_dir=str(work_dir),
        max_steps=steps,
        per_device_train_batch_size=config.batch_size,
        learning_rate=learning_rate,
        weight_decay=config.weight_decay,
        max_grad_norm=1.0,
        max_length=config.context_length,
        completion_only_loss=True,
        train_sampling_strategy="group_by_length",
        logging_steps=50,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=1,
        seed=config.seed,
        data_seed=config.seed,
        bf16=False,
        use_cpu=True,
        report_to="none",
        disable_tqdm=not progress,
        dataloader_num_workers=0,
    )


def make_trainer(
    config: TinyLMConfig,
    model: Any,
    tokenizer: Any,
    rows: list[dict],
    work_dir: Path,
    progress: bool = False,
    steps: int | None = None,
    seconds: float | None = None,
    learning_rate: float | None = None,
) -> Any:
    """TRL's ``SFTTrainer`` on the conversational prompt-completion ``rows`` (loss on completions only).

    The schedule is :class:`~cauarena.learners.tinylm.budget.TimeCosine` over ``steps`` (default
    ``config.max_steps``) and, when given, a ``seconds`` time slot; the trainer's ``time_slot`` callback ends
    training when the slot is up.
    """
    import datasets
    from trl import SFTTrainer

    if not progress:
        datasets.disable_progress_bars()
    steps = steps or config.max_steps
    learning_rate = learning_rate or config.learning_rate
    optimizer, scheduler, schedule = budget.optimizer_and_schedule(model, config, steps, seconds, learning_rate)
    slot = budget.time_slot_callback(schedule)
    trainer = SFTTrainer(
        model=model,
        args=sft_arguments(config, work_dir, steps, learning_rate, progress),
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tokenizer,
        optimizers=(optimizer, scheduler),
        callbacks=[slot],
    )
    trainer.time_slot = slot
    return trainer


def run_sft(trainer: Any, resume: bool) -> dict[str, Any]:
    """Train until the step cap or the end of the time slot; returns the phase's numbers."""
    work_dir = Path(trainer.args.output_dir)
    start = time.perf_counter()
    has_checkpoint = resume and any(work_dir.glob("checkpoint-*"))
    result = trainer.train(resume_from_checkpoint=True if has_checkpoint else None)
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    return {
        "optimizer_steps": trainer.state.global_step,
        "step_cap": trainer.args.max_steps,
        "epochs_done": round(float(trainer.state.epoch or 0.0), 3),
        "train_loss": round(float(result.training_loss), 4),
        "final_loss": round(float(losses[-1]), 4) if losses else None,
        "train_s": round(time.perf_counter() - start, 1),
        "ended_by_time_slot": trainer.time_slot.hit,
    }


def save_checkpoint(model: Any, tokenizer: Any, config: TinyLMConfig, out: Path) -> None:
    """Write the model (``save_dtype``), generation config and tokenizer to ``out``."""
    import torch

    from cauarena.learners.tinylm.tokenizer import save_tokenizer

    out.mkdir(parents=True, exist_ok=True)
    model = model.to(getattr(torch, config.save_dtype))
    model.config.use_cache = True
    model.save_pretrained(str(out))
    save_tokenizer(tokenizer, out)


def validate(config: TinyLMConfig, out: Path, progress: bool) -> dict[str, Any]:
    """Success of the saved checkpoint as ``hf/<out>`` on the validation seeds (BabyAI: < 1000; WebShop: eval split)."""
    from cauarena.learners.tinylm.data import env_spec
    from cauarena.learners.tinylm.evaluate import evaluate_agent, summarize

    if not config.validation_episodes:
        return {}
    seeds = range(config.validation_seed_start, config.validation_seed_start + config.validation_episodes)
    start = time.perf_counter()
    env_id, env_kwargs = env_spec(config, config.validation_level)
    outcomes = evaluate_agent(f"hf/{out.resolve()}", env_id, seeds, progress=progress, env_kwargs=env_kwargs,
                              family=config.prompt)
    summary = {k: round(v, 4) if isinstance(v, float) else v for k, v in summarize(outcomes).items()}
    return {"env_id": env_id, "env_kwargs": env_kwargs, "seeds": [seeds.start, seeds.stop - 1], **summary,
            "eval_s": round(time.perf_counter() - start, 1)}


def train(
    config: TinyLMConfig, out: Path, work_dir: Path | None = None, progress: bool = True, resume: bool = False
) -> dict[str, Any]:
    """Build the checkpoint of ``config`` in ``out``; returns the metrics also written to ``metrics.json``.

    Args:
        config: data, tokenizer, model and training settings (``--preset babyai`` is the shipped one).
        out: folder for the model, tokenizer, ``metrics.json`` and ``TRAINING.md``.
        work_dir: trainer checkpoints (None: ``<out>/work``).
        progress: show progress bars.
        resume: continue each phase from its latest trainer checkpoint in ``work_dir``.
    """
    work_dir = Path(out) / "work" if work_dir is None else Path(work_dir)
    import torch

    from cauarena.learners.tinylm.dagger import collect_dagger_rows
    from cauarena.learners.tinylm.model import build_model, count_parameters
    from cauarena.learners.tinylm.report import machine_info, training_card

    start = time.perf_counter()
    torch.set_num_threads(config.threads)
    tokenizer, rows, data_stats = prepare_data(config, progress)
    model = build_model(config, tokenizer)
    plan = budget.plan(config, model, tokenizer, rows, start, fixed=resume)
    trainer = make_trainer(config, model, tokenizer, rows, work_dir / "sft", progress,
                           steps=plan.sft_steps, seconds=plan.sft_seconds)
    sft_stats = run_sft(trainer, resume)
    model, rounds = trainer.model, []
    for index in range(config.dagger_rounds if plan.dagger_steps else 0):
        dagger, stats = collect_dagger_rows(config, model, tokenizer, index)
        rows = _merge(rows, dagger)  # the oracle rows and every round's so far
        folder = work_dir / ("dagger" if index == 0 else f"dagger{index + 1}")
        trainer = make_trainer(config, model, tokenizer, rows, folder, progress, steps=plan.dagger_steps,
                               seconds=plan.dagger_seconds, learning_rate=config.dagger_learning_rate)
        stats["training"] = run_sft(trainer, resume)
        model = trainer.model
        rounds.append(stats)
    dagger_stats = {**rounds[-1], "rounds": rounds} if rounds else {}
    parameters = count_parameters(model)
    save_checkpoint(model, tokenizer, config, out)
    metrics = {
        "config": config.to_dict(),
        "data": data_stats,
        "plan": plan.to_dict(),
        "training": {"parameters": parameters, **sft_stats},
        "dagger": dagger_stats,
        "validation": validate(config, out, progress),
        "checkpoint_mb": round(sum(p.stat().st_size for p in out.iterdir() if p.is_file()) / 2**20, 2),
        "total_wall_s": round(time.perf_counter() - start, 1),
        "machine": machine_info(),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out / "TRAINING.md").write_text(training_card(metrics))
    return metrics


def _merge(rows: list[dict], extra: list[dict]) -> list[dict]:
    """``rows`` then the rows of ``extra`` not already among them."""
    seen = {json.dumps(row, sort_keys=True) for row in rows}
    return rows + [row for row in extra if json.dumps(row, sort_keys=True) not in seen]
