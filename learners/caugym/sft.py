"""SFT recipe: TRL's ``SFTTrainer`` on solved items, loss on the completion only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cauarena.learners.callbacks import time_budget_callback
from cauarena.learners.caugym import data
from cauarena.learners.caugym.common import (
    finish_recipe,
    start_recipe,
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
    model, tokenizer, items, start = start_recipe(config, init, "SFT")
    trainer, budget = sft_trainer(config, model, tokenizer, data.sft_rows(items), work_dir, progress)
    stats = train_and_time(trainer, budget)
    return finish_recipe(trainer, tokenizer, config, out, init, {"rows": len(items)}, stats, start)
