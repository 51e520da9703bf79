"""KTO recipe: TRL's ``KTOTrainer`` on unpaired right and wrong replies, 1:1 (as the published KTO data)."""

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
from cauarena.learners.caugym.kto_config import CauGymKTOConfig


def train(config: CauGymKTOConfig, out: Path, work_dir: Path, init: Path | None = None,
          progress: bool = True) -> dict[str, Any]:
    """KTO-tune the model in ``init``; save to ``out``; returns the metrics."""
    from trl import KTOConfig, KTOTrainer

    if init is None:
        raise ValueError("KTO needs --init: the starting checkpoint (train --method base builds one).")
    set_threads(config)
    start = time.perf_counter()
    model, tokenizer = load_policy(init)
    items = data.training_items(config.items_per_cell, difficulty=config.difficulty, names=config.names,
                                seed_start=config.seed_start)
    args = KTOConfig(**trl_arguments(config, work_dir, progress), max_length=config.max_length, beta=config.beta,
                     desirable_weight=config.desirable_weight, undesirable_weight=config.undesirable_weight)
    budget = time_budget_callback(config.time_budget_s)
    dataset = data.export_dataset("kto", items, config.seed)
    trainer = KTOTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer, callbacks=[budget])
    stats = train_and_time(trainer, budget)
    metrics = {"init": str(init), "data": {"rows": len(dataset)}, "training": stats,
               "total_wall_s": round(time.perf_counter() - start, 1)}
    save_result(trainer.model, tokenizer, config, out, metrics)
    return metrics
