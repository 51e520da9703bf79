"""SFT recipe: TRL's ``SFTTrainer`` on solved items, loss on the completion only."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from cauarena.learners.caugym import data
from cauarena.learners.caugym.common import (
    load_policy,
    save_result,
    set_threads,
    time_budget_callback,
    train_and_time,
    trl_arguments,
)
from cauarena.learners.caugym.common_config import CauGymTrainConfig
from cauarena.learners.caugym.sft_config import CauGymSFTConfig


def sft_trainer(config: CauGymTrainConfig, model: Any, tokenizer: Any, rows: list[dict], work_dir: Path,
                progress: bool) -> tuple[Any, Any]:
    """An ``SFTTrainer`` on ``rows`` with our CPU arguments and the time budget; returns ``(trainer, budget)``."""
    from trl import SFTConfig, SFTTrainer

    args = SFTConfig(**trl_arguments(config, work_dir, progress), max_length=config.max_length,
                     completion_only_loss=True)
    budget = time_budget_callback(config.time_budget_s)
    trainer = SFTTrainer(model=model, args=args, train_dataset=data.to_dataset(rows), processing_class=tokenizer,
                         callbacks=[budget])
    return trainer, budget


def train(config: CauGymSFTConfig, out: Path, work_dir: Path, init: Path | None = None,
          progress: bool = True) -> dict[str, Any]:
    """Fine-tune the model in ``init`` on ``config.items_per_cell`` solved items per cell; save to ``out``."""
    if init is None:
        raise ValueError("SFT needs --init: the starting checkpoint (train --method base builds one).")
    set_threads(config)
    start = time.perf_counter()
    model, tokenizer = load_policy(init)
    items = data.training_items(config.items_per_cell, difficulty=config.difficulty, names=config.names,
                                seed_start=config.seed_start)
    trainer, budget = sft_trainer(config, model, tokenizer, data.sft_rows(items), work_dir, progress)
    stats = train_and_time(trainer, budget)
    metrics = {"init": str(init), "data": {"rows": len(items)}, "training": stats,
               "total_wall_s": round(time.perf_counter() - start, 1)}
    save_result(trainer.model, tokenizer, config, out, metrics)
    return metrics
