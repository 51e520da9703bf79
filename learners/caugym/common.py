"""What every CauGym recipe shares: TRL's CPU arguments, loading the starting model, saving the result.

Trainer modules import torch, transformers and TRL inside their functions; importing this module imports
no model library.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from cauarena.errors import ConfigError
from cauarena.learners.caugym.common_config import CauGymTrainConfig


def trl_arguments(config: CauGymTrainConfig, work_dir: Path, progress: bool) -> dict[str, Any]:
    """Keyword arguments every TRL config of ours takes (CPU: ``use_cpu``, no bf16, no reporting)."""
    return {
        "output_dir": str(work_dir),
        "num_train_epochs": config.epochs,
        "per_device_train_batch_size": config.batch_size,
        "learning_rate": config.learning_rate,
        "lr_scheduler_type": "cosine",
        "warmup_steps": config.warmup_ratio,
        "weight_decay": config.weight_decay,
        "max_grad_norm": 1.0,
        "logging_steps": config.logging_steps,
        "save_strategy": "no",
        "seed": config.seed,
        "data_seed": config.seed,
        "bf16": False,
        "use_cpu": True,
        "report_to": "none",
        "disable_tqdm": not progress,
        "dataloader_num_workers": 0,
    }


def load_policy(init: Path) -> tuple[Any, Any]:
    """The model and tokenizer saved in ``init`` (local files only), the model in float32 and train mode.

    Raises:
        ConfigError: ``init`` holds no checkpoint.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (init / "config.json").is_file():
        raise ConfigError(
            f"{init} is not a checkpoint folder (no config.json). Fix: build the starting model first with "
            "`cauarena train caugym-base --out DIR` and pass --init DIR."
        )
    tokenizer = AutoTokenizer.from_pretrained(str(init), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(init), local_files_only=True, dtype="float32")
    model.config.use_cache = False
    return model.train(), tokenizer


def train_and_time(trainer: Any, budget: Any) -> dict[str, Any]:
    """Run ``trainer.train()``; return steps, losses, wall time and whether the time budget stopped it."""
    start = time.perf_counter()
    result = trainer.train()
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    return {
        "optimizer_steps": trainer.state.global_step,
        "train_loss": round(float(result.training_loss), 4),
        "first_loss": round(float(losses[0]), 4) if losses else None,
        "final_loss": round(float(losses[-1]), 4) if losses else None,
        "train_s": round(time.perf_counter() - start, 1),
        "stopped_by_time_budget": bool(getattr(budget, "hit", False)),
    }


def save_result(model: Any, tokenizer: Any, config: CauGymTrainConfig, out: Path, metrics: dict[str, Any]) -> None:
    """Write the model, tokenizer and ``metrics.json`` (config, data and training numbers) to ``out``."""
    from cauarena.learners.tinylm.tokenizer import save_tokenizer

    out.mkdir(parents=True, exist_ok=True)
    model.config.use_cache = True
    model.save_pretrained(str(out))
    save_tokenizer(tokenizer, out)
    (out / "metrics.json").write_text(json.dumps({"config": config.to_dict(), **metrics}, indent=2) + "\n")


def set_threads(config: CauGymTrainConfig) -> None:
    """Pin torch to ``config.threads`` CPU threads."""
    import torch

    torch.set_num_threads(config.threads)


def start_recipe(config: CauGymTrainConfig, init: Path | None, method: str) -> tuple[Any, Any, list[Any], float]:
    """The shared opening of the SFT/DPO/KTO/GRPO recipes: ``(model, tokenizer, training items, start time)``.

    Raises:
        ValueError: no ``init`` checkpoint (``train --method base`` builds one).
    """
    from cauarena.learners.caugym import data

    if init is None:
        raise ValueError(f"{method} needs --init: the starting checkpoint (train --method base builds one).")
    set_threads(config)
    start = time.perf_counter()
    model, tokenizer = load_policy(init)
    items = data.training_items(config.items_per_cell, difficulty=config.difficulty, names=config.names,
                                seed_start=config.seed_start)
    return model, tokenizer, items, start


def finish_recipe(trainer: Any, tokenizer: Any, config: CauGymTrainConfig, out: Path, init: Path,
                  data_info: dict[str, Any], stats: dict[str, Any], start: float) -> dict[str, Any]:
    """The shared ending of the recipes: save the trained model and its metrics to ``out``; returns the metrics."""
    metrics = {"init": str(init), "data": data_info, "training": stats,
               "total_wall_s": round(time.perf_counter() - start, 1)}
    save_result(trainer.model, tokenizer, config, out, metrics)
    return metrics
