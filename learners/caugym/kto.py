"""KTO recipe: TRL's ``KTOTrainer`` on unpaired right and wrong replies, 1:1 (as the published KTO data)."""

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
from cauarena.learners.caugym.kto_config import CauGymKTOConfig


def train(config: CauGymKTOConfig, out: Path, work_dir: Path, init: Path | None = None,
          progress: bool = True) -> dict[str, Any]:
    """KTO-tune the model in ``init``; save to ``out``; returns the metrics."""
    from trl import KTOConfig, KTOTrainer

    model, tokenizer, items, start = start_recipe(config, init, "KTO")
    args = KTOConfig(**trl_arguments(config, work_dir, progress), max_length=config.max_length, beta=config.beta,
                     desirable_weight=config.desirable_weight, undesirable_weight=config.undesirable_weight)
    budget = time_budget_callback(config.time_budget_s)
    dataset = data.export_dataset("kto", items, config.seed)
    trainer = KTOTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer, callbacks=[budget])
    stats = train_and_time(trainer, budget)
    return finish_recipe(trainer, tokenizer, config, out, init, {"rows": len(dataset)}, stats, start)
