"""Run multi-turn GRPO: load the starting policy, play and train, save an ``hf/`` checkpoint with its curve.

``cauarena train grpo --env-ids ID --model tiny/babyai --max-steps 200 --out DIR`` calls :func:`train`. Trainer
checkpoints go to ``work_dir`` (default ``<out>/work``; ``--resume`` continues from the latest); the final model,
tokenizer (with its chat template), ``metrics.json`` (config, timings, the learning curve), ``learning_curve.svg`` and
``TRAINING.md`` go to ``out``, which ``cauarena run --agent hf/<out>`` evaluates.
"""

from __future__ import annotations

import json
import os
import platform
import time
import warnings
from pathlib import Path
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.callbacks import time_budget_callback
from cauarena.learners.grpo.grpo_config import EnvGRPOConfig


def resolve_checkpoint(model: str) -> Path:
    """The folder of ``model``: ``tiny/<name>`` (shipped) or ``hf/<dir>`` through the backend registry, or a folder.

    Raises:
        NameNotFound: an unknown ``tiny/`` name (the message lists the shipped ones).
        ConfigError: the folder holds no ``config.json``.
    """
    if model.partition("/")[0] in ("tiny", "hf"):
        from cauarena.agents.llm import make_backend

        return Path(make_backend(model).path)  # HFBackend checks the folder and loads nothing yet
    path = Path(model).expanduser()
    if not (path / "config.json").is_file():
        raise ConfigError(
            f"model {model!r}: {str(path)!r} is not a checkpoint folder (no config.json). Fix: tiny/<name>, "
            "hf/<dir> or a folder that save_pretrained wrote."
        )
    return path


def load_policy(path: Path) -> tuple[Any, Any]:
    """The float32 model (train mode, no KV cache) and tokenizer saved in ``path``, local files only."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(str(path), local_files_only=True, dtype="float32")
    model.config.use_cache = False
    return model.train(), tokenizer


def grpo_arguments(config: EnvGRPOConfig, work_dir: Path, progress: bool) -> Any:
    """TRL's ``GRPOConfig`` for ``config`` (CPU: ``use_cpu``, no bf16, no reporting; a log line per step)."""
    from trl import GRPOConfig

    return GRPOConfig(
        output_dir=str(work_dir),
        max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_episodes,
        num_generations=config.num_generations,
        temperature=config.temperature,
        learning_rate=config.learning_rate,
        lr_scheduler_type="constant_with_warmup",
        warmup_steps=config.warmup_steps,
        beta=config.beta,
        epsilon=config.epsilon,
        num_iterations=config.num_iterations,
        loss_type=config.loss_type,
        reward_weights=list(config.reward_weights),
        max_completion_length=config.max_reply_tokens or 64,
        max_grad_norm=1.0,
        gradient_checkpointing=False,  # TRL turns it on; on a CPU with a tiny model it only costs time
        logging_steps=1,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=2,
        seed=config.seed,
        data_seed=config.seed,
        bf16=config.bf16,
        use_cpu=config.device == "cpu",
        report_to="none",
        disable_tqdm=not progress,
        dataloader_num_workers=0,
    )


def lora_config(config: EnvGRPOConfig) -> Any:
    """A peft ``LoraConfig`` on every linear layer, or None when ``lora_r`` is 0."""
    if not config.lora_r:
        return None
    from cauarena.agents.llm.backends.base import require

    peft = require("peft", "train", "LoRA (lora_r > 0)")
    return peft.LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=0.0,
                           target_modules="all-linear", task_type="CAUSAL_LM")


def build_trainer(config: EnvGRPOConfig, model: Any, tokenizer: Any, init: Path, work_dir: Path,
                  progress: bool = False, callbacks: list[Any] | None = None, player: Any = None) -> Any:
    """An :class:`~cauarena.learners.grpo.trainer.EpisodeGRPOTrainer` playing through a ``PolicyBackend``.

    Args:
        config: the GRPO config.
        model: the starting policy (``load_policy``).
        tokenizer: its tokenizer.
        init: the starting checkpoint folder (names the policy backend).
        work_dir: trainer checkpoints.
        progress: show TRL's progress bar.
        callbacks: extra ``TrainerCallback`` objects.
        player: a :class:`~cauarena.learners.grpo.rollout.RolloutPlayer` to use instead of the policy's own.
    """
    import datasets

    from cauarena.learners.grpo.policy import PolicyBackend
    from cauarena.learners.grpo.rewards import REWARD_FUNCS
    from cauarena.learners.grpo.rollout import RolloutPlayer, episode_dataset_rows
    from cauarena.learners.grpo.trainer import EpisodeGRPOTrainer

    if not progress:
        datasets.disable_progress_bars()

    def policy(trainer: Any) -> PolicyBackend:
        return PolicyBackend(trainer.accelerator.unwrap_model(trainer.model), tokenizer, init)

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="You are using 'rollout_func'", category=UserWarning)
        return EpisodeGRPOTrainer(
            model=model,
            reward_funcs=list(REWARD_FUNCS),
            args=grpo_arguments(config, work_dir, progress),
            train_dataset=datasets.Dataset.from_list(episode_dataset_rows(config)),
            processing_class=tokenizer,
            rollout_func=player or RolloutPlayer(config, policy),
            peft_config=lora_config(config),
            callbacks=callbacks,
            train_turns=config.train_turns,
            turn_weighting=config.turn_weighting,
            greedy_eval_every=config.greedy_eval_every if config.greedy_eval_seeds else 0,
        )


def save_policy(trainer: Any, tokenizer: Any, config: EnvGRPOConfig, out: Path) -> None:
    """Write the trained weights (LoRA merged) in ``save_dtype`` and the tokenizer with its chat template."""
    import torch

    model = trainer.accelerator.unwrap_model(trainer.model)
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    model = model.to("cpu", getattr(torch, config.save_dtype))
    model.config.use_cache = True
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out), save_jinja_files=False)


def machine_info(config: EnvGRPOConfig) -> dict[str, Any]:
    """Python, library versions, CPUs and load, device: recorded next to the timings."""
    import torch
    import transformers
    import trl

    return {
        "python": platform.python_version(), "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(), "load_average_1min": round(os.getloadavg()[0], 2),
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "transformers": transformers.__version__,
        "trl": trl.__version__, "device": config.device,
        "gpu": torch.cuda.get_device_name() if config.device.startswith("cuda") else None,
    }


def train(config: EnvGRPOConfig, out: Path, work_dir: Path | None = None, progress: bool = True,
          resume: bool = False) -> dict[str, Any]:
    """GRPO-train ``config.model`` on ``config.env_ids``; save to ``out``; returns the ``metrics.json`` data.

    Args:
        config: the envs, the starting policy and the GRPO settings.
        out: folder for the trained model (``cauarena run --agent hf/<out>`` evaluates it) and its reports.
        work_dir: trainer checkpoints (None: ``<out>/work``).
        progress: show a progress bar.
        resume: continue from the latest trainer checkpoint in ``work_dir``.
    """
    import torch

    from cauarena.learners.grpo.report import learning_curve, write_reports

    out = Path(out)
    work_dir = out / "work" if work_dir is None else Path(work_dir)
    start = time.perf_counter()
    torch.set_num_threads(config.threads)
    init = resolve_checkpoint(config.model)
    model, tokenizer = load_policy(init)
    budget = time_budget_callback(config.time_budget_s, save=True)  # resumable
    trainer = build_trainer(config, model, tokenizer, init, work_dir, progress, [budget])
    checkpoint = resume and any(work_dir.glob("checkpoint-*"))
    step0 = time.perf_counter()
    trainer.train(resume_from_checkpoint=True if checkpoint else None)
    train_s = time.perf_counter() - step0
    trainer.rollout_func.close()
    save_policy(trainer, tokenizer, config, out)
    steps = trainer.state.global_step
    metrics = {
        "config": config.to_dict(),
        "init": str(init),
        "training": {
            "optimizer_steps": steps,
            "resumed": bool(checkpoint),
            "train_s": round(train_s, 1),
            "seconds_per_step": round(train_s / max(steps, 1), 2),
            "stopped_by_time_budget": bool(getattr(budget, "hit", False)),
        },
        "curve": learning_curve(trainer.state.log_history),
        "checkpoint_mb": round(sum(p.stat().st_size for p in out.iterdir() if p.is_file()) / 2**20, 2),
        "total_wall_s": round(time.perf_counter() - start, 1),
        "machine": machine_info(config),
    }
    write_reports(metrics, out)
    return metrics


def dump(metrics: dict[str, Any]) -> str:
    """The headline of ``metrics`` as JSON (what the CLI prints)."""
    head = {k: metrics[k] for k in ("init", "training", "checkpoint_mb", "total_wall_s")}
    curve = metrics["curve"]
    if curve:
        head["first_step"], head["last_step"] = curve[0], curve[-1]
    return json.dumps(head, indent=2)
